"""Writes about retention: rules, legal holds, approving a preview, and the sweep.

Design note (the sweep).
- Cutoff fixed at the start: ``as_of`` is set once, so a run always ends, however fast new data arrives.
- One acting run at a time: on PostgreSQL a session advisory lock (``pg_try_advisory_lock``), which the
  server releases by itself when a killed worker's connection drops; on every database a unique "running"
  SweepRun row. A second run started meanwhile records itself as locked out and does nothing. A "running" row
  left by a killed worker is recognised as stale (on PostgreSQL: nobody holds the lock; elsewhere: older than
  ``RETENTION_SWEEP_STALE_AFTER_HOURS``), closed as failed, and the new run goes ahead.
- One run per scheduled window: the beat's task passes the time it was scheduled for (``window``), kept on the run;
  a window that has had its run (succeeded, or ended without acting) is skipped with nothing recorded
  (``SweepSkipped``), before the lock and again, by a partial unique constraint on the window, when the run's row is
  inserted. So two beats, or a copy redelivered after the run finished, cannot run the sweep twice for one night.
- The run's order (``selectors.sweep_order``): the enabled rules by id, then the event rules with events due. What an
  earlier rule removes changes what a later one finds (a person due in two activities is detached from the first
  and erased by the second); the due set and the erase-or-detach decision (``selectors.subjects_due_decided``) read
  it from the same conditions in a preview and in a run, so the preview counts what the run does.
- Chunks, each its own transaction (``engine.sweep_rule_batch``): the due subjects are read once, in id order,
  a chunk at a time (``selectors.due_subject_id_chunks``: a server-side cursor on PostgreSQL, keyset pages
  elsewhere); never ``OFFSET``. Each chunk is logged with
  counts and ids, and the run's counts are saved after each chunk, so the admin shows progress.
- Chunks run on ``RETENTION_SWEEP_WORKERS`` threads at once, each with its own connection and transactions
  (PostgreSQL, outside a caller's transaction; otherwise one after another): a chunk's subjects are locked by
  it alone (``FOR UPDATE SKIP LOCKED``), chunks are disjoint, and the one row two chunks can both write, a
  suppression entry for an identifier two subjects share, is inserted in digest order by every chunk, so two
  chunks wait for each other at most one way. The reading thread hands out at most one chunk per worker ahead.
- A chunk that fails is rolled back whole; its subjects are counted as failed, the run goes on with the next
  chunk and ends as failed (the Celery task then retries; reruns pick the failed subjects up again).
- Event-triggered rules: after the date rules, each run carries out the recorded events due on its cutoff
  (``retention.events``), with the same engine, counted on the run under the rule's id; a preview counts them.
- Never deleted here: rules, holds, runs. Holds are released, rules disabled.
- One rule that cannot be swept (a period beyond the bound saved before there was one, whose date arithmetic
  overflows; any other error in its own queries) is recorded on the run (``rule_errors``) and passed over:
  the other rules are swept, and the run ends as failed.
- A dry run (preview) changes nothing: counts per rule and a sample of subject ids. With
  ``RETENTION_REQUIRE_APPROVAL`` an acting run carries out an approved preview (its cutoff, once), or does
  nothing and says so. Before it acts it counts what it would do with the preview's code; more than the preview
  showed for any rule (erased, anonymised, restricted or detached), and it does nothing: status "more than the
  approved preview", the numbers in its error, an alert on the dashboard. The DPO previews and approves again.
- Erasure is not one typo away: an acting run's cutoff may not be after today (it would erase people before
  their time) unless a ``FutureAsOf`` override names who allows it and why, which stays on the run; every
  caller goes through this check, the nightly task included. A cutoff outside ``AS_OF_EARLIEST`` ..
  ``AS_OF_LATEST`` is refused for any run: period arithmetic overflows near the ends of the calendar.
"""
from __future__ import annotations

