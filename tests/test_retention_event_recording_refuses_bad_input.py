"""Recording the event of an event-triggered rule: the due day follows from the rule, the history says who and why,
and anything wrong (the rule, the date, a subject, a duplicate) is refused whole, saying what and for whom."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from retention import events
from retention.models import PeriodUnit, RetentionEvent, RetentionRule
from subjects.models import DataSubject
from tests import factories as f

pytestmark = pytest.mark.django_db

T = RetentionRule.Trigger


def event_rule(activity, **kwargs) -> RetentionRule:
    values = {"trigger": T.EVENT, "trigger_event": "a person under the minimum age is discovered",
              "period_amount": 0, "period_unit": PeriodUnit.DAYS, "enabled": False, **kwargs}
    return f.RetentionRuleFactory(activity=activity, **values)


def engaged(activity) -> DataSubject:
    return f.EngagementFactory(activity=activity, subject__organisation=activity.organisation).subject


@pytest.fixture
def activity():
    return f.ProcessingActivityFactory()


def _refused(**kwargs) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        events.events_record(**{"occurred_on": date(2024, 5, 1), "reason": "Ticket 4711", "actor": None, **kwargs})
    assert not RetentionEvent.objects.exists()
    return caught.value.messages


def test_an_event_is_due_its_period_after_it_occurred_and_its_history_says_who_and_why(activity):
    rule = event_rule(activity, period_amount=1, period_unit=PeriodUnit.MONTHS)
    a, b = engaged(activity), engaged(activity)
    staff = f.UserFactory()

    recorded = events.events_record(rule=rule, subject_ids=[a.pk, b.pk, a.pk], occurred_on=date(2024, 1, 31),
                                    reason="Ticket 4711", actor=staff)

    assert len(recorded) == 2
    for event in RetentionEvent.objects.all():
        assert (event.status, event.due_on, event.restrict_on) == ("pending", date(2024, 2, 29), None)
        assert event.recorded_by == staff
        [history] = event.history.all()
        assert (history.history_user, history.history_change_reason) == (staff, "recorded")


def test_restrict_then_erase_gets_both_days(activity):
    rule = event_rule(activity, period_amount=10, action=RetentionRule.Action.RESTRICT_THEN_ERASE,
                      second_period_amount=1, second_period_unit=PeriodUnit.YEARS)
    subject = engaged(activity)
    [event] = events.events_record(rule=rule, subject_ids=[subject.pk], occurred_on=date(2024, 1, 1),
                                   reason="Ticket 1", actor=None)
    assert (event.restrict_on, event.due_on) == (date(2024, 1, 11), date(2025, 1, 11))


def test_a_rule_counted_from_a_date_takes_no_event(activity):
    rule = f.RetentionRuleFactory(activity=activity)
    messages = _refused(rule=rule, subject_ids=[engaged(activity).pk])
    assert messages == [f"Retention rule #{rule.pk} is not triggered by an event: the sweep applies it from its date."]


def test_a_rule_about_one_data_category_takes_no_event(activity):
    rule = event_rule(activity, data_category=f.PersonalDataCategoryFactory())
    assert "about one data category" in _refused(rule=rule, subject_ids=[engaged(activity).pk])[0]


def test_an_event_after_today_is_refused(activity):
    rule = event_rule(activity)
    tomorrow = timezone.localdate() + timedelta(days=1)
    messages = _refused(rule=rule, subject_ids=[engaged(activity).pk], occurred_on=tomorrow)
    assert messages == [f"The event cannot have occurred after today ({timezone.localdate().isoformat()})."]


def test_no_reason_and_no_subject_are_refused(activity):
    messages = _refused(rule=event_rule(activity), subject_ids=[], reason="  ")
    assert messages == ["Select at least one data subject.", "Say what happened (a ticket number, never a name)."]


def test_every_bad_subject_is_named_and_nothing_is_recorded(activity):
    rule = event_rule(activity, subject_category=f.DataSubjectCategoryFactory())
    category = rule.subject_category
    good = engaged(activity)
    good.categories.add(category)
    foreign = f.EngagementFactory().subject  # another organisation
    outside = f.DataSubjectFactory(organisation=activity.organisation)  # not in the activity
    uncategorised = engaged(activity)
    erased = engaged(activity)
    DataSubject.objects.filter(pk=erased.pk).update(state=DataSubject.State.ERASED)

    messages = _refused(rule=rule, subject_ids=[good.pk, foreign.pk, outside.pk, uncategorised.pk, erased.pk, 10**9])

    assert sorted(messages) == sorted([
        f"1 subject belongs to another organisation than the rule's activity: #{foreign.pk}.",
        f"1 subject is not in the rule's processing activity: #{outside.pk}.",
        f"1 subject is not in the rule's subject category: #{uncategorised.pk}.",
        f"1 subject is already erased: #{erased.pk}.",
        f"1 subject does not exist: #{10**9}.",
    ])


def test_the_same_event_twice_is_refused_until_the_first_is_cancelled(activity):
    rule = event_rule(activity)
    a, b = engaged(activity), engaged(activity)
    [first] = events.events_record(rule=rule, subject_ids=[a.pk], occurred_on=date(2024, 5, 1), reason="T-1",
                                   actor=None)

    with pytest.raises(ValidationError) as caught:
        events.events_record(rule=rule, subject_ids=[a.pk, b.pk], occurred_on=date(2024, 5, 2), reason="T-2",
                             actor=None)
    assert caught.value.messages == [
        f"1 subject already has this event recorded (cancel that one first): #{a.pk}."
    ]
    assert RetentionEvent.objects.count() == 1  # b was not recorded either

    events.events_cancel(event_ids=[first.pk], reason="recorded by mistake", actor=None)
    again = events.events_record(rule=rule, subject_ids=[a.pk, b.pk], occurred_on=date(2024, 5, 2), reason="T-2",
                                 actor=None)
    assert len(again) == 2


def test_cancelling_needs_a_reason_and_refuses_events_no_longer_pending(activity):
    rule = event_rule(activity)
    staff = f.UserFactory()
    a, b = engaged(activity), engaged(activity)
    first, second = events.events_record(rule=rule, subject_ids=[a.pk, b.pk], occurred_on=date(2024, 5, 1),
                                         reason="T-1", actor=None)
    with pytest.raises(ValidationError):
        events.events_cancel(event_ids=[first.pk], reason=" ", actor=staff)
    RetentionEvent.objects.filter(pk=second.pk).update(status=RetentionEvent.Status.DONE)

    with pytest.raises(ValidationError) as caught:
        events.events_cancel(event_ids=[first.pk, second.pk], reason="mistake", actor=staff)
    assert str(second.pk) in caught.value.messages[0]
    assert RetentionEvent.objects.get(pk=first.pk).status == RetentionEvent.Status.PENDING

    assert events.events_cancel(event_ids=[first.pk], reason="mistake", actor=staff) == 1
    first.refresh_from_db()
    assert (first.status, first.cancelled_by, first.cancel_reason) == ("cancelled", staff, "mistake")
    assert first.history.first().history_change_reason == "cancelled"
