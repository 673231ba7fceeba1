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
