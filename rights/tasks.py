"""Celery tasks of the rights app: thin, ids only, their retry policy here. The schedule is in
privacy_registry/celery.py.

A redelivered task does no harm: a verification mail is sent only while the request awaits verification (a new
link each time; earlier ones simply go unused), an export only while the request waits for one, and the beat
tasks select what is still due. A redelivered ``rights.execute`` (its worker was killed) carries the request out:
the killed run committed nothing, or, for a request left in progress, it is taken again and finished.
"""
from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from . import services
from .models import RightsRequest

_MAIL_RETRY = {
    "autoretry_for": (OSError, DatabaseError),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
    "ignore_result": True,
}


@shared_task(name="rights.verification_mail", **_MAIL_RETRY)
def verification_mail(request_id: int) -> bool:
    return services.verification_send(request_id=request_id)


@shared_task(name="rights.receipt_mail", **_MAIL_RETRY)
def receipt_mail(request_id: int, kind: str) -> bool:
    return services.receipt_send(request_id=request_id, kind=kind)


@shared_task(name="rights.execute", acks_late=True, ignore_result=True)
def execute(request_id: int) -> bool:
    try:
        # The request's own execution: a request this task left in progress (redelivered after its worker was
        # killed) is taken again at once, whatever its age.
        services.request_execute(request=RightsRequest(pk=request_id), resume_after=timedelta(0))
    except ValidationError:  # done already, or waiting for staff after all
        return False
    return True


@shared_task(name="rights.execution_resume", ignore_result=True)
def execution_resume() -> int:
    # Every 15 minutes: requests whose execution was interrupted, in progress past RIGHTS_EXECUTION_STALE_AFTER_MINUTES.
    return services.requests_execution_resume()


@shared_task(name="rights.export_build", **_MAIL_RETRY)
def export_build(request_id: int) -> bool:
    return services.export_build(request_id=request_id)


@shared_task(name="rights.purge_unverified", ignore_result=True)
def purge_unverified() -> int:
    # Hourly: unverified requests' addresses, and exports whose download link has expired.
    return services.requests_purge_unverified() + services.exports_purge_expired()


@shared_task(name="rights.minimise_closed", ignore_result=True)
def minimise_closed() -> int:
    return services.requests_minimise()


@shared_task(name="rights.dpo_digest", ignore_result=True)
def dpo_digest() -> int:
    return services.dpo_digest_send()
