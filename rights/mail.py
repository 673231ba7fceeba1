"""E-mails to requesters and to the DPO: plain text with a simple HTML alternative, in the reader's language.

Called only from ``rights.services`` after commit (mostly through a Celery task that takes ids). Nothing here
logs an address: logs carry request ids.
"""
from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import RightsRequest

logger = logging.getLogger(__name__)

SUBJECTS = {
    "verify": _("Please confirm your request to %(organisation)s"),
    "received": _("We have received your request (%(organisation)s)"),
    "verified": _("Your request to %(organisation)s is confirmed"),
    "extended": _("More time is needed for your request (%(organisation)s)"),
    "completed": _("Your request to %(organisation)s is completed"),
    "refused": _("Your request to %(organisation)s"),
    "export_ready": _("Your data from %(organisation)s is ready to download"),
}
KINDS = tuple(SUBJECTS)


def language_of(request: RightsRequest) -> str:
    """The requester's language when the product speaks it, else the default."""
    known = {code for code, _name in settings.LANGUAGES}
    code = (request.language or "").split("-")[0].lower()
    return code if code in known else settings.LANGUAGE_CODE


def _send(*, subject: str, to: list[str], template: str, context: dict[str, Any]) -> None:
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    message.send()


def requester_mail(*, request: RightsRequest, kind: str, to: str, extra: dict[str, Any] | None = None) -> None:
    """Send the ``kind`` e-mail about ``request`` to ``to``, in the requester's language."""
    if kind not in SUBJECTS:
        raise ValueError(f"unknown e-mail {kind!r}")
    organisation = request.organisation
    with translation.override(language_of(request)):
        context = {
            "request": request,
            "organisation": organisation,
            "type_label": request.get_type_display(),
            "reference": str(request.public_ref),
            "due_on": request.effective_due_on,
            "authority": organisation.lead_authority,
            **(extra or {}),
        }
        subject = str(SUBJECTS[kind] % {"organisation": organisation.name})
        _send(subject=subject, to=[to], template=f"rights/email/{kind}", context=context)
    logger.info("rights request %s: %s e-mail sent", request.pk, kind)


def digest_mail(*, to: list[str], organisation, rows: list[dict[str, Any]], today) -> None:
    """The DPO's digest of requests due within a week and overdue (ids, rights and dates; no addresses)."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {"organisation": organisation, "rows": rows, "today": today}
        subject = str(_("Rights requests due soon or overdue: %(organisation)s") % {"organisation": organisation.name})
        _send(subject=subject, to=to, template="rights/email/dpo_digest", context=context)
    logger.info("rights digest for organisation %s: %s requests", organisation.pk, len(rows))