import logging
import queue
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from privacy_registry.models import ProcessingActivity
from privacy_registry.services import acting_user as _user
from privacy_registry.services import attribute as _attribute
from subjects.models import DataSubject
from subjects.services import Actor

from . import engine, events, selectors
from .models import ErasureRecord, LegalHold, RetentionRule, SweepRun

logger = logging.getLogger(__name__)

COUNT_KEYS = ("due", "held", "erased", "anonymised", "restricted", "detached", "kept", "skipped", "failed")
ACTED_KEY = {
    ErasureRecord.Action.ERASE: "erased",
    ErasureRecord.Action.ANONYMISE: "anonymised",
    ErasureRecord.Action.RESTRICT: "restricted",
}
# What a run carrying out an approved preview may not do more of than the preview showed, rule by rule.
APPROVED_KEYS = ("erased", "anonymised", "restricted", "detached")
ADVISORY_LOCK_KEY = zlib.crc32(b"retention.sweep")
APPROVE_PERMISSION = "retention.approve_sweeprun"
# The cutoffs a run accepts: a rule's periods reach back at most two centuries (two periods of at most a hundred
# years each), and forward arithmetic must stay within the calendar.
AS_OF_EARLIEST = date(1900, 1, 1)
AS_OF_LATEST = date(2999, 12, 31)


class SweepRefused(ValueError):
    """The sweep was asked for something it does not do (a future cutoff without an override, a cutoff out of
    range, a chunk size below one); nothing was started. The message says what, in one line; ``code`` which."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


class SweepSkipped(Exception):
    """A scheduled run for a window that has had its run already (it succeeded, or ended without acting: awaiting
    approval, or more than the approved preview): nothing was started and nothing recorded. ``run_id`` is the
    window's run."""

    def __init__(self, run_id: int, window: datetime) -> None:
        super().__init__(f"the sweep scheduled for {window.isoformat()} has run already (run #{run_id})")
        self.run_id = run_id
        self.window = window


@dataclass(frozen=True)
class FutureAsOf:
    """The override that lets an acting run use a cutoff after today: who allows it (a user name, or the
    operating-system account of a command run by hand) and why. Both are recorded on the run."""

    by: str
    reason: str




# --- rules and holds -----------------------------------------------------------------------------------------


@transaction.atomic
def rule_save(*, rule: RetentionRule, actor: Actor = None, reason: str = "saved") -> RetentionRule:
    """Create or change a retention rule (validated: a rule with no start date cannot be enabled)."""
    rule.full_clean()
    _attribute(rule, actor=actor, reason=reason)
    rule.save()
    logger.info("retention rule %s saved (activity %s)", rule.pk, rule.activity_id)
    return rule


@transaction.atomic
def hold_place(
    *,
    reason: str,
    actor: Actor,
    subject: DataSubject | None = None,
    activity: ProcessingActivity | None = None,
    until: date | None = None,
) -> LegalHold:
    """Place a legal hold on one subject or one activity: nothing it covers is erased until it ends."""
    hold = LegalHold(subject=subject, activity=activity, reason=reason.strip(), placed_by=_user(actor), until=until)
    hold.full_clean()
    _attribute(hold, actor=actor, reason="placed")
    hold.save()
    logger.info("legal hold %s placed (subject %s, activity %s)", hold.pk, hold.subject_id, hold.activity_id)
    return hold


@transaction.atomic
def hold_release(*, hold: LegalHold, actor: Actor) -> LegalHold:
    """End a hold now. The next sweep erases what it was keeping, if that is due."""
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.released_at is not None:
        return hold
    hold.released_at = timezone.now()
    hold.released_by = _user(actor)
    _attribute(hold, actor=actor, reason="released")
    hold.save(update_fields=["released_at", "released_by"])
    logger.info("legal hold %s released", hold.pk)
    return hold


