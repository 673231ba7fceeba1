"""The erasure engine: erase, anonymise or restrict data subjects, one at a time or a batch at a time.

Design note.
- One declaration drives everything: ``subjects.personal_data`` says, per model of every app, which fields are
  personal and how each is scrubbed, and what happens to the model's django-simple-history rows. The engine
  reads nothing else. Per person (``subject_erase``: rights requests, the admin's "erase now") it loads and
  saves objects, so the history says who erased and why; set-wise (``sweep_rule_batch``) it runs one
  ``UPDATE``/``DELETE`` per table for a whole batch, with the same policies as database expressions.
- Every copy is reached: live rows, their historical rows (scrubbed or deleted *after* the live rows, so the
  history row written by the erasing save, or by a deletion, holds no old value either), and the admin's
  LogEntry rows about any declared row (``object_repr`` becomes "Subject #<id>", ``change_message`` is
  cleared). Sessions hold nothing about data subjects here (subjects never sign in; staff sessions hold
  staff ids and the second-factor device), so there is nothing to scrub in them. Celery tasks take ids only
  and store no results (``CELERY_TASK_IGNORE_RESULT``), so their payloads hold nothing either.
- Never deleted: the DataSubject row (it becomes a tombstone, state "erased", email ``erased-<id>@invalid``,
  so ids in other records still resolve), its ``public_ref``, the erasure records and the suppression entries.
  Row deletion is only what a declaration asks for (an Engagement: taking part in an activity is itself data
  about the person).
- Idempotent: an erased subject is erased again as a no-op. The per-person path returns the earlier record;
  the set-wise path selects, inside its transaction and under row locks, only subjects that are still due,
  and a unique constraint stops a second record for one subject.
- One transaction per person, and per batch: the suppression entries, every scrub, the erasure records and
  the journal hook commit together or not at all. Side effects (vendor follow-ups, mail) are only queued,
  with ``transaction.on_commit``, after the commit. The per-person path joins its caller's transaction when
  there is one: a rights request claims, erases and closes in one, so a process killed on the way leaves
  neither an erased person with an open request nor a closed request with the person still there.
- Killed mid-batch: the batch's transaction rolls back, so no subject is half-erased; the rows were never
  marked done, and the next run selects them again.
- Logs carry ids and counts, never e-mail addresses or names.

Seams for what comes later:
- ``journal_hook_add(hook)``: ``hook(entries)`` runs inside the transaction, before commit, with one
  ``JournalEntry`` (ids and keyed hashes only) per record: a write-ahead journal outside the database, so
  an erasure is never committed without its journal line.
- ``erased_hook_add(hook)``: ``hook(record_ids)`` runs after commit (vendor follow-ups, receipts by e-mail).
"""
from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any, NamedTuple

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Case, CharField, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from privacy_registry.services import attribute as _attribute
from subjects import personal_data
from subjects.keyed_hash import suppression_digests, suppression_digests_many
from subjects.models import DataSubject, Engagement, Suppression
from subjects.personal_data import Declaration, HistoryPolicy, Policy
from subjects.services import Actor, suppression_add, suppressions_add_digests

from . import selectors
from .models import ErasureRecord, Phase, RetentionRule, SweepRun

logger = logging.getLogger(__name__)

Action = ErasureRecord.Action
Reason = ErasureRecord.Reason


class SubjectHeld(Exception):
    """The subject is under a legal hold (on them, or on an activity they are in): nothing is erased."""

    def __init__(self, subject_id: int, hold_ids: Sequence[int]) -> None:
        super().__init__(f"subject {subject_id} is held by legal hold(s) {list(hold_ids)}")
        self.subject_id = subject_id
        self.hold_ids = list(hold_ids)


# --- hooks ---------------------------------------------------------------------------------------------------


class JournalEntry(NamedTuple):
    """What a journal outside the database keeps about one record: ids and keyed hashes, nothing readable.
    (A named tuple: a sweep makes a hundred thousand.)"""

    record_id: int
    subject_id: int
    action: str
    erased_at: datetime
    digests: tuple[str, ...] = ()
    # (digest, kind) for each digest: "email" or "phone", known to the engine that computed them.
    kinds: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Erased:
    """An erasure record as the set-wise path returns it: what callers and hooks read, without loading a model
    instance per subject (a batch of a thousand costs tens of milliseconds as model instances)."""

    pk: int
    subject_id: int
    action: str
    erased_at: datetime


JournalHook = Callable[[Sequence[JournalEntry]], None]
ErasedHook = Callable[[Sequence[int]], None]
BeforeScrubHook = Callable[[Sequence[int]], None]
_journal_hooks: list[JournalHook] = []
_erased_hooks: list[ErasedHook] = []
# Called inside the erasure's transaction with the subject ids, before anything is scrubbed: the one moment
# a vendor follow-up can still read the outside ids it must send (they are keyed-hashed a moment later).
_before_scrub_hooks: list[BeforeScrubHook] = []


