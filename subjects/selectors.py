"""Reads about people that encode policy. Each returns a QuerySet that an index can answer.

Search compares ``lower(email)`` (and lower-cased names) so the functional indexes of DataSubject serve it:
a whole e-mail address is an equality, anything shorter a prefix (on PostgreSQL the ``text_pattern_ops``
indexes of migration 0002 serve ``LIKE 'abc%'``). Nothing here runs ``icontains`` across the table.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from privacy_registry.models import Organisation

from .keyed_hash import normalise_email, suppression_digests
from .models import DataSubject, Suppression

# "a@b.c": a whole address, matched exactly (an index equality on either database).
_WHOLE_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# "#123" or "Subject #123": the number the admin and every log line show.
_SUBJECT_NUMBER = re.compile(r"^(?:subject\s*)?#\s*(\d+)$", re.IGNORECASE)
_MAX_WORDS = 4


def _with_lowered(queryset: QuerySet[DataSubject]) -> QuerySet[DataSubject]:
    return queryset.alias(email_lower=Lower("email"), first_lower=Lower("first_name"), last_lower=Lower("last_name"))


def subjects_search(
    *, term: str, queryset: QuerySet[DataSubject] | None = None, by_email: bool = True
) -> QuerySet[DataSubject]:
    """Subjects matching ``term``: an e-mail address (whole or its beginning), the beginning of a first or
    last name (every word must match one of them), a subject number ("#123") or a public reference.

    ``by_email=False`` (a search sent in a URL, such as the admin's autocomplete) never compares e-mail
    addresses: a term with "@" finds nobody, and words match names only."""
    queryset = DataSubject.objects.all() if queryset is None else queryset
    term = " ".join(term.split())
    if not term:
        return queryset
    number = _SUBJECT_NUMBER.match(term)
    if number:
        return queryset.filter(pk=int(number.group(1)))
    try:
        return queryset.filter(public_ref=uuid.UUID(term))
    except ValueError:
        pass
    lowered = term.lower()
    queryset = _with_lowered(queryset)
    if "@" in lowered and not by_email:
        return queryset.none()
    if _WHOLE_EMAIL.match(lowered):
        return queryset.filter(email_lower=lowered)
    if "@" in lowered:
        return queryset.filter(email_lower__startswith=lowered)
    words = lowered.split(" ")[:_MAX_WORDS]
    condition = Q()
    for word in words:
        condition &= Q(first_lower__startswith=word) | Q(last_lower__startswith=word) | (
            Q(email_lower__startswith=word) if len(words) == 1 and by_email else Q()
        )
    return queryset.filter(condition)


def subjects_by_emails(*, organisation: Organisation, emails: Iterable[str]) -> QuerySet[DataSubject]:
    """The organisation's subjects whose e-mail, in any case, is one of ``emails`` (erased ones excluded)."""
    lowered = {normalise_email(e) for e in emails if e}
    return (
        DataSubject.objects.alias(email_lower=Lower("email"))
        .filter(organisation=organisation, email_lower__in=lowered)
        .exclude(state=DataSubject.State.ERASED)
    )


def subjects_processable(*, queryset: QuerySet[DataSubject] | None = None) -> QuerySet[DataSubject]:
    """Subjects any processing may select: not restricted (Art. 18), not erased."""
    queryset = DataSubject.objects.all() if queryset is None else queryset
    return queryset.filter(state=DataSubject.State.ACTIVE)


def suppressions_matching(*, email: str = "", phone: str = "") -> QuerySet[Suppression]:
    digests = suppression_digests(email=email, phone=phone)
    if not digests:
        return Suppression.objects.none()
    return Suppression.objects.filter(digest__in=list(digests))
