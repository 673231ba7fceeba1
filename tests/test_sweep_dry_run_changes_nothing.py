"""A dry run (the admin's "preview tonight's sweep", ``retention_sweep --dry-run``) counts per rule what the sweep
would do and shows a sample of subject ids, and changes nothing at all."""
from __future__ import annotations

from datetime import date

import pytest

from retention import services
from retention.models import ErasureRecord, RetentionRule, SweepRun
from subjects.models import DataSubject, Engagement
from tests import factories as f
from tests.retention_support import rule_for, table_texts

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 6, 1)


def test_dry_run_counts_and_samples_but_changes_nothing():
    activity = f.ProcessingActivityFactory()
    rule = rule_for(activity)
    due = [
        f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                            last_contact_on=date(2021, 1, 1)).subject
        for _ in range(3)
    ]
    f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                        last_contact_on=date(2023, 1, 1))
    held = f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                               last_contact_on=date(2021, 1, 1)).subject
    f.LegalHoldFactory(subject=held)
    shared = f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                                 last_contact_on=date(2021, 1, 1)).subject
    f.EngagementFactory(subject=shared, last_contact_on=date(2024, 5, 1))  # another activity still needs them
    before = table_texts()
    rows = (DataSubject.history.count(), Engagement.objects.count(), ErasureRecord.objects.count())

    run = services.sweep_run(as_of=AS_OF, dry_run=True)

    assert run.dry_run and run.status == SweepRun.Status.SUCCEEDED
    counts = run.counts[str(rule.pk)]
    assert (counts["due"], counts["held"], counts["erased"], counts["detached"]) == (4, 1, 3, 1)
    assert sorted(run.sample[str(rule.pk)]) == sorted([s.pk for s in due] + [shared.pk])
    assert (DataSubject.history.count(), Engagement.objects.count(), ErasureRecord.objects.count()) == rows
    after = table_texts()
    assert after.pop("retention_sweeprun") and not before.pop("retention_sweeprun")  # the run's own row only
    assert after == before
    assert set(DataSubject.objects.values_list("state", flat=True)) == {DataSubject.State.ACTIVE}


def test_dry_run_of_a_restrict_then_erase_rule_counts_each_step():
    activity = f.ProcessingActivityFactory()
    rule = rule_for(activity, trigger=RetentionRule.Trigger.RELATIONSHIP_ENDED, period_amount=1,
                    action=RetentionRule.Action.RESTRICT_THEN_ERASE, second_period_amount=2)
    for ended in (date(2020, 1, 1), date(2022, 1, 1), date(2024, 1, 1)):  # past both, past the first, neither
        f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                            relationship_ended_on=ended)

    counts = services.sweep_run(as_of=AS_OF, dry_run=True).counts[str(rule.pk)]

    assert (counts["due"], counts["erased"], counts["restricted"]) == (2, 1, 1)
    assert not ErasureRecord.objects.exists()


def test_a_preview_runs_beside_an_acting_sweep():
    SweepRun.objects.create(as_of=AS_OF, status=SweepRun.Status.RUNNING)
    assert services.sweep_run(as_of=AS_OF, dry_run=True).status == SweepRun.Status.SUCCEEDED