@transaction.atomic(durable=True)
def sweep_preview_approve(*, run: SweepRun, actor: Actor) -> SweepRun:
    """A DPO approves a preview: the next acting run carries it out (with the preview's cutoff), once."""
    if actor is None or not actor.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied
    run = SweepRun.objects.select_for_update().get(pk=run.pk)
    if not run.dry_run or run.status != SweepRun.Status.SUCCEEDED:
        raise ValidationError(_("Only a finished preview can be approved."), code="not_a_preview")
    if run.approved_at is None:
        run.approved_at = timezone.now()
        run.approved_by = actor
        run.save(update_fields=["approved_at", "approved_by"])
        logger.info("sweep preview %s approved by user %s", run.pk, actor.pk)
    return run


# --- the sweep -----------------------------------------------------------------------------------------------


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def _advisory_lock():
    """Yields whether this process holds the sweep's PostgreSQL advisory lock (always True elsewhere)."""
    if not _is_postgresql():
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])


def _close_stale_runs(*, holding_lock: bool) -> int:
    """Close "running" rows whose worker is gone, so a killed run does not block every later one."""
    stale = SweepRun.objects.filter(status=SweepRun.Status.RUNNING, dry_run=False)
    if not holding_lock:
        return 0
    if not _is_postgresql():
        hours = settings.RETENTION_SWEEP_STALE_AFTER_HOURS
        stale = stale.filter(started_at__lt=timezone.now() - timedelta(hours=hours))
    closed = stale.update(
        status=SweepRun.Status.FAILED, finished_at=timezone.now(), error="interrupted: its worker stopped",
    )
    if closed:
        logger.warning("closed %d stale sweep run(s)", closed)
    return closed


def _start(*, as_of: date, dry_run: bool, chunk_size: int, actor: Actor, preview: SweepRun | None,
           holding_lock: bool, future_as_of: FutureAsOf | None, window: datetime | None) -> SweepRun:
    values = {"as_of": as_of, "dry_run": dry_run, "chunk_size": chunk_size, "started_by": _user(actor),
              "preview": preview, "window": window}
    if future_as_of is not None:
        values.update(future_as_of_by=future_as_of.by.strip(), future_as_of_reason=future_as_of.reason.strip())
    if not holding_lock:
        return _locked_out(values)
    if not dry_run:
        _close_stale_runs(holding_lock=holding_lock)
    try:
        with transaction.atomic():
            return SweepRun.objects.create(status=SweepRun.Status.RUNNING, **values)
    except IntegrityError:
        # The window's run finished a moment ago (its row is the window's), or another acting run holds the
        # "running" row (SQLite, or a run outside the advisory lock).
        _skip_if_window_done(window)
        return _locked_out(values)


def _skip_if_window_done(window: datetime | None) -> None:
    """Raise ``SweepSkipped`` when the scheduled ``window`` has had its run."""
    if window is not None and (done := selectors.window_run(window=window)) is not None:
        logger.info("sweep for %s skipped: run %s is that window's", window.isoformat(), done.pk)
        raise SweepSkipped(done.pk, window)


def _locked_out(values: dict) -> SweepRun:
    values = {**values, "preview": None}
    run = SweepRun.objects.create(status=SweepRun.Status.LOCKED_OUT, finished_at=timezone.now(), **values)
    logger.warning("sweep run %s locked out: another sweep is running", run.pk)
    return run


def _finish(run: SweepRun, status: str, *, errors: list[str]) -> SweepRun:
    run.status = status
    run.finished_at = timezone.now()
    run.error = "\n".join(errors)
    run.save(update_fields=["status", "finished_at", "error", "counts", "sample", "rule_errors"])
    return run


