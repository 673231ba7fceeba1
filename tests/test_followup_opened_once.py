"""A vendor is asked once per erasure record and system record: the database refuses a second follow-up, and
every path that opens them (the capture before the scrub, the journal hook, a batch delivered twice, a replay
after a restore, two transactions racing on one subject) opens exactly one."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import IntegrityError, connection, connections, transaction

from retention import engine, followups
from retention.models import ErasureRecord, ProcessorErasure
from subjects.models import SystemRecord
from tests import factories as f
from tests.retention_support import ensure_countries, person_with_copies, rule_for
from tests.test_erasure_journal_and_replay import _replay, _restore, _snapshot

pytestmark = pytest.mark.django_db
Status = ProcessorErasure.Status
AS_OF = date(2024, 6, 1)


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(followups, "enqueue", lambda ids: None)


def _rows(subject_id: int) -> list[tuple]:
    return sorted(ProcessorErasure.objects.filter(subject_id=subject_id)
                  .values_list("erasure_record_id", "system_record_id", "kind"))


def _one_per_system_record(subject_id: int, record: ErasureRecord) -> bool:
    system_records = sorted(SystemRecord.objects.filter(subject_id=subject_id).values_list("pk", flat=True))
    return _rows(subject_id) == [(record.pk, pk, ProcessorErasure.Kind.ERASURE) for pk in system_records]


def _duplicate_of(row: ProcessorErasure, **changes) -> ProcessorErasure:
    fields = {"erasure_record_id": row.erasure_record_id, "subject_id": row.subject_id, "system_id": row.system_id,
              "system_record_id": row.system_record_id, "status": Status.FAILED, **changes}
    return ProcessorErasure(**fields)


# --- the constraints ----------------------------------------------------------------------------------------------


def test_the_database_refuses_a_second_follow_up_for_one_record_and_system_record():
    person = person_with_copies()
    record = engine.subject_erase(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)
    [row] = ProcessorErasure.objects.filter(erasure_record=record)

    with pytest.raises(IntegrityError), transaction.atomic():
        _duplicate_of(row).save()
    # A restriction notice for the same record and system record is a second follow-up too.
    with pytest.raises(IntegrityError), transaction.atomic():
        _duplicate_of(row, kind=ProcessorErasure.Kind.RESTRICTION).save()
    assert ProcessorErasure.objects.filter(erasure_record=record).count() == 1


def test_the_database_refuses_two_rows_of_one_record_and_system_without_a_system_record():
    person = person_with_copies()
    record = engine.subject_erase(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)
    [row] = ProcessorErasure.objects.filter(erasure_record=record)
    _duplicate_of(row, system_record_id=None).save()

    with pytest.raises(IntegrityError), transaction.atomic():
        _duplicate_of(row, system_record_id=None).save()
    # Another system of the same record is another vendor: allowed.
    _duplicate_of(row, system_record_id=None, system_id=f.SystemFactory().pk).save()


def test_the_database_refuses_a_second_open_capture_of_one_system_record():
    person = person_with_copies()
    with transaction.atomic():
        assert followups.followups_capture(subject_ids=[person.subject.pk]) == 1
        [row] = ProcessorErasure.objects.filter(subject_id=person.subject.pk, erasure_record=None)
        with pytest.raises(IntegrityError), transaction.atomic():
            _duplicate_of(row).save()


def test_deleting_system_records_keeps_their_follow_ups_and_their_ids():
    # Two records of one subject in one system: set to null on deletion, their rows would collide.
    person = person_with_copies()
    first = SystemRecord.objects.get(subject=person.subject)
    second = f.SystemRecordFactory(subject=person.subject, system=first.system, external_id="second-zq-1")
    record = engine.subject_erase(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)

    SystemRecord.objects.filter(pk__in=[first.pk, second.pk]).delete()

    assert sorted(ProcessorErasure.objects.filter(erasure_record=record).values_list("system_record_id", flat=True)) \
        == sorted([first.pk, second.pk])


# --- the openers are idempotent -----------------------------------------------------------------------------------


def test_capturing_twice_in_one_erasure_opens_one_follow_up_per_system_record():
    person = person_with_copies()
    f.SystemRecordFactory(subject=person.subject, external_id="mailchimp-zq-77")
    with transaction.atomic():
        assert followups.followups_capture(subject_ids=[person.subject.pk]) == 2
        assert followups.followups_capture(subject_ids=[person.subject.pk]) == 0
        [record] = engine.subjects_erase(subject_ids=[person.subject.pk], action=ErasureRecord.Action.ERASE,
                                         reason=ErasureRecord.Reason.RIGHTS_REQUEST)
    assert _one_per_system_record(person.subject.pk, record)
    assert set(ProcessorErasure.objects.values_list("status", flat=True)) == {Status.PENDING}


def test_the_journal_hook_run_twice_opens_nothing_twice():
    person = person_with_copies()
    f.SystemRecordFactory(subject=person.subject, external_id="mailchimp-zq-78")
    record = engine.subject_erase(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)
    restricted = f.SystemRecordFactory().subject
    restriction = engine.subject_restrict(subject=restricted, reason=ErasureRecord.Reason.RIGHTS_REQUEST)
    before = list(ProcessorErasure.objects.order_by("pk").values_list("pk", "erasure_record_id", "system_record_id"))
    assert len(before) == 3

    entries = [engine.JournalEntry(record_id=r.pk, subject_id=r.subject_id, action=r.action, erased_at=r.erased_at)
               for r in (record, restriction)]
    with transaction.atomic():
        followups.followups_open(entries)
        followups.followups_open(entries)

    after = list(ProcessorErasure.objects.order_by("pk").values_list("pk", "erasure_record_id", "system_record_id"))
    assert after == before


def test_the_journal_hook_opens_nothing_over_a_row_its_lookup_missed(monkeypatch):
    """The look-before-insert is backed by ON CONFLICT: with the lookup blinded, a second run still inserts nothing
    (what happens when a concurrent transaction's row is not visible yet)."""
    person = person_with_copies()
    engine.hook_remove(followups.followups_capture_ids)  # nothing captured: the hook opens failed rows itself
    try:
        record = engine.subject_erase(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)
    finally:
        engine.before_scrub_hook_add(followups.followups_capture_ids)
    assert ProcessorErasure.objects.filter(erasure_record=record).count() == 1
    monkeypatch.setattr(followups, "_not_yet_opened", lambda record_of: SystemRecord.objects.filter(
        subject_id__in=list(record_of)).order_by("pk"))

    entry = engine.JournalEntry(record_id=record.pk, subject_id=person.subject.pk, action=record.action,
                                erased_at=record.erased_at)
    with transaction.atomic():
        followups.followups_open([entry])

    assert ProcessorErasure.objects.filter(erasure_record=record).count() == 1


def test_the_same_sweep_batch_delivered_twice_opens_one_follow_up_each():
    people = [person_with_copies(tag=f"b{n}") for n in range(2)]
    rule = rule_for(people[0].subject.engagements.get().activity)
    for person in people[1:]:
        person.subject.engagements.update(activity=rule.activity)
    ids = sorted(p.subject.pk for p in people)

    first = engine.sweep_rule_batch(rule=rule, as_of=AS_OF, ids=ids)
    engine.sweep_rule_batch(rule=rule, as_of=AS_OF, ids=ids)

    assert first.erased == 2
    for person in people:
        record = ErasureRecord.objects.get(subject=person.subject)
        assert _one_per_system_record(person.subject.pk, record)


def test_a_replay_after_a_restore_opens_one_follow_up_and_a_second_replay_none():
    person = person_with_copies()
    f.SystemRecordFactory(subject=person.subject, external_id="mailchimp-zq-79")
    before = _snapshot()
    engine.subject_erase(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)
    _restore(before)
    assert not ProcessorErasure.objects.exists()

    _replay()  # captures explicitly, and the engine's before-scrub hook captures again
    record = ErasureRecord.objects.get(subject=person.subject)
    assert _one_per_system_record(person.subject.pk, record)
    assert {followups.unseal(s) for s in ProcessorErasure.objects.values_list("external_id_sealed", flat=True)} \
        == {"hubspot-zq-4242", "mailchimp-zq-79"}

    _replay()
    assert _one_per_system_record(person.subject.pk, record)


# --- two transactions on one subject (PostgreSQL: the second waits on the unique index, then skips) ---------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_captures_of_one_subject_open_one_follow_up():
    if connection.vendor != "postgresql":
        pytest.skip("row-level waits on a unique index need PostgreSQL")
    ensure_countries()
    person = person_with_copies(tag="cc")
    inserted, release, errors, results = threading.Event(), threading.Event(), [], {}

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = followups.followups_capture(subject_ids=[person.subject.pk])
                inserted.set()
                release.wait(10)
        except Exception as exc:  # reported to the test thread
            errors.append(exc)
        finally:
            inserted.set()
            connections.close_all()

    def second() -> None:
        try:
            with transaction.atomic():
                # The first capture is not committed: the lookup misses it, the insert waits on the index.
                results["second"] = followups.followups_capture(subject_ids=[person.subject.pk])
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    one = threading.Thread(target=first)
    one.start()
    assert inserted.wait(10)
    two = threading.Thread(target=second)
    two.start()
    try:
        _wait_for_a_lock_wait()
    finally:
        release.set()
        one.join(10)
        two.join(10)

    assert errors == []
    assert results == {"first": 1, "second": 1}  # both meant to; the database let one in
    assert ProcessorErasure.objects.filter(subject_id=person.subject.pk).count() == 1


def _wait_for_a_lock_wait(timeout: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the second capture never waited on the first")
