"""The beat's jobs: purge unverified requests and expired exports, minimise closed requests, the DPO's digest.

Purge and minimisation work in chunks of ``chunk_size``, each its own transaction, selected with ``SKIP LOCKED``
and no offset (done rows drop out of the query); a rerun picks up what a killed run left."""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from privacy_registry.models import Organisation, PrivacyContact

from .. import mail, selectors
from ..models import RequestEvent, RequestExport, RequestToken, RightsRequest, Status
from .common import Kind, _scrub_requests

logger = logging.getLogger(__name__)


DIGEST_DAYS = 7
# The beat runs the purge of unverified requests every hour (privacy_registry/celery.py).
PURGE_EVERY_HOURS = 1


def unverified_kept_hours() -> int:
    """How long after it was sent an unverified request keeps the address: the link's life plus the grace period.
    The purge counts from this, and the public form tells the visitor from it (plus the purge's own interval)."""
    return settings.RIGHTS_VERIFY_LINK_HOURS + settings.RIGHTS_UNVERIFIED_GRACE_HOURS


def unverified_deleted_within_hours() -> int:
    """The latest an unconfirmed address is deleted, in hours after the form was sent: what the public page says."""
    return unverified_kept_hours() + PURGE_EVERY_HOURS


def requests_purge_unverified(*, now: datetime | None = None, chunk_size: int = 500) -> int:
    """Unverified requests whose link has expired (plus the grace period) expire and lose the address.

    Chunks of ``chunk_size``, each its own transaction; a rerun picks up what a killed run left.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(hours=unverified_kept_hours())
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                selectors.requests_unverified_stale(cutoff=cutoff).order_by("pk")
                .select_for_update(skip_locked=True).values_list("pk", flat=True)[:chunk_size]
            )
            if not ids:
                break
            _scrub_requests(ids)
            RightsRequest.objects.filter(pk__in=ids).update(status=Status.EXPIRED, closed_at=now, minimised_at=now)
            RequestToken.objects.filter(request_id__in=ids, consumed_at=None).update(consumed_at=now)
            RequestEvent.objects.bulk_create([RequestEvent(request_id=pk, kind=Kind.EXPIRED, at=now) for pk in ids])
        total += len(ids)
        logger.info("rights: %s unverified request(s) expired and purged", len(ids))
        if len(ids) < chunk_size:
            break
    return total


def exports_purge_expired(*, now: datetime | None = None) -> int:
    """Exports whose download link has expired (or was never mailed) are deleted: nobody can fetch them any more."""
    now = now or timezone.now()
    live_link = RequestToken.objects.filter(
        request_id=OuterRef("request_id"), purpose=RequestToken.Purpose.DOWNLOAD, consumed_at=None, expires_at__gt=now
    )
    deleted, _per_model = RequestExport.objects.filter(~Exists(live_link)).delete()
    if deleted:
        logger.info("rights: %s expired export(s) deleted", deleted)
    return deleted


def requests_minimise(*, now: datetime | None = None, chunk_size: int = 500) -> int:
    """Closed requests older than RIGHTS_MINIMISE_AFTER_DAYS keep codes and dates only."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RIGHTS_MINIMISE_AFTER_DAYS)
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                selectors.requests_to_minimise(cutoff=cutoff).order_by("pk")
                .select_for_update(skip_locked=True).values_list("pk", flat=True)[:chunk_size]
            )
            if not ids:
                break
            _scrub_requests(ids)
            RightsRequest.objects.filter(pk__in=ids).update(minimised_at=now)
            RequestEvent.objects.bulk_create([RequestEvent(request_id=pk, kind=Kind.MINIMISED, at=now) for pk in ids])
        total += len(ids)
        logger.info("rights: %s closed request(s) minimised", len(ids))
        if len(ids) < chunk_size:
            break
    return total


def _dpo_addresses(organisation: Organisation) -> list[str]:
    addresses = list(
        PrivacyContact.objects.filter(organisation=organisation, role=PrivacyContact.Role.DPO)
        .exclude(email="").values_list("email", flat=True)
    )
    return addresses or ([settings.RIGHTS_DPO_EMAIL] if settings.RIGHTS_DPO_EMAIL else [])


def dpo_digest_send(*, today: date | None = None) -> int:
    """Mail each organisation's DPO the requests due within 7 days and those overdue; returns the mails sent."""
    today = today or timezone.localdate()
    by_organisation: dict[int, list[RightsRequest]] = {}
    for request in selectors.requests_for_digest(today=today, days=DIGEST_DAYS):
        by_organisation.setdefault(request.organisation_id, []).append(request)
    sent = 0
    for requests in by_organisation.values():
        organisation = requests[0].organisation
        to = _dpo_addresses(organisation)
        if not to:
            logger.warning("rights digest: organisation %s has no DPO address", organisation.pk)
            continue
        rows = [{
            "id": r.pk, "type": r.get_type_display(), "status": r.get_status_display(), "due": r.deadline,
            "days_left": (r.deadline - today).days, "overdue": r.deadline < today,
            "link": settings.PUBLIC_BASE_URL + reverse("admin:rights_rightsrequest_change", args=[r.pk]),
        } for r in requests]
        mail.digest_mail(to=to, organisation=organisation, rows=rows, today=today)
        sent += 1
    return sent

