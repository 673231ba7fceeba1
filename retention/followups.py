"""Vendor follow-ups after an erasure or a restriction (Art. 17(2), 19): tell each outside system's vendor, track
it until confirmed.

Design note.
- Where the outside id lives. The vendor can only find the person by the id it gave them (a HubSpot contact id),
  and the erasure replaces ``SystemRecord.external_id`` with a keyed hash. So ``followups_capture`` copies each
  plain id into a ``ProcessorErasure`` row *before* the scrub, in the erasure's transaction, sealed: encrypted
  and authenticated under keys derived from ``SUPPRESSION_HMAC_KEY`` (in the environment, not the database), so
  a dump or backup of the database holds ciphertext only. Confirmation (by a person, or by the HubSpot API
  answering) empties the sealed field; nothing else in a row is personal. ``subjects.personal_data`` declares
  the row with no path to the subject: the engine must not scrub, in the same transaction, the id just
  captured for the vendor; this module's own schedule (confirmation) does.
- Who calls what. ``followups_open`` is the engine's journal hook: in the erasure's transaction it links the
  captured rows to their erasure records, and opens a row for every other system record of the subject. A
  row whose id was not captured (an engine path that runs no capture before its scrub) is opened as failed,
  saying so, so a person asks the vendor by hand. ``followups_dispatch`` is the engine's after-commit hook:
  it enqueues one send task per pending row. Sending happens only after the commit.
- Restriction (Art. 18, 19). ``followups_open`` also opens one pending row of kind "restriction" per system
  record of a restricted subject (the engine journals restrictions too). Nothing is captured or sealed: the
  restricted subject's system record keeps its plain id, read when the notice is sent (and only into the notice,
  never a log). Restricted, then erased before the notice went out: the row fails, saying the erasure's own
  follow-up tells the vendor now. HubSpot has no restriction endpoint, so a HubSpot system's restriction goes
  by e-mail to the vendor's privacy contact (the row says "e-mail"); without one it fails, for a person.
- Opened once. The table allows one row per erasure record and system record, and one not-yet-linked capture per
  system record (``ProcessorErasure`` constraints). Both openers look before they insert and insert with ``ON
  CONFLICT DO NOTHING``, so a hook run twice, a batch delivered twice, a replay, or two transactions racing on
  the same subject never open a second follow-up.
- Idempotent and race-safe: a send claims its row (``status = pending and next_attempt_at <= now``, moved on
  by a lease) with one UPDATE and acts only when that returns 1, so the task, its retry and the beat never
  send one row twice at once. Killed mid-send: the lease runs out and the beat sends it again; a vendor may
  get the same request twice, which deleting twice makes harmless.
- Logs and ``last_error`` carry ids, status codes and exception names, never the outside id or a response body.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from subjects.keyed_hash import keyed_hash
from subjects.models import SystemRecord
from subjects.personal_data import KEYED_HASH_PREFIX
from subjects.services import Actor

from . import engine, notifiers
from .models import ErasureChannel, ErasureRecord, ProcessorErasure, SystemErasureChannel

logger = logging.getLogger(__name__)

Status = ProcessorErasure.Status
Kind = ProcessorErasure.Kind
BACKOFF_BASE_SECONDS = 60
# A claimed send is the claimant's for this long; then the beat may try it again.
CLAIM_LEASE = timedelta(minutes=10)
# A retry delivered a little before its row's next attempt is due (clocks, rounding) still claims it.
CLAIM_SLACK = timedelta(seconds=30)
NOT_CAPTURED = "the outside id was not captured before the erasure: ask the vendor by hand, then mark confirmed"
SUPERSEDED = ("the subject was erased before the restriction notice went out; the erasure's follow-up tells the "
              "vendor: mark this one confirmed")


# --- sealing the outside id -----------------------------------------------------------------------------------
# An HMAC-SHA256 keystream (counter mode, random nonce), then an HMAC-SHA256 tag over nonce and ciphertext
# (encrypt-then-MAC), both keys derived from the suppression key. The standard library has no cipher; this
# construction needs nothing but HMAC as a pseudorandom function.

_SEAL_VERSION = "s1"


def _key(purpose: str) -> bytes:
    return bytes.fromhex(keyed_hash("", purpose=f"retention.followup.{purpose}"))


def _keystream(nonce: bytes, length: int) -> bytes:
    key, blocks = _key("encrypt"), []
    for counter in range((length + 31) // 32):
        blocks.append(hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest())
    return b"".join(blocks)[:length]


def seal(value: str) -> str:
    plain = value.encode()
    nonce = os.urandom(16)
    cipher = bytes(a ^ b for a, b in zip(plain, _keystream(nonce, len(plain)), strict=True))
    tag = hmac.new(_key("authenticate"), nonce + cipher, hashlib.sha256).digest()
    return f"{_SEAL_VERSION}:{base64.urlsafe_b64encode(nonce + tag + cipher).decode()}"


def unseal(token: str) -> str:
    version, _sep, body = token.partition(":")
    if version != _SEAL_VERSION:
        raise ValueError("not a sealed value")
    raw = base64.urlsafe_b64decode(body.encode())
    nonce, tag, cipher = raw[:16], raw[16:48], raw[48:]
    expected = hmac.new(_key("authenticate"), nonce + cipher, hashlib.sha256).digest()
    if not hmac.compare_digest(tag, expected):
        raise ValueError("sealed value does not verify (another key?)")
    return bytes(a ^ b for a, b in zip(cipher, _keystream(nonce, len(cipher)), strict=True)).decode()


# --- opening follow-ups (inside the erasure's transaction) ----------------------------------------------------


def _channels(system_ids: Iterable[int], *, kind: str = Kind.ERASURE) -> dict[int, str]:
    channels = dict(
        SystemErasureChannel.objects.filter(system_id__in=set(system_ids)).values_list("system_id", "channel")
    )
    if kind == Kind.RESTRICTION:  # HubSpot cannot restrict a contact: its vendor is told by e-mail
        channels = {s: ErasureChannel.EMAIL if c == ErasureChannel.HUBSPOT else c for s, c in channels.items()}
    return channels


def _open_captures() -> QuerySet:
    """System records with a captured id not yet linked to its record (never null, so ``NOT IN`` is safe)."""
    return ProcessorErasure.objects.filter(erasure_record=None, system_record__isnull=False).values(
        "system_record_id")


def followups_capture_ids(subject_ids: Sequence[int]) -> None:
    """The engine's before-scrub hook: capture the outside ids of the subjects about to be erased."""
    followups_capture(subject_ids=subject_ids)


