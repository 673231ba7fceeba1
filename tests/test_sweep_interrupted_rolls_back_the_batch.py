"""An exception in the middle of a chunk rolls that chunk back completely (no subject half-erased, no record,
no suppression entry), the run goes on with the other chunks and ends as failed, and a rerun finishes the job."""
from __future__ import annotations

from datetime import date
from unittest import mock

import pytest

from retention import engine, services
from retention.models import ErasureRecord, SweepRun
from subjects.models import DataSubject, Engagement, Suppression
from tests import factories as f
from tests.retention_support import rule_for

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 6, 1)


def _due_subjects(activity, n: int) -> list[DataSubject]:
    subjects = []
    for _ in range(n):
        engagement = f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                                         last_contact_on=date(2020, 1, 1))
        subjects.append(engagement.subject)
    return sorted(subjects, key=lambda s: s.pk)


def _fail_on_call(target, number: int):
    """Wrap ``target`` so its ``number``-th call raises after the chunk has already written a good deal."""
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == number:
            raise RuntimeError("worker killed")
        return target(*args, **kwargs)

    return wrapper


def test_exception_mid_chunk_rolls_the_chunk_back_and_a_rerun_completes():
    activity = f.ProcessingActivityFactory()
    rule = rule_for(activity)
    subjects = _due_subjects(activity, 5)
    second_chunk = subjects[2:4]
    emails = {s.pk: s.email for s in subjects}

    # The history step runs after the suppression entries, the admin log and every live row of the chunk were
    # written: failing there proves the whole chunk rolls back, not just the last statement.
    with mock.patch.object(engine, "_scrub_history", _fail_on_call(engine._scrub_history, 2)):
        run = services.sweep_run(as_of=AS_OF, chunk_size=2)

    assert run.status == SweepRun.Status.FAILED
    assert run.counts[str(rule.pk)]["erased"] == 3
    assert run.counts[str(rule.pk)]["failed"] == 2
    assert "RuntimeError" in run.error and str(second_chunk[0].pk) in run.error
    for subject in second_chunk:
        stored = DataSubject.objects.get(pk=subject.pk)
        assert stored.state == DataSubject.State.ACTIVE and stored.email == emails[subject.pk]
        assert Engagement.objects.filter(subject=subject).exists()
        assert DataSubject.history.filter(id=subject.pk, email=emails[subject.pk]).exists()
        assert not ErasureRecord.objects.filter(subject=subject).exists()
    assert Suppression.objects.count() == 2 * 3  # e-mail and phone of the three erased only

    rerun = services.sweep_run(as_of=AS_OF, chunk_size=2)

    assert rerun.status == SweepRun.Status.SUCCEEDED
    assert rerun.counts[str(rule.pk)]["erased"] == 2
    assert set(DataSubject.objects.values_list("state", flat=True)) == {DataSubject.State.ERASED}
    assert ErasureRecord.objects.count() == 5
    assert Suppression.objects.count() == 2 * 5


def test_a_run_stopped_from_outside_is_closed_as_failed_and_releases_the_lock():
    activity = f.ProcessingActivityFactory()
    rule_for(activity)
    _due_subjects(activity, 3)

    with mock.patch.object(engine, "subjects_erase", side_effect=KeyboardInterrupt), pytest.raises(KeyboardInterrupt):
        services.sweep_run(as_of=AS_OF, chunk_size=2)

    stopped = SweepRun.objects.get()
    assert stopped.status == SweepRun.Status.FAILED and "KeyboardInterrupt" in stopped.error
    assert not ErasureRecord.objects.exists()
    assert services.sweep_run(as_of=AS_OF).status == SweepRun.Status.SUCCEEDED
    assert ErasureRecord.objects.count() == 3
