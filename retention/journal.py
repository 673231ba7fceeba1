"""The erasure journal outside the database, and its replay after a restore from backup.

Design note.
- What it holds: one JSON line per erasure record (erase, anonymise, restrict): record id, subject id, action,
  when, and the suppression entries' keyed hashes with their kind. Ids and keyed hashes only: never an
  e-mail address, a name or an outside id, so the journal can sit beside backups without being one.
- When it is written: by the engine's journal hook, inside the erasure's transaction and before it commits,
  fsync'ed. A failed write raises and the erasure rolls back, so no erasure commits without its line. The
  reverse can happen (a line written, then the transaction rolled back by a later fault): replay then erases
  someone whose erasure was decided and failed, which the next sweep or request would have done anyway.
- Append-only: lines are never rewritten or removed here. A torn last line (a crash mid-write) is skipped
  and counted by the reader.
- Where: ``ERASURE_JOURNAL_BACKEND`` names the class. ``FileJournal``: one file (``ERASURE_JOURNAL_PATH``).
  ``S3Journal``: an S3-compatible bucket (AWS, MinIO, ...; ``ERASURE_JOURNAL_S3_*``). Objects cannot be appended
  to, so each append (one erasure batch) is one new object, ``<prefix>/YYYY/MM/DD/<UTC time>-<first record
  id>-<uuid>.jsonl``, never overwritten; its upload returns only once the bucket has it, and a refused or
  unreachable bucket raises inside the erasure's transaction, which rolls back. Keys sort by time, so listing
  them in key order (paginated) reads the journal oldest first, and a replay ``since`` a date skips the days
  before it (less one day, for lines journalled with another UTC offset) without downloading them.
- Replay (``erasure_replay``): after restoring an older backup, everyone the journal lists since a date who is
  present and not (or no longer) erased is erased again through the engine, reason "replay", in chunks of one
  transaction each, and every journal digest goes back on the suppression list. Idempotent: a second replay
  finds everyone erased and does nothing but re-add digests that are already there. Killed mid-way: finished
  chunks stay done; run it again. Legal holds are not consulted: the journal says the erasure happened, and a
  hold in the restored copy is one that had ended before it.
- Rows that hold an erased person's identifier with no link to their subject row (a rights request never verified
  keeps only the address it came from) are out of the engine's reach. Apps above retention register a forgetter
  (``forgetter_add``, from their ``AppConfig.ready()``); after the erasures, replay calls each with the journal's
  keyed hashes and those of the restored identities it erased again, and counts what they scrubbed.
"""
from __future__ import annotations

import base64
import fcntl
import functools
import hashlib
import json
import logging
import os
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.module_loading import import_string

from subjects.keyed_hash import suppression_digests_many
from subjects.models import DataSubject, Suppression
from subjects.services import suppressions_add_digests

from . import engine
from .models import ErasureRecord

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
Action = ErasureRecord.Action
# When a subject has several lines, replay carries out the strongest action.
STRENGTH = {Action.RESTRICT: 0, Action.ANONYMISE: 1, Action.ERASE: 2}


class JournalBackend(Protocol):
    def append(self, lines: Sequence[str]) -> None:
        """Store the lines durably (return only once they are on disk, or in the bucket); raise if they are not."""

    def lines(self, *, since: date | None = None) -> Iterator[str]:
        """Every line stored, oldest first. ``since`` lets a backend leave out what cannot be from that day on
        (the reader filters by date anyway); a backend may ignore it."""


class JournalError(OSError):
    """The journal could not be written or read (an OSError, as a file journal's failures are)."""


