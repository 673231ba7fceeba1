"""Pending retention events past their due day (held, or not carried out by the sweep) are counted at the top of the
admin dashboard, linked to the pending events; events due today or later, done or cancelled are not."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from privacy_registry import dashboard
from retention.dashboard import overdue_event_alerts
from retention.models import PeriodUnit, RetentionEvent, RetentionRule
from tests import factories as f

pytestmark = pytest.mark.django_db


def _event(rule, *, due_in_days: int, status: str = "pending") -> RetentionEvent:
    subject = f.EngagementFactory(activity=rule.activity, subject__organisation=rule.activity.organisation).subject
    today = timezone.localdate()
    return RetentionEvent.objects.create(rule=rule, subject=subject, occurred_on=today - timedelta(days=40),
                                         due_on=today + timedelta(days=due_in_days), reason="T-1", status=status)


def test_overdue_pending_events_are_counted_at_the_top_of_the_dashboard(dpo_client):
    rule = f.RetentionRuleFactory(trigger=RetentionRule.Trigger.EVENT, trigger_event="discovered", period_amount=0,
                                  period_unit=PeriodUnit.DAYS, enabled=False)
    _event(rule, due_in_days=-2)
    _event(rule, due_in_days=-1)
    _event(rule, due_in_days=0)  # due today: tonight's run
    _event(rule, due_in_days=-3, status="done")
    _event(rule, due_in_days=-3, status="cancelled")
    assert dashboard._sources["retention.events"] is overdue_event_alerts

    response = dpo_client.get(reverse("admin:index"))

    [alert] = response.context["dashboard"]["alerts"]
    assert alert.level == dashboard.Level.WARNING
    assert alert.message.startswith("2 retention events are past their due day and not carried out")
    assert alert.url == reverse("admin:retention_retentionevent_changelist") + "?status__exact=pending"


def test_no_alert_without_overdue_events(dpo_client):
    assert not dpo_client.get(reverse("admin:index")).context["dashboard"]["alerts"]
