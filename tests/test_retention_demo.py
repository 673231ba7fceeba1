"""`load_demo` expresses every retention statement of the three seed policies as rules, as they read: statements
with no start date (or no period) are entered as not stated and reported by `registry_check`, not invented. It adds
a few fictional people so the first sweep has something to do. A rerun changes nothing; erased people stay erased."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from privacy_registry.checks import run_checks
from privacy_registry.models import ProcessingActivity
from retention import demo, services
from retention.models import LegalHold, RetentionRule
from subjects.models import DataSubject, Engagement

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    call_command("load_demo", stdout=io.StringIO())


def _rules(org: str, activity: str) -> list[RetentionRule]:
    return list(RetentionRule.objects.filter(activity__organisation__slug=org, activity__name=activity).order_by("pk"))


def _counts() -> tuple[int, ...]:
    return (
        RetentionRule.objects.count(), RetentionRule.history.count(), DataSubject.objects.count(),
        DataSubject.history.count(), Engagement.objects.count(), LegalHold.objects.count(),
    )


def test_every_controller_activity_with_a_statement_has_rules(loaded):
    activities = ProcessingActivity.objects.filter(
        organisation__slug__in=["antura", "antara", "avara"], record_type=ProcessingActivity.RecordType.CONTROLLER,
    ).exclude(retention_statement="")
    assert activities.count() >= 15
    assert not activities.filter(retention_rules__isnull=True).exists()
    assert RetentionRule.objects.count() == len(demo.RULES)


def test_statements_are_entered_as_they_read(loaded):
    [customers] = _rules("antura", "Customer contact persons")
    assert (customers.trigger, customers.period_amount, customers.period_unit, customers.action) == (
        "relationship_ended_on", 10, "years", "erase")
    assert customers.is_swept

    [prospects] = _rules("antura", "Prospects (potential buyers)")
    assert prospects.trigger == RetentionRule.Trigger.NOT_STATED and prospects.period_amount == 10
    assert not prospects.enabled

    [blocked] = _rules("antara", "Customer accounts, services and billing")
    assert blocked.action == RetentionRule.Action.RESTRICT_THEN_ERASE and blocked.period_amount == 0
    assert blocked.second_period_amount is None and blocked.enabled

    last_contact, withdrawn = _rules("avara", "Sales, marketing and customer care")
    assert (last_contact.trigger, last_contact.period_amount) == ("last_contact_on", 2)
    assert (withdrawn.trigger, withdrawn.period_amount, withdrawn.period_unit) == ("unsubscribed_on", 0, "days")
    [newsletter] = _rules("avara", "Newsletter and e-mail subscriptions")
    assert (newsletter.trigger, newsletter.period_amount) == ("unsubscribed_on", 2)


def test_registry_check_reports_the_statements_that_cannot_be_enforced(loaded):
    findings = [x for x in run_checks() if x.check_id == "RET002"]
    reported = {RetentionRule.objects.get(pk=x.object_pk).statement for x in findings}
    assert any(s.startswith("Up to ten years") for s in reported)
    assert "No period stated." in reported
    assert any(s.startswith("While the contract lasts") for s in reported)  # blocked, erase period not stated
    assert not [x for x in run_checks() if x.check_id == "RET001" and x.organisation_id is not None
                and x.model_label == "privacy_registry.processingactivity"
                and ProcessingActivity.objects.get(pk=x.object_pk).organisation.slug in {"antura", "antara", "avara"}]


def test_second_load_changes_nothing(loaded):
    before = _counts()
    counts = demo.load()
    assert _counts() == before
    assert (counts["rules_saved"], counts["people_created"], counts["holds_placed"]) == (0, 0, 0)


def test_the_first_sweep_has_something_to_do_and_erased_people_stay_erased(loaded):
    run = services.sweep_run()
    totals = run.totals()
    assert totals["erased"] >= 3 and totals["restricted"] == 1 and totals["held"] == 1 and totals["detached"] == 1
    erased = DataSubject.objects.filter(state=DataSubject.State.ERASED).count()

    call_command("load_demo", stdout=io.StringIO())

    assert DataSubject.objects.filter(state=DataSubject.State.ERASED).count() == erased
    assert not DataSubject.objects.filter(email__iendswith="@example.org", state=DataSubject.State.ACTIVE,
                                          first_name__in=["Ada", "Dag", "Finn"]).exists()


def test_loading_again_after_the_sweep_puts_nothing_back(loaded):
    services.sweep_run()
    before = _counts()

    call_command("load_demo", stdout=io.StringIO())

    assert _counts() == before  # the detached engagement, the erased people: all stay as the sweep left them
