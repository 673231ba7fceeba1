"""Reads that encode consent policy: what counts as consent, what is stale, what a report lists."""
from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from privacy_registry.markets import for_language
from privacy_registry.models import LegalBasis, Organisation, Purpose
from subjects.selectors import subjects_processable

from .models import ConsentEvent, ConsentPurpose, ConsentRecord, Cookie, NoticeVersion


def notice_current(*, organisation: Organisation) -> NoticeVersion | None:
    return NoticeVersion.objects.filter(organisation=organisation).order_by("-number").first()


def notice_cookies(*, organisation: Organisation, language: str) -> QuerySet[Cookie]:
    """The cookies the organisation's notice in ``language`` lists: a cookie of some markets only (``languages``)
    in those markets' languages, the others in every one."""
    cookies = Cookie.objects.filter(organisation=organisation).select_related("vendor").order_by("category", "name")
    return for_language(cookies, language)


def notice_consent_purposes(*, organisation: Organisation, language: str) -> QuerySet[ConsentPurpose]:
    """The active consent purposes the organisation asks for in ``language``'s market (``languages``)."""
    return for_language(ConsentPurpose.objects.filter(organisation=organisation, active=True), language)


def records_in_force(*, purpose: ConsentPurpose | None = None) -> QuerySet[ConsentRecord]:
    """Consents that count: given (a double opt-in awaiting confirmation does not)."""
    qs = ConsentRecord.objects.filter(state=ConsentRecord.State.GIVEN)
    return qs.filter(purpose=purpose) if purpose is not None else qs


def records_of_processable_subjects(*, queryset: QuerySet[ConsentRecord] | None = None) -> QuerySet[ConsentRecord]:
    """Consents of people consent may mail or otherwise process (``subjects_processable``): neither restricted
    (Art. 18: kept, and told only what the law requires) nor erased. Visitors' records are not people's."""
    queryset = ConsentRecord.objects.all() if queryset is None else queryset
    return queryset.filter(subject__in=subjects_processable())


def stale_q() -> Q:
    """In force, but agreed to under a wording the purpose no longer has."""
    return Q(state=ConsentRecord.State.GIVEN) & ~Q(wording_hash=F("purpose__wording_hash"))


def records_stale(*, organisation: Organisation | None = None) -> QuerySet[ConsentRecord]:
    qs = ConsentRecord.objects.filter(stale_q())
    return qs.filter(purpose__organisation=organisation) if organisation is not None else qs


def consent_purposes_for_cookies(*, organisation: Organisation) -> dict[str, ConsentPurpose]:
    """Cookie category → the organisation's active consent purpose for it."""
    purposes = ConsentPurpose.objects.filter(organisation=organisation, active=True).exclude(cookie_category="")
    return {p.cookie_category: p for p in purposes}


def purposes_needing_consent_purpose() -> QuerySet[Purpose]:
    """Register purposes whose basis is Art. 6(1)(a) and that no consent purpose covers."""
    return Purpose.objects.filter(legal_basis=LegalBasis.CONSENT, consent_purposes__isnull=True)


def events_for_report(
    *, organisation: Organisation | None = None, purpose: ConsentPurpose | None = None,
    date_from: date | None = None, date_to: date | None = None,
) -> QuerySet[ConsentEvent]:
    """Consent events in a date range (both days included), oldest first, for the CSV report."""
    qs = ConsentEvent.objects.select_related("purpose__organisation", "notice_version").order_by("at", "pk")
    if organisation is not None:
        qs = qs.filter(purpose__organisation=organisation)
    if purpose is not None:
        qs = qs.filter(purpose=purpose)
    tz = timezone.get_current_timezone()
    if date_from is not None:
        qs = qs.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to is not None:
        qs = qs.filter(at__lte=datetime.combine(date_to, time.max, tzinfo=tz))
    return qs
