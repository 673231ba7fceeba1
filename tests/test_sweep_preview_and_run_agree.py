"""A preview counts what the run will do, through the run's own decision (``selectors.subjects_due_decided``): a
person due in two activities is detached by the first rule and erased by the second, in the preview as in the run.
A run carrying out an approved preview does nothing, and says why, when it would do more than the DPO approved."""
from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from retention import selectors, services
from retention.models import ErasureRecord, SweepRun
from subjects.models import DataSubject, Engagement
from tests import factories as f
from tests.retention_support import rule_for

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 6, 1)
LONG_AGO = date(2020, 1, 1)  # due under a two-year rule on AS_OF
RECENT = date(2024, 5, 1)  # not due
ACTED = ("due", "held", "erased", "anonymised", "restricted", "detached", "kept")


def _engage(subject: DataSubject, activity, last_contact_on: date) -> None:
    f.EngagementFactory(subject=subject, activity=activity, last_contact_on=last_contact_on)


@pytest.fixture
def world():
    """Activities A, B and C with a rule each (A's first). In both A and B, due: ``twice``. Due in A, not due in
    C: ``once``. Only in A, due: ``alone``. Only in B, due: ``b_alone``."""
    organisation = f.OrganisationFactory()
    a, b, c = (f.ProcessingActivityFactory(organisation=organisation) for _ in range(3))
    rules = {name: rule_for(activity) for name, activity in (("a", a), ("b", b), ("c", c))}
    people = {name: f.DataSubjectFactory(organisation=organisation)
              for name in ("twice", "once", "alone", "b_alone")}
    _engage(people["twice"], a, LONG_AGO)
    _engage(people["twice"], b, LONG_AGO)
    _engage(people["once"], a, LONG_AGO)
    _engage(people["once"], c, RECENT)
    _engage(people["alone"], a, LONG_AGO)
    _engage(people["b_alone"], b, LONG_AGO)
    return rules, people


def _counts(run: SweepRun) -> dict[str, dict[str, int]]:
    return {rule_id: {key: counts[key] for key in ACTED} for rule_id, counts in run.counts.items()}


def test_preview_counts_exactly_what_the_run_then_does(world):
    rules, people = world

    preview = services.sweep_run(as_of=AS_OF, dry_run=True)
    run = services.sweep_run(as_of=AS_OF)

    assert run.status == SweepRun.Status.SUCCEEDED
    assert _counts(preview) == _counts(run)
    a, b = run.counts[str(rules["a"].pk)], run.counts[str(rules["b"].pk)]
    assert (a["erased"], a["detached"]) == (1, 2)  # alone erased; twice and once detached
    assert (b["erased"], b["detached"]) == (2, 0)  # twice (nothing needs them any more) and b_alone erased
    assert preview.totals()["erased"] == run.totals()["erased"] == ErasureRecord.objects.count() == 3
    states = dict(DataSubject.objects.values_list("pk", "state"))
    assert states[people["twice"].pk] == states[people["alone"].pk] == DataSubject.State.ERASED
    assert states[people["once"].pk] == DataSubject.State.ACTIVE
    assert list(Engagement.objects.filter(subject=people["once"]).values_list("activity_id", flat=True)) == [
        rules["c"].activity_id]


def test_a_hold_on_the_second_activity_keeps_the_person_in_preview_and_run(world):
    rules, people = world
    f.LegalHoldFactory(subject=None, activity=rules["b"].activity)

    preview = services.sweep_run(as_of=AS_OF, dry_run=True)
    run = services.sweep_run(as_of=AS_OF)

    assert _counts(preview) == _counts(run)
    assert run.counts[str(rules["a"].pk)]["detached"] == 2  # twice stays in the held activity
    assert DataSubject.objects.get(pk=people["twice"].pk).state == DataSubject.State.ACTIVE


def test_two_rules_of_one_activity_count_a_person_once(world):
    rules, people = world
    later = rule_for(rules["a"].activity, trigger="collected_on", period_amount=1)
    Engagement.objects.filter(subject=people["alone"]).update(collected_on=LONG_AGO)

    preview = services.sweep_run(as_of=AS_OF, dry_run=True)
    run = services.sweep_run(as_of=AS_OF)

    assert _counts(preview) == _counts(run)
    assert preview.counts[str(later.pk)]["due"] == 0  # the first rule of the activity took them


@pytest.fixture
def approval(settings, dpo_client):
    settings.RETENTION_REQUIRE_APPROVAL = True
    return dpo_client.user


def test_a_run_keeps_to_the_preview_it_carries_out(world, approval):
    preview = services.sweep_run(as_of=AS_OF, dry_run=True)
    services.sweep_preview_approve(run=preview, actor=approval)

    run = services.sweep_run(as_of=AS_OF)

    assert run.status == SweepRun.Status.SUCCEEDED and run.preview == preview
    assert _counts(run) == _counts(preview)


def test_a_run_that_would_erase_more_than_approved_does_nothing_and_says_why(world, approval):
    rules, people = world
    preview = services.sweep_run(as_of=AS_OF, dry_run=True)
    services.sweep_preview_approve(run=preview, actor=approval)
    # Meanwhile someone else became due in A (an import with an old date), and the person kept by C is not any more.
    _engage(f.DataSubjectFactory(organisation=rules["a"].activity.organisation), rules["a"].activity, LONG_AGO)
    Engagement.objects.filter(subject=people["once"], activity=rules["c"].activity).delete()

    run = services.sweep_run(as_of=AS_OF)

    assert run.status == SweepRun.Status.EXCEEDS_APPROVAL and run.finished_at is not None
    assert f"rule #{rules['a'].pk}: erased 3 > 1" in run.error and f"#{preview.pk}" in run.error
    assert not ErasureRecord.objects.exists()
    assert set(DataSubject.objects.values_list("state", flat=True)) == {DataSubject.State.ACTIVE}
    assert Engagement.objects.count() == 6
    assert run in selectors.sweep_runs_needing_attention(now=timezone.now())  # on the DPO's dashboard


def test_a_person_due_under_a_date_rule_and_an_event_rule_is_counted_as_the_run_does_it():
    """Due in A by date and in B by a recorded event: A's rule detaches them, then B's event erases them (nothing
    needs them any more), in the preview as in the run."""
    today = timezone.localdate()
    organisation = f.OrganisationFactory()
    a, b = (f.ProcessingActivityFactory(organisation=organisation) for _ in range(2))
    date_rule = rule_for(a)
    person = f.DataSubjectFactory(organisation=organisation)
    _engage(person, a, LONG_AGO)
    event = f.RetentionEventFactory(rule__activity=b, subject=person, occurred_on=today, due_on=today)

    preview = services.sweep_run(as_of=today, dry_run=True)
    run = services.sweep_run(as_of=today)

    assert run.status == SweepRun.Status.SUCCEEDED
    assert _counts(preview) == _counts(run)
    assert run.counts[str(date_rule.pk)]["detached"] == 1
    assert run.counts[str(event.rule_id)]["erased"] == 1
    assert DataSubject.objects.get(pk=person.pk).state == DataSubject.State.ERASED
