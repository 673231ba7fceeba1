"""`manage.py retention_sweep [--dry-run] [--as-of YYYY-MM-DD] [--chunk-size N]` runs the same service as the
nightly task, prints counts per rule (ids, never names), and exits 1 when chunks failed."""
from __future__ import annotations

from datetime import date
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from retention import engine
from retention.models import ErasureRecord, SweepRun
from subjects.models import DataSubject
from tests import factories as f
from tests.retention_support import rule_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def due():
    activity = f.ProcessingActivityFactory(name="Newsletter")
    rule = rule_for(activity)
    subjects = [
        f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                            last_contact_on=date(2021, 1, 1)).subject
        for _ in range(3)
    ]
    return rule, subjects


def _run(*args) -> str:
    out = StringIO()
    call_command("retention_sweep", *args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_counts_and_a_sample_and_changes_nothing(due):
    rule, subjects = due
    output = _run("--dry-run", "--as-of", "2024-06-01")

    assert "Preview as of 2024-06-01" in output and "Newsletter" in output and "erased 3" in output
    assert f"#{subjects[0].pk}" in output
    assert not any(s.email in output for s in subjects)
    assert not ErasureRecord.objects.exists()
    assert SweepRun.objects.get().dry_run


def test_the_command_erases_in_chunks_as_of_the_day_given(due):
    rule, subjects = due
    assert "nothing due" in _run("--as-of", "2022-12-31")  # two years not yet up

    output = _run("--as-of", "2024-06-01", "--chunk-size", "2")

    assert "erased 3" in output
    run = SweepRun.objects.filter(dry_run=False).order_by("pk").last()
    assert run.chunk_size == 2 and run.as_of == date(2024, 6, 1)
    assert set(DataSubject.objects.values_list("state", flat=True)) == {DataSubject.State.ERASED}


@pytest.mark.parametrize("args", [["--as-of", "01/06/2024"], ["--chunk-size", "0"], ["--chunk-size", "many"]])
def test_bad_arguments_are_refused(args):
    with pytest.raises(CommandError):
        _run(*args)


def test_failed_chunks_make_the_command_fail(due):
    with mock.patch.object(engine, "subjects_erase", side_effect=RuntimeError("boom")), \
            pytest.raises(CommandError, match="failed"):
        _run("--as-of", "2024-06-01")
    assert not ErasureRecord.objects.exists()


def test_a_locked_out_run_says_so(due):
    SweepRun.objects.create(as_of=date(2024, 6, 1), status=SweepRun.Status.RUNNING)
    with mock.patch("retention.services._advisory_lock") as lock:
        lock.return_value.__enter__.return_value = False  # as when another process holds PostgreSQL's lock
        output = _run("--as-of", "2024-06-01")
    assert "Another sweep is running" in output
