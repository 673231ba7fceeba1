"""Retention's register checks, plugged into ``privacy_registry.checks`` from ``RetentionConfig.ready()``.

- RET001: an activity in force that states a retention period, but has no enabled rule to enforce it (and
  no rule reported by RET002 either): nothing will ever be erased. An activity that states no period at all
  is R011's finding, not this one; a processor's record (Art. 30(2)) keeps what its controller decides.
- RET002: a rule entered as the statement reads, which cannot be enforced as written: no start date, no
  period, or blocked data with no period after which it is erased.

Each runs one query, whatever the size of the register.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from privacy_registry.checks import Finding, Scope, Severity, register

from .models import RetentionRule
from .selectors import unenforceable_q


@register("RET001", severity=Severity.WARNING, title=_("Activity without an enabled retention rule"))
def activity_without_retention_rule(scope: Scope) -> Iterable[Finding]:
    rules = RetentionRule.objects.filter(activity_id=OuterRef("pk"))
    activities = (
        scope.controller_activities()
        .exclude(retention_statement="")
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