class FileJournal:
    """An append-only file of JSON lines; a lock keeps concurrent workers' lines whole."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path if path is not None else settings.ERASURE_JOURNAL_PATH)

    def append(self, lines: Sequence[str]) -> None:
        if not lines:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                handle.write("".join(f"{line}\n" for line in lines))
                handle.flush()
                os.fsync(handle.fileno())
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def lines(self, *, since: date | None = None) -> Iterator[str]:
        # One file, read whole: ``since`` saves nothing here.
        if not self.path.exists():
            return
        with open(self.path, encoding="utf-8") as handle:
            yield from handle


# An S3 bucket name (3-63 lowercase letters, digits, dots and hyphens), also what MinIO and others accept.
S3_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# The upload runs inside the erasure's transaction, under its row locks: a bucket that does not answer must fail
# the erasure soon (it rolls back and can be tried again), not hold the locks for minutes.
S3_CONNECT_TIMEOUT = 5
S3_READ_TIMEOUT = 30
S3_MAX_ATTEMPTS = 3


@functools.lru_cache(maxsize=8)
def _s3_client(endpoint_url: str, region: str, access_key_id: str, secret_access_key: str, session_token: str):
    """One client per configuration (clients are thread-safe and slow to build). boto3 is imported here only, so
    a deployment journalling to a file never loads it."""
    import boto3
    from botocore.config import Config

    credentials = {}
    if access_key_id or secret_access_key:  # else boto3's own chain: AWS_* variables, ~/.aws, an instance role
        credentials = {"aws_access_key_id": access_key_id, "aws_secret_access_key": secret_access_key,
                       "aws_session_token": session_token or None}
    config = Config(
        connect_timeout=S3_CONNECT_TIMEOUT, read_timeout=S3_READ_TIMEOUT,
        retries={"max_attempts": S3_MAX_ATTEMPTS, "mode": "standard"},
        # The newer default checksums are not understood by every S3-compatible store; each upload carries a
        # Content-MD5 instead, which they all check.
        request_checksum_calculation="when_required", response_checksum_validation="when_required",
        # Self-hosted stores (MinIO) answer at one host name, not at a name per bucket.
        s3={"addressing_style": "path" if endpoint_url else "auto"},
    )
    return boto3.session.Session(**credentials).client(
        "s3", endpoint_url=endpoint_url or None, region_name=region or None, config=config,
    )


class S3Journal:
    """An S3-compatible bucket, one object of JSON lines per append; objects are never rewritten or removed here."""

    def __init__(self, *, bucket: str | None = None, prefix: str | None = None, client: Any = None,
                 page_size: int = 1000) -> None:
        self.bucket = settings.ERASURE_JOURNAL_S3_BUCKET if bucket is None else bucket
        if not S3_BUCKET_NAME.fullmatch(self.bucket or ""):
            # Settings check this at start-up; this guards a journal built with other values.
            raise ImproperlyConfigured(f"The S3 erasure journal needs a bucket name, not {self.bucket!r}")
        prefix = (settings.ERASURE_JOURNAL_S3_PREFIX if prefix is None else prefix).strip("/")
        self.root = f"{prefix}/" if prefix else ""
        self.client = client if client is not None else _s3_client(
            settings.ERASURE_JOURNAL_S3_ENDPOINT_URL, settings.ERASURE_JOURNAL_S3_REGION,
            settings.ERASURE_JOURNAL_S3_ACCESS_KEY_ID, settings.ERASURE_JOURNAL_S3_SECRET_ACCESS_KEY,
            settings.ERASURE_JOURNAL_S3_SESSION_TOKEN,
        )
        self.page_size = page_size

    def key_for(self, lines: Sequence[str], *, now: datetime | None = None) -> str:
        now = (now or datetime.now(UTC)).astimezone(UTC)
        try:
            first = int(json.loads(lines[0])["record"])
        except (ValueError, KeyError, TypeError, IndexError):
            first = 0
        return f"{self.root}{now:%Y/%m/%d}/{now:%Y%m%dT%H%M%S%fZ}-{first}-{uuid.uuid4().hex}.jsonl"

    def append(self, lines: Sequence[str]) -> None:
        if not lines:
            return
        from botocore.exceptions import BotoCoreError, ClientError

        body = "".join(f"{line}\n" for line in lines).encode("utf-8")
        key = self.key_for(lines)
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=key, Body=body, ContentType="application/x-ndjson",
                ContentMD5=base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode("ascii"),
            )
        except (BotoCoreError, ClientError) as exc:
            raise JournalError(f"erasure journal: cannot write s3://{self.bucket}/{key}: {exc}") from exc
        logger.debug("erasure journal: s3://%s/%s written", self.bucket, key)

    def keys(self, *, since: date | None = None) -> Iterator[str]:
        """The journal's object keys in key order (oldest first), page by page; from the day before ``since``."""
        from botocore.exceptions import BotoCoreError, ClientError

        params: dict[str, Any] = {"Bucket": self.bucket, "Prefix": self.root,
                                  "PaginationConfig": {"PageSize": self.page_size}}
        if since is not None:
            # A line's date is its erased_at's, written just before the upload: its object is never in an earlier
            # UTC day, and at most a day later than the line's date in any offset.
            params["StartAfter"] = f"{self.root}{since - timedelta(days=1):%Y/%m/%d}/"
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(**params):
                for item in page.get("Contents", ()):
                    if item["Key"].endswith(".jsonl"):
                        yield item["Key"]
        except (BotoCoreError, ClientError) as exc:
            raise JournalError(f"erasure journal: cannot list s3://{self.bucket}/{self.root}: {exc}") from exc

    def lines(self, *, since: date | None = None) -> Iterator[str]:
        from botocore.exceptions import BotoCoreError, ClientError

        for key in self.keys(since=since):
            try:
                body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            except (BotoCoreError, ClientError) as exc:
                raise JournalError(f"erasure journal: cannot read s3://{self.bucket}/{key}: {exc}") from exc
            # A damaged object costs its own lines (counted unreadable by the reader), not the replay.
            yield from body.decode("utf-8", errors="replace").splitlines()


