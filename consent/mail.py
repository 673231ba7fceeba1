"""The product's own consent e-mails: the double opt-in confirmation and "asking again" after a wording change.

Each carries ``List-Unsubscribe`` (the signed withdraw link) and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``
(RFC 8058), so the mail program's own unsubscribe button withdraws the consent with one POST. Called from tasks
that take a record id; logs carry ids, never the address.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import links
from .models import ConsentRecord

logger = logging.getLogger(__name__)

SUBJECTS = {
    "confirm": _("Please confirm: %(purpose)s (%(organisation)s)"),
    "ask_again": _("We have changed what you agreed to: %(purpose)s (%(organisation)s)"),
}


def _language(record: ConsentRecord) -> str:
    known = {code for code, _name in settings.LANGUAGES}
    code = (record.subject.language or "").split("-")[0].lower()
    return code if code in known else settings.LANGUAGE_CODE


def consent_mail(*, record: ConsentRecord, kind: str) -> bool:
    """Send the ``kind`` e-mail about ``record`` to its subject. False when there is no one to send it to."""
    subject = record.subject
    if subject is None or not subject.email or subject.state == subject.State.ERASED:
        return False
    organisation = record.purpose.organisation
    withdraw = links.withdraw_url(record)
    with translation.override(_language(record)):
        context = {
            "organisation": organisation, "purpose": record.purpose, "confirm_url": links.confirm_url(record),
            "withdraw_url": withdraw, "link_days": settings.CONSENT_CONFIRM_LINK_DAYS,
        }
        title = str(SUBJECTS[kind] % {"purpose": record.purpose.name, "organisation": organisation.name})
        text = render_to_string(f"consent/email/{kind}.txt", context)
        html = render_to_string(f"consent/email/{kind}.html", context)
    message = EmailMultiAlternatives(
        title, text, settings.DEFAULT_FROM_EMAIL, [subject.email],
        headers={"List-Unsubscribe": f"<{withdraw}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(html, "text/html")
    message.send()
    logger.info("consent %s: %s e-mail sent", record.pk, kind)
    return True
