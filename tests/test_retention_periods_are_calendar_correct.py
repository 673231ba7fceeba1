"""Retention periods count calendar days, months and years: a month after 31 January is the last day of
February, a year after 29 February is 28 February. The cutoff the database compares against is exact for every
trigger: a subject is due on the day its period ends, not a day earlier or later."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from retention import selectors
from retention.models import DATE_TRIGGERS, Period, PeriodUnit, Phase, RetentionRule
from tests import factories as f

TRIGGERS = list(DATE_TRIGGERS)  # the Engagement date fields a rule can count from


@pytest.mark.parametrize(
    ("start", "period", "ends"),
    [
        (date(2024, 2, 29), Period(1, PeriodUnit.YEARS), date(2025, 2, 28)),
        (date(2024, 2, 29), Period(4, PeriodUnit.YEARS), date(2028, 2, 29)),
        (date(2023, 1, 31), Period(1, PeriodUnit.MONTHS), date(2023, 2, 28)),
        (date(2024, 1, 31), Period(1, PeriodUnit.MONTHS), date(2024, 2, 29)),
        (date(2024, 3, 31), Period(1, PeriodUnit.MONTHS), date(2024, 4, 30)),
        (date(2024, 8, 31), Period(6, PeriodUnit.MONTHS), date(2025, 2, 28)),
        (date(2024, 12, 31), Period(2, PeriodUnit.MONTHS), date(2025, 2, 28)),
        (date(2024, 2, 28), Period(1, PeriodUnit.DAYS), date(2024, 2, 29)),
        (date(2023, 12, 31), Period(0, PeriodUnit.DAYS), date(2023, 12, 31)),
    ],
)
def test_period_end_is_calendar_correct(start, period, ends):
    assert period.after(start) == ends


def _rule(**kwargs) -> RetentionRule:
    kwargs.setdefault("trigger", RetentionRule.Trigger.LAST_CONTACT)
    return RetentionRule(activity_id=1, **kwargs)


@pytest.mark.parametrize(
    "rule_kwargs",
    [
        {"period_amount": 1, "period_unit": PeriodUnit.MONTHS},
        {"period_amount": 13, "period_unit": PeriodUnit.MONTHS},
        {"period_amount": 1, "period_unit": PeriodUnit.YEARS},
        {"period_amount": 10, "period_unit": PeriodUnit.YEARS},
        {"period_amount": 90, "period_unit": PeriodUnit.DAYS},
        {"period_amount": 6, "period_unit": PeriodUnit.MONTHS, "action": RetentionRule.Action.RESTRICT_THEN_ERASE,
         "second_period_amount": 1, "second_period_unit": PeriodUnit.YEARS},
    ],
    ids=["1 month", "13 months", "1 year", "10 years", "90 days", "6 months then 1 year"],
)
def test_cutoff_is_the_last_trigger_date_due_on_each_day_around_month_ends_and_leap_days(rule_kwargs):
    rule = _rule(**rule_kwargs)
    phases = [Phase.FIRST, Phase.FINAL] if rule.second_period else [Phase.FINAL]
    days = [date(2024, 1, 25) + timedelta(days=n) for n in range(70)]  # January, February 2024, March
    days += [date(2025, 2, 20) + timedelta(days=n) for n in range(15)]
    for phase in phases:
        for as_of in days:
            cutoff = rule.cutoff(as_of, phase=phase)
            assert rule.due_on(cutoff, phase=phase) <= as_of, (phase, as_of)
            assert rule.due_on(cutoff + timedelta(days=1), phase=phase) > as_of, (phase, as_of)


@pytest.mark.django_db
@pytest.mark.parametrize("trigger", TRIGGERS)
@pytest.mark.parametrize(
    ("trigger_date", "amount", "unit", "due_day"),
    [
        (date(2024, 2, 29), 1, PeriodUnit.YEARS, date(2025, 2, 28)),
        (date(2023, 1, 31), 1, PeriodUnit.MONTHS, date(2023, 2, 28)),
        (date(2023, 1, 28), 1, PeriodUnit.MONTHS, date(2023, 2, 28)),
        (date(2024, 5, 31), 3, PeriodUnit.MONTHS, date(2024, 8, 31)),
    ],
    ids=["leap day + 1 year", "31 Jan + 1 month", "28 Jan + 1 month", "31 May + 3 months"],
)
def test_engagement_is_due_on_the_day_its_period_ends_for_each_trigger(trigger, trigger_date, amount, unit, due_day):
    activity = f.ProcessingActivityFactory()
    rule = f.RetentionRuleFactory(activity=activity, trigger=trigger, period_amount=amount, period_unit=unit)
    dates = dict.fromkeys(DATE_TRIGGERS)  # every trigger field empty…
    dates[trigger] = trigger_date  # …but the one the rule counts from
    engagement = f.EngagementFactory(activity=activity, subject__organisation=activity.organisation, **dates)

    def due(on: date) -> bool:
        return selectors.engagements_due(rule=rule, as_of=on).filter(pk=engagement.pk).exists()

    assert not due(due_day - timedelta(days=1))
    assert due(due_day)
    assert due(due_day + timedelta(days=1))


def test_not_stated_rules_have_no_cutoff_and_cannot_be_enabled():
    # Entered as the statement reads: kept disabled, without a failed save (issue 16).
    rule = _rule(trigger=RetentionRule.Trigger.NOT_STATED, period_amount=10, enabled=True)
    rule.clean()
    assert rule.enabled is False
    assert rule.unenforceable_reason and not rule.is_swept
    assert _rule(period_amount=2).unenforceable_reason == ""