def backend() -> JournalBackend:
    return import_string(settings.ERASURE_JOURNAL_BACKEND)()


# --- writing --------------------------------------------------------------------------------------------------


def entry_dict(entry: engine.JournalEntry, kinds: dict[str, str]) -> dict:
    """What a journal line says, as data: ids, the action, when, and the keyed hashes with their kinds."""
    return {
        "v": FORMAT_VERSION,
        "record": entry.record_id,
        "subject": entry.subject_id,
        "action": str(entry.action),
        "erased_at": entry.erased_at.isoformat(),
        "digests": {digest: kinds.get(digest, "") for digest in entry.digests},
    }


_HEX = re.compile(r"[0-9a-f]*")


def entry_lines(entries: Sequence[engine.JournalEntry], kinds: dict[str, str]) -> list[str]:
    """One line per entry, each exactly ``json.dumps(entry_dict(entry, kinds), sort_keys=True)``.

    Built by hand for speed (a sweep writes a hundred thousand lines a run, and ``json.dumps`` of each was a
    second of it): the action and the time are encoded once per batch, ids are integers and digests hex,
    which JSON writes as they are. Anything else (a digest that is not hex) takes ``json.dumps``."""
    encoded: dict[object, str] = {}

    def text(value: object) -> str:
        if value not in encoded:
            encoded[value] = json.dumps(value)
        return encoded[value]

    lines = []
    for entry in entries:
        if not all(_HEX.fullmatch(d) for d in entry.digests):
            lines.append(json.dumps(entry_dict(entry, kinds), sort_keys=True))
            continue
        digests = ", ".join(f'"{d}": {text(kinds.get(d, ""))}' for d in sorted(entry.digests))
        lines.append(
            f'{{"action": {text(str(entry.action))}, "digests": {{{digests}}}, '
            f'"erased_at": {text(entry.erased_at.isoformat())}, "record": {int(entry.record_id)}, '
            f'"subject": {int(entry.subject_id)}, "v": {FORMAT_VERSION}}}'
        )
    return lines


