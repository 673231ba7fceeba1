"""Celery tasks of retention: thin, id-only, their retry policy here. The schedule is in privacy_registry/celery.py.

The sweep task takes no arguments (so its payload holds nothing, and no cutoff can be handed to it: it sweeps as
of today, and the service refuses an acting run's cutoff after today without a named override), acknowledges
late (a worker killed mid-run leaves the message to be redelivered; the sweep is idempotent, and the lock makes
a redelivered copy that overlaps a live run record "locked out"), and is never sent with an ETA or countdown.
Its retries back off for less than the broker's visibility timeout, so a waiting retry is never redelivered as a
second copy.
"""
from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

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
def sweep() -> int:
    """Run the retention sweep as of today; returns the SweepRun id (results are not stored)."""
    run = services.sweep_run()
    if run.status == SweepRun.Status.FAILED:
        raise SweepFailed(f"sweep run {run.pk} failed")
    logger.info("sweep task: run %s %s", run.pk, run.status)
    return run.pk


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
