"""A new recipient, activity or retention rule claims nothing the organisation has not said: its role, automated
decisions and profiling are "not stated", and a period is not a ceiling unless ticked."""
from __future__ import annotations

import pytest

from privacy_registry.models import ProcessingActivity, Recipient
from retention.models import RetentionRule

from .factories import ProcessingActivityFactory

pytestmark = pytest.mark.django_db


def test_a_new_recipient_is_not_stated_not_an_independent_controller():
    recipient = Recipient(activity=ProcessingActivityFactory(), description="Partners")
    recipient.full_clean()
    recipient.save()
    assert Recipient.objects.get(pk=recipient.pk).kind == Recipient.Kind.NOT_STATED


def test_a_new_activity_and_rule_state_nothing_either_way():
    activity = ProcessingActivity()
    rule = RetentionRule()
    assert (activity.automated_decision_making, activity.profiling) == (None, None)
    assert rule.period_is_ceiling is False and rule.action == RetentionRule.Action.ERASE