def _check_arguments(*, as_of: date | None, dry_run: bool, chunk_size: int, future_as_of: FutureAsOf | None,
                     today: date) -> None:
    """Refuse, before anything starts, what no caller should be able to ask by mistake (``SweepRefused``)."""
    if chunk_size < 1:
        raise SweepRefused(gettext("The chunk size must be at least 1, not %(n)s.") % {"n": chunk_size},
                           code="chunk_size")
    if as_of is None:
        return
    if not AS_OF_EARLIEST <= as_of <= AS_OF_LATEST:
        raise SweepRefused(gettext(
            "The cutoff %(date)s is out of range: give a date from %(earliest)s to %(latest)s."
        ) % {"date": as_of.isoformat(), "earliest": AS_OF_EARLIEST.isoformat(), "latest": AS_OF_LATEST.isoformat()},
            code="as_of_out_of_range")
    if as_of > today and not dry_run:
        if future_as_of is None:
            raise SweepRefused(gettext(
                "The cutoff %(date)s is after today (%(today)s): that would erase people before their time. "
                "Preview it with a dry run; to act on it anyway, allow it explicitly and give the reason."
            ) % {"date": as_of.isoformat(), "today": today.isoformat()}, code="future_as_of")
        if not future_as_of.by.strip() or not future_as_of.reason.strip():
            raise SweepRefused(gettext("A cutoff after today needs who allows it and why."),
                               code="future_as_of_unexplained")


class _RuleNotSwept(Exception):
    """A rule the sweep cannot compute; the message is what the run records (no personal data)."""


def _sweep_one_rule(run: SweepRun, rule: RetentionRule, errors: list[str]) -> None:
    """Sweep (or preview) one rule; a rule that fails is recorded on the run and the caller goes on to the next."""
    counts = run.counts[str(rule.pk)] = dict.fromkeys(COUNT_KEYS, 0)
    try:
        if not rule.periods_in_range:
            raise _RuleNotSwept(gettext("its period is longer than 100 years: correct the rule"))
        if run.dry_run:
            run.sample[str(rule.pk)] = _count_rule(run, rule, counts)
        elif rule.is_event_triggered:  # its pending events due on the cutoff (retention.events)
            events.events_sweep(run=run, rule=rule, counts=counts, errors=errors, save_progress=partial(
                SweepRun.objects.filter(pk=run.pk).update, counts=run.counts))
        else:
            _sweep_rule(run, rule, counts, run.counts, errors)
    except Exception as exc:  # noqa: BLE001  (one rule must not stop the others: recorded, and the run fails)
        # The exception's name only, unless it is our own: a database error's message can quote values.
        why = str(exc) if isinstance(exc, _RuleNotSwept) else type(exc).__name__
        run.rule_errors[str(rule.pk)] = why
        errors.append(f"rule #{rule.pk}: {why}")
        logger.error("sweep run %s rule %s not swept (%s)", run.pk, rule.pk, type(exc).__name__)
        return
    logger.info("sweep run %s rule %s: %s", run.pk, rule.pk, counts)


def _count_rule(run: SweepRun, rule: RetentionRule, counts: dict[str, int]) -> list[int]:
    """What the run will do under ``rule`` on its cutoff, added to ``counts``, and a sample of subject ids; changes
    nothing. A preview's numbers, and the numbers an acting run checks against the preview it carries out."""
    if rule.is_event_triggered:  # its pending events due on the cutoff (retention.events)
        return events.events_preview(run=run, rule=rule, counts=counts)
    for phase, _action in rule.phases():
        due, held = selectors.due_and_held_counts(rule=rule, as_of=run.as_of, phase=phase)
        counts["due"] += due
        counts["held"] += held
    return _preview_rule(run, rule, counts)


def _preview_rule(run: SweepRun, rule: RetentionRule, counts: dict[str, int]) -> list[int]:
    sample: list[int] = []
    for phase, action in rule.phases():
        # The run's own decision (``engine.sweep_rule_batch`` acts on the same selector), with what the rules
        # before this one will have removed by then.
        sole, shared = selectors.decided_counts(rule=rule, as_of=run.as_of, phase=phase)
        counts[ACTED_KEY[action]] += sole
        counts["kept" if action == ErasureRecord.Action.RESTRICT else "detached"] += shared
        if len(sample) < selectors.SAMPLE_SIZE:
            sample += selectors.due_subject_ids(
                rule=rule, as_of=run.as_of, phase=phase, limit=selectors.SAMPLE_SIZE - len(sample)
            )
    return sample


