"""A retention period is at most a hundred years (36,525 days, 1,200 months, 100 years): longer is refused by the
model's validation (so by ``rule_save`` and the admin form), and a rule saved before the bound (forced into the
database here with ``update()``, past validation) is reported by RET003. The sweep cannot compute such a rule
(the date arithmetic overflows): it records the rule's error on the run, sweeps the other rules, and ends failed;
the command exits non-zero and says which rule; the admin preview shows it instead of a 500."""
from __future__ import annotations

from datetime import date
from io import StringIO
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from privacy_registry import checks
from privacy_registry import models as m
from privacy_registry.checks import Severity, run_checks
from retention import selectors, services
from retention.models import PeriodUnit, RetentionRule, SweepRun
from subjects.models import DataSubject
from tests import factories as f
from tests.retention_support import rule_for

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 6, 1)


# --- validation ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount, unit", [(36525, "days"), (1200, "months"), (100, "years"), (0, "days")])
def test_a_period_up_to_a_hundred_years_is_accepted(amount, unit):
    rule = RetentionRule(activity=f.ProcessingActivityFactory(), period_amount=amount, period_unit=unit,
                         trigger=RetentionRule.Trigger.LAST_CONTACT)
    services.rule_save(rule=rule)
    assert RetentionRule.objects.get().period_amount == amount


@pytest.mark.parametrize("amount, unit", [(36526, "days"), (1201, "months"), (101, "years"), (100_000, "years")])
def test_a_longer_period_is_refused_with_a_clear_message(amount, unit):
    rule = RetentionRule(activity=f.ProcessingActivityFactory(), period_amount=amount, period_unit=unit,
                         trigger=RetentionRule.Trigger.LAST_CONTACT)
    with pytest.raises(ValidationError) as refused:
        services.rule_save(rule=rule)
    assert "At most 100 years: 36525 days, 1200 months or 100 years." in refused.value.message_dict["period_amount"]
    assert not RetentionRule.objects.exists()


def test_the_second_period_is_bounded_too():
    rule = RetentionRule(activity=f.ProcessingActivityFactory(), period_amount=1, period_unit="years",
                         trigger=RetentionRule.Trigger.RELATIONSHIP_ENDED,
                         action=RetentionRule.Action.RESTRICT_THEN_ERASE,
                         second_period_amount=1201, second_period_unit="months")
    with pytest.raises(ValidationError) as refused:
        services.rule_save(rule=rule)
    assert set(refused.value.message_dict) == {"second_period_amount"}


def test_the_admin_form_refuses_a_period_of_100000_years(dpo_client):
    activity = f.ProcessingActivityFactory()
    form = {
        "activity": activity.pk, "subject_category": "", "data_category": "", "statement_en": "Forever, near enough.",
        "legal_reference": "", "period_amount": "100000", "period_unit": "years", "trigger": "last_contact_on",
        "action": "erase", "second_period_amount": "", "second_period_unit": "years", "enabled": "on",
    }
    response = dpo_client.post(reverse("admin:retention_retentionrule_add"), form)

    assert response.status_code == 200
    assert "At most 100 years" in response.content.decode()
    assert not RetentionRule.objects.exists()


# --- a rule saved before the bound ----------------------------------------------------------------------------


def _forced(rule: RetentionRule, **values) -> RetentionRule:
    """What a rule saved before the bound looks like: written with update(), past validation."""
    RetentionRule.objects.filter(pk=rule.pk).update(**values)
    rule.refresh_from_db()
    return rule


def _due_subjects(activity, n: int = 2) -> list[DataSubject]:
    return [
        f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                            last_contact_on=date(2020, 1, 1)).subject
        for _ in range(n)
    ]


def test_registry_check_reports_a_rule_out_of_range_whatever_its_activity_status():
    active = f.ProcessingActivityFactory(retention_statement="Two years.")
    retired = f.ProcessingActivityFactory(status=m.ProcessingActivity.Status.RETIRED)
    huge = _forced(rule_for(active), period_amount=100_000)
    retired_rule = _forced(rule_for(retired), period_unit=PeriodUnit.DAYS, period_amount=36526)
    second = _forced(rule_for(active, action=RetentionRule.Action.RESTRICT_THEN_ERASE, second_period_amount=1),
                     second_period_amount=101)
    fine = rule_for(active, period_amount=100)

    found = {x.object_pk: x for x in run_checks() if x.check_id == "RET003"}

    assert set(found) == {huge.pk, retired_rule.pk, second.pk}
    assert fine.pk not in found
    assert found[huge.pk].severity == Severity.ERROR and "longer than 100 years" in found[huge.pk].message
    assert found[huge.pk].admin_url == reverse("admin:retention_retentionrule_change", args=[huge.pk])
    out = StringIO()
    with pytest.raises(CommandError):  # an error-level finding fails the command
        call_command("registry_check", stdout=out)
    assert "RET003" in out.getvalue()

    RetentionRule.objects.filter(pk=huge.pk).update(period_amount=100)
    assert huge.pk not in {x.object_pk for x in run_checks() if x.check_id == "RET003"}


