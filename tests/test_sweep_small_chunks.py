"""``chunk_size=2`` proves the batching: primary-key chunks with LIMIT and no OFFSET, each its own transaction,
each logged with counts and ids (never an e-mail address), stopping when a chunk comes back short."""
from __future__ import annotations

import logging
from datetime import date
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from retention import engine, services
from retention.models import ErasureRecord
from subjects.models import DataSubject
from tests import factories as f
from tests.retention_support import rule_for

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 6, 1)


def _due(activity, n: int) -> list[DataSubject]:
    # Surnames no log line can contain by chance (a random "Li" or "Le" is inside "line(s)" and "rule").
    return [
        f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                            subject__last_name=f"Qvarnsjo{index}", last_contact_on=date(2021, 2, 2)).subject
        for index in range(n)
    ]


def test_seven_due_subjects_go_in_four_chunks_of_at_most_two(caplog):
    activity = f.ProcessingActivityFactory()
    rule = rule_for(activity)
    subjects = _due(activity, 7)
    f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                        last_contact_on=date(2024, 1, 1))  # not due
    batches = []
    real_batch = engine.sweep_rule_batch

    def spy(**kwargs):
        batches.append(list(kwargs["ids"]))
        return real_batch(**kwargs)

    with caplog.at_level(logging.INFO), mock.patch.object(engine, "sweep_rule_batch", spy), \
            CaptureQueriesContext(connection) as queries:
        run = services.sweep_run(as_of=AS_OF, chunk_size=2)

    ids = sorted(s.pk for s in subjects)
    assert batches == [ids[0:2], ids[2:4], ids[4:6], ids[6:7]]
    assert run.counts[str(rule.pk)]["erased"] == 7
    assert ErasureRecord.objects.count() == 7
    assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)
    chunk_lines = [r.getMessage() for r in caplog.records if r.name == "retention.engine" and "chunk" in r.getMessage()]
    assert len(chunk_lines) == 4
    log_text = caplog.text.lower()
    assert not any(s.email.lower() in log_text or s.last_name.lower() in log_text for s in subjects)


def test_a_full_last_chunk_is_followed_by_one_empty_select_and_nothing_more():
    activity = f.ProcessingActivityFactory()
    rule_for(activity)
    _due(activity, 4)
    batches = []
    real_batch = engine.sweep_rule_batch

    def spy(**kwargs):
        batches.append(list(kwargs["ids"]))
        return real_batch(**kwargs)

    with mock.patch.object(engine, "sweep_rule_batch", spy):
        services.sweep_run(as_of=AS_OF, chunk_size=2)

    assert [len(b) for b in batches] == [2, 2]


def test_a_batch_runs_a_fixed_number_of_queries_whatever_its_size():
    activity = f.ProcessingActivityFactory()
    rule = rule_for(activity)
    few, many = _due(activity, 2), _due(activity, 12)
    for subject in [*few, *many]:
        f.SystemRecordFactory(subject=subject)
    few, many = sorted(s.pk for s in few), sorted(s.pk for s in many)

    with CaptureQueriesContext(connection) as small:
        engine.sweep_rule_batch(rule=rule, as_of=AS_OF, ids=few)
    with CaptureQueriesContext(connection) as large:
        engine.sweep_rule_batch(rule=rule, as_of=AS_OF, ids=many)

    assert len(large) == len(small)
