"""Restrict then erase ("blocked while the law requires, then deleted"): after the first period the subject is
restricted (kept, left out of all processing), after the second they are erased. When the policy does not say how
long blocked data is kept, the subject is restricted and stays so: the erase step is not invented."""
from __future__ import annotations

from datetime import date

import pytest

from retention import services
from retention.models import ErasureRecord, PeriodUnit, RetentionRule
from subjects.models import DataSubject
from tests import factories as f

pytestmark = pytest.mark.django_db
# Later nights are simulated with cutoffs after today, which an acting run takes only with a named override.
LATER_NIGHT = services.FutureAsOf(by="test", reason="a later night, simulated")


def _rule(activity, *, second: int | None) -> RetentionRule:
    return f.RetentionRuleFactory(
        activity=activity, trigger=RetentionRule.Trigger.RELATIONSHIP_ENDED, period_amount=0,
        period_unit=PeriodUnit.DAYS, action=RetentionRule.Action.RESTRICT_THEN_ERASE, second_period_amount=second,
        second_period_unit=PeriodUnit.YEARS,
    )


def _ended(activity, on: date) -> DataSubject:
    return f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                               relationship_ended_on=on).subject


def _state(subject) -> str:
    return DataSubject.objects.get(pk=subject.pk).state


def test_restricted_when_the_contract_ends_and_erased_after_the_second_period():
    activity = f.ProcessingActivityFactory()
    rule = _rule(activity, second=5)
    subject = _ended(activity, date(2024, 2, 29))
    email = subject.email

    run = services.sweep_run(as_of=date(2024, 3, 1))

    assert run.counts[str(rule.pk)]["restricted"] == 1
    assert _state(subject) == DataSubject.State.RESTRICTED
    assert DataSubject.objects.get(pk=subject.pk).email == email  # blocked, not erased
    assert ErasureRecord.objects.get(subject=subject).action == ErasureRecord.Action.RESTRICT

    # Restricted once: the next nights leave them be until the second period ends (29 Feb + 5 years = 28 Feb).
    assert services.sweep_run(as_of=date(2026, 1, 1)).counts[str(rule.pk)]["due"] == 0
    assert services.sweep_run(as_of=date(2029, 2, 27), future_as_of=LATER_NIGHT).counts[str(rule.pk)]["erased"] == 0
    last = services.sweep_run(as_of=date(2029, 2, 28), future_as_of=LATER_NIGHT)

    assert last.counts[str(rule.pk)]["erased"] == 1
    assert _state(subject) == DataSubject.State.ERASED
    assert list(ErasureRecord.objects.filter(subject=subject).order_by("pk").values_list("action", flat=True)) == [
        ErasureRecord.Action.RESTRICT, ErasureRecord.Action.ERASE,
    ]


def test_a_subject_past_both_periods_is_erased_directly():
    activity = f.ProcessingActivityFactory()
    rule = _rule(activity, second=1)
    subject = _ended(activity, date(2020, 1, 1))

    run = services.sweep_run(as_of=date(2024, 3, 1))

    assert (run.counts[str(rule.pk)]["erased"], run.counts[str(rule.pk)]["restricted"]) == (1, 0)
    assert list(ErasureRecord.objects.filter(subject=subject).values_list("action", flat=True)) == ["erase"]


def test_without_a_stated_erase_period_the_subject_stays_restricted():
    activity = f.ProcessingActivityFactory()
    rule = _rule(activity, second=None)
    subject = _ended(activity, date(2010, 1, 1))

    services.sweep_run(as_of=date(2024, 3, 1))
    services.sweep_run(as_of=date(2044, 3, 1), future_as_of=LATER_NIGHT)

    assert _state(subject) == DataSubject.State.RESTRICTED
    assert rule.unenforceable_reason  # and RET002 reports the missing period


def test_a_subject_another_activity_still_uses_is_not_restricted():
    activity = f.ProcessingActivityFactory()
    rule = _rule(activity, second=5)
    subject = _ended(activity, date(2024, 1, 1))
    f.EngagementFactory(subject=subject, last_contact_on=date(2024, 2, 1))

    run = services.sweep_run(as_of=date(2024, 3, 1))

    assert run.counts[str(rule.pk)]["kept"] == 1
    assert _state(subject) == DataSubject.State.ACTIVE
