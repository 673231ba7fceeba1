"""Retention rules hold what real policies say (issue 16): "delete or anonymise" as one action, a backup exception
that the erasure receipt repeats, erasure set off by an event, the trigger "last event registered for or attended",
and a rule whose start is not stated saved disabled instead of failing to save. The exports say each in words,
through the annotator the retention app registers."""
from __future__ import annotations

from datetime import date

import pytest

from privacy_registry.exports import record as register_exports
from retention import engine, services
from retention import exports as retention_exports
from retention.models import ErasureRecord, PeriodUnit, Phase, RetentionRule
from tests import factories as f

pytestmark = pytest.mark.django_db

T, A = RetentionRule.Trigger, RetentionRule.Action


def test_the_retention_app_registers_its_annotators_with_the_register_exports():
    assert register_exports._annotators[register_exports.RETENTION_RULES] is retention_exports.rules_in_words
    assert register_exports._annotators[register_exports.RETENTION_COMPLIANCE] is retention_exports.compliance


def test_a_rule_whose_start_is_not_stated_is_saved_disabled_without_a_failed_save():
    rule = RetentionRule(activity=f.ProcessingActivityFactory(), trigger=T.NOT_STATED, period_amount=10,
                         statement="Up to ten years.")
    assert rule.enabled  # the form's default

    services.rule_save(rule=rule, actor=None)

    rule.refresh_from_db()
    assert rule.pk and rule.enabled is False
    assert not rule.is_swept


def test_a_rule_saved_through_the_admin_with_no_start_is_kept_disabled(dpo_client):
    activity = f.ProcessingActivityFactory()
    response = dpo_client.post("/admin/retention/retentionrule/add/", {
        "activity": activity.pk, "trigger": T.NOT_STATED, "period_amount": "10", "period_unit": PeriodUnit.YEARS,
        "action": A.ERASE, "second_period_unit": PeriodUnit.YEARS, "statement_en": "Up to ten years.",
        "enabled": "on",
    })

    assert response.status_code == 302, response.content.decode()[:2000]
    rule = RetentionRule.objects.get(activity=activity)
    assert rule.enabled is False


def test_an_event_and_a_backup_exception_are_entered_through_the_admin(dpo_client):
    activity = f.ProcessingActivityFactory()
    response = dpo_client.post("/admin/retention/retentionrule/add/", {
        "activity": activity.pk, "trigger": T.EVENT, "trigger_event_en": "a person under the minimum age is discovered",
        "period_amount": "0", "period_unit": PeriodUnit.DAYS, "action": A.ERASE_OR_ANONYMISE,
        "second_period_unit": PeriodUnit.YEARS, "backup_exception_en": "until backups expire after 35 days",
        "statement_en": "Deleted or anonymised as soon as we learn the person is under 15.", "enabled": "on",
    })

    assert response.status_code == 302, response.content.decode()[:2000]
    rule = RetentionRule.objects.get(activity=activity)
    assert (rule.trigger_event, rule.backup_exception) == (
        "a person under the minimum age is discovered", "until backups expire after 35 days",
    )
    assert rule.enabled is False


def test_erase_or_anonymise_is_one_action_the_sweep_meets_by_erasing():
    rule = f.RetentionRuleFactory(action=A.ERASE_OR_ANONYMISE)
    assert rule.phases() == [(Phase.FINAL, ErasureRecord.Action.ERASE)]
    assert "then erased or anonymised" in retention_exports.rule_in_words(rule)


def test_the_last_event_trigger_reads_as_policies_say_it():
    assert T.LAST_EVENT.label == "last event registered for or attended"
    rule = f.RetentionRuleFactory(trigger=T.LAST_EVENT, period_amount=3)
    assert retention_exports.rule_in_words(rule).startswith(
        "3 years from the last event registered for or attended, then erased"
    )


def test_an_event_triggered_rule_is_recorded_said_and_never_swept():
    rule = RetentionRule(activity=f.ProcessingActivityFactory(), trigger=T.EVENT, period_amount=0,
                         trigger_event="a person under the minimum age is discovered")
    services.rule_save(rule=rule, actor=None)

    assert rule.enabled is False and not rule.is_swept
    assert rule.unenforceable_reason == ""  # not a statement to fix: it is acted on when the event is handled
    assert retention_exports.rule_in_words(rule) == (
        "When a person under the minimum age is discovered: erased at once (applied when the event is handled)"
    )
    with pytest.raises(Exception):  # noqa: B017 (ValidationError: the event must be named)
        services.rule_save(rule=RetentionRule(activity=rule.activity, trigger=T.EVENT, period_amount=0), actor=None)


def test_the_erasure_receipt_mentions_the_backup_exception():
    rule = f.RetentionRuleFactory(backup_exception="until backups expire after 35 days")
    subject = f.DataSubjectFactory(organisation=rule.activity.organisation)

    record = engine.subject_erase(subject=subject, reason="retention", rule=rule)

    assert record.receipt["backups"] == "until backups expire after 35 days"
    other = engine.subject_erase(subject=f.DataSubjectFactory(), reason="request")
    assert "backups" not in other.receipt


def test_the_sweeps_receipts_mention_the_backup_exception():
    rule = f.RetentionRuleFactory(backup_exception="until backups expire after 35 days")
    for _ in range(3):
        f.EngagementFactory(activity=rule.activity, subject__organisation=rule.activity.organisation,
                            last_contact_on=date(2015, 1, 1))

    services.sweep_run(as_of=date(2024, 1, 1), chunk_size=2)

    receipts = list(ErasureRecord.objects.filter(rule=rule).values_list("receipt", flat=True))
    assert len(receipts) == 3
    assert {r["backups"] for r in receipts} == {"until backups expire after 35 days"}


def test_exports_say_every_rule_in_words_and_whether_it_is_enforced():
    activity = f.ProcessingActivityFactory()
    f.PurposeFactory(activity=activity)
    customers = f.DataSubjectCategoryFactory(name="Customers")
    f.RetentionRuleFactory(activity=activity, trigger=T.LAST_SERVICE, period_amount=8, subject_category=customers,
                           legal_reference="Bookkeeping Act")
    f.RetentionRuleFactory(activity=activity, trigger=T.RELATIONSHIP_ENDED, period_amount=0,
                           period_unit=PeriodUnit.DAYS, action=A.RESTRICT_THEN_ERASE, second_period_amount=None)

    lines = retention_exports.rules_in_words([activity.pk])[activity.pk]
    compliance = retention_exports.compliance([activity.pk])[activity.pk]

    assert lines == [
        "Customers: 8 years from the last service delivered, then erased (legal reference: Bookkeeping Act)",
        "At once from the end of the relationship, then blocked (restricted); when it is erased is not stated",
    ]
    assert compliance == ["Enforced: 2 enabled retention rules, applied by the nightly sweep (2 recorded)"]
    assert retention_exports.compliance([f.ProcessingActivityFactory().pk]) != compliance


def test_a_rule_of_one_category_of_data_is_said_but_not_counted_as_enforced():
    activity = f.ProcessingActivityFactory()
    f.RetentionRuleFactory(activity=activity, data_category=f.PersonalDataCategoryFactory(name="Cookies"))
    assert retention_exports.compliance([activity.pk])[activity.pk] == [
        "Not enforced: 1 rule recorded, none the sweep can apply (see its statement)"
    ]
