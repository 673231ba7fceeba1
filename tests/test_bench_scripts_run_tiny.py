"""The benchmarks are run by hand at full size; here they run tiny, to prove they still work."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
on_postgresql = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="benchmarks run on PostgreSQL"
)


def _run(script: str, *args: str) -> list[dict]:
    env = {**os.environ, "ADMIN_REQUIRE_2FA": "false"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


@on_postgresql
def test_register_bench_measures_every_operation_at_two_sizes():
    rows = _run("register.py", "--sizes", "4", "8", "--repeat", "1")
    sizes, summary = rows[:-1], rows[-1]
    assert [r["activities"] for r in sizes] == [4, 8]
    for row in sizes:
        for name in ("dashboard", "change_form", "activity_list", "registry_check", "export_xlsx", "export_pdf"):
            assert "error" not in row[name], (name, row[name])
            assert row[name]["queries"] > 0
    assert summary["dashboard"]["queries"][0] == summary["dashboard"]["queries"][1]


@on_postgresql
def test_admin_list_bench_reports_fixed_queries_per_page():
    rows = _run("admin_list.py", "--sizes", "50", "150", "--repeat", "1")
    summary = rows[-1]
    for name in ("first_page", "filter_state", "search_email"):
        small, large = summary[name]["queries"]
        assert small == large, name


@on_postgresql
def test_sweep_bench_erases_every_due_subject_in_each_measurement_and_prints_the_ratios():
    rows = _run("sweep.py", "--subjects", "3000", "--sample", "10", "--chunk-size", "100")
    result = rows[-1]
    sweeps = [r for r in rows if r.get("measure", "").startswith("a")]
    assert len(sweeps) == 3  # N/10, N, and N with one worker
    for sweep in sweeps:
        assert sweep["status"] == "succeeded" and sweep["totals"]["erased"] == sweep["totals"]["due"] > 0
        # A fixed number per batch, whatever the batch holds: one per table with declared personal data (the
        # retention events' free text made it 21), and two small reads of the run's rule order (what earlier rules
        # remove: the decision the preview shares, read once per batch) made it 23; none per row.
        assert sweep["queries_per_batch"] and max(sweep["queries_per_batch"]) <= 23
    floor = next(r for r in rows if r.get("measure") == "c")
    assert floor["after"]["erased"] == 300 and floor["after"]["record"] == 300
    assert result["workers"] == 2 and set(result["one_worker"]) == {"a", "speedup_vs_per_object", "over_floor"}
    assert result["speedup_vs_per_object"] > 0 and result["over_floor"] > 0


def test_public_form_bench_answers_known_and_unknown_addresses_alike():
    # Runs on PostgreSQL or SQLite (a throw-away database either way), through a real gunicorn.
    (result,) = _run("public_form.py", "--tiny")
    assert result["requests"] == 20 and result["known"]["n"] == result["unknown"]["n"] == 10
    assert result["same_answer"] and result["answer"] == ["302 /privacy/bench/request/sent/"]
    assert result["request_rows"] == 24  # 20 timed and 4 warm-up submissions, one request each
    assert result["ratio"] > 0 and result["throughput_rps"] > 0


def test_fresh_start_bench_times_a_complete_migrate_on_sqlite():
    # The CI-sized mode: migrate alone into a new SQLite file, with this checkout's virtualenv (the full mode clones
    # the repository and runs `make run`, which takes minutes). Timing is reported, not judged here.
    [result] = _run("fresh_start.py", "--migrate-only")
    assert result["migrate_complete"] is True
    assert result["migrate_s"] > 0 and result["migrate_cpu_s"] > 0
    assert result["migrate_target_s"] == 20
