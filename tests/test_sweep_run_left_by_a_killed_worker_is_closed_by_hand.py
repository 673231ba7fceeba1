"""Recovery, as the README says it: a run killed with its worker stays "running" until the broker redelivers the
task (up to CELERY_VISIBILITY_TIMEOUT); running ``manage.py retention_sweep`` by hand closes it at once on
PostgreSQL (nobody holds the sweep's advisory lock any more, so the row is known to be stale), also when approval
is required and no preview is waiting, and elsewhere once it is older than RETENTION_SWEEP_STALE_AFTER_HOURS."""
from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from retention.models import ErasureRecord, SweepRun
from tests import factories as f
from tests.retention_support import ci_uses_postgresql, on_postgresql, rule_for

pytestmark = pytest.mark.django_db
only_postgresql = pytest.mark.skipif(not ci_uses_postgresql(),
                                     reason="the advisory lock tells a dead run at once only on PostgreSQL")


@pytest.fixture
def killed():
    """A subject due, and the row of an acting run whose worker was killed a few minutes ago."""
    activity = f.ProcessingActivityFactory()
    rule_for(activity)
    f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                        last_contact_on=date(2020, 1, 1))
    run = SweepRun.objects.create(as_of=timezone.localdate(), status=SweepRun.Status.RUNNING)
    SweepRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(minutes=5))
    return run


def _by_hand(*args) -> str:
    out = StringIO()
    call_command("retention_sweep", *args, stdout=out)
    return out.getvalue()


@only_postgresql
def test_running_the_sweep_by_hand_closes_the_killed_run_at_once_and_sweeps(killed):
    assert on_postgresql()

    output = _by_hand()

    killed.refresh_from_db()
    assert killed.status == SweepRun.Status.FAILED and killed.finished_at is not None
    assert "interrupted" in killed.error
    assert "Another sweep is running" not in output
    assert SweepRun.objects.exclude(pk=killed.pk).get().status == SweepRun.Status.SUCCEEDED
    assert ErasureRecord.objects.count() == 1


@only_postgresql
def test_it_is_closed_also_when_approval_is_required_and_nothing_is_approved(killed, settings):
    settings.RETENTION_REQUIRE_APPROVAL = True

    output = _by_hand()

    assert "no approved preview is waiting" in output
    killed.refresh_from_db()
    assert killed.status == SweepRun.Status.FAILED and "interrupted" in killed.error
    assert not ErasureRecord.objects.exists()


def test_a_killed_run_older_than_the_stale_hours_is_closed_on_any_database(killed, settings):
    settings.RETENTION_SWEEP_STALE_AFTER_HOURS = 1
    SweepRun.objects.filter(pk=killed.pk).update(started_at=timezone.now() - timedelta(hours=2))

    _by_hand()

    killed.refresh_from_db()
    assert killed.status == SweepRun.Status.FAILED
    assert ErasureRecord.objects.count() == 1