def journal_write(entries: Sequence[engine.JournalEntry]) -> None:
    """The engine's journal hook: one line per record, written before the erasure commits."""
    # The engine says each digest's kind; an entry made without them (older callers) is looked up in the
    # suppression entries the engine has just added in this transaction.
    kinds = {d: kind for entry in entries for d, kind in entry.kinds}
    unknown = {d for entry in entries for d in entry.digests if d not in kinds}
    if unknown:
        kinds.update(Suppression.objects.filter(digest__in=unknown).values_list("digest", "kind"))
    backend().append(entry_lines(entries, kinds))
    logger.info("erasure journal: %d line(s) written (records #%s-#%s)", len(entries),
                entries[0].record_id if entries else "-", entries[-1].record_id if entries else "-")


# --- what replay asks the apps above to forget -----------------------------------------------------------------

# ``forgetter(*, digests, dry_run) -> rows``: scrub (with ``dry_run``: only count) the rows holding one of these
# identities, given as keyed hash → kind ("email", "phone"; "" from lines older than kinds), as the suppression list
# keeps them.
Forgetter = Callable[..., int]
_forgetters: dict[str, Forgetter] = {}


def forgetter_add(name: str, forgetter: Forgetter) -> None:
    """Register a forgetter under ``name`` (from an ``AppConfig.ready()``; registering a name again replaces it)."""
    _forgetters[name] = forgetter


def _forget(digests: Mapping[str, str], *, dry_run: bool) -> int:
    return sum(forgetter(digests=digests, dry_run=dry_run) for forgetter in list(_forgetters.values()))


def _identity_digests(subject_ids: Sequence[int], *, chunk_size: int) -> dict[str, str]:
    """Keyed hash → kind of the identities these (restored) subjects hold now, a chunk of ids at a time."""
    found: dict[str, str] = {}
    for start in range(0, len(subject_ids), chunk_size):
        identities = {
            pk: (email, phone) for pk, email, phone in DataSubject.objects
            .filter(pk__in=list(subject_ids[start:start + chunk_size])).order_by().values_list("pk", "email", "phone")
        }
        for digests in suppression_digests_many(identities).values():
            found.update(digests)
    return found


# --- reading and replaying -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    record_id: int
    subject_id: int
    action: str
    erased_at: datetime
    digests: dict[str, str]


def read(*, since: date | None = None, journal: JournalBackend | None = None) -> tuple[list[Line], int]:
    """The journal's lines erased on or after ``since``, and how many lines could not be read."""
    found, unreadable = [], 0
    for text in (journal or backend()).lines(since=since):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
            line = Line(
                record_id=int(data["record"]), subject_id=int(data["subject"]), action=str(data["action"]),
                erased_at=datetime.fromisoformat(data["erased_at"]), digests=dict(data.get("digests") or {}),
            )
        except (ValueError, KeyError, TypeError):
            unreadable += 1
            continue
        if line.action not in STRENGTH:
            unreadable += 1
            continue
        if since is None or line.erased_at.date() >= since:
            found.append(line)
    return found, unreadable


@dataclass
class ReplayResult:
    lines: int = 0
    unreadable: int = 0
    subjects: int = 0
    absent: int = 0
    already: int = 0
    to_redo: int = 0
    erased: int = 0
    anonymised: int = 0
    restricted: int = 0
    digests: int = 0
    forgotten: int = 0  # rows elsewhere (requests never verified, say) that held an identity erased
    dry_run: bool = False
    redone_ids: list[int] = field(default_factory=list)

    @property
    def redone(self) -> int:
        return self.erased + self.anonymised + self.restricted


def _strongest(lines: Sequence[Line]) -> dict[int, str]:
    actions: dict[int, str] = {}
    for line in lines:
        current = actions.get(line.subject_id)
        if current is None or STRENGTH[line.action] > STRENGTH[current]:
            actions[line.subject_id] = line.action
    return actions


