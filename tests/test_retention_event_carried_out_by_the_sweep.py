"""The nightly sweep carries out the recorded events of event-triggered rules that are due: exactly those subjects,
through the same engine (record, history scrubbed, vendors told), holds respected, cancelled and not-yet-due events
left alone, and everyone else in the activity untouched; with a bounded number of queries however many are due."""
from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from privacy_registry.models import ProcessingActivity
from retention import events, services
from retention.models import ErasureRecord, PeriodUnit, ProcessorErasure, RetentionEvent, RetentionRule
from subjects.models import DataSubject
from tests import factories as f
from tests.retention_support import database_text, person_with_copies

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 6, 1)
OCCURRED = date(2024, 5, 1)


def event_rule(activity: ProcessingActivity, **kwargs) -> RetentionRule:
    values = {"trigger": RetentionRule.Trigger.EVENT, "trigger_event": "a person under the minimum age is discovered",
              "period_amount": 0, "period_unit": PeriodUnit.DAYS, "enabled": False, **kwargs}
    return f.RetentionRuleFactory(activity=activity, **values)


def engaged(activity, **kwargs) -> DataSubject:
    # Last contact long ago: a date rule would have swept them; the event rule must not, without an event.
    return f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                               last_contact_on=date(2015, 1, 1), collected_on=date(2014, 1, 1), **kwargs).subject


def record(rule, *subjects, occurred_on=OCCURRED) -> list[RetentionEvent]:
    return events.events_record(rule=rule, subject_ids=[s.pk for s in subjects], occurred_on=occurred_on,
                                reason="Ticket 4711", actor=None)


def state(subject) -> str:
    return DataSubject.objects.get(pk=subject.pk).state


@pytest.fixture
def activity():
    return f.ProcessingActivityFactory()


def test_a_due_event_erases_exactly_that_subject_everywhere_and_no_one_else(
    activity, enqueued, django_capture_on_commit_callbacks,
):
    rule = event_rule(activity)
    person = person_with_copies(activity=activity, tag="ev")
    bystander = engaged(activity)
    [event] = record(rule, person.subject)

    with django_capture_on_commit_callbacks(execute=True):
        run = services.sweep_run(as_of=AS_OF)

    assert run.status == "succeeded"
    assert state(person.subject) == DataSubject.State.ERASED
    assert state(bystander) == DataSubject.State.ACTIVE
    text = database_text()
    assert not [i for i in person.identifiers if i in text]
    event.refresh_from_db()
    record_ = ErasureRecord.objects.get(subject_id=person.subject.pk)
    assert (event.status, event.outcome, event.run_id, event.erasure_record_id) == ("done", "erased", run.pk,
                                                                                    record_.pk)
    assert (record_.rule_id, record_.run_id, record_.reason) == (rule.pk, run.pk, "retention")
    assert event.reason == "[erased with the subject]"
    # The vendor holding the subject is told, as for the sweep.
    assert ProcessorErasure.objects.filter(erasure_record=record_).count() == 1
    assert enqueued == [ProcessorErasure.objects.get(erasure_record=record_).pk]
    assert run.counts[str(rule.pk)]["due"] == 1 and run.counts[str(rule.pk)]["erased"] == 1


def test_a_hold_keeps_the_event_pending_until_it_is_released(activity):
    rule = event_rule(activity)
    subject = engaged(activity)
    hold = f.LegalHoldFactory(subject=subject)
    [event] = record(rule, subject)

    run = services.sweep_run(as_of=AS_OF)

    assert run.counts[str(rule.pk)]["held"] == 1 and run.counts[str(rule.pk)]["erased"] == 0
    assert state(subject) == DataSubject.State.ACTIVE
    assert RetentionEvent.objects.get(pk=event.pk).status == "pending"

    services.hold_release(hold=hold, actor=None)
    services.sweep_run(as_of=AS_OF)

    assert state(subject) == DataSubject.State.ERASED
    assert RetentionEvent.objects.get(pk=event.pk).status == "done"


def test_a_cancelled_event_does_nothing(activity):
    rule = event_rule(activity)
    subject = engaged(activity)
    [event] = record(rule, subject)
    events.events_cancel(event_ids=[event.pk], reason="recorded for the wrong person", actor=None)

    run = services.sweep_run(as_of=AS_OF)

    assert state(subject) == DataSubject.State.ACTIVE
    assert RetentionEvent.objects.get(pk=event.pk).status == "cancelled"
    assert str(rule.pk) not in run.counts


def test_an_event_not_yet_due_does_nothing_until_its_day(activity):
    rule = event_rule(activity, period_amount=1, period_unit=PeriodUnit.MONTHS)
    subject = engaged(activity)
    [event] = record(rule, subject, occurred_on=date(2024, 5, 15))  # due 15 June

    services.sweep_run(as_of=AS_OF)
    assert state(subject) == DataSubject.State.ACTIVE
    assert RetentionEvent.objects.get(pk=event.pk).status == "pending"

    services.sweep_run(as_of=date(2024, 6, 15))
    assert state(subject) == DataSubject.State.ERASED


def test_the_sweep_never_applies_an_event_rule_to_anyone_without_an_event(activity):
    rule = event_rule(activity)
    others = [engaged(activity) for _ in range(3)]
    date_rule_subject = engaged(f.ProcessingActivityFactory(organisation=activity.organisation))
    date_rule = f.RetentionRuleFactory(activity=date_rule_subject.engagements.get().activity)

    run = services.sweep_run(as_of=AS_OF)

    assert {state(s) for s in others} == {DataSubject.State.ACTIVE}
    assert str(rule.pk) not in run.counts
    assert state(date_rule_subject) == DataSubject.State.ERASED  # the date rule beside it still works
    assert run.counts[str(date_rule.pk)]["erased"] == 1


