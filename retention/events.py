"""Event-triggered retention rules: recording the event, cancelling it, and carrying it out when it is due.

A rule with ``trigger = event`` ("when a person under the minimum age is discovered: erase at once") has no date
the sweep can read: the date is the event's, and only a person knows it. So a person records it for one or more
subjects (``events_record``), and the rule applies from the day it occurred: due on occurred + period (0: the
day it occurred; "restrict, then erase": restricted then, erased after the second period).

Design note.
- Carried out by the nightly sweep, never at once: a run handles the pending events due on its cutoff, after the
  date rules, under the same lock, the same approval (``RETENTION_REQUIRE_APPROVAL``: an approved preview shows
  them) and the same engine, and records them on its SweepRun under the rule's id (due, held, erased, ...). So an
  event due "at once" is carried out by the next run; staff who cannot wait use "Erase now" on the subject.
- The engine is the sweep's: ``engine.subjects_erase`` set-wise (suppression list, every declared table and its
  history, the admin log, the journal, vendor follow-ups) and ``engine.subjects_restrict``; a subject still in
  another activity is only removed from the rule's activity (``engine.engagements_detach``), as the sweep does.
- Chunks of events, each its own transaction (``events_batch``): the events are locked ``FOR UPDATE SKIP
  LOCKED`` and re-checked as still pending and due, then their subjects likewise; a held subject is counted and
  left pending (carried out after the hold ends), a subject another transaction holds is skipped for the next
  run, a subject erased otherwise meanwhile closes its event with nothing to do. Killed mid-chunk: the chunk
  rolls back whole, and its events are still pending. Queries per chunk do not grow with its size.
- Recording is all or nothing: every refusal (not an event rule, another organisation, not in the activity or
  the rule's category, erased, a future date, already recorded) is said at once, with the subject ids, and
  nothing is written. One event per rule and subject, unless cancelled (a database constraint).
- Erasing at once is a DPO decision. An event whose rule erases (or anonymises) within a day of it (a period of 0),
  recorded by someone without the erase permission (``ERASE_PERMISSION``, as "Erase now"), is recorded as *awaiting
  approval*: the sweep selects pending events only, so it does nothing for it until a DPO approves it
  (``events_approve``) or cancels it. Recorded by someone who holds the permission, or by the system (no actor: a
  command), it is pending and approved at once. An event of a longer rule recorded late is due at once too, but
  as its rule says: it is not held back.
- Never deleted: events. A pending (or awaiting) one is cancelled, with who and why. ``reason`` and
  ``cancel_reason`` are typed in and may name the person: the subject's erasure scrubs them (declared in
  ``RetentionConfig.ready``).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from simple_history.utils import bulk_create_with_history

from privacy_registry.services import acting_user as _user
from privacy_registry.services import attribute as _attribute
from subjects.models import DataSubject, Engagement
from subjects.services import Actor

from . import engine, selectors
from .models import ErasureRecord, Phase, RetentionEvent, RetentionRule, SweepRun

logger = logging.getLogger(__name__)

Status = RetentionEvent.Status
# The permission "Erase now" asks for; an event whose rule erases at once asks for it too, or for approval.
ERASE_PERMISSION = "retention.erase_datasubject"
Outcome = RetentionEvent.Outcome
Action = ErasureRecord.Action
# The earliest day an event may be said to have occurred: period arithmetic overflows near the calendar's start.
EARLIEST = date(1900, 1, 1)
# How many subject ids an error message names before it says "and N more".
IDS_NAMED = 10


def _ids(ids: Iterable[int]) -> str:
    ids = sorted(ids)
    named = ", ".join(f"#{pk}" for pk in ids[:IDS_NAMED])
    if len(ids) > IDS_NAMED:
        named += " " + gettext("and %(n)d more") % {"n": len(ids) - IDS_NAMED}
    return named


def rule_refusal(rule: RetentionRule) -> str:
    """Why no event can be recorded under ``rule`` ("" when one can)."""
    if not rule.is_event_triggered:
        return gettext("Retention rule #%(id)s is not triggered by an event: the sweep applies it from its date.") % {
            "id": rule.pk}
    if rule.data_category_id is not None:
        return gettext(
            "Retention rule #%(id)s is about one data category, and its erasure would take the whole person: "
            "delete that data by hand."
        ) % {"id": rule.pk}
    if rule.period is None or not rule.periods_in_range:
        return gettext("Retention rule #%(id)s has no usable period: correct the rule first.") % {"id": rule.pk}
    if rule.action == RetentionRule.Action.NOT_STATED:
        return gettext(
            "Retention rule #%(id)s does not say what happens to the data then: correct the rule first."
        ) % {"id": rule.pk}
    if rule.action == RetentionRule.Action.RESTRICT_THEN_ERASE and rule.second_period is None:
        return gettext(
            "Retention rule #%(id)s does not say how long blocked data is kept before it is erased: correct the "
            "rule first."
        ) % {"id": rule.pk}
    return ""


def due_dates(rule: RetentionRule, occurred_on: date) -> tuple[date | None, date]:
    """(restrict on, due on) for an event of ``rule`` that occurred on ``occurred_on``."""
    if rule.action == RetentionRule.Action.RESTRICT_THEN_ERASE:
        return rule.due_on(occurred_on, phase=Phase.FIRST), rule.due_on(occurred_on, phase=Phase.FINAL)
    return None, rule.due_on(occurred_on)


@transaction.atomic
def events_record(
    *, rule: RetentionRule, subject_ids: Iterable[int], occurred_on: date, reason: str, actor: Actor,
) -> list[RetentionEvent]:
    """Record that ``rule``'s event occurred on ``occurred_on`` for these subjects; returns the new events.

    Raises ``ValidationError`` naming every problem (and the subject ids concerned) and writes nothing, when the
    rule takes no events, the date is after today, no reason is given, or any subject is of another organisation
    than the rule's activity, not in that activity (or the rule's subject category), erased, or already has an
    event of this rule that is not cancelled.
    """
    ids = sorted(set(subject_ids))
    reason = (reason or "").strip()
    rule = RetentionRule.objects.select_related("activity").get(pk=rule.pk)
    errors: list[str] = []
    if refusal := rule_refusal(rule):
        errors.append(refusal)
    if not ids:
        errors.append(gettext("Select at least one data subject."))
    if not reason:
        errors.append(gettext("Say what happened (a ticket number, never a name)."))
    today = timezone.localdate()
    if occurred_on > today:
        errors.append(gettext("The event cannot have occurred after today (%(today)s).") % {
            "today": today.isoformat()})
    elif occurred_on < EARLIEST:
        errors.append(gettext("The event cannot have occurred before %(date)s.") % {"date": EARLIEST.isoformat()})
    if ids:
        errors += _subject_refusals(rule, ids)
    if errors:
        raise ValidationError(errors, code="event_refused")

    restrict_on, due_on = due_dates(rule, occurred_on)
    user = _user(actor)
    now = timezone.now()
    approval = {}
    if erases_at_once(occurred_on=occurred_on, due_on=due_on):
        if actor is None or actor.has_perm(ERASE_PERMISSION):
            approval = {"approved_by": user, "approved_at": now}
        else:
            approval = {"status": Status.AWAITING_APPROVAL}
    events = [
        RetentionEvent(rule=rule, subject_id=pk, occurred_on=occurred_on, reason=reason, recorded_by=user,
                       recorded_at=now, restrict_on=restrict_on, due_on=due_on, **approval)
        for pk in ids
    ]
    try:
        with transaction.atomic():  # a savepoint: a concurrent recording of the same event is refused cleanly
            events = bulk_create_with_history(
                events, RetentionEvent, default_user=user, default_change_reason="recorded", default_date=now,
            )
    except IntegrityError:
        raise ValidationError(
            gettext("Someone recorded this event for some of these subjects at the same moment: nothing was "
                    "recorded. Look at the retention events and try again."), code="event_duplicate",
        ) from None
    logger.info("retention rule %s: event recorded for %d subject(s) (#%s-#%s), due %s%s",
                rule.pk, len(ids), ids[0], ids[-1], due_on,
                ", awaiting approval" if approval.get("status") == Status.AWAITING_APPROVAL else "")
    return events


def erases_at_once(*, occurred_on: date, due_on: date) -> bool:
    """Whether the rule erases (or anonymises) within a day of the event: its period (both, for "restrict, then
    erase") is 0, so the next nightly sweep acts on it."""
    return due_on - occurred_on < timedelta(days=1)


@transaction.atomic
def events_approve(*, event_ids: Iterable[int], actor: Actor) -> int:
    """A DPO approves these events awaiting approval: they become pending and the sweep carries them out when due.
    Returns how many. Raises ``ValidationError`` and approves none when any of them is not awaiting approval.
    The caller checks that ``actor`` holds ``ERASE_PERMISSION``."""
    ids = sorted(set(event_ids))
    events = list(RetentionEvent.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    other = [e.pk for e in events if e.status != Status.AWAITING_APPROVAL]
    if other:
        raise ValidationError(ngettext(
            "%(n)d event is not awaiting approval, so nothing was approved: %(ids)s.",
            "%(n)d events are not awaiting approval, so nothing was approved: %(ids)s.", len(other),
        ) % {"n": len(other), "ids": _ids(other)}, code="not_awaiting")
    now, user = timezone.now(), _user(actor)
    for event in events:
        event.status, event.approved_at, event.approved_by = Status.PENDING, now, user
        _attribute(event, actor=actor, reason="approved")
        event.save(update_fields=["status", "approved_at", "approved_by"])
    logger.info("%d retention event(s) approved: %s", len(events), [e.pk for e in events])
    return len(events)


def _subject_refusals(rule: RetentionRule, ids: list[int]) -> list[str]:
    """Every reason a subject cannot take this event, one line each with the ids: one query."""
    in_activity = Engagement.objects.filter(subject_id=OuterRef("pk"), activity_id=rule.activity_id)
    recorded = RetentionEvent.objects.filter(subject_id=OuterRef("pk"), rule_id=rule.pk).exclude(
        status=Status.CANCELLED)
    subjects = DataSubject.objects.filter(pk__in=ids).annotate(
        in_activity=Exists(in_activity), recorded=Exists(recorded),
    )
    if rule.subject_category_id is not None:
        subjects = subjects.annotate(in_category=Exists(DataSubject.categories.through.objects.filter(
            datasubject_id=OuterRef("pk"), datasubjectcategory_id=rule.subject_category_id)))
        fields = ("pk", "organisation_id", "state", "in_activity", "recorded", "in_category")
    else:
        fields = ("pk", "organisation_id", "state", "in_activity", "recorded")
    rows = {row[0]: dict(zip(fields, row, strict=True)) for row in subjects.values_list(*fields)}
    organisation_id = rule.activity.organisation_id
    problems: dict[str, list[int]] = {}
    for pk in ids:
        row = rows.get(pk)
        if row is None:
            problems.setdefault("missing", []).append(pk)
        elif row["organisation_id"] != organisation_id:
            problems.setdefault("organisation", []).append(pk)
        elif row["state"] == DataSubject.State.ERASED:
            problems.setdefault("erased", []).append(pk)
        elif not row["in_activity"]:
            problems.setdefault("activity", []).append(pk)
        elif not row.get("in_category", True):
            problems.setdefault("category", []).append(pk)
        elif row["recorded"]:
            problems.setdefault("recorded", []).append(pk)
    messages = {
        "missing": lambda n: ngettext("%(n)d subject does not exist: %(ids)s.",
                                      "%(n)d subjects do not exist: %(ids)s.", n),
        "organisation": lambda n: ngettext(
            "%(n)d subject belongs to another organisation than the rule's activity: %(ids)s.",
            "%(n)d subjects belong to another organisation than the rule's activity: %(ids)s.", n),
        "erased": lambda n: ngettext("%(n)d subject is already erased: %(ids)s.",
                                     "%(n)d subjects are already erased: %(ids)s.", n),
        "activity": lambda n: ngettext("%(n)d subject is not in the rule's processing activity: %(ids)s.",
                                       "%(n)d subjects are not in the rule's processing activity: %(ids)s.", n),
        "category": lambda n: ngettext("%(n)d subject is not in the rule's subject category: %(ids)s.",
                                       "%(n)d subjects are not in the rule's subject category: %(ids)s.", n),
        "recorded": lambda n: ngettext(
            "%(n)d subject already has this event recorded (cancel that one first): %(ids)s.",
            "%(n)d subjects already have this event recorded (cancel those first): %(ids)s.", n),
    }
    return [messages[key](len(pks)) % {"n": len(pks), "ids": _ids(pks)} for key, pks in problems.items()]


@transaction.atomic
def events_cancel(*, event_ids: Iterable[int], reason: str, actor: Actor) -> int:
    """Cancel these pending (or awaiting approval) events (nothing is done for them); returns how many. Raises
    ``ValidationError`` and cancels none when no reason is given or any of them is no longer pending (done, or
    cancelled already)."""
    ids = sorted(set(event_ids))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(gettext("Say why the event is cancelled."), code="cancel_reason")
    events = list(RetentionEvent.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    closed = [e.pk for e in events if e.status not in {Status.PENDING, Status.AWAITING_APPROVAL}]
    if closed:
        raise ValidationError(ngettext(
            "%(n)d event is no longer pending (carried out or cancelled already), so nothing was cancelled: %(ids)s.",
            "%(n)d events are no longer pending (carried out or cancelled already), so nothing was cancelled: "
            "%(ids)s.", len(closed)) % {"n": len(closed), "ids": _ids(closed)}, code="not_pending")
    now, user = timezone.now(), _user(actor)
    for event in events:
        event.status = Status.CANCELLED
        event.cancelled_at, event.cancelled_by, event.cancel_reason = now, user, reason
        _attribute(event, actor=actor, reason="cancelled")
        event.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    logger.info("%d retention event(s) cancelled: %s", len(events), [e.pk for e in events])
    return len(events)


# --- carried out by the sweep -----------------------------------------------------------------------------------


@dataclass
class EventBatchResult:
    claimed: int = 0
    held: int = 0
    erased: int = 0
    anonymised: int = 0
    restricted: int = 0
    detached: int = 0
    kept: int = 0
    skipped: int = 0
    event_ids: list[int] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"held": self.held, "erased": self.erased, "anonymised": self.anonymised,
                "restricted": self.restricted, "detached": self.detached, "kept": self.kept, "skipped": self.skipped}


@transaction.atomic(durable=True)
def events_batch(
    *, rule: RetentionRule, as_of: date, event_ids: Sequence[int], phase: Phase, run: SweepRun | None = None,
) -> EventBatchResult:
    """Carry out one chunk of ``rule``'s due events in ``phase``, in one transaction (see the design note)."""
    action = dict(rule.phases())[phase]
    result = EventBatchResult()
    events = dict(
        selectors.events_due(rule=rule, as_of=as_of, phase=phase).filter(pk__in=list(event_ids))
        .select_for_update(skip_locked=True, of=("self",)).order_by("pk").values_list("subject_id", "pk")
    )
    rows = list(
        DataSubject.objects.filter(pk__in=list(events)).select_for_update(skip_locked=True)
        .annotate(shared=selectors.needed_elsewhere(rule=rule, as_of=as_of, subject_ref="pk"),
                  held=selectors.event_subjects_held(rule=rule, as_of=as_of))
        .order_by("pk").values_list("pk", "state", "shared", "held", "email", "phone")
    )
    result.claimed = len(events)
    result.skipped = len(event_ids) - len(rows)  # events or subjects another transaction holds: the next run's
    already = [pk for pk, state, *_rest in rows if state == DataSubject.State.ERASED]
    live = [row for row in rows if row[1] != DataSubject.State.ERASED]
    held = [pk for pk, _state, _shared, is_held, *_rest in live if is_held]
    result.held = len(held)
    acting = [row for row in live if not row[3]]
    shared = sorted(pk for pk, _state, in_other, *_rest in acting if in_other)
    sole = sorted(pk for pk, _state, in_other, *_rest in acting if not in_other)
    now = timezone.now()
    done = {"status": Status.DONE, "handled_at": now, "run": run}
    if action == Action.RESTRICT:
        records = engine.subjects_restrict(subject_ids=sole, reason=ErasureRecord.Reason.RETENTION, rule=rule,
                                           run=run)
        result.restricted, result.kept = len(records), len(shared)
        _events_of(events, sole).update(outcome=Outcome.RESTRICTED, run=run)
    else:
        identities = {pk: (email, phone) for pk, _state, _shared, _held, email, phone in acting if pk in sole}
        records = engine.subjects_erase(subject_ids=sole, action=action, reason=ErasureRecord.Reason.RETENTION,
                                        rule=rule, run=run, identities=identities, as_records=False)
        engine.engagements_detach(rule=rule, subject_ids=shared)
        result.detached = len(shared)
        if action == Action.ANONYMISE:
            result.anonymised, outcome = len(records), Outcome.ANONYMISED
        else:
            result.erased, outcome = len(records), Outcome.ERASED
        record = ErasureRecord.objects.filter(subject_id=OuterRef("subject_id"), rule_id=rule.pk, action=action)
        _events_of(events, sole).update(outcome=outcome, erasure_record=Subquery(record.values("pk")[:1]), **done)
        _events_of(events, shared).update(outcome=Outcome.DETACHED, **done)
        _events_of(events, already).update(outcome=Outcome.ALREADY_ERASED, **done)
    result.event_ids = sorted(events[pk] for pk in (*sole, *shared, *already))
    logger.info(
        "rule %s %s events #%s-#%s: %d due, %d %s, %d detached or kept, %d already erased, %d held, %d skipped",
        rule.pk, phase, event_ids[0] if event_ids else "-", event_ids[-1] if event_ids else "-", result.claimed,
        len(records), action, len(shared), len(already), result.held, result.skipped,
    )
    return result


def _events_of(events: dict[int, int], subject_ids: Sequence[int]):
    return RetentionEvent.objects.filter(pk__in=[events[pk] for pk in subject_ids])


def events_sweep(*, run: SweepRun, rule: RetentionRule, counts: dict[str, int], errors: list[str],
                 save_progress=lambda: None) -> None:
    """Carry out ``rule``'s pending events due on the run's cutoff, in chunks of the run's size, adding to
    ``counts``. A chunk that fails rolls back whole: its events are counted as failed and stay pending."""
    for phase, _action in rule.phases():
        last = 0
        while True:
            ids = list(
                selectors.events_due(rule=rule, as_of=run.as_of, phase=phase).filter(pk__gt=last)
                .order_by("pk").values_list("pk", flat=True)[: run.chunk_size]
            )
            if not ids:
                break
            counts["due"] += len(ids)
            try:
                result = events_batch(rule=rule, as_of=run.as_of, event_ids=ids, phase=phase, run=run)
            except Exception as exc:  # noqa: BLE001  (one bad chunk must not stop the others; the run fails)
                counts["failed"] += len(ids)
                errors.append(f"rule #{rule.pk} {phase} events: {type(exc).__name__} in chunk #{ids[0]}-#{ids[-1]}")
                logger.error("sweep run %s rule %s: event chunk #%s-#%s rolled back (%s)",
                             run.pk, rule.pk, ids[0], ids[-1], type(exc).__name__)
            else:
                for key, value in result.counts().items():
                    counts[key] += value
            save_progress()
            if len(ids) < run.chunk_size:
                break
            last = ids[-1]


def events_preview(*, run: SweepRun, rule: RetentionRule, counts: dict[str, int]) -> list[int]:
    """What ``events_sweep`` would do on the run's cutoff, counted (one query per phase), and a sample of the
    subject ids. Changes nothing."""
    sample: list[int] = []
    acted_key = {Action.ERASE: "erased", Action.ANONYMISE: "anonymised", Action.RESTRICT: "restricted"}
    for phase, action in rule.phases():
        due = selectors.events_due(rule=rule, as_of=run.as_of, phase=phase)
        held = Q(Exists(DataSubject.objects.filter(selectors.event_subjects_held(rule=rule, as_of=run.as_of),
                                                   pk=OuterRef("subject_id"))))
        shared = Q(selectors.needed_elsewhere(rule=rule, as_of=run.as_of))
        erased = Q(subject__state=DataSubject.State.ERASED)
        totals = due.aggregate(
            due=Count("pk"), held=Count("pk", filter=held & ~erased),
            shared=Count("pk", filter=shared & ~held & ~erased), sole=Count("pk", filter=~shared & ~held & ~erased),
        )
        counts["due"] += totals["due"]
        counts["held"] += totals["held"]
        counts[acted_key[action]] += totals["sole"]
        counts["kept" if action == Action.RESTRICT else "detached"] += totals["shared"]
        if len(sample) < selectors.SAMPLE_SIZE:
            sample += list(due.order_by("subject_id").values_list("subject_id", flat=True)[
                : selectors.SAMPLE_SIZE - len(sample)])
    return sample

