"""The beat schedule (code, in privacy_registry/celery.py) runs the sweep nightly, at the time RETENTION_SWEEP_CRON
says; a bad cron line stops start-up. The task is thin and safe to redeliver: no arguments, late acknowledgement,
no ETA, retry backoff below the broker's visibility timeout."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from privacy_registry import settings as settings_module
from privacy_registry.celery import app
from retention import tasks
from retention.models import SweepRun
from tests import factories as f
from tests.retention_support import rule_for


def test_beat_schedule_runs_the_sweep_nightly_by_default():
    entry = app.conf.beat_schedule["retention-sweep"]
    assert entry["task"] == "retention.sweep" == tasks.sweep.name
    assert entry["schedule"] == crontab(minute="30", hour="2")
    assert "args" not in entry and "kwargs" not in entry  # nothing personal in the payload
    assert not {"eta", "countdown"} & set(entry.get("options", {}))


def test_the_schedule_comes_from_the_environment():
    code = (
        "import django; django.setup(); from privacy_registry.celery import app; "
        "s = app.conf.beat_schedule['retention-sweep']['schedule']; print(sorted(s.hour), sorted(s.minute), "
        "sorted(s.day_of_week))"
    )
    env = {**os.environ, "RETENTION_SWEEP_CRON": "15 4 * * 1-5", "DJANGO_SETTINGS_MODULE": "privacy_registry.settings"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
                            cwd=settings.BASE_DIR, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[4] [15] [1, 2, 3, 4, 5]"


@pytest.mark.parametrize("line", ["30 2 * *", "61 2 * * *", "30 25 * * *", "every night"])
def test_a_bad_cron_line_is_refused_at_start(line):
    with pytest.raises(ImproperlyConfigured, match="RETENTION_SWEEP_CRON"):
        settings_module._cron_fields(line)


def test_the_task_acks_late_and_retries_within_the_visibility_timeout():
    task = tasks.sweep
    assert task.acks_late and task.reject_on_worker_lost and task.ignore_result
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    assert task.retry_backoff_max < visibility
    assert tasks.SweepFailed in task.autoretry_for


@pytest.mark.django_db
def test_the_task_runs_the_sweep():
    activity = f.ProcessingActivityFactory()
    rule_for(activity)
    f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                        last_contact_on=date(2019, 1, 1))

    run_id = tasks.sweep.apply().get()

    run = SweepRun.objects.get(pk=run_id)
    assert run.status == SweepRun.Status.SUCCEEDED and run.totals()["erased"] == 1
