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
- Where: a file (``ERASURE_JOURNAL_PATH``) through ``FileJournal``. ``ERASURE_JOURNAL_BACKEND`` names the class,
  so an S3-compatible bucket is one more class with the same two methods (``append`` and ``lines``).
- Replay (``erasure_replay``): after restoring an older backup, everyone the journal lists since a date who is
  present and not (or no longer) erased is erased again through the engine, reason "replay", in chunks of one
  transaction each, and every journal digest goes back on the suppression list. Idempotent: a second replay
  finds everyone erased and does nothing but re-add digests that are already there. Killed mid-way: finished
  chunks stay done; run it again. Legal holds are not consulted: the journal says the erasure happened, and a
  hold in the restored copy is one that had ended before it.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

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
        """Store the lines durably (return only once they are on disk, or in the bucket)."""

    def lines(self) -> Iterator[str]:
        """Every line stored, oldest first."""


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

    def lines(self) -> Iterator[str]:
        if not self.path.exists():
            return
        with open(self.path, encoding="utf-8") as handle:
            yield from handle


def backend() -> JournalBackend:
    return import_string(settings.ERASURE_JOURNAL_BACKEND)()


# --- writing --------------------------------------------------------------------------------------------------


def entry_line(entry: engine.JournalEntry, kinds: dict[str, str]) -> str:
    return json.dumps({
        "v": FORMAT_VERSION,
        "record": entry.record_id,
        "subject": entry.subject_id,
        "action": str(entry.action),
        "erased_at": entry.erased_at.isoformat(),
        "digests": {digest: kinds.get(digest, "") for digest in entry.digests},
    }, sort_keys=True)


def journal_write(entries: Sequence[engine.JournalEntry]) -> None:
    """The engine's journal hook: one line per record, written before the erasure commits."""
    digests = {d for entry in entries for d in entry.digests}
    # The engine has just added these suppression entries in this transaction: they know each digest's kind.
    kinds = dict(Suppression.objects.filter(digest__in=digests).values_list("digest", "kind")) if digests else {}
    backend().append([entry_line(entry, kinds) for entry in entries])
    logger.info("erasure journal: %d line(s) written (records #%s-#%s)", len(entries),
                entries[0].record_id if entries else "-", entries[-1].record_id if entries else "-")


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
    for text in (journal or backend()).lines():
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
    if dry_run:
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
    logger.info("erasure replay since %s: %d subject(s) listed, %d absent, %d already done, %d redone",
                since, result.subjects, result.absent, result.already, result.redone)
    return result
