"""Single-use links: a random nonce whose SHA-256 alone is stored, consumed by one conditional UPDATE.

``consumed_at`` is set only where it is still empty and the link unexpired, so two clicks cannot both act. The raw
nonce is returned to the caller that mails it and exists nowhere else."""
from __future__ import annotations

import secrets
from datetime import timedelta

from django.utils import timezone

from ..models import RequestToken, RightsRequest, Status
from .common import _digest


def _token_create(*, request: RightsRequest, purpose: str, lifetime: timedelta) -> str:
    """A new single-use link for ``request``; returns the raw nonce (only the caller, and the e-mail, see it)."""
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    token = RequestToken(request=request, purpose=purpose, digest=_digest(raw), created_at=now,
                         expires_at=now + lifetime)
    token._change_reason = "created"
    token.save()
    return raw


def _token_consume(*, raw: str, purpose: str) -> RequestToken | None:
    now = timezone.now()
    digest = _digest(raw)
    taken = RequestToken.objects.filter(
        digest=digest, purpose=purpose, consumed_at=None, expires_at__gt=now
    ).update(consumed_at=now)
    if taken != 1:
        return None
    return RequestToken.objects.select_related("request").get(digest=digest)


def token_peek(*, raw: str, purpose: str) -> RightsRequest | None:
    """The request of a valid, unexpired, unused link (read-only: for the page a GET shows), else None."""
    if not raw or len(raw) > 200:
        return None
    token = (
        RequestToken.objects.filter(
            digest=_digest(raw), purpose=purpose, consumed_at=None, expires_at__gt=timezone.now()
        )
        .select_related("request__organisation")
        .first()
    )
    if token is None:
        return None
    request = token.request
    if purpose == RequestToken.Purpose.VERIFY and request.status != Status.AWAITING_VERIFICATION:
        return None
    return request

