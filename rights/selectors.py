"""Reads about rights requests that encode policy: what is open, overdue, due soon, stale, a duplicate."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Case, DateField, F, Q, QuerySet, When
from django.db.models.functions import Coalesce

from privacy_registry.models import ProcessingActivity
from subjects.models import DataSubject
from subjects.personal_data import declaration_for
from subjects.selectors import subjects_by_emails
from subjects.services import UPDATABLE_FIELDS

from .models import CLOSED_STATUSES, OPEN_STATUSES, RequestType, RightsRequest, Status


def with_deadline(queryset: QuerySet[RightsRequest] | None = None) -> QuerySet[RightsRequest]:
    """Requests annotated with ``deadline``: the extended due date when there is one, else the due date."""
    queryset = RightsRequest.objects.all() if queryset is None else queryset
    return queryset.annotate(deadline=Coalesce("extended_due_on", "due_on", output_field=DateField()))


def requests_open(*, queryset: QuerySet[RightsRequest] | None = None) -> QuerySet[RightsRequest]:
    queryset = RightsRequest.objects.all() if queryset is None else queryset
    return queryset.filter(status__in=OPEN_STATUSES)


def requests_overdue(*, today: date, queryset: QuerySet[RightsRequest] | None = None) -> QuerySet[RightsRequest]:
    """Open requests whose (extended) due date has passed."""
    return with_deadline(requests_open(queryset=queryset)).filter(deadline__lt=today)


def requests_due_within(*, today: date, days: int) -> QuerySet[RightsRequest]:
    """Open requests due from today up to ``days`` days ahead (not yet overdue)."""
    return with_deadline(requests_open()).filter(deadline__gte=today, deadline__lte=today + timedelta(days=days))


def requests_for_digest(*, today: date, days: int = 7) -> QuerySet[RightsRequest]:
    """What the DPO's digest lists: open requests overdue or due within ``days`` days, most urgent first."""
    return (
        with_deadline(requests_open())
        .filter(deadline__lte=today + timedelta(days=days))
        .select_related("organisation")
        .order_by("organisation_id", "deadline", "pk")
    )


def overdue_q(*, today: date) -> Q:
    """Open and past the (extended) due date, for a queryset annotated by ``with_deadline``."""
    return Q(status__in=OPEN_STATUSES, deadline__lt=today)


def requests_unverified_stale(*, cutoff: datetime) -> QuerySet[RightsRequest]:
    """Unverified requests received before ``cutoff`` (their link has expired, and the grace period too)."""
    return RightsRequest.objects.filter(status=Status.AWAITING_VERIFICATION, received_at__lt=cutoff)


def requests_to_minimise(*, cutoff: datetime) -> QuerySet[RightsRequest]:
    """Closed requests, closed before ``cutoff``, that still hold the requester's words or address."""
    return RightsRequest.objects.filter(status__in=CLOSED_STATUSES, closed_at__lt=cutoff, minimised_at=None)


def execution_stuck_q(*, cutoff: datetime) -> Q:
    """In progress since before ``cutoff`` (or since before the claim was timed) and carried out by the services
    alone: an execution that was interrupted. A rectification in progress waits for staff's correction instead."""
    return (
        Q(status=Status.IN_PROGRESS) & ~Q(type=RequestType.RECTIFICATION)
        & (Q(execution_started_at__lt=cutoff) | Q(execution_started_at=None))
    )


def requests_execution_stuck(*, cutoff: datetime) -> QuerySet[RightsRequest]:
    """Requests whose execution was interrupted (``execution_stuck_q``), oldest claim first."""
    return RightsRequest.objects.filter(execution_stuck_q(cutoff=cutoff)).order_by(
        F("execution_started_at").asc(nulls_first=True), "pk"
    )


def duplicate_of(*, request: RightsRequest, since: datetime) -> RightsRequest | None:
    """The latest earlier verified request by the same person (subject, else address) for the same right."""
    same_person = Q(subject=request.subject) if request.subject_id else Q(email__iexact=request.email or "-")
    return (
        RightsRequest.objects.filter(same_person, organisation=request.organisation_id, type=request.type)
        .filter(received_at__gte=since, verified_at__isnull=False)
        .exclude(pk=request.pk)
        .exclude(status__in=[Status.WITHDRAWN, Status.EXPIRED])
        .order_by("-received_at", "-pk")
        .first()
    )


def subject_candidates(*, request: RightsRequest) -> QuerySet[DataSubject]:
    """The organisation's data subjects with the requester's address (any case), erased ones left out."""
    return subjects_by_emails(organisation=request.organisation, emails=[request.email or ""]).order_by("pk")


def executes_without_staff(request: RightsRequest) -> bool:
    """Whether a verified request can be carried out with no decision by staff (with RIGHTS_AUTO_EXECUTE).

    Rectification needs staff to make the edit; an objection to direct marketing goes ahead once it names the
    person's direct-marketing activities, any other objection needs staff's decision; an unmatched request needs
    someone to look for the person.
    """
    if request.subject_id is None:
        return False
    if request.type == RequestType.RECTIFICATION:
        return False
    if request.type == RequestType.OBJECTION:
        # Direct marketing stops with nothing to weigh (Art. 21(3)) once the person's direct-marketing activities
        # are found; any other objection is weighed against the person's grounds by staff (Art. 21(1)).
        return request.direct_marketing and request.objected_activities.exists()
    return True


def direct_marketing_activities(*, subject: DataSubject) -> QuerySet[ProcessingActivity]:
    """The activities of the subject's organisation that the subject is in and that have a purpose marked as
    direct marketing: what an objection to direct marketing stops (Art. 21(2)-(3))."""
    return (
        ProcessingActivity.objects.filter(
            organisation_id=subject.organisation_id, engagements__subject=subject, purposes__direct_marketing=True,
        )
        .distinct()
        .order_by("pk")
    )


def deadline_order() -> list:
    return [Case(When(extended_due_on__isnull=False, then=F("extended_due_on")), default=F("due_on")).asc(
        nulls_last=True), "pk"]


def rectifiable_fields() -> tuple[str, ...]:
    """The data subject's fields a rectification (Art. 16) corrects: those subjects declares personal (the one
    declaration the erasure engine also reads) that its service can update, in the model's order."""
    declared = declaration_for("subjects.DataSubject")
    personal = set(declared.fields) if declared is not None else set()
    return tuple(
        f.name for f in DataSubject._meta.get_fields()
        if f.name in personal and f.name in UPDATABLE_FIELDS
    )
