"""Chunks run at once on ``RETENTION_SWEEP_WORKERS`` threads, each with its own connection (PostgreSQL, outside a
caller's transaction): every due subject is erased once, chunks that share an identifier do not deadlock, a failed
chunk costs its own subjects only, and no worker thread or connection outlives the run."""
from __future__ import annotations

import threading
import time
from datetime import date
from unittest import mock

import pytest
from django.db import connection

from retention import engine, services
from retention.models import ErasureRecord, SweepRun
from subjects.keyed_hash import suppression_hash
from subjects.models import DataSubject, Suppression
from tests import factories as f
from tests.retention_support import ci_uses_postgresql, ensure_countries, on_postgresql, rule_for

AS_OF = date(2024, 6, 1)


def on_postgresql_outside_a_transaction(test):
    """Threads with their own connections see only committed rows: PostgreSQL, a transactional test."""
    test = pytest.mark.django_db(transaction=True)(test)
    return pytest.mark.skipif(not ci_uses_postgresql(), reason="threads with own connections: PostgreSQL")(test)


@pytest.fixture
def two_workers(settings):
    ensure_countries()  # a transactional test starts from a flushed database
    settings.RETENTION_SWEEP_WORKERS = 2


def _chunk_raises(ids: list[int], exc: BaseException):
    real_batch = engine.sweep_rule_batch

    def batch(**kwargs):
        if list(kwargs["ids"]) == ids:
            raise exc
        return real_batch(**kwargs)

    return mock.patch.object(engine, "sweep_rule_batch", batch)


def _sweep_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("sweep-chunks-")]


def _due(n: int, *, shared_email_every: int = 0) -> tuple[object, list[DataSubject]]:
    activity = f.ProcessingActivityFactory()
    rule = rule_for(activity)
    subjects = []
    for index in range(n):
        # The same address in other organisations' registers: one suppression entry, written by whichever chunk
        # comes first, while the others wait for it.
        extra = {"email": "shared.person@example.org"} if shared_email_every and index % shared_email_every == 0 else {}
        organisation = f.OrganisationFactory() if extra else activity.organisation
        subject = f.DataSubjectFactory(organisation=organisation, **extra)
        f.EngagementFactory(activity=activity, subject=subject, last_contact_on=date(2020, 3, 3))
        subjects.append(subject)
    return rule, subjects


# --- the hand-out itself, without a database ------------------------------------------------------------------


def test_every_chunk_is_worked_once_and_every_outcome_comes_back():
    chunks = [[n, n + 1] for n in range(0, 40, 2)]
    seen: list[list[int]] = []
    lock = threading.Lock()

    def work(ids):
        with lock:
            seen.append(ids)
        if ids[0] == 10:
            raise ValueError("this chunk fails")
        return engine.BatchResult(claimed=len(ids), erased=len(ids))

    outcomes = list(services._chunk_outcomes(iter(chunks), work, workers=3))

    assert sorted(seen) == chunks
    assert sorted(ids for ids, _ in outcomes) == chunks
    failed = [ids for ids, outcome in outcomes if isinstance(outcome, ValueError)]
    assert failed == [[10, 11]]
    assert sum(o.erased for _, o in outcomes if isinstance(o, engine.BatchResult)) == 38
    assert _sweep_threads() == []


def test_a_caller_that_stops_early_starts_no_more_chunks_and_leaves_no_thread():
    started: list[list[int]] = []
    lock = threading.Lock()

    def work(ids):
        with lock:
            started.append(ids)
        return engine.BatchResult(claimed=len(ids))

    outcomes = services._chunk_outcomes(iter([[n] for n in range(1000)]), work, workers=2)
    next(outcomes)
    outcomes.close()

    assert _sweep_threads() == []
    assert len(started) < 10  # the ones handed out before the stop, not the thousand