def before_scrub_hook_add(hook: BeforeScrubHook) -> None:
    if hook not in _before_scrub_hooks:
        _before_scrub_hooks.append(hook)


def _before_scrub(subject_ids: Sequence[int]) -> None:
    for hook in list(_before_scrub_hooks):
        hook(subject_ids)


def journal_hook_add(hook: JournalHook) -> None:
    if hook not in _journal_hooks:
        _journal_hooks.append(hook)


def erased_hook_add(hook: ErasedHook) -> None:
    if hook not in _erased_hooks:
        _erased_hooks.append(hook)


def hook_remove(hook: Callable) -> None:
    for hooks in (_journal_hooks, _erased_hooks, _before_scrub_hooks):
        if hook in hooks:
            hooks.remove(hook)


def _announce(records: Sequence[ErasureRecord | Erased], digests: dict[int, dict[str, str]]) -> None:
    if not records:
        return
    entries = []
    none: dict[str, str] = {}
    for r in records:
        kinds = tuple(sorted(digests.get(r.subject_id, none).items()))
        entries.append(JournalEntry(r.pk, r.subject_id, r.action, r.erased_at, tuple(d for d, _k in kinds), kinds))
    for hook in list(_journal_hooks):
        hook(entries)
    record_ids = [r.pk for r in records]
    for hook in list(_erased_hooks):
        transaction.on_commit(partial(hook, record_ids))


# --- the plan: what each declaration means for an action -----------------------------------------------------

DELETE, SCRUB, KEEP = "deleted", "scrubbed", "kept"
ADMIN_LOG_TABLE = LogEntry._meta.db_table
SUPPRESSION_TABLE = Suppression._meta.db_table
ADMIN_LOG_FIELDS = {"object_repr": Policy.FIXED_TEXT.value, "change_message": Policy.FIXED_TEXT.value}


@dataclass(frozen=True)
class Step:
    declaration: Declaration
    live: str  # DELETE, SCRUB or KEEP
    history: str  # DELETE or SCRUB
    # Looked up once: simple-history builds a manager class on every lookup, too slow to repeat per subject.
    historical_model: type[models.Model] | None = None

    @property
    def is_subject(self) -> bool:
        return self.declaration.model is DataSubject


def plan(action: str) -> list[Step]:
    """One step per declared model that reaches a subject, in declaration order.

    Erase applies every declaration as written. Anonymise scrubs the same identity fields, but keeps rows an
    erasure would delete (an Engagement's dates, kept with an anonymous subject, still count for statistics).
    History follows the declaration's policy in both.
    """
    steps = []
    for declaration in personal_data.declarations():
        if declaration.subject_path is None:
            continue
        historical_model = declaration.historical_model
        nothing_to_do = not declaration.fields and not declaration.delete_row and (
            historical_model is None or declaration.history == HistoryPolicy.SCRUB
        )
        if nothing_to_do:  # e.g. the erasure records themselves: declared, and holding nothing personal
            continue
        if declaration.delete_row:
            live = DELETE if action == Action.ERASE else KEEP
        else:
            live = SCRUB
        history = DELETE if declaration.history == HistoryPolicy.DELETE else SCRUB
        steps.append(Step(declaration, live, history, historical_model))
    return steps


def _subject_key(declaration: Declaration) -> str:
    return declaration.subject_path or declaration.pk_field


def _live(declaration: Declaration, ids: Iterable[int]) -> models.QuerySet:
    return declaration.model._default_manager.filter(declaration.subject_q(list(ids))).order_by()


def _history(step: Step, ids: Iterable[int]) -> models.QuerySet | None:
    if step.historical_model is None:
        return None
    return step.historical_model._default_manager.filter(step.declaration.subject_q(list(ids))).order_by()


def _content_type_id(model: type[models.Model]) -> int:
    return ContentType.objects.get_for_model(model, for_concrete_model=False).pk


def _log_prefix(model: type[models.Model]) -> str:
    # Words, not translations: the text is stored, and the subject's own entries read as its __str__ does.
    return "Subject #" if model is DataSubject else f"{model.__name__} #"


# --- receipts ------------------------------------------------------------------------------------------------


