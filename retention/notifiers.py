"""How a vendor is told to erase someone, or to restrict processing: e-mail to its privacy contact (the default),
a signed JSON webhook, or HubSpot's GDPR delete endpoint.

What a notice holds: our reference, the system's and vendor's names, the date, what to do (erase or restrict),
and the person's id *in the vendor's own system*, which the vendor already holds and needs to find them. Never
their e-mail, name or anything else we hold. Errors name a status code, an exception class or a setting, never a
response body (it may echo the id) nor a secret. Each notifier raises ``NotifierError``: transient (time-outs,
5xx, 429) is retried, anything else is not.

- Webhook secrets: a channel's ``secret_name`` picks its vendor's secret from PROCESSOR_ERASURE_WEBHOOK_SECRETS
  (environment or file); no name, the shared PROCESSOR_ERASURE_WEBHOOK_SECRET. A name that is not configured
  fails the follow-up at once (not retried: waiting does not configure it), saying which name.
- Restriction (Art. 18, 19): HubSpot has no endpoint that restricts processing of a contact, so a HubSpot
  system's vendor is told by e-mail to its privacy contact instead; a vendor without one fails the follow-up,
  saying so, for a person to tell the vendor by hand.
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
    erased_on: date  # the day of the erasure, or of the restriction
    reminder: bool = False
    restriction: bool = False


class NotifierError(Exception):
    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


HUBSPOT_CANNOT_RESTRICT = ("HubSpot has no restriction endpoint and the vendor has no privacy contact e-mail: "
                           "tell the vendor by hand, then mark confirmed")


def notify(channel: str, notice: Notice, *, system: System) -> str:
    if channel == ErasureChannel.WEBHOOK:
        config = getattr(system, "erasure_channel", None)
        return webhook_notify(notice, url=config.webhook_url if config else "",
                              secret_name=config.secret_name if config else "")
    vendor = system.vendor
    recipient = vendor.privacy_contact_email if vendor else ""
    if channel == ErasureChannel.HUBSPOT and not notice.restriction:
        return hubspot_notify(notice)
    configured = getattr(getattr(system, "erasure_channel", None), "channel", ErasureChannel.EMAIL)
    if notice.restriction and not recipient and configured == ErasureChannel.HUBSPOT:
        raise NotifierError(HUBSPOT_CANNOT_RESTRICT, transient=False)
    return email_notify(notice, recipient=recipient)


# --- e-mail -------------------------------------------------------------------------------------------------


def email_notify(notice: Notice, *, recipient: str) -> str:
    if not recipient:
        raise NotifierError("the vendor has no privacy contact e-mail", transient=False)
    words = {"reference": notice.reference, "system": notice.system, "vendor": notice.vendor,
             "external_id": notice.external_id, "date": notice.erased_on.isoformat()}
    if notice.restriction:
        subject, body = _restriction_email(notice.reminder)
        subject, body = subject % words, body % words
    else:
        subject = (_("Reminder: erasure request %(reference)s") if notice.reminder
                   else _("Erasure request %(reference)s")) % words
        body = _erasure_email() % words
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    except OSError as exc:  # smtplib's errors are OSErrors: the mail server may be back later
        raise NotifierError(f"mail not sent ({type(exc).__name__})", transient=True) from exc
    return SENT


def _erasure_email() -> str:
    return _(
        "Dear %(vendor)s privacy team,\n\n"
        "On %(date)s we erased a data subject at their request or at the end of our retention period. Under "
        "Art. 17(2) and 19 GDPR we ask you to erase the personal data you process for us about the same person.\n\n"
        "System: %(system)s\n"
        "Their id in your system: %(external_id)s\n"
        "Our reference: %(reference)s\n\n"
        "Please reply quoting our reference once the data is erased.\n"
    )


def _restriction_email(reminder: bool) -> tuple[str, str]:
    subject = (_("Reminder: restriction of processing %(reference)s") if reminder
               else _("Restriction of processing %(reference)s"))
    body = _(
        "Dear %(vendor)s privacy team,\n\n"
        "On %(date)s we restricted the processing of a data subject's personal data (Art. 18 GDPR). Under Art. 19 "
        "GDPR we ask you to restrict the processing of the personal data you process for us about the same "
        "person: keep it stored, but do not otherwise process it until we tell you the restriction is lifted.\n\n"
        "System: %(system)s\n"
        "Their id in your system: %(external_id)s\n"
        "Our reference: %(reference)s\n\n"
        "Please reply quoting our reference once processing is restricted.\n"
    )
    return subject, body


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
    if notice.restriction:
        return {
            "type": "restriction_notice",
            "action": "restrict",
            "reference": notice.reference,
            "system": notice.system,
            "external_id": notice.external_id,
            "restricted_on": notice.erased_on.isoformat(),
            "reminder": notice.reminder,
        }
    return {
        "type": "erasure_request",
        "action": "erase",
        "reference": notice.reference,
        "system": notice.system,
        "external_id": notice.external_id,
        "erased_on": notice.erased_on.isoformat(),
        "reminder": notice.reminder,
    }


def webhook_secret(secret_name: str = "") -> str:
    """The secret a channel signs with: its own, by name, or the shared one. Raises a permanent ``NotifierError``
    naming the missing setting or name (never a value)."""
    if secret_name:
        secret = settings.PROCESSOR_ERASURE_WEBHOOK_SECRETS.get(secret_name, "")
        if not secret:
            raise NotifierError(f"webhook secret {secret_name!r} is not configured in "
                                "PROCESSOR_ERASURE_WEBHOOK_SECRETS", transient=False)
        return secret
    if not settings.PROCESSOR_ERASURE_WEBHOOK_SECRET:
        raise NotifierError("PROCESSOR_ERASURE_WEBHOOK_SECRET not set and the channel names no secret",
                            transient=False)
    return settings.PROCESSOR_ERASURE_WEBHOOK_SECRET


def webhook_notify(notice: Notice, *, url: str, secret_name: str = "") -> str:
    if not url:
        raise NotifierError("webhook URL not set", transient=False)
    secret = webhook_secret(secret_name)
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