def test_a_subject_still_in_another_activity_is_only_removed_from_this_one(activity):
    rule = event_rule(activity)
    subject = engaged(activity)
    other = f.EngagementFactory(subject=subject, last_contact_on=date(2024, 5, 1)).activity
    [event] = record(rule, subject)

    services.sweep_run(as_of=AS_OF)

    assert state(subject) == DataSubject.State.ACTIVE
    assert list(subject.engagements.values_list("activity_id", flat=True)) == [other.pk]
    event.refresh_from_db()
    assert (event.status, event.outcome) == ("done", "detached")


def test_anonymise_and_restrict_then_erase_follow_the_rule(activity):
    anonymise = event_rule(activity, action=RetentionRule.Action.ANONYMISE)
    second = f.ProcessingActivityFactory(organisation=activity.organisation)
    restrict = event_rule(second, action=RetentionRule.Action.RESTRICT_THEN_ERASE, period_amount=0,
                          second_period_amount=1, second_period_unit=PeriodUnit.MONTHS)
    a, b = engaged(activity), engaged(second)
    record(anonymise, a)
    [event_b] = record(restrict, b)  # restricted from 1 May, erased from 1 June

    services.sweep_run(as_of=date(2024, 5, 20))
    assert state(a) == DataSubject.State.ERASED  # anonymised subjects are tombstones too
    assert ErasureRecord.objects.get(subject_id=a.pk).action == "anonymise"
    assert state(b) == DataSubject.State.RESTRICTED
    event_b.refresh_from_db()
    assert (event_b.status, event_b.outcome) == ("pending", "restricted")

    services.sweep_run(as_of=AS_OF)
    assert state(b) == DataSubject.State.ERASED
    assert RetentionEvent.objects.get(pk=event_b.pk).status == "done"


def test_a_subject_erased_otherwise_closes_its_event(activity):
    from retention import engine

    rule = event_rule(activity)
    subject = engaged(activity)
    [event] = record(rule, subject)
    engine.subject_erase(subject=subject, reason=ErasureRecord.Reason.ADMIN)

    services.sweep_run(as_of=AS_OF)

    event.refresh_from_db()
    assert (event.status, event.outcome) == ("done", "already_erased")
    assert ErasureRecord.objects.filter(subject_id=subject.pk).count() == 1


def test_a_preview_counts_due_events_and_changes_nothing(activity):
    rule = event_rule(activity)
    subjects = [engaged(activity) for _ in range(2)]
    f.LegalHoldFactory(subject=subjects[0])
    record(rule, *subjects)

    run = services.sweep_run(as_of=AS_OF, dry_run=True)

    counts = run.counts[str(rule.pk)]
    assert (counts["due"], counts["held"], counts["erased"]) == (2, 1, 1)
    assert sorted(run.sample[str(rule.pk)]) == sorted(s.pk for s in subjects)
    assert {state(s) for s in subjects} == {DataSubject.State.ACTIVE}
    assert set(RetentionEvent.objects.values_list("status", flat=True)) == {"pending"}


def test_an_interrupted_chunk_rolls_back_whole_and_a_rerun_finishes(activity, monkeypatch):
    rule = event_rule(activity)
    subjects = [engaged(activity) for _ in range(3)]
    record(rule, *subjects)
    real = events._events_of

    def boom(*args, **kwargs):
        raise RuntimeError("killed mid-chunk")

    monkeypatch.setattr(events, "_events_of", boom)
    run = services.sweep_run(as_of=AS_OF)
    assert run.status == "failed" and run.counts[str(rule.pk)]["failed"] == 3
    assert {state(s) for s in subjects} == {DataSubject.State.ACTIVE}
    assert not ErasureRecord.objects.exists()

    monkeypatch.setattr(events, "_events_of", real)
    assert services.sweep_run(as_of=AS_OF).status == "succeeded"
    assert {state(s) for s in subjects} == {DataSubject.State.ERASED}


def test_small_chunks_carry_out_every_event(activity):
    rule = event_rule(activity)
    subjects = [engaged(activity) for _ in range(5)]
    record(rule, *subjects)

    run = services.sweep_run(as_of=AS_OF, chunk_size=2)

    assert run.counts[str(rule.pk)]["erased"] == 5
    assert {state(s) for s in subjects} == {DataSubject.State.ERASED}


def _queries_to_carry_out(activity, n: int) -> int:
    rule = event_rule(activity)
    record(rule, *[engaged(activity) for _ in range(n)])
    with CaptureQueriesContext(connection) as queries:
        run = events.events_sweep(run=_run(), rule=rule, counts=_counts(), errors=[])
    assert run is None
    assert not RetentionEvent.objects.filter(rule=rule, status="pending").exists()
    return len(queries)


def _run():
    from retention.models import SweepRun

    # A run row to hang the records on (not "running": only one such row may exist at a time).
    return SweepRun.objects.create(as_of=AS_OF, status="succeeded", chunk_size=1000)


def _counts() -> dict[str, int]:
    return dict.fromkeys(services.COUNT_KEYS, 0)


def test_the_queries_of_carrying_out_due_events_do_not_grow_with_their_number(enqueued):
    few = _queries_to_carry_out(f.ProcessingActivityFactory(), 2)
    many = _queries_to_carry_out(f.ProcessingActivityFactory(), 25)
    assert many == few