def _beyond_approval(run: SweepRun, preview: SweepRun, rules: Iterable[RetentionRule]) -> list[str]:
    """Where ``run`` would do more than the approved ``preview`` showed: one "rule #id: key planned > approved" per
    rule and count (``APPROVED_KEYS``); empty when it keeps to it. Counted before anything is done, on the run's
    cutoff, by the preview's own code (``_count_rule``). A rule that cannot be swept is passed over, as the run
    passes it over."""
    beyond = []
    for rule in rules:
        if not rule.periods_in_range:
            continue
        planned = dict.fromkeys(COUNT_KEYS, 0)
        _count_rule(run, rule, planned)
        approved = (preview.counts or {}).get(str(rule.pk), {})
        beyond += [
            f"rule #{rule.pk}: {key} {planned[key]} > {approved.get(key, 0)}"
            for key in APPROVED_KEYS if planned[key] > approved.get(key, 0)
        ]
    return beyond


def _sweep_workers() -> int:
    """How many chunks run at once: more than one only where other connections can see the data and take their
    own row locks (PostgreSQL, not inside a caller's transaction)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return settings.RETENTION_SWEEP_WORKERS


Outcome = engine.BatchResult | BaseException


def _attempt(work: Callable[[list[int]], engine.BatchResult], ids: list[int]) -> Outcome:
    try:
        return work(ids)
    except BaseException as exc:  # noqa: BLE001  (reported to the reading thread, which decides)
        return exc


def _chunk_outcomes(
    chunks: Iterable[list[int]], work: Callable[[list[int]], engine.BatchResult], *, workers: int,
    late: Callable[[list[int], Outcome], object] = lambda ids, outcome: None,
) -> Iterator[tuple[list[int], Outcome]]:
    """``work(ids)`` for every chunk, and what came of it, in the order chunks finish.

    With one worker, here and in order. With more, on that many threads, each with its own database connection
    (closed when it stops); this thread reads the chunks and hands them out through a queue of at most one chunk
    per worker, so no more than ``2 × workers`` chunks are held at once. If the caller stops early (it closes
    this generator, or an exception leaves its loop), chunks not yet taken are not started, the workers finish
    the chunk each has (a chunk is one transaction: it commits whole or not at all), and what came of those is
    given to ``late``, so the caller's counts still say what was done."""
    if workers <= 1:
        for ids in chunks:
            yield ids, _attempt(work, ids)
        return
    todo: queue.Queue[list[int] | None] = queue.Queue(maxsize=workers)
    done: queue.Queue[tuple[list[int], Outcome]] = queue.Queue()

    def serve() -> None:
        try:
            while (ids := todo.get()) is not None:
                outcome = _attempt(work, ids)
                if not isinstance(outcome, engine.BatchResult):
                    # A connection the failure broke (a restarted server, a killed session) is replaced for the
                    # next chunk, which would otherwise fail on it too.
                    with suppress(Exception):
                        connection.close_if_unusable_or_obsolete()
                done.put((ids, outcome))  # one outcome for every chunk taken, whatever happened
        finally:
            with suppress(Exception):
                connections.close_all()  # this thread's own connections

    def ready() -> Iterator[tuple[list[int], Outcome]]:
        while True:
            try:
                yield done.get_nowait()
            except queue.Empty:
                return

    threads = [threading.Thread(target=serve, name=f"sweep-chunks-{n}", daemon=True) for n in range(workers)]
    for thread in threads:
        thread.start()
    outstanding = 0  # chunks handed out whose outcome the caller has not had
    workers_told_to_stop = completed = False
    try:
        for ids in chunks:
            todo.put(ids)
            outstanding += 1
            for outcome in ready():
                outstanding -= 1
                yield outcome
        for _thread in threads:
            todo.put(None)
        workers_told_to_stop = True
        while outstanding:
            outcome = done.get()
            outstanding -= 1
            yield outcome
        completed = True
    finally:
        if not workers_told_to_stop:
            while _take(todo) is not None:  # handed out but not taken: never started
                pass
            for _thread in threads:
                todo.put(None)
        for thread in threads:
            thread.join()
        if not completed:
            for ids, outcome in ready():
                late(ids, outcome)