def test_an_interrupt_inside_a_worker_reaches_the_caller():
    def work(ids):
        raise KeyboardInterrupt

    outcomes = list(services._chunk_outcomes(iter([[1], [2]]), work, workers=2))
    assert all(isinstance(outcome, KeyboardInterrupt) for _, outcome in outcomes)
    assert _sweep_threads() == []


# --- on PostgreSQL, for real ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_inside_a_callers_transaction_chunks_run_on_the_callers_connection(settings):
    settings.RETENTION_SWEEP_WORKERS = 4
    rule, subjects = _due(3)
    assert services._sweep_workers() == 1  # other connections could not see this test's rows
    run = services.sweep_run(as_of=AS_OF, chunk_size=1)
    assert run.counts[str(rule.pk)]["erased"] == 3


@on_postgresql_outside_a_transaction
def test_two_workers_erase_every_due_subject_once_even_when_chunks_share_an_identifier(two_workers):
    assert on_postgresql()
    rule, subjects = _due(24, shared_email_every=3)
    batches = []
    real_batch = engine.sweep_rule_batch

    def spy(**kwargs):
        batches.append((threading.current_thread().name, list(kwargs["ids"])))
        return real_batch(**kwargs)

    with mock.patch.object(engine, "sweep_rule_batch", spy):
        run = services.sweep_run(as_of=AS_OF, chunk_size=2)

    assert run.status == SweepRun.Status.SUCCEEDED, run.error
    assert (run.counts[str(rule.pk)]["due"], run.counts[str(rule.pk)]["erased"]) == (24, 24)
    assert {name for name, _ in batches} == {"sweep-chunks-0", "sweep-chunks-1"}
    assert sorted(i for _, ids in batches for i in ids) == sorted(s.pk for s in subjects)
    assert set(DataSubject.objects.values_list("state", flat=True)) == {DataSubject.State.ERASED}
    assert ErasureRecord.objects.count() == 24
    assert Suppression.objects.filter(digest=suppression_hash("shared.person@example.org")).count() == 1
    assert Suppression.objects.count() == 24 - 8 + 1 + 24  # e-mails (8 of them one address) and phones
    assert _sweep_threads() == []
    assert _other_sessions_within(seconds=5) == 0  # the workers' connections are closed: only this one is left


def _other_sessions_within(*, seconds: float) -> int:
    # A closed connection's server process leaves pg_stat_activity a moment after the client has gone on.
    deadline = time.monotonic() + seconds
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid()")
            others = cursor.fetchone()[0]
        if others == 0 or time.monotonic() > deadline:
            return others
        time.sleep(0.05)


@on_postgresql_outside_a_transaction
def test_a_chunk_failing_on_one_worker_costs_only_its_subjects_and_a_rerun_finishes(two_workers):
    rule, subjects = _due(8)
    doomed = sorted(s.pk for s in subjects)[2:4]

    with _chunk_raises(doomed, RuntimeError("the worker lost its connection")):
        run = services.sweep_run(as_of=AS_OF, chunk_size=2)

    assert run.status == SweepRun.Status.FAILED
    assert (run.counts[str(rule.pk)]["erased"], run.counts[str(rule.pk)]["failed"]) == (6, 2)
    assert "RuntimeError" in run.error
    assert set(DataSubject.objects.filter(pk__in=doomed).values_list("state", flat=True)) == {"active"}

    again = services.sweep_run(as_of=AS_OF, chunk_size=2)
    assert again.status == SweepRun.Status.SUCCEEDED
    assert again.counts[str(rule.pk)]["erased"] == 2
    assert ErasureRecord.objects.count() == 8


