"""Delivering the same batch twice (a redelivered task, a second worker) erases nothing twice and writes no
duplicate record, suppression entry or history row."""
from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from retention import engine, services
from retention.models import ErasureRecord
from subjects.models import DataSubject, Suppression
from tests import factories as f
from tests.retention_support import rule_for

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 6, 1)


def _counts() -> tuple[int, ...]:
    return (
        ErasureRecord.objects.count(), Suppression.objects.count(), Suppression.history.count(),
        DataSubject.history.count(), DataSubject.objects.filter(state=DataSubject.State.ERASED).count(),
    )


def test_the_same_batch_delivered_twice_acts_once():
    activity = f.ProcessingActivityFactory()
    rule = rule_for(activity)
    ids = sorted(
        f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                            last_contact_on=date(2020, 5, 5)).subject_id
        for _ in range(3)
    )

    first = engine.sweep_rule_batch(rule=rule, as_of=AS_OF, ids=ids)
    after_first = _counts()
    second = engine.sweep_rule_batch(rule=rule, as_of=AS_OF, ids=ids)

    assert (first.erased, first.skipped) == (3, 0)
    assert (second.erased, second.skipped, second.record_ids) == (0, 3, [])
    assert _counts() == after_first
    assert after_first[0] == 3


def test_a_second_sweep_over_the_same_day_finds_nothing_due():
    activity = f.ProcessingActivityFactory()
    rule = rule_for(activity)
    for _ in range(2):
        f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                            last_contact_on=date(2020, 5, 5))
    services.sweep_run(as_of=AS_OF)
    after_first = _counts()

    again = services.sweep_run(as_of=AS_OF)

    assert again.counts[str(rule.pk)]["due"] == 0 and again.totals().get("erased") == 0
    assert _counts() == after_first


def test_the_database_refuses_a_second_erasure_record_for_a_subject():
    subject = f.DataSubjectFactory()
    ErasureRecord.objects.create(subject=subject, action="erase", reason="retention")
    with pytest.raises(IntegrityError), transaction.atomic():
        ErasureRecord.objects.create(subject=subject, action="erase", reason="retention")
