"""Held subjects (a hold on them, or on their activity) are untouched by the sweep and reported as held; the first
run after the hold ends (released, or past its last day) erases them."""
from __future__ import annotations

from datetime import date

import pytest

from retention import services
from retention.models import ErasureRecord
from subjects.models import DataSubject
from tests import factories as f
from tests.retention_support import rule_for

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 6, 1)


@pytest.fixture
def activity():
    return f.ProcessingActivityFactory()


def _due(activity) -> DataSubject:
    return f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                               last_contact_on=date(2020, 1, 1)).subject


def _state(subject) -> str:
    return DataSubject.objects.get(pk=subject.pk).state


def test_held_subject_is_untouched_reported_and_erased_after_release(activity):
    rule = rule_for(activity)
    held, free = _due(activity), _due(activity)
    hold = f.LegalHoldFactory(subject=held)
    email = held.email

    run = services.sweep_run(as_of=AS_OF)

    counts = run.counts[str(rule.pk)]
    assert (counts["due"], counts["held"], counts["erased"]) == (1, 1, 1)
    assert _state(held) == DataSubject.State.ACTIVE and DataSubject.objects.get(pk=held.pk).email == email
    assert _state(free) == DataSubject.State.ERASED

    services.hold_release(hold=hold, actor=None)
    after = services.sweep_run(as_of=AS_OF)

    assert after.counts[str(rule.pk)]["held"] == 0 and after.counts[str(rule.pk)]["erased"] == 1
    assert _state(held) == DataSubject.State.ERASED
    assert ErasureRecord.objects.filter(subject=held).exists()


def test_a_hold_ends_after_its_last_day(activity):
    rule_for(activity)
    held = _due(activity)
    f.LegalHoldFactory(subject=held, until=date(2024, 6, 1))

    services.sweep_run(as_of=date(2024, 6, 1))
    assert _state(held) == DataSubject.State.ACTIVE

    services.sweep_run(as_of=date(2024, 6, 2))
    assert _state(held) == DataSubject.State.ERASED


def test_a_hold_on_the_activity_keeps_everyone_in_it(activity):
    rule = rule_for(activity)
    subjects = [_due(activity), _due(activity)]
    f.LegalHoldFactory(subject=None, activity=activity, reason="Authority's audit of this processing")

    run = services.sweep_run(as_of=AS_OF)

    assert run.counts[str(rule.pk)]["held"] == 2 and run.counts[str(rule.pk)]["erased"] == 0
    assert {_state(s) for s in subjects} == {DataSubject.State.ACTIVE}


def test_a_hold_on_another_activity_of_the_subject_keeps_them_whole(activity):
    rule_for(activity)
    subject = _due(activity)
    other = f.EngagementFactory(subject=subject, last_contact_on=date(2024, 5, 1)).activity
    f.LegalHoldFactory(subject=None, activity=other, reason="Litigation about the other processing")

    services.sweep_run(as_of=AS_OF)

    # Still needed by the other activity: only this activity's engagement goes, the person stays.
    assert _state(subject) == DataSubject.State.ACTIVE
    assert list(subject.engagements.values_list("activity_id", flat=True)) == [other.pk]
