"""Celery tasks of the consent app: thin, ids only, their retry policy here. The schedule is in
privacy_registry/celery.py. A redelivered mail task sends a mail again only while there is something to confirm.
A mail goes only to a person consent may process (``selectors.records_of_processable_subjects``): one restricted or
erased after the mail was enqueued gets none."""
from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from . import mail, selectors, services
from .models import ConsentRecord

_MAIL_RETRY = {
    "autoretry_for": (OSError, DatabaseError),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
    "ignore_result": True,
}


def _mailable(record_id: int) -> ConsentRecord | None:
    return (selectors.records_of_processable_subjects().select_related("purpose__organisation", "subject")
            .filter(pk=record_id).first())


@shared_task(name="consent.confirmation_mail", **_MAIL_RETRY)
def confirmation_mail(record_id: int) -> bool:
    record = _mailable(record_id)
    if record is None or record.state != ConsentRecord.State.PENDING:
        return False
    return mail.consent_mail(record=record, kind="confirm")


@shared_task(name="consent.ask_again_mail", **_MAIL_RETRY)
def ask_again_mail(record_id: int) -> bool:
    record = _mailable(record_id)
    if record is None or not record.is_stale:
        return False
    return mail.consent_mail(record=record, kind="ask_again")


@shared_task(name="consent.anonymous_events_purge", acks_late=True, ignore_result=True)
def anonymous_events_purge() -> int:
    report = services.anonymous_events_purge()
    return report.events + report.records
