"""Reads that encode retention policy: which rules are swept, which engagements are due, who is held.

Everything here is set-wise: one query per question, whatever the number of subjects. A rule's cutoff is a
date computed once in Python (``RetentionRule.cutoff``), so "due" is ``activity = X AND <date> <= cutoff``,
which the (activity, date) index of each Engagement trigger answers with a range scan.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import islice

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Window

from subjects.models import DataSubject, Engagement

from .models import PERIOD_LIMITS, ErasureRecord, LegalHold, Phase, RetentionEvent, RetentionRule, SweepRun

SAMPLE_SIZE = 20


def rules_swept() -> QuerySet[RetentionRule]:
    """The rules the sweep acts on: enabled, with a start date and a period, about people as a whole."""
    return (
        RetentionRule.objects.filter(enabled=True, period_amount__isnull=False, data_category__isnull=True)
        .exclude(trigger=RetentionRule.Trigger.NOT_STATED)
        .exclude(action=RetentionRule.Action.NOT_STATED)
        .order_by("pk")
    )


def rules_unenforceable() -> QuerySet[RetentionRule]:
    """Rules whose statement cannot be enforced as written (no start, no period, no action, or no erase period)."""
    return RetentionRule.objects.filter(unenforceable_q())


def unenforceable_q(prefix: str = "") -> Q:
    return (
        Q(**{f"{prefix}trigger": RetentionRule.Trigger.NOT_STATED})
        | Q(**{f"{prefix}period_amount__isnull": True})
        | Q(**{f"{prefix}action": RetentionRule.Action.NOT_STATED})
        | Q(**{f"{prefix}action": RetentionRule.Action.RESTRICT_THEN_ERASE,
               f"{prefix}second_period_amount__isnull": True})
    )


def period_out_of_range_q(prefix: str = "") -> Q:
    """Rules with a period (or a second period) longer than ``PERIOD_LIMITS`` allows: saved before the bound, or
    written past validation. The sweep cannot compute them and passes them over."""
    out = Q()
    for amount, unit in (("period_amount", "period_unit"), ("second_period_amount", "second_period_unit")):
        for unit_value, limit in PERIOD_LIMITS.items():
            out |= Q(**{f"{prefix}{unit}": unit_value, f"{prefix}{amount}__gt": limit})
    return out


# --- holds -----------------------------------------------------------------------------------------------


def holds_active(*, as_of: date) -> QuerySet[LegalHold]:
    """Holds in force on ``as_of``: not released, and not past their last day."""
    return LegalHold.objects.filter(released_at__isnull=True).filter(Q(until__isnull=True) | Q(until__gte=as_of))


def subject_holds(*, subject: DataSubject, as_of: date) -> QuerySet[LegalHold]:
    """The holds that keep this subject: on them, or on an activity they are engaged in."""
    activities = Engagement.objects.filter(subject=subject).values("activity_id")
    return holds_active(as_of=as_of).filter(Q(subject=subject) | Q(activity_id__in=activities))


def subjects_held(*, subject_ids: list[int], as_of: date) -> set[int]:
    """Which of these subjects a hold keeps (on them, or on an activity they are in): one query."""
    holds = holds_active(as_of=as_of)
    held = Q(Exists(holds.filter(subject_id=OuterRef("pk")))) | Q(
        Exists(holds.filter(activity__engagements__subject_id=OuterRef("pk")))
    )
    return set(DataSubject.objects.filter(held, pk__in=subject_ids).values_list("pk", flat=True))


def _held(*, rule: RetentionRule, as_of: date, subject_ref: str = "subject_id") -> Q:
    """Held for the sweep of ``rule``: a hold on the subject, or on the rule's activity. (A hold on another
    activity the subject is in keeps them there: the sweep then only detaches them from this one.)"""
    active = holds_active(as_of=as_of)
    return Q(Exists(active.filter(subject_id=OuterRef(subject_ref)))) | Q(
        Exists(active.filter(activity_id=rule.activity_id))
    )


# --- due engagements -------------------------------------------------------------------------------------


# --- the run's order, and what it has removed before each rule ------------------------------------------
#
# A run sweeps its rules one after the other, and what an earlier rule does changes what a later one finds: a
# person due in two activities is detached from the first (the second still needs them) and erased by the second
# (nothing needs them any more). A preview changes nothing, so it must read what the run will have done by then
# from the same conditions: ``removed_before`` says which engagements the rules before ``rule`` remove, and both
# the due set and the erase-or-detach decision (``subjects_due_decided``) leave them out. In a run they are gone
# already, so the conditions find nothing more; in a preview they stand in for the run's earlier work.


def sweep_order(*, as_of: date) -> list[RetentionRule]:
    """The rules a run on ``as_of`` sweeps, in the order it sweeps them: the enabled rules by id, then the
    event-triggered rules with a pending event due (those not among the first). Preview and run both go by it."""
    rules = list(rules_swept().select_related("activity"))
    seen = {rule.pk for rule in rules}
    return rules + [rule for rule in event_rules_due(as_of=as_of) if rule.pk not in seen]


def _rules_before(*, rule: RetentionRule, as_of: date) -> list[RetentionRule]:
    """The rules a run sweeps before ``rule`` (none when ``rule`` is not in the run's order: swept on its own)."""
    order = sweep_order(as_of=as_of)
    position = next((i for i, other in enumerate(order) if other.pk == rule.pk), 0)
    return order[:position]


def _removed_by(*, rule: RetentionRule, as_of: date) -> Q | None:
    """On Engagement: the rows ``rule`` removes when it is swept on ``as_of``, its subject detached or erased (the
    end of it all: erase or anonymise; a restriction removes nothing). ``None`` when it removes none, or cannot be
    swept at all (the run records it as not swept)."""
    final = dict(rule.phases()).get(Phase.FINAL)
    if not rule.periods_in_range or final not in (ErasureRecord.Action.ERASE, ErasureRecord.Action.ANONYMISE):
        return None
    not_held = ~_held(rule=rule, as_of=as_of)
    if rule.is_event_triggered:
        due = events_due(rule=rule, as_of=as_of, phase=Phase.FINAL).filter(subject_id=OuterRef("subject_id"))
        return Q(activity_id=rule.activity_id) & Q(Exists(due)) & not_held
    try:
        Engagement._meta.get_field(rule.trigger)
    except FieldDoesNotExist:
        return None
    removed = Q(activity_id=rule.activity_id, **{
        f"{rule.trigger}__isnull": False, f"{rule.trigger}__lte": rule.cutoff(as_of, phase=Phase.FINAL),
    }) & not_held
    if rule.subject_category_id is not None:
        removed &= Q(Exists(DataSubject.categories.through.objects.filter(
            datasubject_id=OuterRef("subject_id"), datasubjectcategory_id=rule.subject_category_id)))
    return removed


def removed_before(*, rule: RetentionRule, as_of: date) -> Q | None:
    """On Engagement: the rows a run on ``as_of`` removes before it comes to ``rule`` (``None``: none)."""
    removed = None
    for earlier in _rules_before(rule=rule, as_of=as_of):
        part = _removed_by(rule=earlier, as_of=as_of)
        if part is not None:
            removed = part if removed is None else removed | part
    return removed


# ``removed`` not given: read from the run's rule order (two small queries). ``subjects_due_decided`` reads it once
# and hands it to both of its parts.
_READ = object()


def _removed(removed, *, rule: RetentionRule, as_of: date) -> Q | None:
    return removed_before(rule=rule, as_of=as_of) if removed is _READ else removed


def _candidates(*, rule: RetentionRule, as_of: date, phase: Phase, removed=_READ) -> QuerySet[Engagement]:
    field = rule.trigger
    qs = Engagement.objects.filter(activity_id=rule.activity_id, **{f"{field}__lte": rule.cutoff(as_of, phase=phase)})
    if (removed := _removed(removed, rule=rule, as_of=as_of)) is not None:
        qs = qs.exclude(removed)  # an earlier rule of the same activity took them (detached, or erased them)
    if phase == Phase.FIRST and rule.action == RetentionRule.Action.RESTRICT_THEN_ERASE:
        # Restricting applies to subjects still in use; those past the second period too are the erase
        # phase's, which runs first.
        qs = qs.filter(subject__state=DataSubject.State.ACTIVE)
        if rule.second_period is not None:
            qs = qs.exclude(**{f"{field}__lte": rule.cutoff(as_of, phase=Phase.FINAL)})
    else:
        qs = qs.exclude(subject__state=DataSubject.State.ERASED)
    if rule.subject_category_id is not None:
        in_category = DataSubject.categories.through.objects.filter(
            datasubject_id=OuterRef("subject_id"), datasubjectcategory_id=rule.subject_category_id
        )
        qs = qs.filter(Exists(in_category))
    return qs


def engagements_due(
    *, rule: RetentionRule, as_of: date, phase: Phase = Phase.FINAL, removed=_READ
) -> QuerySet[Engagement]:
    """Engagements in ``rule.activity`` whose clock has run out on ``as_of`` in ``phase``: not held, subject
    not erased (nor, for the restrict phase, already restricted), within the rule's subject category."""
    return _candidates(rule=rule, as_of=as_of, phase=phase, removed=removed).exclude(_held(rule=rule, as_of=as_of))


def held_count(*, rule: RetentionRule, as_of: date, phase: Phase = Phase.FINAL) -> int:
    """How many engagements would be due in ``phase`` but for a legal hold. No scan of the engagements when no
    hold is in force at all, the usual night."""
    if not holds_active(as_of=as_of).exists():
        return 0
    return _candidates(rule=rule, as_of=as_of, phase=phase).filter(_held(rule=rule, as_of=as_of)).count()


def due_and_held_counts(*, rule: RetentionRule, as_of: date, phase: Phase = Phase.FINAL) -> tuple[int, int]:
    """How many engagements are due in ``phase``, and how many more a legal hold keeps: one scan, one query."""
    held = _held(rule=rule, as_of=as_of)
    counts = _candidates(rule=rule, as_of=as_of, phase=phase).aggregate(
        due=Count("pk", filter=~held), held=Count("pk", filter=held)
    )
    return counts["due"], counts["held"]


def needed_elsewhere(*, rule: RetentionRule, as_of: date, subject_ref: str = "subject_id", removed=_READ) -> Exists:
    """Whether another activity still needs the subject when the run comes to ``rule``: an engagement in another
    activity that no rule before it removes (``removed_before``)."""
    others = Engagement.objects.filter(subject_id=OuterRef(subject_ref)).exclude(activity_id=rule.activity_id)
    if (removed := _removed(removed, rule=rule, as_of=as_of)) is not None:
        others = others.exclude(removed)
    return Exists(others)


def subjects_due_decided(*, rule: RetentionRule, as_of: date, phase: Phase = Phase.FINAL) -> QuerySet[DataSubject]:
    """The one decision, per subject, of what ``rule`` does in ``phase`` on ``as_of``: the subjects due
    (``subjects_due``), each annotated ``shared``, true when another activity still needs them
    (``needed_elsewhere``): they are only detached from this activity (in the restrict phase: kept as they are);
    the others are erased, anonymised or restricted. The preview counts it; the run locks and acts on it."""
    removed = removed_before(rule=rule, as_of=as_of)  # read once for both parts
    return subjects_due(rule=rule, as_of=as_of, phase=phase, removed=removed).annotate(
        shared=needed_elsewhere(rule=rule, as_of=as_of, subject_ref="pk", removed=removed)
    )


def decided_counts(*, rule: RetentionRule, as_of: date, phase: Phase = Phase.FINAL) -> tuple[int, int]:
    """(acted on, only detached or kept) under ``rule`` in ``phase``: ``subjects_due_decided``, counted in one
    query."""
    counts = subjects_due_decided(rule=rule, as_of=as_of, phase=phase).aggregate(
        n_all=Count("pk"), n_shared=Count("pk", filter=Q(shared=True)),
    )
    return counts["n_all"] - counts["n_shared"], counts["n_shared"]


def subjects_due(
    *, rule: RetentionRule, as_of: date, phase: Phase = Phase.FINAL, removed=_READ
) -> QuerySet[DataSubject]:
    """The subjects with an engagement due under ``rule`` in ``phase`` (see ``engagements_due``). The state
    condition is on the subject's own row, so a locking read re-checks it on a row changed concurrently."""
    subjects = DataSubject.objects.filter(
        Exists(engagements_due(rule=rule, as_of=as_of, phase=phase, removed=removed).filter(subject_id=OuterRef("pk")))
    )
    if phase == Phase.FIRST and rule.action == RetentionRule.Action.RESTRICT_THEN_ERASE:
        return subjects.filter(state=DataSubject.State.ACTIVE)
    return subjects.exclude(state=DataSubject.State.ERASED)


def due_subject_id_chunks(
    *, rule: RetentionRule, as_of: date, phase: Phase, size: int
) -> tuple[int, Iterator[list[int]]]:
    """How many subjects are due under ``rule`` in ``phase`` on ``as_of``, and their ids in chunks of ``size``.

    On PostgreSQL one query, read through a server-side cursor (``WITH HOLD`` outside a transaction, so it
    outlives the chunks' own transactions): the due rows are found and sorted once, not once per chunk, and only
    a chunk at a time is held here; the total rides on every row (``count(*) OVER ()``), so counting costs no
    second scan. Elsewhere (SQLite: reading a table while writing it on the same connection is undefined there)
    the total is counted first and the next chunk is ``subject_id > last`` with ``LIMIT``. Either way the set is
    the one due when the run started; each chunk re-checks due-ness under its row locks.
    """
    due = engagements_due(rule=rule, as_of=as_of, phase=phase)
    if connection.vendor != "postgresql" or connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        return due.count(), _keyset_chunks(rule=rule, as_of=as_of, phase=phase, size=size)
    rows = (
        due.annotate(total=Window(Count("pk"))).order_by("subject_id")
        .values_list("subject_id", "total").iterator(chunk_size=size)
    )
    first = list(islice(rows, size))
    return (first[0][1] if first else 0), _CursorChunks(rows, first, size)


class _CursorChunks(Iterator[list[int]]):
    """Chunks of subject ids from an open server-side cursor of (subject id, total) rows. ``close()`` closes the
    cursor at once, whether or not iteration began: left to the garbage collector, the ``CLOSE`` would reach the
    server later, in whatever transaction is open then (``contextlib.closing`` in the caller)."""

    def __init__(self, rows: Iterator[tuple[int, int]], first: list[tuple[int, int]], size: int) -> None:
        self._rows, self._first, self._size = rows, first, size

    def __next__(self) -> list[int]:
        chunk = self._first if self._first is not None else list(islice(self._rows, self._size))
        self._first = None
        if not chunk:
            self.close()
            raise StopIteration
        return [subject_id for subject_id, _total in chunk]

    def close(self) -> None:
        self._rows.close()


def _keyset_chunks(*, rule: RetentionRule, as_of: date, phase: Phase, size: int) -> Iterator[list[int]]:
    last = 0
    while True:
        ids = due_subject_ids(rule=rule, as_of=as_of, phase=phase, after=last, limit=size)
        if ids:
            yield ids
        if len(ids) < size:
            return
        last = ids[-1]


def due_subject_ids(
    *, rule: RetentionRule, as_of: date, phase: Phase, after: int = 0, limit: int
) -> list[int]:
    """The next chunk of due subjects by id: ``subject_id > after`` and ``LIMIT``, never ``OFFSET`` (rows done
    drop out of the query, rows skipped are passed by the id)."""
    return list(
        engagements_due(rule=rule, as_of=as_of, phase=phase)
        .filter(subject_id__gt=after)
        .order_by("subject_id")
        .values_list("subject_id", flat=True)[:limit]
    )


# --- events of event-triggered rules ---------------------------------------------------------------------


def event_rules_for_subjects(*, subject_ids: list[int]) -> QuerySet[RetentionRule]:
    """The event-triggered rules of the activities any of these subjects is in: what an event can be recorded
    under for them."""
    return (
        RetentionRule.objects.filter(
            trigger=RetentionRule.Trigger.EVENT,
            activity__in=Engagement.objects.filter(subject_id__in=subject_ids).values("activity_id"),
        )
        .select_related("activity")
        .order_by("activity__name", "pk")
    )


def events_due(*, rule: RetentionRule, as_of: date, phase: Phase = Phase.FINAL) -> QuerySet[RetentionEvent]:
    """Pending events of ``rule`` due on ``as_of`` in ``phase``: the end of it all (erase, anonymise) on
    ``due_on``; for "restrict, then erase" the restriction on ``restrict_on``, of subjects still active and not
    yet due to be erased (that phase runs first). Held subjects are included (the caller counts and skips them);
    so are subjects erased otherwise meanwhile, whose event is then simply done."""
    pending = RetentionEvent.objects.filter(rule_id=rule.pk, status=RetentionEvent.Status.PENDING)
    if phase == Phase.FIRST and rule.action == RetentionRule.Action.RESTRICT_THEN_ERASE:
        return pending.filter(restrict_on__lte=as_of, due_on__gt=as_of, subject__state=DataSubject.State.ACTIVE)
    return pending.filter(due_on__lte=as_of)


def event_rules_due(*, as_of: date) -> QuerySet[RetentionRule]:
    """The event-triggered rules with a pending event due on ``as_of`` (in either phase): what the sweep carries
    out after the date rules. One query."""
    due = RetentionEvent.objects.filter(rule_id=OuterRef("pk"), status=RetentionEvent.Status.PENDING).filter(
        Q(due_on__lte=as_of) | Q(restrict_on__lte=as_of)
    )
    return (
        RetentionRule.objects.filter(Exists(due), trigger=RetentionRule.Trigger.EVENT)
        .select_related("activity").order_by("pk")
    )


def event_subjects_held(*, rule: RetentionRule, as_of: date) -> Q:
    """On a DataSubject query: held for ``rule`` (as the sweep reads holds)."""
    return _held(rule=rule, as_of=as_of, subject_ref="pk")


def events_overdue(*, today: date) -> QuerySet[RetentionEvent]:
    """Pending events whose day has passed: a run should have carried them out (a hold keeps the subject, the
    sweep has not run or awaits approval, or it failed)."""
    return RetentionEvent.objects.filter(status=RetentionEvent.Status.PENDING, due_on__lt=today)


# --- runs and records ------------------------------------------------------------------------------------


def approved_preview(*, as_of: date | None, today: date) -> SweepRun | None:
    """The preview a DPO approved that the next acting run may carry out: not yet carried out successfully, for
    ``as_of`` when given, otherwise made today or yesterday (a preview approved in the afternoon covers the night)."""
    carried_out = SweepRun.objects.filter(preview_id=OuterRef("pk"), status=SweepRun.Status.SUCCEEDED)
    previews = SweepRun.objects.filter(
        ~Exists(carried_out), dry_run=True, status=SweepRun.Status.SUCCEEDED, approved_at__isnull=False,
    )
    if as_of is not None:
        previews = previews.filter(as_of=as_of)
    else:
        previews = previews.filter(as_of__gte=today - timedelta(days=1), as_of__lte=today)
    return previews.order_by("-approved_at").first()


def window_run(*, window: datetime) -> SweepRun | None:
    """The run that had the scheduled ``window``: an acting run for it that succeeded, or ended without acting
    (awaiting approval, more than the approved preview). A failed or locked-out run leaves the window open."""
    done = (SweepRun.Status.SUCCEEDED, SweepRun.Status.AWAITING_APPROVAL, SweepRun.Status.EXCEEDS_APPROVAL)
    return SweepRun.objects.filter(window=window, dry_run=False, status__in=done).order_by("pk").first()


def sweep_runs_needing_attention(*, now: datetime, limit: int = 5) -> list[SweepRun]:
    """Acting runs a person must look at, newest first: failed (or not run for doing more than the approved
    preview) since the last run that succeeded (a later success settles them), and "running" for longer than
    ``RETENTION_SWEEP_STALE_AFTER_HOURS`` (its worker was most likely killed; the next acting run, or the command
    run by hand, closes it). One query."""
    acting = SweepRun.objects.filter(dry_run=False)
    last_success = (
        acting.filter(status=SweepRun.Status.SUCCEEDED).order_by("-started_at").values("started_at")[:1]
    )
    stale_since = now - timedelta(hours=settings.RETENTION_SWEEP_STALE_AFTER_HOURS)
    failed = Q(status__in=(SweepRun.Status.FAILED, SweepRun.Status.EXCEEDS_APPROVAL)) & (
        ~Exists(acting.filter(status=SweepRun.Status.SUCCEEDED)) | Q(started_at__gt=Subquery(last_success))
    )
    stuck = Q(status=SweepRun.Status.RUNNING, started_at__lt=stale_since)
    return list(acting.filter(failed | stuck).order_by("-started_at", "-pk")[:limit])


def erasure_records_for(*, subject_id: int) -> QuerySet[ErasureRecord]:
    return ErasureRecord.objects.filter(subject_id=subject_id).order_by("erased_at", "pk")
