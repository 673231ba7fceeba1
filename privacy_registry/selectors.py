"""Reads of the register that encode policy. Each returns a QuerySet or plain data in a fixed number
of queries, whatever the size of the register."""
from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from .models import Incident, Organisation, ProcessingActivity, System, Vendor


def _count_of(queryset: QuerySet, field: str = "organisation") -> Coalesce:
    sub = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def organisations_with_counts() -> QuerySet[Organisation]:
    """Each organisation with its activities by status, systems and open incidents (one query)."""
    activities = ProcessingActivity.objects.all()
    return (
        Organisation.objects.select_related("country")
        .annotate(
            activities_active=_count_of(activities.filter(status=ProcessingActivity.Status.ACTIVE)),
            activities_draft=_count_of(activities.filter(status=ProcessingActivity.Status.DRAFT)),
            activities_retired=_count_of(activities.filter(status=ProcessingActivity.Status.RETIRED)),
            systems_count=_count_of(System.objects.all()),
            incidents_open=_count_of(Incident.objects.filter(status=Incident.Status.OPEN)),
        )
        .order_by("name")
    )


def incidents_with_running_clock() -> QuerySet[Incident]:
    """Open breaches that may need notifying and have not been notified: the 72-hour clock runs."""
    return (
        Incident.objects.select_related("organisation")
        .filter(status=Incident.Status.OPEN, authority_notified_at__isnull=True)
        .exclude(risk=Incident.Risk.UNLIKELY)
        .order_by("detected_at")
    )


def recent_changes(*, limit: int = 10) -> QuerySet[LogEntry]:
    return LogEntry.objects.select_related("content_type", "user").order_by("-action_time")[:limit]


def vendor_chain(*, vendor: Vendor) -> QuerySet[Vendor]:
    """A vendor's direct sub-processors, one query."""
    return Vendor.objects.filter(engaged_by=vendor).select_related("country").order_by("name")


def dashboard(*, user) -> dict:
    totals = ProcessingActivity.objects.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(status=ProcessingActivity.Status.ACTIVE)),
    )
    return {
        "organisations": list(organisations_with_counts()),
        "incidents": list(incidents_with_running_clock()[:20]),
        "recent": list(recent_changes()),
        "vendors_without_dpa": Vendor.objects.filter(
            role__in=[Vendor.Role.PROCESSOR, Vendor.Role.SUB_PROCESSOR],
            dpa_signed_on__isnull=True, dpa_url="", dpa_document="",
        ).count(),
        "totals": totals,
    }