def followups_capture(*, subject_ids: Sequence[int]) -> int:
    """Before the scrub, in the erasure's transaction: one pending follow-up per system record still holding a
    plain outside id, the id sealed. Returns the rows it meant to open. Rows already captured and not yet linked
    to a record are left as they are (looked up first, and ``ON CONFLICT DO NOTHING`` for a concurrent capture),
    so calling it twice opens nothing twice."""
    records = list(
        SystemRecord.objects.filter(subject_id__in=engine.ids_param(subject_ids))
        .exclude(external_id__startswith=KEYED_HASH_PREFIX)
        .exclude(pk__in=_open_captures())
        .order_by("pk").values_list("pk", "subject_id", "system_id", "external_id")
    )
    channels = _channels(r[2] for r in records)
    now = timezone.now()
    ProcessorErasure.objects.bulk_create([
        ProcessorErasure(
            subject_id=subject_id, system_id=system_id, system_record_id=pk, external_id_sealed=seal(external_id),
            channel=channels.get(system_id, ErasureChannel.EMAIL), status=Status.PENDING, next_attempt_at=now,
        )
        for pk, subject_id, system_id, external_id in records
    ], ignore_conflicts=True)
    return len(records)


def followups_open(entries: Sequence[engine.JournalEntry]) -> None:
    """The engine's journal hook, in the record's transaction. Erasures: link captured follow-ups to their erasure
    records, and open a failed one, saying why, for every other system record of an erased subject (its id was
    scrubbed before anyone read it). Restrictions: open a pending restriction notice per system record."""
    restricted = {e.subject_id: e.record_id for e in entries if e.action == ErasureRecord.Action.RESTRICT}
    erased = {e.subject_id: e.record_id for e in entries if e.action != ErasureRecord.Action.RESTRICT}
    if erased:
        _open_erasures(erased)
    if restricted:
        _open_restrictions(restricted)


def _not_yet_opened(record_of: dict[int, int]) -> QuerySet:
    """The system records of these subjects with no follow-up of these records yet."""
    records = engine.ids_param(list(record_of.values()))
    opened = ProcessorErasure.objects.filter(erasure_record_id__in=records,
                                             system_record__isnull=False).values("system_record_id")
    subjects = engine.ids_param(list(record_of))
    return SystemRecord.objects.filter(subject_id__in=subjects).exclude(pk__in=opened).order_by("pk")