def _needs_redo(action: str, state: str) -> bool:
    if action == Action.RESTRICT:
        return state == DataSubject.State.ACTIVE
    return state != DataSubject.State.ERASED


@transaction.atomic(durable=True)
def _redo_chunk(*, action: str, subject_ids: Sequence[int]) -> list[int]:
    """Erase (or restrict) again the subjects of one chunk that still need it, under row locks; the ids done."""
    from .followups import followups_capture  # the follow-ups module registers hooks on the engine too

    states = dict(
        DataSubject.objects.select_for_update().filter(pk__in=list(subject_ids)).order_by("pk")
        .values_list("pk", "state")
    )
    ids = sorted(pk for pk, state in states.items() if _needs_redo(action, state))
    if not ids:
        return []
    reason = ErasureRecord.Reason.REPLAY
    if action == Action.RESTRICT:
        records = engine.subjects_restrict(subject_ids=ids, reason=reason)
    else:
        # The restored rows hold the outside ids again: the vendors are asked again (deleting twice is harmless).
        followups_capture(subject_ids=ids)
        records = engine.subjects_erase(subject_ids=ids, action=action, reason=reason)
    return [r.subject_id for r in records]


def erasure_replay(*, since: date | None, dry_run: bool = False, chunk_size: int = 500,
                   journal: JournalBackend | None = None) -> ReplayResult:
    """Erase again everyone the journal lists since ``since`` who is present and not erased in the database."""
    lines, unreadable = read(since=since, journal=journal)
    result = ReplayResult(lines=len(lines), unreadable=unreadable, dry_run=dry_run)
    actions = _strongest(lines)
    result.subjects = len(actions)
    states = dict(DataSubject.objects.filter(pk__in=list(actions)).order_by().values_list("pk", "state"))
    result.absent = len(actions) - len(states)
    todo: dict[str, list[int]] = {}
    for subject_id, action in sorted(actions.items()):
        if subject_id not in states:
            continue
        if _needs_redo(action, states[subject_id]):
            todo.setdefault(action, []).append(subject_id)
        else:
            result.already += 1
    result.to_redo = sum(len(ids) for ids in todo.values())
    digests = {d: kind for line in lines for d, kind in line.digests.items()}
    result.digests = len(digests)
    # The identities the restored rows of those erased again hold (the journal's, or an older spelling of them),
    # read before they are erased: held elsewhere, they are forgotten there too.
    erasing = [pk for action, ids in todo.items() if action != Action.RESTRICT for pk in ids]
    forget = {**_identity_digests(erasing, chunk_size=chunk_size), **digests}
    if dry_run:
        result.forgotten = _forget(forget, dry_run=True)
        return result
    # Every identity the journal names goes back on the list, present subjects or not: a restored copy must not
    # let an erased person be imported again. A line from before kinds were journalled says e-mail.
    suppressions_add_digests(digests={d: kind or Suppression.Kind.EMAIL for d, kind in digests.items()})
    counter = {Action.ERASE: "erased", Action.ANONYMISE: "anonymised", Action.RESTRICT: "restricted"}
    for action, ids in todo.items():
        for start in range(0, len(ids), chunk_size):
            done = _redo_chunk(action=action, subject_ids=ids[start:start + chunk_size])
            setattr(result, counter[action], getattr(result, counter[action]) + len(done))
            result.redone_ids += done
            logger.info("erasure replay: %s chunk of %d, %d done", action, len(ids[start:start + chunk_size]),
                        len(done))
    result.forgotten = _forget(forget, dry_run=False)
    logger.info("erasure replay since %s: %d subject(s) listed, %d absent, %d already done, %d redone, %d other "
                "row(s) forgotten", since, result.subjects, result.absent, result.already, result.redone,
                result.forgotten)
    return result
