"""Two sweeps at once (two beats, two workers, a redelivered task): one does the work, the other records that it
was locked out and does nothing. A run left "running" by a killed worker does not block the next one forever."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import connection, connections
from django.utils import timezone

from retention import engine, services
from retention.models import ErasureRecord, SweepRun
from subjects.models import DataSubject
from tests import factories as f
from tests.retention_support import ensure_countries, on_postgresql, rule_for

AS_OF = date(2024, 6, 1)


def _due(n: int) -> list[DataSubject]:
    activity = f.ProcessingActivityFactory()
    rule_for(activity)
    return [
        f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                            last_contact_on=date(2020, 3, 3)).subject
        for _ in range(n)
    ]


@contextmanager
def _another_sweep_running():
    """What a sweep in another process leaves for us to see: PostgreSQL's advisory lock held by another
    session, or (without PostgreSQL) a fresh "running" row."""
    if on_postgresql():
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [services.ADVISORY_LOCK_KEY])
            yield
            with other.cursor() as cursor:
                # Closing the session would release it too, but the server does that after the client has gone on.
                cursor.execute("SELECT pg_advisory_unlock(%s)", [services.ADVISORY_LOCK_KEY])
        finally:
            other.close()
    else:
        run = SweepRun.objects.create(as_of=AS_OF, status=SweepRun.Status.RUNNING)
        yield
        SweepRun.objects.filter(pk=run.pk).update(status=SweepRun.Status.SUCCEEDED)


@pytest.mark.django_db
def test_a_sweep_started_while_another_runs_is_locked_out_and_changes_nothing():
    _due(2)

    with _another_sweep_running():
        second = services.sweep_run(as_of=AS_OF)

    assert second.status == SweepRun.Status.LOCKED_OUT and second.finished_at is not None
    assert not ErasureRecord.objects.exists()
    assert set(DataSubject.objects.values_list("state", flat=True)) == {DataSubject.State.ACTIVE}
    assert services.sweep_run(as_of=AS_OF).status == SweepRun.Status.SUCCEEDED  # once the other one is done
    assert ErasureRecord.objects.count() == 2


@pytest.mark.django_db
def test_a_run_left_running_by_a_killed_worker_is_closed_and_the_next_run_works():
    _due(1)
    killed = SweepRun.objects.create(as_of=AS_OF, status=SweepRun.Status.RUNNING)
    SweepRun.objects.filter(pk=killed.pk).update(started_at=timezone.now() - timedelta(hours=13))

    run = services.sweep_run(as_of=AS_OF)

    assert run.status == SweepRun.Status.SUCCEEDED
    killed.refresh_from_db()
    assert killed.status == SweepRun.Status.FAILED and "interrupted" in killed.error
    assert ErasureRecord.objects.count() == 1


@pytest.mark.django_db
def test_on_postgresql_a_running_row_nobody_holds_the_lock_for_is_stale_at_once():
    if not on_postgresql():
        pytest.skip("without the advisory lock a fresh running row is taken for a live run (previous test)")
    _due(1)
    SweepRun.objects.create(as_of=AS_OF, status=SweepRun.Status.RUNNING)  # its worker was killed a minute ago

    assert services.sweep_run(as_of=AS_OF).status == SweepRun.Status.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_started_together_one_works_the_other_reports_the_lock():
    if not on_postgresql():
        pytest.skip("threads share no in-memory SQLite database; the lock is simulated in the first test")
    ensure_countries()
    subjects = _due(4)
    first_in_batch, second_done = threading.Event(), threading.Event()
    real_batch = engine.sweep_rule_batch
    results: dict[str, SweepRun] = {}

    def slow_batch(**kwargs):
        # The first run holds its lock while the second one starts.
        first_in_batch.set()
        second_done.wait(timeout=20)
        return real_batch(**kwargs)

    def sweep(name: str) -> None:
        try:
            results[name] = services.sweep_run(as_of=AS_OF)
        finally:
            connection.close()

    with mock.patch.object(engine, "sweep_rule_batch", slow_batch):
        first = threading.Thread(target=sweep, args=("first",))
        first.start()
        assert first_in_batch.wait(timeout=20)
        second = threading.Thread(target=sweep, args=("second",))
        second.start()
        second.join(timeout=20)
        second_done.set()
        first.join(timeout=30)

    assert results["first"].status == SweepRun.Status.SUCCEEDED
    assert results["second"].status == SweepRun.Status.LOCKED_OUT
    assert ErasureRecord.objects.count() == len(subjects)
    assert results["first"].totals()["erased"] == len(subjects)
