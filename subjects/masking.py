"""Masked forms of a name or an e-mail address, for pages that must let staff recognise a person without showing
who it is in full (a confirmation before erasure): "A*** S***", "a***@e***.com".

The mask keeps one letter per word, and of an address the first letter of the mailbox and of the domain and the
top-level domain. Its length is fixed, so it does not tell how long the hidden part was.
"""
from __future__ import annotations

MASK = "***"


def mask_word(word: str) -> str:
    word = word.strip()
    return f"{word[0]}{MASK}" if word else ""


def mask_name(name: str | None) -> str:
    """ "Alice van Smith" -> "A*** v*** S***"."""
    return " ".join(mask_word(part) for part in (name or "").split())


def mask_email(email: str | None) -> str:
    """ "alice@example.com" -> "a***@e***.com"; "alice@mail.example.co.uk" -> "a***@m***.uk"."""
    email = (email or "").strip()
    if not email:
        return ""
    local, at, domain = email.rpartition("@")
    if not at:  # not an address: mask it as one word
        return mask_word(email)
    host, dot, tld = domain.rpartition(".")
    masked_domain = f"{mask_word(host)}.{tld}" if dot and host else mask_word(domain)
    return f"{mask_word(local)}@{masked_domain}"