def _open_erasures(record_of: dict[int, int]) -> None:
    # One UPDATE whatever the batch size: each captured row takes its subject's record among this batch's
    # (a CASE of one branch per subject costs the ORM seconds to build for a sweep's thousand).
    subjects = engine.ids_param(list(record_of))
    captured = ProcessorErasure.objects.filter(subject_id__in=subjects, erasure_record=None)
    captured.update(erasure_record_id=Subquery(
        ErasureRecord.objects.filter(pk__in=engine.ids_param(list(record_of.values())),
                                     subject_id=OuterRef("subject_id"))
        .order_by().values("pk")[:1]
    ))
    missing = list(_not_yet_opened(record_of).values_list("pk", "subject_id", "system_id"))
    channels = _channels(r[2] for r in missing)
    ProcessorErasure.objects.bulk_create([
        ProcessorErasure(
            erasure_record_id=record_of[subject_id], subject_id=subject_id, system_id=system_id, system_record_id=pk,
            channel=channels.get(system_id, ErasureChannel.EMAIL), status=Status.FAILED, last_error=NOT_CAPTURED,
        )
        for pk, subject_id, system_id in missing
    ], ignore_conflicts=True)
    if missing:
        logger.warning("vendor follow-ups: %d system record(s) of erased subjects had no captured id", len(missing))


def _open_restrictions(record_of: dict[int, int]) -> None:
    todo = list(_not_yet_opened(record_of).values_list("pk", "subject_id", "system_id"))
    channels = _channels((r[2] for r in todo), kind=Kind.RESTRICTION)
    now = timezone.now()
    ProcessorErasure.objects.bulk_create([
        ProcessorErasure(
            erasure_record_id=record_of[subject_id], kind=Kind.RESTRICTION, subject_id=subject_id,
            system_id=system_id, system_record_id=pk, channel=channels.get(system_id, ErasureChannel.EMAIL),
            status=Status.PENDING, next_attempt_at=now,
        )
        for pk, subject_id, system_id in todo
    ], ignore_conflicts=True)
    if todo:
        logger.info("vendor follow-ups: %d restriction notice(s) opened for %d record(s)", len(todo), len(record_of))


def followups_dispatch(record_ids: Sequence[int]) -> None:
    """The engine's after-commit hook: enqueue a send for each pending follow-up of these records. A broker that
    is down loses nothing: the rows stay pending and the beat's round sends them."""
    ids = list(
        ProcessorErasure.objects.filter(erasure_record_id__in=engine.ids_param(list(record_ids)), status=Status.PENDING)
        .order_by("pk").values_list("pk", flat=True)
    )
    enqueue(ids)


def enqueue(followup_ids: Iterable[int]) -> None:
    from .tasks import processor_erasure_send

    for pk in followup_ids:
        try:
            processor_erasure_send.delay(pk)
        except Exception as exc:  # the broker's errors vary by transport; the beat retries
            logger.warning("vendor follow-up %s not enqueued (%s); the beat will send it", pk, type(exc).__name__)


# --- sending ------------------------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``: doubling, capped below the broker's visibility timeout."""
    from .tasks import RETRY_BACKOFF_MAX

    return timedelta(seconds=min(RETRY_BACKOFF_MAX, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1)))


class SendFailed(Exception):
    """A transient failure (a timeout, a 5xx): the task retries with backoff until the attempts run out."""


def _claim(followup_id: int, now: datetime) -> bool:
    return bool(
        ProcessorErasure.objects.filter(pk=followup_id, status=Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + CLAIM_SLACK))
        .update(attempts=F("attempts") + 1, next_attempt_at=now + CLAIM_LEASE)
    )


def _notice(followup: ProcessorErasure, external_id: str) -> notifiers.Notice:
    record = followup.erasure_record
    return notifiers.Notice(
        reference=f"PE-{followup.pk}",
        system=followup.system.name,
        vendor=followup.system.vendor.name if followup.system.vendor_id else "",
        external_id=external_id,
        erased_on=(record.erased_at if record else followup.created_at).date(),
        reminder=followup.reminders > 0,
        restriction=followup.kind == Kind.RESTRICTION,
    )


def _outside_id(followup: ProcessorErasure) -> tuple[str, str]:
    """The person's id in the vendor's system, or why there is none: ``(id, "")`` or ``("", error)``."""
    if followup.kind == Kind.RESTRICTION:
        # Read now, not copied when opened: a restricted subject's system record keeps its plain id.
        external_id = (SystemRecord.objects.filter(pk=followup.system_record_id)
                       .values_list("external_id", flat=True).first())
        if not external_id or external_id.startswith(KEYED_HASH_PREFIX):
            return "", SUPERSEDED
        return external_id, ""
    if not followup.external_id_sealed:
        return "", NOT_CAPTURED
    return unseal(followup.external_id_sealed), ""


