"""Signed links in consent e-mails: withdraw (per person and purpose, i.e. per consent record) and confirm.

The token is ``django.core.signing`` over the record id and a purpose-specific salt: it carries an id, never an
address, and a tampered or foreign token fails the signature. A withdraw link does not expire (withdrawing must
stay as easy as giving); a confirm link does (``CONSENT_CONFIRM_LINK_DAYS``), and names the wording it
confirms, so a link mailed before the wording changed cannot confirm the new one.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

WITHDRAW_SALT = "consent.withdraw"
CONFIRM_SALT = "consent.confirm"
TOKEN_MAX_LENGTH = 300


def confirm_link_max_age() -> timedelta:
    return timedelta(days=getattr(settings, "CONSENT_CONFIRM_LINK_DAYS", 7))


def withdraw_token(record_id: int) -> str:
    return signing.dumps({"r": int(record_id)}, salt=WITHDRAW_SALT, compress=False)


def withdraw_token_read(token: str) -> int | None:
    """The record id the token names, or None when it is not one of ours."""
    if not 0 < len(token) <= TOKEN_MAX_LENGTH:
        return None
    try:
        data = signing.loads(token, salt=WITHDRAW_SALT)
    except signing.BadSignature:
        return None
    record_id = data.get("r") if isinstance(data, dict) else None
    return record_id if isinstance(record_id, int) else None


def confirm_token(record_id: int, wording_hash: str) -> str:
    return signing.dumps({"r": int(record_id), "w": wording_hash[:16]}, salt=CONFIRM_SALT, compress=False)


def confirm_token_read(token: str) -> tuple[int, str] | None:
    """(record id, wording hash prefix) of a valid, unexpired confirm token; None otherwise."""
    if not 0 < len(token) <= TOKEN_MAX_LENGTH:
        return None
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=confirm_link_max_age())
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int) or not isinstance(data.get("w"), str):
        return None
    return data["r"], data["w"]


def absolute(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{path}"


def withdraw_url(record) -> str:
    return absolute(reverse("consent:withdraw", kwargs={
        "organisation": record.purpose.organisation.slug, "token": withdraw_token(record.pk),
    }))


def confirm_url(record) -> str:
    return absolute(reverse("consent:confirm", kwargs={
        "organisation": record.purpose.organisation.slug,
        "token": confirm_token(record.pk, record.purpose.wording_hash),
    }))
