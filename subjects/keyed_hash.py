"""Keyed hashes (HMAC-SHA256) of identifiers, and the normalisation that makes two spellings of one
identifier hash alike.

A plain hash of an e-mail address can be reversed by hashing a list of addresses; a keyed hash cannot
without the key, which lives in the environment (``SUPPRESSION_HMAC_KEY``), never in the database. Each
use names its purpose, so a digest made for one purpose (the e-mail suppression list) never equals one
made for another (a scrubbed external id) even for the same text.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import TypeVar

from django.conf import settings

K = TypeVar("K")
_NOT_DIALABLE = re.compile(r"[^\d+]")


def normalise_email(value: str | None) -> str:
    return (value or "").strip().lower()


def normalise_phone(value: str | None) -> str:
    """Digits with a leading "+" for an international number; "00" is read as "+".

    A national number ("070-123 45 67") stays national: without the country it cannot be made
    international, so it matches the same national spelling only. The "(0)" written inside international
    numbers ("+46 (0)70…") is not dialled and is dropped.
    """
    text = _NOT_DIALABLE.sub("", (value or "").replace("(0)", "").strip())
    international = text.startswith("+") or text.startswith("00")
    digits = text.lstrip("+")
    if text.startswith("00"):
        digits = digits[2:]
    digits = digits.replace("+", "")
    if not digits:
        return ""
    return f"+{digits}" if international else digits


def keyed_hash(value: str, *, purpose: str, key: str | None = None) -> str:
    """Hex HMAC-SHA256 of ``value`` for ``purpose`` under the suppression key (or ``key``)."""
    secret = (key if key is not None else settings.SUPPRESSION_HMAC_KEY).encode()
    return _hmac_hex(secret, purpose, value)


def _hmac_hex(secret: bytes, purpose: str, value: str) -> str:
    # hmac.digest: the one-shot C path, several times faster than an HMAC object (a sweep hashes 200,000).
    return hmac.digest(secret, f"{purpose}\x1f{value}".encode(), hashlib.sha256).hex()


# The kinds of identifier on the suppression list (subjects.Suppression.Kind has the same values).
EMAIL = "email"
PHONE = "phone"


def suppression_hash(value: str, *, kind: str = EMAIL) -> str:
    """The keyed hash under which an e-mail address (or, with ``kind="phone"``, a phone number) is suppressed."""
    normalised = normalise_email(value) if kind == EMAIL else normalise_phone(value)
    return keyed_hash(normalised, purpose=f"suppression.{kind}")


def _reserved_invalid(email: str) -> bool:
    # "erased-<id>@invalid" (the pseudonym an erasure leaves) or any address under the reserved ".invalid" TLD.
    domain = email.rpartition("@")[2]
    return domain == "invalid" or domain.endswith(".invalid")


def suppression_digests(*, email: str = "", phone: str = "") -> dict[str, str]:
    """Digest → kind for the identifiers given. Blank ones, and addresses under the reserved ``invalid`` domain
    (the ``erased-<id>@invalid`` pseudonym an erasure leaves), identify nobody and are skipped."""
    return suppression_digests_many({0: (email, phone)})[0]


def suppression_digests_many(identities: Mapping[K, tuple[str | None, str | None]]) -> dict[K, dict[str, str]]:
    """``suppression_digests`` for many people at once (key → (e-mail, phone)): a sweep batch hashes thousands,
    so the key and the purposes are encoded once, each identifier normalised once."""
    secret = settings.SUPPRESSION_HMAC_KEY.encode()
    email_purpose, phone_purpose = f"suppression.{EMAIL}", f"suppression.{PHONE}"
    result: dict[K, dict[str, str]] = {}
    for key, (email, phone) in identities.items():
        digests = {}
        email_n = normalise_email(email)
        if email_n and not _reserved_invalid(email_n):
            digests[_hmac_hex(secret, email_purpose, email_n)] = EMAIL
        phone_n = normalise_phone(phone)
        if phone_n:
            digests[_hmac_hex(secret, phone_purpose, phone_n)] = PHONE
        result[key] = digests
    return result
