"""Celery tasks of the rights app: thin, ids only, their retry policy here. The schedule is in
privacy_registry/celery.py.

A redelivered task does no harm: a verification mail is sent only while the request awaits verification (a new
link each time; earlier ones simply go unused), an export only while the request waits for one, and the beat
tasks select what is still due.
"""
from __future__ import annotations

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
        services.request_execute(request=RightsRequest(pk=request_id))
    except ValidationError:  # taken already (a redelivered task), or waiting for staff after all
        return False
    return True


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
