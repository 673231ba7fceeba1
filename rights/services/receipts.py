"""E-mails to the requester at each step, rendered in the requester's language, sent after commit."""
from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import translation

from .. import mail
from ..models import RightsRequest
from .common import Kind, _event

logger = logging.getLogger(__name__)


def receipt_send(*, request_id: int, kind: str) -> bool:
    """Mail the requester the ``kind`` receipt (the Celery task's body). False when there is no address."""
    request = RightsRequest.objects.select_related("organisation").filter(pk=request_id).first()
    if request is None or not request.email:
        return False
    mail.requester_mail(request=request, kind=kind, to=request.email, extra=_receipt_context(request, kind))
    with transaction.atomic():
        _event(request, Kind.MAILED, note=kind)
    return True


def _receipt_context(request: RightsRequest, kind: str) -> dict[str, Any]:
    # The labels are rendered here, so in the requester's language (a worker runs in the default one).
    with translation.override(mail.language_of(request)):
        return {
            "ground": request.get_refusal_ground_display() if request.refusal_ground else "",
            "extension_reason": request.extension_reason,
            "response": request.response,
            "outcome": request.get_outcome_display() if request.outcome else "",
            "verified": request.verified_at is not None,
        }


def _mail_quietly(request_id: int, kind: str, address: str, extra: dict[str, Any] | None = None) -> None:
    request = RightsRequest.objects.select_related("organisation").filter(pk=request_id).first()
    if request is None:
        return
    try:
        mail.requester_mail(request=request, kind=kind, to=address,
                            extra={**_receipt_context(request, kind), **(extra or {})})
    except Exception as exc:  # the work is done and recorded; a lost receipt must not undo it
        logger.warning("rights request %s: %s e-mail failed (%s)", request_id, kind, type(exc).__name__)
        return
    with transaction.atomic():
        _event(request, Kind.MAILED, note=kind)

