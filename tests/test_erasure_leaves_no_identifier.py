"""After an erasure (per person, or by a sweep) or an anonymisation, none of the subject's identifiers is left in
any table: live rows, history, the admin log, the other declared models. Runs on every database by reading each
table back (tests/test_erasure_absent_from_pg_dump.py does the same with pg_dump, on PostgreSQL)."""
from __future__ import annotations

from datetime import date

import pytest
from django.contrib.admin.models import LogEntry

from retention import engine, services
from retention.models import ErasureRecord, RetentionRule
from subjects.keyed_hash import suppression_hash
from subjects.models import DataSubject, Engagement, Suppression, SystemRecord
from subjects.services import is_suppressed
from tests import factories as f
from tests.retention_support import database_text, person_with_copies, rule_for

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 6, 1)


def _erase_per_person(person):
    return engine.subject_erase(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST, request_ref="RR-17")


def _erase_by_sweep(person):
    activity = person.subject.engagements.get().activity
    rule_for(activity)
    run = services.sweep_run(as_of=AS_OF)
    assert run.status == run.Status.SUCCEEDED
    return ErasureRecord.objects.get(subject=person.subject)


@pytest.mark.parametrize("erase", [_erase_per_person, _erase_by_sweep], ids=["per_person", "sweep"])
def test_erased_subject_leaves_no_identifier_in_any_table(erase):
    person = person_with_copies()
    bystander = person_with_copies(tag="by")
    assert all(value in database_text() for value in person.identifiers)

    record = erase(person)

    text = database_text()
    left = [value for value in person.identifiers if value in text]
    assert left == []
    assert all(value in text for value in bystander.identifiers), "the scan must see a subject that was not erased"
    subject = DataSubject.objects.get(pk=person.subject.pk)
    assert subject.state == DataSubject.State.ERASED
    assert subject.email == f"erased-{subject.pk}@invalid"
    assert record.action == ErasureRecord.Action.ERASE


@pytest.mark.parametrize("erase", [_erase_per_person, _erase_by_sweep], ids=["per_person", "sweep"])
def test_erasure_reaches_history_admin_log_and_other_models(erase):
    person = person_with_copies()
    subject_id = person.subject.pk

    erase(person)

    assert not Engagement.objects.filter(subject_id=subject_id).exists()
    assert not Engagement.history.filter(subject_id=subject_id).exists()
    for row in DataSubject.history.filter(id=subject_id):
        assert (row.first_name, row.last_name, row.phone, row.city) == ("", "", "", "")
        assert row.email == f"erased-{subject_id}@invalid"
    record = SystemRecord.objects.get(subject_id=subject_id)
    assert record.external_id.startswith("hmac:")
    assert all(r.external_id.startswith("hmac:") for r in SystemRecord.history.filter(subject_id=subject_id))
    [entry] = LogEntry.objects.filter(object_id=str(subject_id))
    assert (entry.object_repr, entry.change_message) == (f"Subject #{subject_id}", "")
    assert is_suppressed(email=person.identifiers[0])
    assert Suppression.objects.filter(digest=suppression_hash(person.identifiers[0])).exists()


def test_both_paths_write_the_same_receipt_of_names_and_counts():
    by_hand, by_sweep = person_with_copies(tag="a"), person_with_copies(tag="b")
    rule_for(by_sweep.subject.engagements.get().activity)

    hand = _erase_per_person(by_hand)
    swept = _erase_by_sweep(by_sweep)

    assert hand.receipt == swept.receipt
    tables = hand.receipt["tables"]
    assert (tables["subjects_datasubject"]["rows"], tables["subjects_datasubject"]["row"]) == (1, "scrubbed")
    assert tables["subjects_datasubject"]["fields"]["email"] == "pseudonym"
    assert tables["subjects_historicaldatasubject"]["rows"] == 2
    assert tables["subjects_engagement"] == {"rows": 1, "row": "deleted"}
    assert tables["subjects_systemrecord"]["fields"] == {"external_id": "keyed_hash"}
    assert tables["django_admin_log"]["rows"] == 1
    assert tables["subjects_suppression"] == {"rows": 2, "row": "added"}
    text = str(hand.receipt).lower()
    assert not any(value in text for value in by_hand.identifiers)


def test_the_erasing_save_writes_a_history_row_that_holds_no_old_value():
    person = person_with_copies()
    rows_before = DataSubject.history.filter(id=person.subject.pk).count()

    _erase_per_person(person)

    newest = DataSubject.history.filter(id=person.subject.pk).order_by("-history_id").first()
    assert DataSubject.history.filter(id=person.subject.pk).count() == rows_before + 1
    assert newest.history_change_reason == "erase (rights_request)"  # the typed-in reference stays out
    assert newest.state == DataSubject.State.ERASED and newest.first_name == ""


def test_anonymised_subject_keeps_what_identifies_nobody():
    category = f.DataSubjectCategoryFactory(name="Newsletter subscriber")
    person = person_with_copies()
    person.subject.categories.set([category])
    engagement = person.subject.engagements.get()

    record = engine.subject_anonymise(subject=person.subject, reason=ErasureRecord.Reason.RETENTION)

    text = database_text()
    assert [value for value in person.identifiers if value in text] == []
    subject = DataSubject.objects.get(pk=person.subject.pk)
    assert subject.state == DataSubject.State.ERASED and subject.language == "sv"
    assert list(subject.categories.all()) == [category]
    kept = Engagement.objects.get(pk=engagement.pk)
    assert kept.collected_on == date(2017, 1, 2) and kept.last_contact_on == date(2019, 3, 14)
    assert record.action == ErasureRecord.Action.ANONYMISE
    assert record.receipt["tables"]["subjects_engagement"] == {"rows": 1, "row": "kept"}


def test_sweep_anonymise_rule_scrubs_identity_set_wise():
    person = person_with_copies()
    rule_for(person.subject.engagements.get().activity, action=RetentionRule.Action.ANONYMISE)

    run = services.sweep_run(as_of=AS_OF)

    assert run.totals()["anonymised"] == 1
    assert [value for value in person.identifiers if value in database_text()] == []
    assert Engagement.objects.filter(subject=person.subject).exists()


def test_erasing_twice_changes_nothing_and_returns_the_first_record():
    person = person_with_copies()
    first = _erase_per_person(person)
    history_rows = DataSubject.history.filter(id=person.subject.pk).count()

    again = engine.subject_erase(subject=person.subject, reason=ErasureRecord.Reason.ADMIN)

    assert again == first
    assert ErasureRecord.objects.filter(subject=person.subject).count() == 1
    assert DataSubject.history.filter(id=person.subject.pk).count() == history_rows


def test_held_subject_is_refused_and_untouched():
    person = person_with_copies()
    f.LegalHoldFactory(subject=person.subject)

    with pytest.raises(engine.SubjectHeld):
        _erase_per_person(person)

    assert all(value in database_text() for value in person.identifiers)
    assert not ErasureRecord.objects.exists()


def test_post_erasure_hooks_get_record_ids_after_commit_and_the_journal_before(django_capture_on_commit_callbacks):
    journal, committed = [], []
    engine.journal_hook_add(journal.extend)
    engine.erased_hook_add(committed.extend)
    try:
        person = person_with_copies()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            record = _erase_per_person(person)
        assert [entry.record_id for entry in journal] == [record.pk]
        assert journal[0].subject_id == person.subject.pk and len(journal[0].digests) == 2
        assert committed == []  # not before the commit
        for callback in callbacks:
            callback()
        assert committed == [record.pk]
    finally:
        engine.hook_remove(journal.extend)
        engine.hook_remove(committed.extend)