def followup_send(*, followup_id: int) -> str:
    """Send one follow-up if it is pending and due; returns its status afterwards.

    Raises ``SendFailed`` on a transient failure while attempts remain (the task retries); after the last
    attempt, or on a permanent failure (a 4xx, no contact address), the row is failed and shows why.
    """
    now = timezone.now()
    if not _claim(followup_id, now):
        return ProcessorErasure.objects.filter(pk=followup_id).values_list("status", flat=True).first() or "missing"
    followup = ProcessorErasure.objects.select_related("system__vendor", "system__erasure_channel",
                                                      "erasure_record").get(pk=followup_id)
    external_id, why_not = _outside_id(followup)
    if why_not:
        _fail(followup, why_not)
        return Status.FAILED
    try:
        outcome = notifiers.notify(followup.channel, _notice(followup, external_id), system=followup.system)
    except notifiers.NotifierError as exc:
        if exc.transient and followup.attempts < settings.PROCESSOR_ERASURE_MAX_ATTEMPTS:
            ProcessorErasure.objects.filter(pk=followup.pk).update(
                last_error=str(exc)[:300], next_attempt_at=timezone.now() + backoff(followup.attempts),
            )
            logger.warning("vendor follow-up %s attempt %d failed (%s); retrying", followup.pk, followup.attempts, exc)
            raise SendFailed(str(exc)) from exc
        _fail(followup, str(exc))
        return Status.FAILED
    sent = timezone.now()
    if outcome == notifiers.CONFIRMED:
        # The vendor's API did the deletion itself: nothing to wait for, and nothing left to keep.
        ProcessorErasure.objects.filter(pk=followup.pk).update(
            status=Status.CONFIRMED, sent_at=sent, confirmed_at=sent, external_id_sealed="", last_error="",
            next_attempt_at=None,
        )
        logger.info("vendor follow-up %s confirmed by the %s API", followup.pk, followup.channel)
        return Status.CONFIRMED
    ProcessorErasure.objects.filter(pk=followup.pk).update(
        status=Status.SENT, sent_at=sent, last_error="",
        next_attempt_at=sent + timedelta(days=settings.PROCESSOR_ERASURE_REMIND_AFTER_DAYS),
    )
    logger.info("vendor follow-up %s (%s) sent by %s (attempt %d)", followup.pk, followup.kind, followup.channel,
                followup.attempts)
    return Status.SENT


def _fail(followup: ProcessorErasure, error: str) -> None:
    ProcessorErasure.objects.filter(pk=followup.pk).update(
        status=Status.FAILED, last_error=error[:300], next_attempt_at=None,
    )
    logger.error("vendor follow-up %s failed after %d attempt(s): %s", followup.pk, followup.attempts, error)


# --- people and the beat ----------------------------------------------------------------------------------------


@transaction.atomic
def followups_confirm(*, followup_ids: Iterable[int], actor: Actor) -> int:
    """The vendor confirmed the deletion: close the follow-ups and empty the sealed ids. Returns how many."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    closed = ProcessorErasure.objects.filter(pk__in=list(followup_ids)).exclude(status=Status.CONFIRMED).update(
        status=Status.CONFIRMED, confirmed_at=timezone.now(), confirmed_by=user, external_id_sealed="",
        next_attempt_at=None,
    )
    logger.info("%d vendor follow-up(s) confirmed by user %s", closed, getattr(user, "pk", None))
    return closed


def _sendable() -> Q:
    """Rows that can be sent again: an erasure still holding its sealed id; a restriction reads its id anew."""
    return Q(kind=Kind.RESTRICTION) | ~Q(external_id_sealed="")


@transaction.atomic
def followups_retry(*, followup_ids: Iterable[int]) -> int:
    """Send again now: failed or waiting follow-ups that can still be sent (an erasure's sealed id is still there;
    any restriction notice) go back to pending, attempts anew."""
    ids = list(
        ProcessorErasure.objects.filter(pk__in=list(followup_ids), status__in=[Status.FAILED, Status.SENT,
                                                                              Status.PENDING])
        .filter(_sendable()).values_list("pk", flat=True)
    )
    ProcessorErasure.objects.filter(pk__in=ids).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: enqueue(ids))
    return len(ids)


@transaction.atomic
def followups_remind(*, now: datetime | None = None) -> dict[str, int]:
    """The beat's round: remind vendors who have not confirmed within the period (the request goes again,
    marked as a reminder), and enqueue pending follow-ups whose task was lost or whose retry is due."""
    now = now or timezone.now()
    overdue = list(
        ProcessorErasure.objects.filter(status=Status.SENT, next_attempt_at__lte=now).filter(_sendable())
        .values_list("pk", flat=True)
    )
    ProcessorErasure.objects.filter(pk__in=overdue).update(
        status=Status.PENDING, attempts=0, reminders=F("reminders") + 1, next_attempt_at=timezone.now(),
    )
    due = list(
        ProcessorErasure.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .exclude(erasure_record=None).values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: enqueue(due))
    logger.info("vendor follow-ups: %d reminder(s), %d send(s) enqueued", len(overdue), len(due))
    return {"reminded": len(overdue), "enqueued": len(due)}