@on_postgresql_outside_a_transaction
def test_a_worker_whose_connection_was_killed_reconnects_for_its_next_chunk(two_workers):
    rule, subjects = _due(8)
    first = min(s.pk for s in subjects)
    real_batch = engine.sweep_rule_batch

    def killed_mid_chunk(**kwargs):
        if list(kwargs["ids"]) == [first]:
            with connection.cursor() as cursor:  # this worker's own connection
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            other = connection.copy()
            try:
                with other.cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            finally:
                other.close()
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")  # the server has gone: OperationalError
        return real_batch(**kwargs)

    with mock.patch.object(engine, "sweep_rule_batch", killed_mid_chunk):
        run = services.sweep_run(as_of=AS_OF, chunk_size=1)

    counts = run.counts[str(rule.pk)]
    assert (counts["erased"], counts["failed"]) == (7, 1), run.error
    assert "OperationalError" in run.error
    assert DataSubject.objects.get(pk=first).state == DataSubject.State.ACTIVE


@pytest.mark.skipif(not ci_uses_postgresql(), reason="a server-side cursor: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_due_ids_cursor_is_closed_at_once_when_the_sweep_stops_before_reading_it():
    from retention import selectors
    from retention.models import Phase

    ensure_countries()
    rule, subjects = _due(5)  # outside a transaction: the cursor is WITH HOLD, as in a real sweep

    def open_cursors() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_cursors WHERE name LIKE '_django_curs_%%'")
            return cursor.fetchone()[0]

    total, chunks = selectors.due_subject_id_chunks(rule=rule, as_of=AS_OF, phase=Phase.FINAL, size=2)
    assert total == 5 and open_cursors() == 1
    chunks.close()
    assert open_cursors() == 0

    total, chunks = selectors.due_subject_id_chunks(rule=rule, as_of=AS_OF, phase=Phase.FINAL, size=2)
    assert [len(ids) for ids in chunks] == [2, 2, 1]
    assert open_cursors() == 0


@on_postgresql_outside_a_transaction
def test_an_interrupt_stops_the_run_and_its_counts_still_include_the_chunks_other_workers_committed(two_workers):
    rule, subjects = _due(12)
    third = sorted(s.pk for s in subjects)[4:6]

    with _chunk_raises(third, KeyboardInterrupt()), pytest.raises(KeyboardInterrupt):
        services.sweep_run(as_of=AS_OF, chunk_size=2)

    run = SweepRun.objects.get()
    assert run.status == SweepRun.Status.FAILED and "KeyboardInterrupt" in run.error
    committed = ErasureRecord.objects.filter(run=run).count()
    assert committed > 0
    assert run.counts[str(rule.pk)]["erased"] == committed
    assert DataSubject.objects.filter(state=DataSubject.State.ERASED).count() == committed
    assert set(DataSubject.objects.filter(pk__in=third).values_list("state", flat=True)) == {"active"}
    assert _sweep_threads() == []


@pytest.mark.skipif(not ci_uses_postgresql(), reason="chunks run at once on PostgreSQL only")
@pytest.mark.django_db
def test_each_chunk_inserts_its_suppression_entries_in_digest_order():
    """Chunks running at once and sharing identifiers then wait for each other one way only (no deadlock)."""
    from django.test.utils import CaptureQueriesContext

    rule, subjects = _due(6)
    # Identifiers whose digests do not come in subject order: sorting them is the only way to get them ordered.
    for index, subject in enumerate(subjects):
        DataSubject.objects.filter(pk=subject.pk).update(email=f"z{9 - index}@example.org", phone=f"+46 70 {index}00")

    with CaptureQueriesContext(connection) as queries:
        services.sweep_run(as_of=AS_OF, chunk_size=6)

    [insert] = [q["sql"] for q in queries.captured_queries if 'INSERT INTO "subjects_suppression"' in q["sql"]]
    digests = insert.split("string_to_array('")[1].split("'")[0].split(",")
    assert len(digests) == 12 and digests == sorted(digests)
    assert Suppression.objects.count() == 12


@pytest.mark.django_db
def test_the_admin_log_is_indexed_by_object_so_finding_an_erased_rows_entries_does_not_read_the_whole_log():
    from django.contrib.admin.models import LogEntry

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, LogEntry._meta.db_table)
    assert any(c["index"] and c["columns"] == ["content_type_id", "object_id"] for c in constraints.values())
