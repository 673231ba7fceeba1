"""Access and portability exports: built by a task, held server-side, delivered once through a download link
that expires, and deleted as they are handed over."""
from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from .. import exports, mail
from ..models import Outcome, RequestExport, RequestToken, RequestType, RightsRequest, Status
from .common import Kind, _event, _in_language, _save, public_url
from .receipts import _mail_quietly
from .tokens import _token_consume, _token_create

logger = logging.getLogger(__name__)


def export_build(*, request_id: int) -> bool:
    """Build the access / portability export, keep it server-side, mail a single-use download link, complete.

    The Celery task's body. False when the request is not waiting for an export (a redelivered task).
    """
    with transaction.atomic():
        request = (
            RightsRequest.objects.select_for_update(of=("self",)).select_related("organisation", "subject")
            .filter(pk=request_id, status=Status.IN_PROGRESS, type__in=[RequestType.ACCESS, RequestType.PORTABILITY])
            .first()
        )
        if request is None or request.subject is None:
            return False
        with translation.override(mail.language_of(request)):
            filename, content = exports.export_zip(subject=request.subject, request=request)
        RequestExport.objects.filter(request=request).delete()
        RequestExport.objects.create(
            request=request, filename=filename, content=content, size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        raw = _token_create(request=request, purpose=RequestToken.Purpose.DOWNLOAD,
                            lifetime=timedelta(days=settings.RIGHTS_DOWNLOAD_LINK_DAYS))
        _event(request, Kind.EXPORT_READY, note=f"{len(content)} bytes")
        address = request.email
        link = public_url("download", organisation=request.organisation.slug, token=raw)
        if address:
            transaction.on_commit(partial(
                _mail_quietly, request.pk, "export_ready", address,
                {"link": link, "days": settings.RIGHTS_DOWNLOAD_LINK_DAYS},
            ))
        _complete_export(request)
    logger.info("rights request %s: export of %s bytes ready", request_id, len(content))
    return True


def _complete_export(request: RightsRequest) -> None:
    request.status = Status.COMPLETED
    request.outcome = Outcome.DONE
    request.response = _in_language(request, gettext_lazy(
        "A copy of your data was sent to you as a download link that works once."
    ))
    request.closed_at = timezone.now()
    _event(request, Kind.COMPLETED, note=Outcome.DONE)
    _save(request, actor=None, reason="completed (export)", fields=["status", "outcome", "response", "closed_at"])


def export_open(*, raw: str) -> tuple[str, bytes] | None:
    """The export behind a download link: (file name, ZIP bytes), once; None when reused, expired or tampered.

    The export is deleted as it is handed over: the link is single-use, and a copy of everything held on the
    person is not kept longer than it takes to deliver it.
    """
    if not raw or len(raw) > 200:
        return None
    with transaction.atomic():
        token = _token_consume(raw=raw, purpose=RequestToken.Purpose.DOWNLOAD)
        if token is None:
            return None
        export = RequestExport.objects.select_for_update().filter(request_id=token.request_id).first()
        if export is None:
            return None
        filename, content = export.filename, bytes(export.content)
        export.delete()
        _event(token.request, Kind.EXPORT_DOWNLOADED)
    logger.info("rights request %s: export downloaded", token.request_id)
    return filename, content

