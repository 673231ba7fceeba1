"""Journey 4's proof: after an erasure, ``pg_dump --data-only | grep`` finds nothing of the erased person, on both
paths (a rights request's per-person erasure and the nightly sweep), history tables and admin log included.

Transactional, so the data is committed and pg_dump (another connection) sees it. The database may have been
flushed by an earlier transactional test, so the countries the factories need are added back first. Skipped on
SQLite only: when DATABASE_URL names PostgreSQL (CI), it must run.
"""
from __future__ import annotations

from datetime import date

import pytest

from retention import engine, services
from retention.models import ErasureRecord
from tests.retention_support import (
    ci_uses_postgresql,
    ensure_countries,
    on_postgresql,
    person_with_copies,
    pg_dump_text,
    rule_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if not on_postgresql():
        assert not ci_uses_postgresql()
        pytest.skip("pg_dump reads PostgreSQL; on SQLite tests/test_erasure_leaves_no_identifier.py reads every table")
    ensure_countries()


def test_pg_dump_holds_nothing_of_subjects_erased_per_person_and_by_the_sweep():
    by_request = person_with_copies(tag="rq")
    by_sweep = person_with_copies(tag="sw")
    kept = person_with_copies(tag="kp", last_contact_on=date.today())
    rule_for(by_sweep.subject.engagements.get().activity)
    before = pg_dump_text()
    assert all(value in before for p in (by_request, by_sweep, kept) for value in p.identifiers)

    engine.subject_erase(subject=by_request.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST, request_ref="RR-1")
    run = services.sweep_run(as_of=date(2024, 6, 1))

    assert run.status == run.Status.SUCCEEDED and run.totals()["erased"] == 1
    dump = pg_dump_text()
    assert [value for value in by_request.identifiers if value in dump] == []
    assert [value for value in by_sweep.identifiers if value in dump] == []
    assert all(value in dump for value in kept.identifiers)
    for table in ("subjects_historicaldatasubject", "django_admin_log", "retention_erasurerecord"):
        assert f"copy public.{table} " in dump