def _row_counts(steps: Sequence[Step], ids: Sequence[int]) -> dict[int, Counter]:
    """Rows per subject per table, and the admin-log entries about them: one query per table, per batch."""
    counts: dict[int, Counter] = defaultdict(Counter)
    for step in steps:
        declaration = step.declaration
        model = declaration.model
        key = _subject_key(declaration)
        log_entries = (
            LogEntry.objects.filter(
                content_type_id=_content_type_id(model), object_id=Cast(OuterRef("pk"), CharField())
            )
            .order_by()
            .values("content_type_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        rows = _live(declaration, ids).annotate(_log=Coalesce(Subquery(log_entries), 0)).values_list(key, "_log")
        for subject_id, log_count in rows:
            counts[subject_id][model._meta.db_table] += 1
            counts[subject_id][ADMIN_LOG_TABLE] += log_count
        history = _history(step, ids)
        if history is not None:
            grouped = history.values(key).annotate(n=Count("pk")).values_list(key, "n")
            for subject_id, n in grouped:
                counts[subject_id][history.model._meta.db_table] += n
    return counts


def receipt_template(steps: Sequence[Step]) -> dict[str, dict[str, Any]]:
    """Per table: what is done to the rows and to which fields, how. Built once per batch; ``_receipt`` adds
    each subject's row counts."""
    tables: dict[str, dict[str, Any]] = {}
    for step in steps:
        declaration = step.declaration
        fields = {name: str(scrub.policy.value) for name, scrub in declaration.fields.items()}
        table = declaration.model._meta.db_table
        tables[table] = {"row": step.live, **({"fields": fields} if step.live == SCRUB else {})}
        historical = step.historical_model
        if historical is not None:
            present = {f.name for f in historical._meta.concrete_fields}
            history_fields = {k: v for k, v in fields.items() if k in present}
            tables[historical._meta.db_table] = {
                "row": step.history, **({"fields": history_fields} if step.history == SCRUB else {}),
            }
    tables[ADMIN_LOG_TABLE] = {"row": SCRUB, "fields": dict(ADMIN_LOG_FIELDS)}
    tables[SUPPRESSION_TABLE] = {"row": "added"}
    return tables


def _receipt(template: dict[str, dict[str, Any]], action: str, counts: Counter, suppressed: int) -> dict[str, Any]:
    """One subject's receipt: per table what was done and how many rows. Names and counts, never values."""
    counts = Counter(counts)
    counts[SUPPRESSION_TABLE] = suppressed
    return {"action": str(action), "tables": {t: {"rows": counts[t], **spec} for t, spec in template.items()}}


def _backups(rule: RetentionRule | None) -> dict[str, str]:
    """The rule's backup exception for the receipt: erased data that stays in backups until they expire, used for
    nothing else (the organisation's words, never a value of the subject's)."""
    if rule is None or not rule.backup_exception:
        return {}
    return {"backups": rule.backup_exception}


def _restrict_receipt() -> dict[str, Any]:
    return {
        "action": str(Action.RESTRICT),
        "tables": {DataSubject._meta.db_table: {"rows": 1, "row": "restricted", "fields": {"state": "restricted"}}},
    }


# --- shared pieces of both paths ------------------------------------------------------------------------------


def _scrub_admin_log(steps: Sequence[Step], ids: Sequence[int]) -> int:
    """Scrub the admin's LogEntry rows about any declared row of these subjects (before rows are deleted)."""
    touched = 0
    for step in steps:
        model = step.declaration.model
        object_ids = _live(step.declaration, ids).annotate(_pk_text=Cast("pk", CharField())).values("_pk_text")
        touched += LogEntry.objects.filter(content_type_id=_content_type_id(model), object_id__in=object_ids).update(
            object_repr=Concat(Value(_log_prefix(model)), F("object_id"), output_field=CharField()),
            change_message="",
        )
    return touched


def _delete_rows(queryset: models.QuerySet) -> int:
    """Delete a batch's rows in one statement.

    ``QuerySet.delete()`` would load every row to send signals, and simple-history answers each with one
    more historical row holding every value being erased, only for the history step to delete it again. So
    when nothing depends on the rows (no reverse relation that cascades or protects) the DELETE goes straight
    to the table; otherwise the ordinary delete runs and the history step cleans up after it.
    """
    model = queryset.model
    dependants = [rel for rel in model._meta.related_objects if rel.on_delete is not models.DO_NOTHING]
    if dependants:
        _total, per_model = queryset.delete()
        return per_model.get(model._meta.label, 0)
    return queryset._raw_delete(queryset.db)


def _scrub_history(steps: Sequence[Step], ids: Sequence[int], *, in_database: bool = False) -> None:
    """Scrub (or delete) the historical rows of these subjects, per step. ``in_database``: the PostgreSQL batch,
    whose caller passes only the steps with historical rows to reach."""
    for step in steps:
        if in_database:
            history = _in_batch(step.historical_model._default_manager.all(), step.declaration, ids)
            _scrub_in_database(step.declaration, history, historical=True)
            continue
        history = _history(step, ids)
        if history is not None:
            step.declaration.apply(history, historical=True)


def _records(
    subject_ids: Sequence[int], *, action: str, reason: str, rule: RetentionRule | None, run: SweepRun | None,
    actor: Actor, request_ref: str, receipts: dict[int, dict[str, Any]], now: datetime,
) -> list[ErasureRecord]:
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return ErasureRecord.objects.bulk_create([
        ErasureRecord(
            subject_id=subject_id, erased_at=now, action=action, reason=reason, rule=rule, run=run, actor=user,
            request_ref=request_ref, receipt=receipts[subject_id],
        )
        for subject_id in subject_ids
    ])


# --- per person ----------------------------------------------------------------------------------------------


def _refuse_if_held(subject: DataSubject) -> None:
    holds = list(selectors.subject_holds(subject=subject, as_of=timezone.localdate()).values_list("pk", flat=True))
    if holds:
        raise SubjectHeld(subject.pk, holds)



def _auto_now_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]


def _change_reason(action: str, *, rule: RetentionRule | None, reason: str) -> str:
    # Fixed words and ids only: a change reason is not a declared field, so it is never scrubbed. Not even the
    # request reference, which staff type in: the erasure record keeps that.
    return f"{action} (rule #{rule.pk})" if rule is not None else f"{action} ({reason})"


@transaction.atomic
def subject_erase(
    *,
    subject: DataSubject,
    reason: str,
    actor: Actor = None,
    rule: RetentionRule | None = None,
    request_ref: str = "",
    action: str = Action.ERASE,
) -> ErasureRecord:
    """Erase (or, with ``action="anonymise"``, anonymise) one data subject everywhere; returns the record.

    Refused with ``SubjectHeld`` while a legal hold keeps the subject. Erasing an erased subject again
    changes nothing and returns the earlier record.
    """
    if action not in {Action.ERASE, Action.ANONYMISE}:
        raise ValueError(f"subject_erase erases or anonymises, not {action!r}")
    subject = DataSubject.objects.select_for_update().get(pk=subject.pk)
    earlier = ErasureRecord.objects.filter(subject_id=subject.pk, action__in=[Action.ERASE, action]).first()
    if earlier is not None and subject.state == DataSubject.State.ERASED:
        logger.info("subject %s already %s (record %s): nothing to do", subject.pk, earlier.action, earlier.pk)
        return earlier
    _refuse_if_held(subject)
    _before_scrub([subject.pk])

    steps = plan(action)
    now = timezone.now()
    counts = _row_counts(steps, [subject.pk])[subject.pk]
    digests = suppression_digests(email=subject.email, phone=subject.phone)
    # The suppression entry first, while the identity is still there to be hashed.
    suppression_add(subject=subject, actor=actor)
    _scrub_admin_log(steps, [subject.pk])
    change_reason = _change_reason(action, rule=rule, reason=reason)
    for step in steps:
        if step.live == KEEP:
            continue
        declaration = step.declaration
        objects = [subject] if step.is_subject else list(_live(declaration, [subject.pk]).order_by("pk"))
        for obj in objects:
            _attribute(obj, actor=actor, reason=change_reason)
            if step.live == DELETE:
                obj.delete()
                continue
            changed = declaration.scrub_instance(obj)
            if step.is_subject:
                obj.state = DataSubject.State.ERASED
                changed.append("state")
            if changed:
                # This save writes one historical row, holding the scrubbed values only.
                obj.save(update_fields=[*changed, *_auto_now_fields(type(obj))])
    # After the live rows, so the rows the saves and deletions just wrote are scrubbed (or deleted) too.
    _scrub_history(steps, [subject.pk])

    receipt = {**_receipt(receipt_template(steps), action, counts, suppressed=len(digests)), **_backups(rule)}
    [record] = _records(
        [subject.pk], action=action, reason=reason, rule=rule, run=None, actor=actor, request_ref=request_ref,
        receipts={subject.pk: receipt}, now=now,
    )
    _announce([record], {subject.pk: digests})
    logger.info("subject %s %s (record %s, reason %s)", subject.pk, record.get_action_display(), record.pk, reason)
    return record


def subject_anonymise(
    *, subject: DataSubject, reason: str, actor: Actor = None, rule: RetentionRule | None = None,
    request_ref: str = "",
) -> ErasureRecord:
    """Scrub the subject's identity everywhere, keeping what identifies nobody (language, categories, dates)."""
    return subject_erase(
        subject=subject, reason=reason, actor=actor, rule=rule, request_ref=request_ref, action=Action.ANONYMISE
    )


@transaction.atomic
def subject_restrict(
    *, subject: DataSubject, reason: str, actor: Actor = None, rule: RetentionRule | None = None,
    request_ref: str = "",
) -> ErasureRecord | None:
    """Restrict processing (Art. 18; "blocked"): the subject is kept, and left out of every processing
    selection. Returns the record, or None when the subject was already restricted or erased.

    A legal hold does not stop it: restriction keeps the data, which is what a hold asks (Art. 18(1)(c)).
    The sweep still leaves held subjects alone altogether."""
    subject = DataSubject.objects.select_for_update().get(pk=subject.pk)
    if subject.state != DataSubject.State.ACTIVE:
        return None
    subject.state = DataSubject.State.RESTRICTED
    _attribute(subject, actor=actor, reason=_change_reason(Action.RESTRICT, rule=rule, reason=reason))
    subject.save(update_fields=["state", *_auto_now_fields(DataSubject)])
    [record] = _records(
        [subject.pk], action=Action.RESTRICT, reason=reason, rule=rule, run=None, actor=actor,
        request_ref=request_ref, receipts={subject.pk: _restrict_receipt()}, now=timezone.now(),
    )
    _announce([record], {})
    logger.info("subject %s restricted (record %s)", subject.pk, record.pk)
    return record


# --- set-wise ------------------------------------------------------------------------------------------------


def subjects_erase(
    *,
    subject_ids: Sequence[int],
    action: str,
    reason: str,
    rule: RetentionRule | None = None,
    run: SweepRun | None = None,
    actor: Actor = None,
    request_ref: str = "",
    identities: dict[int, tuple[str, str]] | None = None,
    as_records: bool = True,
) -> list[ErasureRecord] | list[Erased]:
    """Erase or anonymise a batch of subjects with one statement per table; returns the records.

    The caller owns the transaction and has locked the subjects' rows (``sweep_rule_batch`` does both, and
    checks holds); it passes only subjects that are not erased yet. ``identities`` (subject id → e-mail, phone),
    when the caller read them with its lock, saves reading them again for the suppression entries. With
    ``as_records=False`` (the sweep) the records come back as ``Erased``, not model instances.
    """
    if not subject_ids:
        return []
    ids = sorted(subject_ids)
    _before_scrub(ids)
    steps = plan(action)
    now = timezone.now()
    if connection.vendor == "postgresql":
        erased = _subjects_erase_in_database(
            ids, steps, action=action, reason=reason, rule=rule, run=run, actor=actor, request_ref=request_ref, now=now,
            identities=identities,
        )
        if not as_records:
            return erased
        user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
        return [
            ErasureRecord(pk=e.pk, subject_id=e.subject_id, erased_at=now, action=action, reason=reason,
                          rule_id=getattr(rule, "pk", None), run_id=getattr(run, "pk", None),
                          actor_id=getattr(user, "pk", None), request_ref=request_ref)
            for e in erased
        ]
    counts = _row_counts(steps, ids)
    digests = {
        pk: suppression_digests(email=email, phone=phone)
        for pk, email, phone in DataSubject.objects.filter(pk__in=ids).order_by().values_list("pk", "email", "phone")
    }
    suppressions_add_digests(digests={d: kind for by_subject in digests.values() for d, kind in by_subject.items()})
    _scrub_admin_log(steps, ids)
    for step in steps:
        declaration = step.declaration
        live = _live(declaration, ids)
        if step.live == DELETE:
            _delete_rows(live)
        elif step.live == SCRUB:
            # update() writes no history row: the history step below scrubs the rows that hold old values.
            extra = {"state": Value(DataSubject.State.ERASED), "updated_at": Value(now)} if step.is_subject else None
            declaration.apply(live, extra=extra)
    _scrub_history(steps, ids)
    template = receipt_template(steps)
    receipts = {
        pk: {**_receipt(template, action, counts[pk], suppressed=len(digests.get(pk, {}))), **_backups(rule)}
        for pk in ids
    }
    records = _records(
        ids, action=action, reason=reason, rule=rule, run=run, actor=actor, request_ref=request_ref,
        receipts=receipts, now=now,
    )
    _announce(records, digests)
    return records


# --- set-wise, inside the database (PostgreSQL) ----------------------------------------------------------------
#
# The same effects as the portable batch above, with the work done by the database: the batch's ids travel once
# as an array, the erasure records (receipts with every per-table count) are written by one INSERT … SELECT that
# counts the rows before anything is scrubbed, and that same statement returns the batch's totals per table, so
# a table with no row in the batch costs no statement at all. Per row, Python only computes the keyed hashes for
# the suppression list (the key is not in the database) and, when hooks are registered, their journal entries.
#
# Skipping a table counted empty is safe because the subjects' rows are locked FOR UPDATE: a concurrent insert of
# a row pointing at a locked subject waits for the batch to commit (its foreign key check takes a KEY SHARE lock),
# and a subject that such an insert had already locked was skipped by SKIP LOCKED.


def _joined(values: Iterable[Any]) -> str:
    """A batch's ids, or hex digests, as one comma-joined text parameter for ``string_to_array(%s, ',')``: the
    driver would otherwise inspect and quote every element of an array parameter, at a thousand a batch the
    largest cost left in Python. Only for values that cannot hold a comma (integers, hex digests, fixed words)."""
    return ",".join(map(str, values))


def _batch_ids(ids: Sequence[int]) -> RawSQL:
    """The batch as one parameter: ``… IN (SELECT unnest(string_to_array(%s, ',')::bigint[]))``."""
    return RawSQL("SELECT unnest(string_to_array(%s, ',')::bigint[])", (_joined(ids),))


def ids_param(ids: Sequence[int]) -> RawSQL | list[int]:
    """For ``…__in`` over a batch's ids: one array parameter on PostgreSQL (a thousand ``%s`` cost the ORM and
    the driver more than the statement costs the database), a plain list elsewhere."""
    return _batch_ids(ids) if connection.vendor == "postgresql" else list(ids)


def _in_batch(queryset: models.QuerySet, declaration: Declaration, ids: Sequence[int]) -> models.QuerySet:
    return queryset.filter(declaration.subject_q(_batch_ids(ids))).order_by()


def _sql(queryset: models.QuerySet) -> tuple[str, tuple]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def _scrub_in_database(declaration: Declaration, queryset: models.QuerySet, *, historical: bool,
                       extra: dict[str, Any] | None = None) -> None:
    """``Declaration.apply`` for a batch known to have rows: one UPDATE (or DELETE); keyed hashes computed in
    Python for the rows that still hold a value, written by one more UPDATE. No counting query."""
    if (historical and declaration.history == HistoryPolicy.DELETE) or (not historical and declaration.delete_row):
        if historical:
            queryset._raw_delete(queryset.db)  # a historical row has nothing that depends on it
        else:
            _delete_rows(queryset)
        return
    values = {**declaration.update_values(historical=historical), **(extra or {})}
    if values:
        queryset.update(**values)
    pk_name = queryset.model._meta.pk.attname
    for name in declaration.python_fields:
        scrub = declaration.fields[name]
        pending = queryset.exclude(Q(**{f"{name}__isnull": True}) | Q(**{name: ""})).exclude(
            **{f"{name}__startswith": personal_data.KEYED_HASH_PREFIX}
        )
        rows = list(pending.values_list(pk_name, declaration.pk_field, name))
        if rows:
            purpose = declaration.purpose(name)
            whens = [
                When(**{pk_name: pk}, then=Value(scrub.python_value(value, pk=live_pk, purpose=purpose)))
                for pk, live_pk, value in rows
            ]
            queryset.model._default_manager.filter(**{f"{pk_name}__in": [r[0] for r in rows]}).update(
                **{name: Case(*whens, default=F(name))}
            )


def _subjects_erase_in_database(
    ids: Sequence[int], steps: Sequence[Step], *, action: str, reason: str, rule: RetentionRule | None,
    run: SweepRun | None, actor: Actor, request_ref: str, now: datetime,
    identities: dict[int, tuple[str, str]] | None = None,
) -> list[Erased]:
    with connection.cursor() as cursor:
        # The records statement below joins a dozen grouped counts; the planner's row estimates for them are far
        # too high, which can make it JIT-compile the statement: seconds of compiling for milliseconds of work.
        # For this transaction only.
        cursor.execute("SET LOCAL jit = off")
    if identities is None:
        identities = {
            pk: (email, phone)
            for pk, email, phone in DataSubject.objects.filter(pk__in=_batch_ids(ids)).order_by()
            .values_list("pk", "email", "phone")
        }
    digests = suppression_digests_many(identities)
    # In digest order: chunks run at once insert in one order, so two that share an identifier wait one way only.
    all_digests = dict(sorted((d, kind) for by_subject in digests.values() for d, kind in by_subject.items()))
    if all_digests:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {connection.ops.quote_name(SUPPRESSION_TABLE)} (digest, kind, reason, created_at) "
                "SELECT d, k, %s, %s FROM unnest(string_to_array(%s, ','), string_to_array(%s, ',')) AS u(d, k) "
                "ON CONFLICT (digest) DO NOTHING",
                [Suppression.Reason.ERASURE, now, _joined(all_digests), _joined(all_digests.values())],
            )

    # One grouped count per table (live and historical) and per model's admin-log entries, each a CTE keyed by
    # subject id; "batch" is the CTE of the batch's ids, which the ORM-built subqueries read.
    batch = RawSQL("SELECT sid FROM batch", ())
    ctes: list[tuple[str, str, tuple]] = []  # (name, sql, params)
    table_columns: dict[str, list[str]] = defaultdict(list)  # receipt table → count columns summed into it
    log_columns: dict[int, str] = {}  # step index → its admin-log count column
    live_columns: dict[int, str] = {}
    history_columns: dict[int, str] = {}
    for index, step in enumerate(steps):
        declaration = step.declaration
        key = _subject_key(declaration)
        live = declaration.model._default_manager.filter(declaration.subject_q(batch)).order_by()
        name = f"live{index}"
        ctes.append((name, *_sql(live.values(key).annotate(n=Count("pk")).values_list(key, "n"))))
        table_columns[declaration.model._meta.db_table].append(name)
        live_columns[index] = name
        rows = live.annotate(_sid=F(key), _pk_text=Cast("pk", CharField())).values_list("_sid", "_pk_text")
        rows_sql, rows_params = _sql(rows)
        name = f"log{index}"
        ctes.append((
            name,
            f"SELECT r._sid, count(*) FROM {connection.ops.quote_name(ADMIN_LOG_TABLE)} l "
            f"JOIN ({rows_sql}) r(_sid, _pk_text) ON l.object_id = r._pk_text "
            f"WHERE l.content_type_id = %s GROUP BY r._sid",
            (*rows_params, _content_type_id(declaration.model)),
        ))
        table_columns[ADMIN_LOG_TABLE].append(name)
        log_columns[index] = name
        if step.historical_model is not None:
            history = step.historical_model._default_manager.filter(declaration.subject_q(batch)).order_by()
            name = f"hist{index}"
            ctes.append((name, *_sql(history.values(key).annotate(n=Count("pk")).values_list(key, "n"))))
            table_columns[step.historical_model._meta.db_table].append(name)
            history_columns[index] = name

    template = receipt_template(steps)
    params: list[Any] = [_joined(ids), _joined(len(digests.get(pk, {})) for pk in ids)]
    with_sql = ["batch(sid, suppressed) AS "
                "(SELECT * FROM unnest(string_to_array(%s, ',')::bigint[], string_to_array(%s, ',')::int[]))"]
    for name, sql, cte_params in ctes:
        with_sql.append(f"{name}(sid, n) AS ({sql})")
        params.extend(cte_params)
    columns = [name for name, _sql_text, _p in ctes]
    with_sql.append(
        "counts AS (SELECT batch.sid, batch.suppressed, "
        + ", ".join(f"coalesce({c}.n, 0) AS {c}" for c in columns)
        + " FROM batch "
        + " ".join(f"LEFT JOIN {c} ON {c}.sid = batch.sid" for c in columns)
        + ")"
    )
    receipt_parts, receipt_params = [], []
    for table, spec in template.items():
        rows = "suppressed" if table == SUPPRESSION_TABLE else (" + ".join(table_columns.get(table, [])) or "0")
        receipt_parts.append(f"%s, jsonb_build_object('rows', {rows}) || %s::jsonb")
        receipt_params += [table, json.dumps(spec)]
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    record_table = connection.ops.quote_name(ErasureRecord._meta.db_table)
    with_sql.append(
        f"ins AS (INSERT INTO {record_table} (subject_id, erased_at, action, reason, rule_id, run_id, actor_id, "
        "request_ref, receipt) SELECT sid, %s, %s, %s, %s, %s, %s, %s, "
        f"jsonb_build_object('action', %s, 'tables', jsonb_build_object({', '.join(receipt_parts)})) || %s::jsonb "
        # Sorted before the receipts are built: sorting the narrow counts stays in memory where sorting the built
        # receipts (about 2 kB each) would spill to disk at a few thousand subjects a batch.
        "FROM (SELECT * FROM counts ORDER BY sid) AS counts RETURNING id, subject_id)"
    )
    params += [now, str(action), str(reason), getattr(rule, "pk", None), getattr(run, "pk", None),
               getattr(user, "pk", None), request_ref, str(action), *receipt_params, json.dumps(_backups(rule))]
    query = (
        "WITH " + ", ".join(with_sql)
        + " SELECT (SELECT array_agg(id ORDER BY subject_id) FROM ins), "
        + "(SELECT array_agg(subject_id ORDER BY subject_id) FROM ins), "
        + ", ".join(f"coalesce(sum({c}), 0)" for c in columns)
        + " FROM counts"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        record_ids, record_subjects, *sums = cursor.fetchone()
    totals = dict(zip(columns, sums, strict=True))

    # Admin log first (it finds entries through the live rows, some of which are deleted next), then live rows,
    # then their history (which then also covers any historical row a deletion wrote).
    for index, step in enumerate(steps):
        if totals[log_columns[index]]:
            _scrub_admin_log([step], ids)
    for index, step in enumerate(steps):
        if step.live == KEEP or not totals[live_columns[index]]:
            continue
        declaration = step.declaration
        extra = {"state": Value(DataSubject.State.ERASED), "updated_at": Value(now)} if step.is_subject else None
        _scrub_in_database(declaration, _in_batch(declaration.model._default_manager.all(), declaration, ids),
                           historical=False, extra=extra)
    # A live row deleted with delete() (not a raw DELETE) may have written a historical row the count did not
    # see: such steps always run their history statement.
    history_steps = [
        step for index, step in enumerate(steps)
        if index in history_columns
        and (totals[history_columns[index]] or (step.live == DELETE and totals[live_columns[index]]))
    ]
    _scrub_history(history_steps, ids, in_database=True)

    action = str(action)
    records = [
        Erased(pk, subject_id, action, now)
        for pk, subject_id in zip(record_ids or [], record_subjects or [], strict=True)
    ]
    _announce(records, digests)
    return records


def subjects_restrict(
    *, subject_ids: Sequence[int], reason: str, rule: RetentionRule | None = None, run: SweepRun | None = None,
    actor: Actor = None,
) -> list[ErasureRecord]:
    """Restrict a batch of active subjects (caller owns the transaction and the row locks)."""
    if not subject_ids:
        return []
    ids = sorted(subject_ids)
    now = timezone.now()
    DataSubject.objects.filter(pk__in=ids).update(state=DataSubject.State.RESTRICTED, updated_at=now)
    receipts = {pk: _restrict_receipt() for pk in ids}
    records = _records(
        ids, action=Action.RESTRICT, reason=reason, rule=rule, run=run, actor=actor, request_ref="",
        receipts=receipts, now=now,
    )
    _announce(records, {})
    return records


def engagements_detach(*, rule: RetentionRule, subject_ids: Sequence[int]) -> int:
    """Remove these subjects from ``rule.activity`` only (their engagement and its history), for subjects
    another activity still needs. Returns the engagements removed."""
    if not subject_ids:
        return 0
    engagements = Engagement.objects.filter(subject_id__in=subject_ids, activity_id=rule.activity_id).order_by()
    engagement_ids = list(engagements.values_list("pk", flat=True))
    LogEntry.objects.filter(
        content_type_id=_content_type_id(Engagement), object_id__in=[str(pk) for pk in engagement_ids]
    ).update(object_repr=Concat(Value(_log_prefix(Engagement)), F("object_id"), output_field=CharField()),
             change_message="")
    removed = _delete_rows(engagements)
    declaration = personal_data.declaration_for(Engagement)
    history = declaration.historical_model if declaration is not None else None
    if history is not None:
        declaration.apply(history._default_manager.filter(id__in=engagement_ids), historical=True)
    return removed


@dataclass
class BatchResult:
    claimed: int = 0
    erased: int = 0
    anonymised: int = 0
    restricted: int = 0
    detached: int = 0
    kept: int = 0
    skipped: int = 0
    record_ids: list[int] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "erased": self.erased, "anonymised": self.anonymised, "restricted": self.restricted,
            "detached": self.detached, "kept": self.kept, "skipped": self.skipped,
        }


