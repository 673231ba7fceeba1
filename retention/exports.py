"""What the Art. 30 exports say about retention, contributed to ``privacy_registry.exports.record`` through its
annotator registry (``RetentionConfig.ready()`` plugs these in; the register never imports this app).

- ``rules_in_words``: every retention rule of the exported activities in words ("8 years from the last service
  delivered, then erased"), whatever its state: a rule entered as the statement reads but not enforceable says so.
- ``compliance``: whether the rules are enforced (enabled rules the nightly sweep applies), for the ICO's
  "retained and erased in accordance with the policy document?".

Each runs one query for the whole export, never one per activity.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Period, RetentionRule

T = RetentionRule.Trigger
A = RetentionRule.Action


def _from(trigger: str) -> str:
    return {
        T.COLLECTED: _("from collection"),
        T.LAST_CONTACT: _("from the last contact or activity"),
        T.RELATIONSHIP_ENDED: _("from the end of the relationship"),
        T.UNSUBSCRIBED: _("from unsubscribing or withdrawing consent"),
        T.LAST_EVENT: _("from the last event registered for or attended"),
        T.LAST_SERVICE: _("from the last service delivered"),
    }.get(trigger, "")


def _then(rule: RetentionRule) -> str:
    if rule.action == A.RESTRICT_THEN_ERASE:
        second = rule.second_period
        if second is None:
            return _("then blocked (restricted); when it is erased is not stated")
        return _("then blocked (restricted) and erased %(period)s later") % {"period": second}
    return {
        A.ERASE: _("then erased"),
        A.ANONYMISE: _("then anonymised"),
        A.ERASE_OR_ANONYMISE: _("then erased or anonymised"),
        A.NOT_STATED: _("what happens then is not stated"),
    }[rule.action]


def rule_in_words(rule: RetentionRule) -> str:
    """One rule as a sentence an authority reads: period, start, what then, and the reservations."""
    period = rule.period
    if rule.is_event_triggered:
        within = _("at once") if not period or period.amount == 0 else _("within %(period)s") % {"period": period}
        done = {A.ANONYMISE: _("anonymised"), A.ERASE_OR_ANONYMISE: _("erased or anonymised"),
                A.NOT_STATED: _("what happens is not stated")}.get(
            rule.action, _("erased")
        )
        text = _("When %(event)s: %(done)s %(within)s") % {"event": rule.trigger_event, "done": done, "within": within}
    elif rule.trigger in {T.NOT_STATED, T.NOT_RECORDED}:
        start = _("start not stated") if rule.trigger == T.NOT_STATED else _("start not recorded yet")
        if period is not None:
            words = {"period": _up_to(period), "start": start, "then": _then(rule)}
            text = _("%(period)s, %(start)s; %(then)s") % words
        elif rule.trigger == T.NOT_STATED:
            text = _("Period and start not stated; %(then)s") % {"then": _then(rule)}
        else:
            text = _("Period not stated, start not recorded yet; %(then)s") % {"then": _then(rule)}
    elif period is None:
        text = _("No period stated %(start)s; %(then)s") % {"start": _from(rule.trigger), "then": _then(rule)}
    elif period.amount == 0:
        text = _("At once %(start)s, %(then)s") % {"start": _from(rule.trigger), "then": _then(rule)}
    else:
        text = _("%(period)s %(start)s, %(then)s") % {
            "period": _up_to(period) if rule.period_is_ceiling else period, "start": _from(rule.trigger),
            "then": _then(rule),
        }
    scope = [c.name for c in (rule.subject_category, rule.data_category) if c is not None]
    if scope:
        text = f"{', '.join(scope)}: {text}"
    notes = []
    if rule.legal_reference:
        notes.append(_("legal reference: %(ref)s") % {"ref": rule.legal_reference})
    if rule.backup_exception:
        notes.append(_("kept in backups %(how)s, used for nothing else") % {"how": rule.backup_exception})
    if not rule.enabled:
        notes.append(_("applied when the event is handled") if rule.is_event_triggered else _("not enforced"))
    return text + (f" ({'; '.join(notes)})" if notes else "")


def _up_to(period: Period) -> str:
    return _("up to %(period)s") % {"period": period}


def rules_in_words(activity_ids: Sequence[int]) -> Mapping[int, list[str]]:
    lines: dict[int, list[str]] = defaultdict(list)
    rules = (
        RetentionRule.objects.filter(activity_id__in=activity_ids)
        .select_related("subject_category", "data_category")
        .order_by("activity_id", "pk")
    )
    for rule in rules:
        lines[rule.activity_id].append(rule_in_words(rule))
    return lines


def compliance(activity_ids: Sequence[int]) -> Mapping[int, list[str]]:
    counts = (
        RetentionRule.objects.filter(activity_id__in=activity_ids)
        .values("activity_id")
        .annotate(
            total=Count("pk"),
            enforced=Count("pk", filter=Q(enabled=True, period_amount__isnull=False, data_category__isnull=True)),
        )
        .order_by()
    )
    answers: dict[int, list[str]] = {pk: [_("No retention rule recorded: nothing enforces the period")]
                                     for pk in activity_ids}
    for row in counts:
        if row["enforced"]:
            answers[row["activity_id"]] = [ngettext(
                "Enforced: %(n)d enabled retention rule, applied by the nightly sweep (%(total)d recorded)",
                "Enforced: %(n)d enabled retention rules, applied by the nightly sweep (%(total)d recorded)",
                row["enforced"],
            ) % {"n": row["enforced"], "total": row["total"]}]
        else:
            answers[row["activity_id"]] = [ngettext(
                "Not enforced: %(total)d rule recorded, none the sweep can apply (see its statement)",
                "Not enforced: %(total)d rules recorded, none the sweep can apply (see their statements)",
                row["total"],
            ) % {"total": row["total"]}]
    return answers
