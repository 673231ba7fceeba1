"""Retention's register checks, plugged into ``privacy_registry.checks`` from ``RetentionConfig.ready()``.

- RET001: an activity in force that states a retention period, but has no enabled rule to enforce it (and
  no rule reported by RET002 either): nothing will ever be erased. An activity that states no period at all
  is R011's finding, not this one; a processor's record (Art. 30(2)) keeps what its controller decides.
- RET002: a rule entered as the statement reads, which cannot be enforced as written: no start date, no
  period, nothing said about what happens to the data when the period ends (action "not stated"), or blocked
  data with no period after which it is erased.
- RET004: a rule whose start nobody has recorded yet (trigger "not yet recorded"), reported apart from RET002.
- RET003: a rule whose period (or second period) is longer than a hundred years (``PERIOD_LIMITS``), saved
  before the bound or written past validation: the sweep cannot compute it and passes it over every night.
  Reported whatever the activity's status.

Each runs one query, whatever the size of the register.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from privacy_registry.checks import Finding, Scope, Severity, register
from privacy_registry.translated import blank

from .models import PERIOD_LIMITS, PeriodUnit, RetentionRule
from .selectors import period_out_of_range_q, unenforceable_q


@register("RET001", severity=Severity.WARNING, title=_("Activity without an enabled retention rule"))
def activity_without_retention_rule(scope: Scope) -> Iterable[Finding]:
    rules = RetentionRule.objects.filter(activity_id=OuterRef("pk"))
    activities = (
        scope.controller_activities()
        .exclude(blank("retention_statement"))
        .filter(~Exists(rules.filter(enabled=True)), ~Exists(rules.filter(unenforceable_q())))
        .only("pk", "name", "organisation_id")
    )
    message = gettext(
        "“%(activity)s” states a retention period but has no enabled retention rule: nothing is erased when "
        "it runs out (Art. 5(1)(e))."
    )
    for activity in activities:
        yield scope.finding(
            activity, message % {"activity": activity.name},
            organisation_id=activity.organisation_id, activity_id=activity.pk,
        )


@register("RET002", severity=Severity.WARNING, title=_("Retention rule that cannot be enforced as written"))
def rule_not_enforceable(scope: Scope) -> Iterable[Finding]:
    rules = (
        RetentionRule.objects.filter(unenforceable_q(), activity__in=scope.activities())
        .select_related("activity")
        .only("pk", "trigger", "period_amount", "action", "second_period_amount", "activity__name",
              "activity__organisation_id")
        .order_by("pk")
    )
    message = gettext("A retention rule of “%(activity)s” cannot be enforced as written: %(why)s.")
    for rule in rules:
        yield scope.finding(
            rule, message % {"activity": rule.activity.name, "why": rule.unenforceable_reason},
            organisation_id=rule.activity.organisation_id, activity_id=rule.activity_id,
        )


@register("RET003", severity=Severity.ERROR, title=_("Retention period longer than 100 years"))
def rule_period_out_of_range(scope: Scope) -> Iterable[Finding]:
    # Whatever the activity's status: the sweep reads every enabled rule, and a disabled one would break it again
    # the day it is enabled.
    rules = RetentionRule.objects.filter(period_out_of_range_q())
    if scope.activity is not None:
        rules = rules.filter(activity=scope.activity)
    elif scope.organisation is not None:
        rules = rules.filter(activity__organisation=scope.organisation)
    rules = (
        rules.select_related("activity")
        .only("pk", "period_amount", "period_unit", "second_period_amount", "second_period_unit", "action",
              "activity__name", "activity__organisation_id")
        .order_by("pk")
    )
    message = gettext(
        "A retention rule of “%(activity)s” states a period longer than 100 years (at most %(days)s days, "
        "%(months)s months or %(years)s years): the sweep cannot compute it and passes it over. Correct the period."
    )
    limits = {"days": PERIOD_LIMITS[PeriodUnit.DAYS], "months": PERIOD_LIMITS[PeriodUnit.MONTHS],
              "years": PERIOD_LIMITS[PeriodUnit.YEARS]}
    for rule in rules:
        yield scope.finding(
            rule, message % {"activity": rule.activity.name, **limits},
            organisation_id=rule.activity.organisation_id, activity_id=rule.activity_id,
        )


@register("RET004", severity=Severity.WARNING, title=_("Retention rule whose start is not recorded yet"))
def rule_start_not_recorded(scope: Scope) -> Iterable[Finding]:
    """Apart from RET002 (the statement gives no start: the organisation's gap), a rule whose start nobody has
    recorded yet is the register's own gap: look the statement up and choose its start (or "not stated")."""
    rules = (
        RetentionRule.objects.filter(trigger=RetentionRule.Trigger.NOT_RECORDED, activity__in=scope.activities())
        .select_related("activity")
        .only("pk", "activity__name", "activity__organisation_id")
        .order_by("pk")
    )
    message = gettext(
        "A retention rule of “%(activity)s” has no start recorded yet: record the date it counts from, or "
        "mark that the statement gives none."
    )
    for rule in rules:
        yield scope.finding(
            rule, message % {"activity": rule.activity.name},
            organisation_id=rule.activity.organisation_id, activity_id=rule.activity_id,
        )