@transaction.atomic(durable=True)
def sweep_rule_batch(
    *, rule: RetentionRule, as_of: date, ids: Sequence[int], phase: Phase | None = None, run: SweepRun | None = None,
) -> BatchResult:
    """Apply ``rule`` (in ``phase``; by default its first step) to one chunk of subject ids, in one transaction.

    The chunk's subject rows are locked with ``FOR UPDATE SKIP LOCKED`` (a no-op on SQLite), so two workers, or a
    sweep and a rights request, never take the same subject; rows another transaction holds are skipped and the
    next run picks them up. Due-ness is checked again after locking, so a chunk delivered twice (or a subject held
    or erased meanwhile) does nothing twice. A subject another activity still needs is not erased: only their
    engagement in this activity is removed ("detached"); for the restrict step they are left as they are ("kept").
    Which is which is decided by ``selectors.subjects_due_decided``, the function the preview counts with.
    """
    steps = dict(rule.phases())
    if phase is None:
        phase = next(iter(steps))
    action = steps[phase]
    result = BatchResult()
    # One statement: lock the chunk's subjects that are still due (FOR UPDATE SKIP LOCKED), say which are still
    # in another activity, and read the identity the suppression entries are made from. The state condition is
    # on the locked row itself, so PostgreSQL re-checks it on the row's newest version when a concurrent erasure
    # committed in between: a chunk delivered twice finds its subjects erased and does nothing.
    rows = list(
        selectors.subjects_due_decided(rule=rule, as_of=as_of, phase=phase)  # the preview's decision, too
        .filter(pk__in=ids_param(ids))
        .select_for_update(skip_locked=True)
        .order_by("pk")
        .values_list("pk", "shared", "email", "phone")
    )
    due = {pk for pk, _shared, _email, _phone in rows}
    shared = {pk for pk, in_other, _email, _phone in rows if in_other}
    identities = {pk: (email, phone) for pk, in_other, email, phone in rows if not in_other}
    sole = sorted(due - shared)
    result.claimed = len(due)
    result.skipped = len(ids) - len(due)
    if action == Action.RESTRICT:
        records = subjects_restrict(subject_ids=sole, reason=Reason.RETENTION, rule=rule, run=run)
        result.restricted = len(records)
        result.kept = len(shared)
    else:
        records = subjects_erase(subject_ids=sole, action=action, reason=Reason.RETENTION, rule=rule, run=run,
                                 identities=identities, as_records=False)
        if action == Action.ANONYMISE:
            result.anonymised = len(records)
        else:
            result.erased = len(records)
        engagements_detach(rule=rule, subject_ids=sorted(shared))
        result.detached = len(shared)
    result.record_ids = [r.pk for r in records]
    logger.info(
        "rule %s %s chunk #%s-#%s: %d due, %d %s, %d detached, %d kept, %d skipped",
        rule.pk, phase, ids[0] if ids else "-", ids[-1] if ids else "-", result.claimed, len(records), action,
        result.detached, result.kept, result.skipped,
    )
    return result
