"""How a vendor is told to erase someone: e-mail to its privacy contact (the default), a signed JSON webhook, or
HubSpot's GDPR delete endpoint.

What a notice holds: our reference, the system's and vendor's names, the erasure date, and the person's id *in
the vendor's own system*, which the vendor already holds and needs to find them. Never their e-mail, name or
anything else we hold. Errors name a status code or an exception class, never a response body (it may echo the
id). Each notifier raises ``NotifierError``: transient (time-outs, 5xx, 429) is retried, anything else is not.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from privacy_registry.models import System

from .models import ErasureChannel

SENT = "sent"  # delivered; the vendor still has to confirm
CONFIRMED = "confirmed"  # the vendor's API carried out the deletion itself
SIGNATURE_HEADER = "X-Privacy-Registry-Signature"


@dataclass(frozen=True)
class Notice:
    reference: str
    system: str
    vendor: str
    external_id: str
    erased_on: date
    reminder: bool = False


class NotifierError(Exception):
    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


def notify(channel: str, notice: Notice, *, system: System) -> str:
    if channel == ErasureChannel.WEBHOOK:
        config = getattr(system, "erasure_channel", None)
        return webhook_notify(notice, url=config.webhook_url if config else "")
    if channel == ErasureChannel.HUBSPOT:
        return hubspot_notify(notice)
    vendor = system.vendor
    return email_notify(notice, recipient=vendor.privacy_contact_email if vendor else "")


# --- e-mail -------------------------------------------------------------------------------------------------


def email_notify(notice: Notice, *, recipient: str) -> str:
    if not recipient:
        raise NotifierError("the vendor has no privacy contact e-mail", transient=False)
    words = {"reference": notice.reference, "system": notice.system, "vendor": notice.vendor,
             "external_id": notice.external_id, "date": notice.erased_on.isoformat()}
    subject = (_("Reminder: erasure request %(reference)s") if notice.reminder
               else _("Erasure request %(reference)s")) % words
    body = _(
        "Dear %(vendor)s privacy team,\n\n"
        "On %(date)s we erased a data subject at their request or at the end of our retention period. Under "
        "Art. 17(2) and 19 GDPR we ask you to erase the personal data you process for us about the same person.\n\n"
        "System: %(system)s\n"
        "Their id in your system: %(external_id)s\n"
        "Our reference: %(reference)s\n\n"
        "Please reply quoting our reference once the data is erased.\n"
    ) % words
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    except OSError as exc:  # smtplib's errors are OSErrors: the mail server may be back later
        raise NotifierError(f"mail not sent ({type(exc).__name__})", transient=True) from exc
    return SENT


# --- HTTP ---------------------------------------------------------------------------------------------------


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "Accept": "application/json", **headers,
    })
    try:
        with urllib.request.urlopen(request, timeout=settings.PROCESSOR_ERASURE_TIMEOUT_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        transient = exc.code >= 500 or exc.code == 429
        raise NotifierError(f"HTTP {exc.code}", transient=transient) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise NotifierError(f"no answer ({type(exc).__name__})", transient=True) from exc


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_payload(notice: Notice) -> dict[str, Any]:
    return {
        "type": "erasure_request",
        "reference": notice.reference,
        "system": notice.system,
        "external_id": notice.external_id,
        "erased_on": notice.erased_on.isoformat(),
        "reminder": notice.reminder,
    }


def webhook_notify(notice: Notice, *, url: str) -> str:
    secret = settings.PROCESSOR_ERASURE_WEBHOOK_SECRET
    if not url or not secret:
        raise NotifierError("webhook URL or PROCESSOR_ERASURE_WEBHOOK_SECRET not set", transient=False)
    body = json.dumps(webhook_payload(notice), sort_keys=True).encode()
    _post(url, body, {SIGNATURE_HEADER: sign(body, secret)})
    return SENT


HUBSPOT_GDPR_DELETE_PATH = "/crm/v3/objects/contacts/gdpr-delete"


def hubspot_notify(notice: Notice) -> str:
    """HubSpot's GDPR delete: the contact, its history and its e-mail address are removed on their side."""
    token = settings.HUBSPOT_ACCESS_TOKEN
    if not token:
        raise NotifierError("HUBSPOT_ACCESS_TOKEN not set", transient=False)
    body = json.dumps({"objectId": notice.external_id, "idProperty": settings.HUBSPOT_ID_PROPERTY}).encode()
    _post(settings.HUBSPOT_API_BASE.rstrip("/") + HUBSPOT_GDPR_DELETE_PATH, body,
          {"Authorization": f"Bearer {token}"})
    return CONFIRMED
