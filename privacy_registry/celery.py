"""The Celery application. The beat schedule is code and lives here, in one place."""
from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacy_registry.settings")

app = Celery("privacy_registry")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Seconds after which a scheduled sweep nobody picked up is dropped: the next night's run does its work, and
# workers coming back after an outage should not run a backlog of sweeps one after the other.
RETENTION_SWEEP_EXPIRES = 12 * 3600


@app.on_after_configure.connect
def _beat_schedule(sender: Celery, **kwargs) -> None:
    # Added once the configuration is read, since the cron line comes from Django's settings.
    sender.conf.beat_schedule["retention-sweep"] = {
        "task": "retention.sweep",
        "schedule": crontab(**settings.RETENTION_SWEEP_SCHEDULE),
        "options": {"expires": RETENTION_SWEEP_EXPIRES},
    }
    # Vendor follow-ups: hourly, remind vendors who have not confirmed an erasure and resend what a lost task left.
    sender.conf.beat_schedule["retention-processor-erasures"] = {
        "task": "retention.processor_erasures_remind",
        "schedule": crontab(minute="17"),
        "options": {"expires": 3600},
    }