def _take(todo: queue.Queue) -> list[int] | None:
    try:
        return todo.get_nowait()
    except queue.Empty:
        return None


def _sweep_rule(run: SweepRun, rule: RetentionRule, counts: dict[str, int], all_counts: dict, errors: list[str]):
    workers = _sweep_workers()
    for phase, _action in rule.phases():
        # The due total comes with the ids (no counting scan first); held subjects are counted only when a
        # hold is in force.
        due, chunks = selectors.due_subject_id_chunks(rule=rule, as_of=run.as_of, phase=phase, size=run.chunk_size)

        def work(ids: list[int], phase=phase) -> engine.BatchResult:
            return engine.sweep_rule_batch(rule=rule, as_of=run.as_of, ids=ids, phase=phase, run=run)

        def tally(ids: list[int], outcome: Outcome, phase=phase) -> BaseException | None:
            """Count what came of a chunk; return an interrupt or exit, which stops the run."""
            if isinstance(outcome, engine.BatchResult):
                for key, value in outcome.counts().items():
                    counts[key] += value
            elif isinstance(outcome, Exception):  # one bad chunk must not stop the others; the run fails
                counts["failed"] += len(ids)
                # The exception's name only: a database error's message can quote the values it choked on.
                errors.append(f"rule #{rule.pk} {phase}: {type(outcome).__name__} in chunk #{ids[0]}-#{ids[-1]}")
                logger.error("sweep run %s rule %s: chunk #%s-#%s rolled back (%s)",
                             run.pk, rule.pk, ids[0], ids[-1], type(outcome).__name__)
            else:
                return outcome
            return None

        # Closed on the way out whatever happens: the cursor at once, the worker threads before the run is left
        # (chunks they finished after the stop are still counted, through ``late``).
        with closing(chunks):
            counts["due"] += due
            counts["held"] += selectors.held_count(rule=rule, as_of=run.as_of, phase=phase)
            if not due:
                continue
            SweepRun.objects.filter(pk=run.pk).update(counts=all_counts)  # the total, before the first chunk
            with closing(_chunk_outcomes(chunks, work, workers=workers, late=tally)) as outcomes:
                for ids, outcome in outcomes:
                    if (stop := tally(ids, outcome)) is not None:
                        raise stop
                    SweepRun.objects.filter(pk=run.pk).update(counts=all_counts)  # progress, for the admin


