"""Retention plugs two checks into the register (from its AppConfig, so the register imports nothing of it):
RET001, an activity in force that states a retention period but has no enabled rule; RET002, a rule that cannot
be enforced as written (no start date, no period, no erase period after restriction). Each is found, and gone
once the record is fixed; each runs one query whatever the size of the register."""
from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from privacy_registry import checks
from privacy_registry import models as m
from privacy_registry.checks import Severity, run_checks
from retention.models import RetentionRule
from tests import factories as f

pytestmark = pytest.mark.django_db


def _found(check_id: str, record) -> list[checks.Finding]:
    return [
        x for x in run_checks()
        if x.check_id == check_id and x.model_label == record._meta.label_lower and x.object_pk == record.pk
    ]


def _activity(**kwargs) -> m.ProcessingActivity:
    kwargs.setdefault("retention_statement", "Two years after the last contact.")
    return f.ProcessingActivityFactory(**kwargs)


def test_the_checks_are_registered_from_retention():
    registered = {check.id: check for check in checks.get_checks()}
    assert registered["RET001"].severity == Severity.WARNING
    assert registered["RET002"].severity == Severity.WARNING
    out = StringIO()
    call_command("registry_check", "--list", stdout=out)
    assert "RET001" in out.getvalue() and "RET002" in out.getvalue()


def test_activity_without_an_enabled_rule_is_reported_and_cleared_by_a_rule():
    activity = _activity()
    [finding] = _found("RET001", activity)
    assert "no enabled retention rule" in finding.message and finding.activity_id == activity.pk

    rule = f.RetentionRuleFactory(activity=activity, enabled=False)
    assert _found("RET001", activity)  # a disabled rule enforces nothing

    rule.enabled = True
    rule.save()
    assert _found("RET001", activity) == []


def test_activities_that_state_no_period_or_are_processor_records_are_not_ret001():
    no_statement = _activity(retention_statement="")  # R011's finding
    processor = _activity(record_type=m.ProcessingActivity.RecordType.PROCESSOR)
    retired = _activity(status=m.ProcessingActivity.Status.RETIRED)
    assert _found("RET001", no_statement) == _found("RET001", processor) == _found("RET001", retired) == []


@pytest.mark.parametrize(
    ("rule_kwargs", "why"),
    [
        ({"trigger": RetentionRule.Trigger.NOT_STATED, "period_amount": 10, "enabled": False}, "no date"),
        ({"trigger": RetentionRule.Trigger.NOT_STATED, "period_amount": None, "enabled": False}, "no date"),
        ({"action": RetentionRule.Action.RESTRICT_THEN_ERASE, "second_period_amount": None}, "how long blocked"),
    ],
    ids=["up to ten years", "no period stated", "blocked, then deleted"],
)
def test_rule_not_enforceable_as_written_is_reported_instead_of_ret001(rule_kwargs, why):
    activity = _activity()
    rule = f.RetentionRuleFactory(activity=activity, **rule_kwargs)

    [finding] = _found("RET002", rule)
    assert why in finding.message and activity.name in finding.message
    assert finding.admin_url.endswith(f"/retention/retentionrule/{rule.pk}/change/")
    assert _found("RET001", activity) == []  # the more precise finding is enough

    rule.trigger, rule.period_amount, rule.second_period_amount, rule.enabled = "last_contact_on", 2, 1, True
    rule.save()
    assert _found("RET002", rule) == []


def test_retention_checks_run_one_query_each_whatever_the_register_size():
    def build(n: int) -> None:
        for _ in range(n):
            activity = _activity()
            f.RetentionRuleFactory(activity=activity, trigger=RetentionRule.Trigger.NOT_STATED, enabled=False)
            _activity()

    build(1)
    [ret001, ret002] = [c for c in checks.get_checks() if c.id in {"RET001", "RET002"}]
    with CaptureQueriesContext(connection) as few:
        ret001.run(checks.Scope()), ret002.run(checks.Scope())
    build(10)
    with CaptureQueriesContext(connection) as many:
        found = ret001.run(checks.Scope()) + ret002.run(checks.Scope())
    assert len(few) == len(many) == 2
    assert len(found) == 22
