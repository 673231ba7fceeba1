"""Retention events in the admin: recorded from the subject list (or a subject's page) by picking one of the
event-triggered rules of the subjects' activities; refusals shown, nothing half-recorded; the list shows status and
due day; pending events are cancelled with a reason; messages say what happened and how many."""
from __future__ import annotations

from datetime import date

import pytest
from django.contrib.admin import helpers
from django.contrib.messages import get_messages
from django.urls import reverse

from retention import events
from retention.models import PeriodUnit, RetentionEvent, RetentionRule
from tests import factories as f

pytestmark = pytest.mark.django_db

SUBJECTS = reverse("admin:subjects_datasubject_changelist")
EVENTS = reverse("admin:retention_retentionevent_changelist")


@pytest.fixture
def activity():
    return f.ProcessingActivityFactory(name="Youth football camp")


@pytest.fixture
def rule(activity):
    return f.RetentionRuleFactory(
        activity=activity, trigger=RetentionRule.Trigger.EVENT, period_amount=30, period_unit=PeriodUnit.DAYS,
        trigger_event="a person under the minimum age is discovered", enabled=False,
    )


def engaged(activity):
    return f.EngagementFactory(activity=activity, subject__organisation=activity.organisation).subject


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _record(client, subjects, **extra):
    return client.post(SUBJECTS, {"action": "record_event", helpers.ACTION_CHECKBOX_NAME: [s.pk for s in subjects],
                                  **extra})


def test_the_form_offers_only_the_event_rules_of_the_subjects_activities_and_records(dpo_client, activity, rule):
    f.RetentionRuleFactory(activity=activity)  # a date rule of the same activity: not offered
    f.RetentionRuleFactory(activity=f.ProcessingActivityFactory(), trigger=RetentionRule.Trigger.EVENT,
                           period_amount=0, trigger_event="elsewhere", enabled=False)  # another activity's
    a, b = engaged(activity), engaged(activity)

    page = _record(dpo_client, [a, b])

    assert page.status_code == 200
    assert list(page.context["form"].fields["rule"].queryset) == [rule]
    assert a.email not in page.content.decode()  # subjects by number only

    done = _record(dpo_client, [a, b], post="yes", rule=rule.pk, occurred_on="2024-05-01", reason="Ticket 4711")

    assert done.status_code == 302
    assert _messages(done) == [
        "Recorded the event for 2 subjects, due on 2024-05-31: the nightly sweep carries it out then."
    ]
    assert set(RetentionEvent.objects.values_list("subject_id", "recorded_by", "due_on")) == {
        (a.pk, dpo_client.user.pk, date(2024, 5, 31)), (b.pk, dpo_client.user.pk, date(2024, 5, 31)),
    }


def test_a_refusal_is_shown_and_nothing_is_recorded(dpo_client, activity, rule):
    a = engaged(activity)
    outside = f.DataSubjectFactory(organisation=activity.organisation)

    page = _record(dpo_client, [a, outside], post="yes", rule=rule.pk, occurred_on="2024-05-01", reason="T-1")

    assert page.status_code == 200
    assert "Nothing was recorded: see the reasons below." in _messages(page)
    assert f"1 subject is not in the rule&#x27;s processing activity: #{outside.pk}." in page.content.decode()
    assert not RetentionEvent.objects.exists()


def test_subjects_with_no_event_rule_are_told_so(dpo_client):
    subject = f.EngagementFactory().subject

    response = _record(dpo_client, [subject])

    assert response.status_code == 302
    assert _messages(response) == [
        "No event-triggered retention rule applies to the processing activities of the selected subjects."
    ]


def test_recording_from_the_subject_page_returns_there(dpo_client, activity, rule):
    subject = engaged(activity)
    elsewhere = f.EngagementFactory().subject  # no event rule in their activity: no button
    page = dpo_client.get(reverse("admin:subjects_datasubject_change", args=[elsewhere.pk]))
    assert "record_event" not in [a["name"] for a in page.context["subject_page_actions"]]
    page = dpo_client.get(reverse("admin:subjects_datasubject_change", args=[subject.pk]))
    assert "record_event" in [a["name"] for a in page.context["subject_page_actions"]]

    done = _record(dpo_client, [subject], post="yes", from_subject_page="1", rule=rule.pk,
                   occurred_on="2024-05-01", reason="Ticket 4711")

    assert done.status_code == 302 and done.url == reverse("admin:subjects_datasubject_change", args=[subject.pk])
    assert RetentionEvent.objects.filter(subject=subject).count() == 1
    shown = dpo_client.get(reverse("admin:subjects_datasubject_change", args=[subject.pk])).content.decode()
    assert "retention events" in shown.lower() and ("2024-05-31" in shown or "May 31, 2024" in shown)


def test_the_list_shows_status_and_due_day_and_cancels_pending_events(dpo_client, activity, rule):
    a, b = engaged(activity), engaged(activity)
    first, second = events.events_record(rule=rule, subject_ids=[a.pk, b.pk], occurred_on=date(2024, 5, 1),
                                         reason="T-1", actor=None)
    listing = dpo_client.get(EVENTS)
    assert listing.status_code == 200 and "pending: to be carried out when due" in listing.content.decode()

    chosen = {"action": "cancel", helpers.ACTION_CHECKBOX_NAME: [first.pk]}
    form = dpo_client.post(EVENTS, chosen)
    assert form.status_code == 200 and "Why is it cancelled?" in form.content.decode()

    done = dpo_client.post(EVENTS, {**chosen, "post": "yes", "reason": "recorded for the wrong person"})

    assert _messages(done) == ["Cancelled 1 event: nothing will be done for it."]
    first.refresh_from_db()
    assert (first.status, first.cancelled_by) == ("cancelled", dpo_client.user)

    again = dpo_client.post(EVENTS, {"action": "cancel", helpers.ACTION_CHECKBOX_NAME: [first.pk, second.pk],
                                     "post": "yes", "reason": "again"})
    assert _messages(again)[-1:] == [
        f"1 event is no longer pending (carried out or cancelled already), so nothing was cancelled: #{first.pk}."
    ]
    assert RetentionEvent.objects.get(pk=second.pk).status == "pending"


def test_compliance_records_but_only_the_dpo_cancels(compliance_client, activity, rule):
    subject = engaged(activity)
    [event] = events.events_record(rule=rule, subject_ids=[subject.pk], occurred_on=date(2024, 5, 1),
                                   reason="T-1", actor=None)
    action_form = compliance_client.get(EVENTS).context["action_form"]  # None: no action offered at all
    assert action_form is None or "cancel" not in dict(action_form.fields["action"].choices)
    compliance_client.post(EVENTS, {"action": "cancel", helpers.ACTION_CHECKBOX_NAME: [event.pk], "post": "yes",
                                    "reason": "no"})
    assert RetentionEvent.objects.get(pk=event.pk).status == "pending"
