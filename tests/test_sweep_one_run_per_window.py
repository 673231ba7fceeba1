"""One sweep per scheduled window, whatever the worker's concurrency: the beat's task carries the time it was
scheduled for (the last RETENTION_SWEEP_CRON time), and a task for a window that has had its run records nothing
and says it skipped. Two beats, or a redelivered task, run one after the other on a worker at --concurrency 1 used
to record two successful runs in the same minute."""
from __future__ import annotations

from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from retention import engine, services, tasks
from retention.models import ErasureRecord, SweepRun
from subjects.models import DataSubject
from tests import factories as f
from tests.retention_support import rule_for

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def due_subject():
    activity = f.ProcessingActivityFactory()
    rule_for(activity)
    return f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                               last_contact_on=date(2019, 1, 1)).subject


@pytest.mark.django_db
def test_two_sweep_tasks_for_one_window_record_one_run_and_the_second_skips(due_subject, caplog):
    now = datetime(2026, 3, 4, 2, 31, tzinfo=STOCKHOLM)  # a minute after the 02:30 beat
    with mock.patch("django.utils.timezone.now", return_value=now):
        first = tasks.sweep.apply().get()
        second = tasks.sweep.apply().get()

    run = SweepRun.objects.get()
    assert run.pk == first and run.status == SweepRun.Status.SUCCEEDED
    assert run.window == datetime(2026, 3, 4, 2, 30, tzinfo=STOCKHOLM)
    assert second is None
    assert "skipped" in caplog.text and f"run #{run.pk}" in caplog.text
    assert ErasureRecord.objects.count() == 1
    assert DataSubject.objects.get(pk=due_subject.pk).state == DataSubject.State.ERASED


@pytest.mark.django_db
def test_a_window_whose_run_failed_is_run_again_and_the_next_window_runs(due_subject):
    window = datetime(2026, 3, 4, 2, 30, tzinfo=STOCKHOLM)
    with mock.patch.object(engine, "subjects_erase", side_effect=RuntimeError("database went away")):
        failed = services.sweep_run(window=window)
    assert failed.status == SweepRun.Status.FAILED

    retry = services.sweep_run(window=window)
    assert retry.status == SweepRun.Status.SUCCEEDED
    with pytest.raises(services.SweepSkipped):
        services.sweep_run(window=window)
    assert services.sweep_run(window=datetime(2026, 3, 5, 2, 30, tzinfo=STOCKHOLM)).status == "succeeded"
    assert services.sweep_run().status == "succeeded"  # by hand, no window: always runs


@pytest.mark.django_db
def test_awaiting_approval_counts_as_the_windows_run(settings, due_subject):
    settings.RETENTION_REQUIRE_APPROVAL = True
    window = datetime(2026, 3, 4, 2, 30, tzinfo=STOCKHOLM)
    assert services.sweep_run(window=window).status == SweepRun.Status.AWAITING_APPROVAL
    with pytest.raises(services.SweepSkipped):
        services.sweep_run(window=window)
    assert SweepRun.objects.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_run_for_a_window():
    window = datetime(2026, 3, 4, 2, 30, tzinfo=STOCKHOLM)
    SweepRun.objects.create(as_of=date(2026, 3, 4), window=window, status=SweepRun.Status.SUCCEEDED)
    with pytest.raises(IntegrityError), transaction.atomic():
        SweepRun.objects.create(as_of=date(2026, 3, 4), window=window, status=SweepRun.Status.RUNNING)


@pytest.mark.parametrize(("cron", "now", "window"), [
    ("30 2 * * *", datetime(2026, 3, 4, 2, 30, 59), datetime(2026, 3, 4, 2, 30)),
    ("30 2 * * *", datetime(2026, 3, 4, 14, 0), datetime(2026, 3, 4, 2, 30)),
    ("30 2 * * *", datetime(2026, 3, 4, 2, 29), datetime(2026, 3, 3, 2, 30)),
    ("15 4 * * 1-5", datetime(2026, 3, 8, 12, 0), datetime(2026, 3, 6, 4, 15)),  # a Sunday: Friday's
    ("*/20 * * * *", datetime(2026, 3, 4, 10, 59), datetime(2026, 3, 4, 10, 40)),
])
def test_the_window_is_the_last_scheduled_time(settings, cron, now, window):
    settings.RETENTION_SWEEP_SCHEDULE = settings_cron(cron)
    assert tasks.scheduled_window(now.replace(tzinfo=STOCKHOLM)) == window.replace(tzinfo=STOCKHOLM)


def settings_cron(line: str) -> dict[str, str]:
    from privacy_registry import settings as settings_module

    return settings_module._cron_fields(line)
