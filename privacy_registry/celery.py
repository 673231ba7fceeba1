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
    # Consent: nightly, delete pseudonymous visitors' consent events older than CONSENT_ANONYMOUS_EVENTS_DAYS.
    sender.conf.beat_schedule["consent-anonymous-events-purge"] = {
        "task": "consent.anonymous_events_purge",
        "schedule": crontab(minute="45", hour="3"),
        "options": {"expires": 12 * 3600},
    }
    # Rights requests: unverified ones lose the address once the link and the grace period are over (hourly);
    # closed ones are minimised after RIGHTS_MINIMISE_AFTER_DAYS (nightly); the DPO gets the digest of requests due
    # within a week and overdue every weekday morning.
    sender.conf.beat_schedule["rights-purge-unverified"] = {
        "task": "rights.purge_unverified",
        "schedule": crontab(minute="41"),
        "options": {"expires": 3600},
    }
    sender.conf.beat_schedule["rights-minimise-closed"] = {
        "task": "rights.minimise_closed",
        "schedule": crontab(minute="10", hour="3"),
        "options": {"expires": 12 * 3600},
    }
    # Requests whose execution was interrupted (a killed worker, a lost export task), in progress longer than
    # RIGHTS_EXECUTION_STALE_AFTER_MINUTES, are carried out again: each was approved, or auto-executed, already, and
    # taking one again recognises what was done.
    sender.conf.beat_schedule["rights-execution-resume"] = {
        "task": "rights.execution_resume",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 15 * 60},
    }
    sender.conf.beat_schedule["rights-dpo-digest"] = {
        "task": "rights.dpo_digest",
        "schedule": crontab(minute="0", hour="7", day_of_week="mon-fri"),
        "options": {"expires": 6 * 3600},
    }