def sweep_run(
    *, as_of: date | None = None, dry_run: bool = False, chunk_size: int | None = None, actor: Actor = None,
    future_as_of: FutureAsOf | None = None, window: datetime | None = None,
) -> SweepRun:
    """Run the retention sweep (or, with ``dry_run``, preview it) and return its SweepRun.

    Not wrapped in a transaction: every chunk commits on its own. Returns a run whose status says what
    happened: succeeded, failed (some chunks rolled back, or some rules could not be swept; rerun), locked out
    (another run was working) or awaiting approval (``RETENTION_REQUIRE_APPROVAL`` and no approved preview to
    carry out). Raises ``SweepRefused``, with nothing started, for a chunk size below one, a cutoff out of range,
    or an acting run's cutoff after today without a ``future_as_of`` override (recorded on the run when used).

    ``window`` is the scheduled time of the beat's run (``retention.tasks``): one run per window. A window that
    has had its run (succeeded, awaiting approval, or more than the approved preview) raises ``SweepSkipped`` and
    records nothing; one whose run failed is run again (the task's retry). A run that carries out an approved
    preview first counts what it would do, with the preview's code; if that is more than the preview showed for
    any rule, it does nothing and ends "more than the approved preview", with the numbers in its error.
    """
    chunk_size = settings.RETENTION_SWEEP_CHUNK_SIZE if chunk_size is None else chunk_size
    today = timezone.localdate()
    _check_arguments(as_of=as_of, dry_run=dry_run, chunk_size=chunk_size, future_as_of=future_as_of, today=today)
    window = None if dry_run else window
    _skip_if_window_done(window)
    preview = None
    if not dry_run and settings.RETENTION_REQUIRE_APPROVAL:
        preview = selectors.approved_preview(as_of=as_of, today=today)
        if preview is None:
            # Nothing to carry out, but a run its killed worker left "running" is still closed, as by any acting
            # run: running the command by hand is the way to recover from it.
            with _advisory_lock() as holding_lock:
                _close_stale_runs(holding_lock=holding_lock)
            run = SweepRun.objects.create(
                as_of=as_of or today, chunk_size=chunk_size, started_by=_user(actor), window=window,
                status=SweepRun.Status.AWAITING_APPROVAL, finished_at=timezone.now(),
            )
            logger.warning("sweep run %s not run: approval is required and no approved preview is waiting", run.pk)
            return run
        as_of = preview.as_of
        # The preview's cutoff is the one acted on: the same bounds hold for it.
        _check_arguments(as_of=as_of, dry_run=dry_run, chunk_size=chunk_size, future_as_of=future_as_of,
                         today=today)
    as_of = as_of or today
    if dry_run or as_of <= today:
        future_as_of = None  # recorded only where it allowed something

    with _advisory_lock() if not dry_run else _no_lock() as holding_lock:
        run = _start(as_of=as_of, dry_run=dry_run, chunk_size=chunk_size, actor=actor, preview=preview,
                     holding_lock=holding_lock, future_as_of=future_as_of, window=window)
        if run.status == SweepRun.Status.LOCKED_OUT:
            return run
        logger.info("sweep run %s started (as of %s, %s, chunks of %d)", run.pk, as_of,
                    "dry run" if dry_run else "acting", chunk_size)
        if future_as_of is not None:
            logger.warning("sweep run %s acts on a cutoff after today, allowed by an explicit override", run.pk)
        errors: list[str] = []
        try:
            # The date rules, then the events recorded for event-triggered rules; a preview goes by the same order.
            rules = selectors.sweep_order(as_of=as_of)
            if preview is not None and (beyond := _beyond_approval(run, preview, rules)):
                _finish(run, SweepRun.Status.EXCEEDS_APPROVAL, errors=[gettext(
                    "Not run: it would do more than the approved preview #%(preview)s showed (%(beyond)s). Preview "
                    "the sweep again and approve what it shows."
                ) % {"preview": preview.pk, "beyond": "; ".join(beyond)}])
                logger.warning("sweep run %s not run: more than approved preview %s (%s)", run.pk, preview.pk,
                               "; ".join(beyond))
                return run
            for rule in rules:
                _sweep_one_rule(run, rule, errors)
        except BaseException as exc:
            errors.append(f"stopped: {type(exc).__name__}")
            _finish(run, SweepRun.Status.FAILED, errors=errors)
            logger.error("sweep run %s stopped (%s)", run.pk, type(exc).__name__)
            raise
        status = SweepRun.Status.FAILED if errors else SweepRun.Status.SUCCEEDED
        _finish(run, status, errors=errors)
    logger.info("sweep run %s %s: %s", run.pk, status, run.totals())
    return run


@contextmanager
def _no_lock():
    # A preview changes nothing, so it runs beside anything, including an acting run.
    yield True