def test_ret003_runs_one_query_whatever_the_register_size():
    [ret003] = [c for c in checks.get_checks() if c.id == "RET003"]
    _forced(rule_for(f.ProcessingActivityFactory()), period_amount=100_000)
    with CaptureQueriesContext(connection) as few:
        ret003.run(checks.Scope())
    for _ in range(5):
        _forced(rule_for(f.ProcessingActivityFactory()), period_amount=100_000)
    with CaptureQueriesContext(connection) as many:
        found = ret003.run(checks.Scope())
    assert len(few) == len(many) == 1 and len(found) == 6


@pytest.fixture
def bad_rule_first():
    """A rule of 100,000 years swept first (lowest id), and an ordinary rule after it with subjects due."""
    broken_activity = f.ProcessingActivityFactory(name="Archive")
    bad = _forced(rule_for(broken_activity), period_amount=100_000)
    _due_subjects(broken_activity, 1)
    activity = f.ProcessingActivityFactory(name="Newsletter")
    good = rule_for(activity)
    return bad, good, _due_subjects(activity)


def test_the_sweep_records_the_bad_rule_sweeps_the_others_and_fails(bad_rule_first):
    bad, good, subjects = bad_rule_first

    run = services.sweep_run(as_of=AS_OF)

    run.refresh_from_db()
    assert run.status == SweepRun.Status.FAILED and run.finished_at is not None
    assert set(run.rule_errors) == {str(bad.pk)}
    assert "longer than 100 years" in run.rule_errors[str(bad.pk)]
    assert f"rule #{bad.pk}" in run.error
    assert run.counts[str(good.pk)]["erased"] == 2
    assert set(DataSubject.objects.filter(pk__in=[s.pk for s in subjects]).values_list("state", flat=True)) == {
        DataSubject.State.ERASED
    }


def test_any_error_in_one_rule_is_isolated_the_same_way(bad_rule_first):
    _bad, good, subjects = bad_rule_first
    RetentionRule.objects.filter(pk=_bad.pk).update(period_amount=2)  # computable now
    real = selectors.due_subject_id_chunks

    def failing_for_the_first(*, rule, **kwargs):
        if rule.pk == _bad.pk:
            raise OverflowError("date value out of range")
        return real(rule=rule, **kwargs)

    with mock.patch.object(selectors, "due_subject_id_chunks", side_effect=failing_for_the_first):
        run = services.sweep_run(as_of=AS_OF)

    assert run.status == SweepRun.Status.FAILED
    assert run.rule_errors == {str(_bad.pk): "OverflowError"}
    assert run.counts[str(good.pk)]["erased"] == 2


def test_a_preview_isolates_the_bad_rule_too(bad_rule_first):
    bad, good, _subjects = bad_rule_first

    run = services.sweep_run(as_of=AS_OF, dry_run=True)

    assert run.status == SweepRun.Status.FAILED
    assert set(run.rule_errors) == {str(bad.pk)}
    assert run.counts[str(good.pk)]["erased"] == 2 and len(run.sample[str(good.pk)]) == 2


def test_the_command_exits_non_zero_and_names_the_rule(bad_rule_first):
    bad, _good, _subjects = bad_rule_first
    out = StringIO()

    with pytest.raises(CommandError, match="1 rule\\(s\\) could not be swept") as failed:
        call_command("retention_sweep", "--as-of", AS_OF.isoformat(), stdout=out)

    assert failed.value.returncode == 1
    output = out.getvalue()
    assert f"#{bad.pk} Archive" in output and "not swept: its period is longer than 100 years" in output
    assert "erased 2" in output  # the other rule was swept


def test_the_admin_preview_shows_the_bad_rule_instead_of_a_500(dpo_client, bad_rule_first):
    bad, _good, _subjects = bad_rule_first

    response = dpo_client.post(reverse("admin:retention_sweeprun_preview"), follow=True)

    assert response.status_code == 200
    run = SweepRun.objects.get()
    assert response.redirect_chain[-1][0] == reverse("admin:retention_sweeprun_change", args=[run.pk])
    page = response.content.decode()
    assert "failed for 1 rule(s)" in page and f"#{bad.pk} its period is longer than 100 years" in page
    assert "Approve this preview" not in page  # a failed preview cannot be approved
