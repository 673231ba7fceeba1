"""Every erasure is journalled outside the database (ids and keyed hashes only), and after restoring an older
backup ``erasure_replay`` erases again everyone the journal lists: no identifier is left.

The restore is real on PostgreSQL (``pg_dump --data-only`` before the erasure, ``psql`` to load it back). The
SQLite tests restore an in-test snapshot of every table instead, which is what a restore does to the rows.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from datetime import date

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from retention import engine, journal, services
from retention.models import ErasureRecord
from subjects.keyed_hash import suppression_hash
from subjects.models import DataSubject, Suppression
from tests.retention_support import (
    ci_uses_postgresql,
    database_text,
    ensure_countries,
    on_postgresql,
    person_with_copies,
    pg_dump_text,
    rule_for,
)

AS_OF = date(2024, 6, 1)


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    # Replay asks the vendors again after commit; here the sends are not enqueued anywhere.
    monkeypatch.setattr("retention.followups.enqueue", lambda ids: None)


def _journal_text() -> str:
    return settings.ERASURE_JOURNAL_PATH.read_text(encoding="utf-8")


def _journal_lines() -> list[dict]:
    return [json.loads(line) for line in _journal_text().splitlines()]


def _replay(**options: bool) -> str:
    out = io.StringIO()
    flags = ["--dry-run"] if options.get("dry_run") else []
    call_command("erasure_replay", "--since", "2020-01-01", *flags, stdout=out)
    return out.getvalue()


# --- the in-test snapshot: every row of every table, and a restore that puts exactly those back -------------


def _snapshot() -> dict[str, tuple[list[str], list[tuple]]]:
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            tables[table] = ([c[0] for c in cursor.description], cursor.fetchall())
    return tables


def _restore(snapshot: dict[str, tuple[list[str], list[tuple]]]) -> None:
    # Django's foreign keys are deferred to the commit (SQLite and PostgreSQL): delete all, then insert all.
    with transaction.atomic(), connection.cursor() as cursor:
        for table in snapshot:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
        for table, (columns, rows) in snapshot.items():
            if not rows:
                continue
            names = ", ".join(connection.ops.quote_name(c) for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {connection.ops.quote_name(table)} ({names}) VALUES ({marks})", rows)


# --- the journal ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_erasure_writes_one_journal_line_of_ids_and_keyed_hashes_only():
    person = person_with_copies()
    email = person.identifiers[0]

    record = engine.subject_erase(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)

    [line] = _journal_lines()
    assert line["record"] == record.pk and line["subject"] == person.subject.pk and line["action"] == "erase"
    assert set(line) == {"v", "record", "subject", "action", "erased_at", "digests"}
    assert line["digests"][suppression_hash(email)] == Suppression.Kind.EMAIL
    assert set(line["digests"].values()) == {Suppression.Kind.EMAIL, Suppression.Kind.PHONE}
    text = _journal_text().lower()
    assert [value for value in person.identifiers if value in text] == []


@pytest.mark.django_db
def test_the_sweep_journals_every_subject_of_its_batch():
    people = [person_with_copies(tag=f"j{n}") for n in range(3)]
    for person in people:
        rule_for(person.subject.engagements.get().activity)

    run = services.sweep_run(as_of=AS_OF, chunk_size=2)

    assert run.totals()["erased"] == 3
    assert sorted(line["subject"] for line in _journal_lines()) == sorted(p.subject.pk for p in people)
    text = _journal_text().lower()
    assert [v for p in people for v in p.identifiers if v in text] == []


@pytest.mark.django_db
def test_a_journal_that_cannot_be_written_rolls_the_erasure_back(settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.ERASURE_JOURNAL_PATH = blocker / "journal.jsonl"
    person = person_with_copies()

    with pytest.raises(OSError):
        engine.subject_erase(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)

    assert DataSubject.objects.get(pk=person.subject.pk).state == DataSubject.State.ACTIVE
    assert not ErasureRecord.objects.exists()


def test_the_reader_skips_a_torn_last_line(tmp_path):
    path = tmp_path / "journal.jsonl"
    path.write_text('{"v": 1, "record": 1, "subject": 7, "action": "erase", "erased_at": "2024-05-01T10:00:00+00:00",'
                    ' "digests": {}}\n{"v": 1, "record": 2, "sub')
    lines, unreadable = journal.read(since=date(2024, 1, 1), journal=journal.FileJournal(path))
    assert [line.subject_id for line in lines] == [7] and unreadable == 1
    assert journal.read(since=date(2024, 6, 1), journal=journal.FileJournal(path))[0] == []


# --- replay (SQLite and PostgreSQL, in-test snapshot) -------------------------------------------------------


@pytest.mark.django_db
def test_replay_after_restoring_a_snapshot_erases_again_and_a_second_replay_does_nothing():
    person = person_with_copies()
    bystander = person_with_copies(tag="by")
    before = _snapshot()
    engine.subject_erase(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)

    _restore(before)
    assert DataSubject.objects.get(pk=person.subject.pk).state == DataSubject.State.ACTIVE
    assert person.identifiers[0] in database_text()
    assert "1 to erase again" in _replay(dry_run=True)
    assert DataSubject.objects.get(pk=person.subject.pk).state == DataSubject.State.ACTIVE

    out = _replay()

    assert "1 subject(s); 0 not in the database, 0 already erased, 1 to erase again" in out
    assert "Erased again: 1 (1 erased" in out
    text = database_text()
    assert [value for value in person.identifiers if value in text] == []
    assert all(value in text for value in bystander.identifiers)
    record = ErasureRecord.objects.get(subject_id=person.subject.pk)
    assert record.reason == ErasureRecord.Reason.REPLAY
    assert Suppression.objects.filter(digest=suppression_hash(person.identifiers[0])).exists()

    again = _replay()
    assert "1 already erased, 0 to erase again" in again and "Erased again: 0" in again
    assert ErasureRecord.objects.filter(subject_id=person.subject.pk).count() == 1


@pytest.mark.django_db
def test_replay_counts_subjects_the_restored_copy_does_not_hold():
    before = _snapshot()  # a backup from before the person was added
    person = person_with_copies()
    engine.subject_erase(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)
    _restore(before)

    out = _replay()

    assert "1 not in the database, 0 already erased, 0 to erase again" in out
    assert Suppression.objects.filter(digest=suppression_hash(person.identifiers[0])).exists()


# --- replay after a real pg_dump / psql restore (PostgreSQL) ------------------------------------------------


def _pg_command(program: str) -> tuple[list[str], dict[str, str]]:
    executable = shutil.which(program)
    assert executable, f"{program} is needed for this test on PostgreSQL"
    s = connection.settings_dict
    env = {**os.environ, **({"PGPASSWORD": str(s["PASSWORD"])} if s.get("PASSWORD") else {})}
    command = [executable, "--dbname", s["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if s.get(key):
            command += [flag, str(s[key])]
    return command, env


@pytest.mark.django_db(transaction=True)
def test_replay_after_restoring_a_pg_dump_leaves_no_identifier(tmp_path):
    if not on_postgresql():
        assert not ci_uses_postgresql()
        pytest.skip("pg_dump and psql restore PostgreSQL; the snapshot test above covers SQLite")
    ensure_countries()
    by_request = person_with_copies(tag="rq")
    by_sweep = person_with_copies(tag="sw")
    kept = person_with_copies(tag="kp", last_contact_on=date.today())
    rule_for(by_sweep.subject.engagements.get().activity)
    dump = tmp_path / "before.sql"
    command, env = _pg_command("pg_dump")
    subprocess.run([*command, "--data-only", "--disable-triggers", "--no-owner", "--file", str(dump)],
                   env=env, check=True, timeout=120)

    engine.subject_erase(subject=by_request.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)
    assert services.sweep_run(as_of=AS_OF).totals()["erased"] == 1

    with connection.cursor() as cursor:
        tables = ", ".join(connection.ops.quote_name(t) for t in connection.introspection.table_names(cursor))
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    command, env = _pg_command("psql")
    subprocess.run([*command, "--quiet", "-v", "ON_ERROR_STOP=1", "--file", str(dump)], env=env, check=True,
                   timeout=120, capture_output=True)
    restored = pg_dump_text()
    assert all(value in restored for value in by_request.identifiers + by_sweep.identifiers)

    out = _replay()

    assert "2 subject(s); 0 not in the database, 0 already erased, 2 to erase again" in out
    assert "Erased again: 2 (2 erased, 0 anonymised, 0 restricted)" in out
    text = pg_dump_text()
    assert [value for value in by_request.identifiers if value in text] == []
    assert [value for value in by_sweep.identifiers if value in text] == []
    assert all(value in text for value in kept.identifiers)
    assert "erased again: 0" in _replay().lower()
