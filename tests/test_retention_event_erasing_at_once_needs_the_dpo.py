"""An event whose rule erases at once (period 0), recorded by someone without the erase permission (Compliance), awaits
a DPO's approval: the sweep does nothing for it until a DPO approves it. The DPO (who holds the erase permission, as
for "Erase now") records such an event as approved at once. An event of a longer rule needs no approval, whoever
records it, also when it is recorded late and so due at once: it is erased when its rule says."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from privacy_registry.roles import DPO
from retention import events, services
from retention.models import PeriodUnit, RetentionEvent, RetentionRule
from subjects.models import DataSubject
from tests import factories as f
from tests.conftest import _staff_client

pytestmark = pytest.mark.django_db

SUBJECTS = reverse("admin:subjects_datasubject_changelist")
EVENTS = reverse("admin:retention_retentionevent_changelist")


@pytest.fixture
def activity():
    return f.ProcessingActivityFactory(name="Youth football camp")


def _rule(activity, days: int) -> RetentionRule:
    return f.RetentionRuleFactory(
        activity=activity, trigger=RetentionRule.Trigger.EVENT, period_amount=days, period_unit=PeriodUnit.DAYS,
        trigger_event="a person under the minimum age is discovered", enabled=False,
    )


def _engaged(activity) -> DataSubject:
    return f.EngagementFactory(activity=activity, subject__organisation=activity.organisation).subject


def _record(client, subject, rule, occurred_on=None):
    occurred_on = occurred_on or timezone.localdate()
    return client.post(SUBJECTS, {
        "action": "record_event", helpers.ACTION_CHECKBOX_NAME: [subject.pk], "post": "yes", "rule": rule.pk,
        "occurred_on": occurred_on.isoformat(), "reason": "Ticket 4711",
    })


def _sweep():
    return services.sweep_run(as_of=timezone.localdate())


def _state(subject) -> str:
    return DataSubject.objects.get(pk=subject.pk).state


def test_compliance_records_an_erase_at_once_event_as_awaiting_and_the_sweep_skips_it_until_the_dpo_approves(
    compliance_client, activity, enqueued, django_capture_on_commit_callbacks,
):
    subject = _engaged(activity)

    response = _record(compliance_client, subject, _rule(activity, 0))

    assert response.status_code == 302
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "awaits a DPO's approval" in message
    event = RetentionEvent.objects.get()
    assert event.status == RetentionEvent.Status.AWAITING_APPROVAL and event.approved_by is None

    with django_capture_on_commit_callbacks(execute=True):
        run = _sweep()
    assert run.status == "succeeded"
    assert _state(subject) == DataSubject.State.ACTIVE
    assert RetentionEvent.objects.get().status == RetentionEvent.Status.AWAITING_APPROVAL

    # Compliance cannot approve its own event.
    compliance_client.post(EVENTS, {"action": "approve", helpers.ACTION_CHECKBOX_NAME: [event.pk]})
    assert RetentionEvent.objects.get().status == RetentionEvent.Status.AWAITING_APPROVAL

    dpo = _staff_client(Client(), get_user_model(), group=DPO)
    approved = dpo.post(EVENTS, {"action": "approve", helpers.ACTION_CHECKBOX_NAME: [event.pk]})
    assert approved.status_code == 302
    event.refresh_from_db()
    assert (event.status, event.approved_by) == (RetentionEvent.Status.PENDING, dpo.user)
    assert event.history.latest().history_change_reason == "approved"

    with django_capture_on_commit_callbacks(execute=True):
        _sweep()
    assert _state(subject) == DataSubject.State.ERASED
    assert RetentionEvent.objects.get().status == RetentionEvent.Status.DONE


def test_the_dpo_records_an_erase_at_once_event_approved_and_the_sweep_carries_it_out(
    dpo_client, activity, enqueued, django_capture_on_commit_callbacks,
):
    subject = _engaged(activity)

    _record(dpo_client, subject, _rule(activity, 0))

    event = RetentionEvent.objects.get()
    assert (event.status, event.approved_by) == (RetentionEvent.Status.PENDING, dpo_client.user)
    with django_capture_on_commit_callbacks(execute=True):
        _sweep()
    assert _state(subject) == DataSubject.State.ERASED


def test_a_longer_rules_event_recorded_late_is_not_held_back(compliance_client, activity):
    subject = _engaged(activity)

    _record(compliance_client, subject, _rule(activity, 30), occurred_on=timezone.localdate() - timedelta(days=40))

    assert RetentionEvent.objects.get().status == RetentionEvent.Status.PENDING


def test_an_event_due_later_needs_no_approval_from_compliance(compliance_client, activity):
    subject = _engaged(activity)

    _record(compliance_client, subject, _rule(activity, 30))

    event = RetentionEvent.objects.get()
    assert event.status == RetentionEvent.Status.PENDING and event.approved_by is None


def test_the_service_records_awaiting_for_a_user_without_the_erase_permission_and_the_dpo_may_cancel_it(
    activity, django_user_model,
):
    subject = _engaged(activity)
    clerk = django_user_model.objects.create_user(username="clerk")

    [event] = events.events_record(rule=_rule(activity, 0), subject_ids=[subject.pk],
                                   occurred_on=timezone.localdate(), reason="Ticket 1", actor=clerk)

    assert event.status == RetentionEvent.Status.AWAITING_APPROVAL
    assert events.events_cancel(event_ids=[event.pk], reason="recorded in error", actor=None) == 1
    assert RetentionEvent.objects.get(pk=event.pk).status == RetentionEvent.Status.CANCELLED


def test_the_dpos_dashboard_counts_the_events_awaiting_approval_and_compliances_does_not(
    compliance_client, activity, django_user_model,
):
    subject = _engaged(activity)
    clerk = django_user_model.objects.create_user(username="clerk")
    events.events_record(rule=_rule(activity, 0), subject_ids=[subject.pk], occurred_on=timezone.localdate(),
                         reason="Ticket 1", actor=clerk)
    dashboard = reverse("admin:index")

    assert not [a for a in compliance_client.get(dashboard).context["dashboard"]["alerts"] if "approval" in a.message]
    dpo = _staff_client(Client(), get_user_model(), group=DPO)
    [alert] = [a for a in dpo.get(dashboard).context["dashboard"]["alerts"] if "approval" in a.message]
    assert alert.message.startswith("1 retention event would erase at once and awaits your approval")
    assert alert.url.endswith("?status__exact=awaiting")
