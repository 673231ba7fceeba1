"""Celery tasks of retention: thin, id-only, their retry policy here. The schedule is in privacy_registry/celery.py.

The sweep task takes no arguments (so its payload holds nothing, and no cutoff can be handed to it: it sweeps as
of today, and the service refuses an acting run's cutoff after today without a named override), acknowledges
late (a worker killed mid-run leaves the message to be redelivered; the sweep is idempotent, and the lock makes
a redelivered copy that overlaps a live run record "locked out"), and is never sent with an ETA or countdown.
Its retries back off for less than the broker's visibility timeout, so a waiting retry is never redelivered as a
second copy.

One run per scheduled window: the task works out the time the beat last fired it (``scheduled_window``: the last
``RETENTION_SWEEP_CRON`` time, in ``CELERY_TIMEZONE``), and the service records that window on the run. A task
for a window that has had its run (two beats, a copy redelivered after the run finished, on a worker that runs
them one after the other) records nothing and logs that it skipped; a retry of a failed run goes ahead.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from celery import shared_task
from celery.schedules import crontab
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from . import followups, services
from .models import SweepRun

logger = logging.getLogger(__name__)

_VISIBILITY_TIMEOUT = int(settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600))
RETRY_BACKOFF_MAX = max(1, min(600, _VISIBILITY_TIMEOUT // 2))


class SweepFailed(Exception):
    """Some chunks of the sweep rolled back; a retry (or the next night) picks their subjects up again."""


@shared_task(
    name="retention.sweep",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(SweepFailed, DatabaseError),
    retry_backoff=30,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=3,
)
def sweep() -> int | None:
    """Run the retention sweep as of today for the current scheduled window; returns the SweepRun id, or None when
    the window has had its run (results are not stored)."""
    window = scheduled_window(timezone.now())
    try:
        run = services.sweep_run(window=window)
    except services.SweepSkipped as skipped:
        logger.info("sweep task: skipped, the sweep scheduled for %s has run already (run #%s)",
                    skipped.window.isoformat(), skipped.run_id)
        return None
    if run.status == SweepRun.Status.FAILED:
        raise SweepFailed(f"sweep run {run.pk} failed")
    logger.info("sweep task: run %s %s", run.pk, run.status)
    return run.pk


# How far back the last scheduled time is looked for: a cron line for 29 February fires once in up to eight years.
_WINDOW_LOOKBACK_DAYS = 8 * 366


def scheduled_window(now: datetime) -> datetime | None:
    """The last time at or before ``now`` that ``RETENTION_SWEEP_CRON`` names (to the minute, in CELERY_TIMEZONE):
    the window a sweep task running now belongs to, whichever beat or delivery started it. None for a cron line
    that names no time in the last eight years."""
    schedule = crontab(**settings.RETENTION_SWEEP_SCHEDULE)
    zone = ZoneInfo(settings.CELERY_TIMEZONE)
    local = now.astimezone(zone).replace(second=0, microsecond=0)
    times = sorted(((hour, minute) for hour in schedule.hour for minute in schedule.minute), reverse=True)
    day: date = local.date()
    for _ in range(_WINDOW_LOOKBACK_DAYS):
        # Celery's crontab counts the days of the week from Sunday (0) and needs day and weekday both to match.
        if (day.month in schedule.month_of_year and day.day in schedule.day_of_month
                and day.isoweekday() % 7 in schedule.day_of_week):
            for hour, minute in times:
                fired = datetime.combine(day, time(hour, minute), tzinfo=zone)
                if fired <= local:
                    return fired
        day -= timedelta(days=1)
    return None


@shared_task(
    name="retention.processor_erasure_send",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(followups.SendFailed,),
    # Deterministic doubling (no jitter): the same wait the service writes into the row's next attempt.
    retry_backoff=followups.BACKOFF_BASE_SECONDS,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=False,
    max_retries=max(0, settings.PROCESSOR_ERASURE_MAX_ATTEMPTS - 1),
)
def processor_erasure_send(followup_id: int) -> str:
    """Tell one vendor about one erasure (a follow-up id); retried with backoff while the vendor is unreachable."""
    return followups.followup_send(followup_id=followup_id)


@shared_task(name="retention.processor_erasures_remind", acks_late=True, ignore_result=True)
def processor_erasures_remind() -> dict[str, int]:
    """The beat's round: remind vendors who have not confirmed, and send what a lost task left pending."""
    return followups.followups_remind()
