"""Reads of the register that encode policy. Each returns a QuerySet or plain data in a fixed number
of queries, whatever the size of the register."""
from __future__ import annotations

from functools import reduce
from operator import or_

from django.contrib.admin.models import LogEntry
from django.db.models import Count, IntegerField, Model, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from . import dashboard as alerts
from .checks import Finding, Severity, run_checks
from .models import Incident, Office, Organisation, ProcessingActivity, Recipient, System, Transfer, Vendor


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


def recent_changes(*, user=None, limit: int = 10) -> QuerySet[LogEntry]:
    """The admin log's latest entries; with ``user``, only entries about models that user may view (a superuser
    sees them all). The permissions come from the user's cached set: no query per model."""
    entries = LogEntry.objects.select_related("content_type", "user").order_by("-action_time")
    if user is not None and not user.is_superuser:
        models = _viewable_models(user)
        if not models:
            return entries.none()
        entries = entries.filter(reduce(or_, (
            Q(content_type__app_label=app_label, content_type__model=model_name) for app_label, model_name in models
        )))
    return entries[:limit]


def _viewable_models(user) -> set[tuple[str, str]]:
    """(app label, model name) of every model ``user`` may view in the admin (view or change permission)."""
    models = set()
    for permission in user.get_all_permissions():
        app_label, _dot, codename = permission.partition(".")
        action, _sep, model_name = codename.partition("_")
        if action in {"view", "change"} and model_name:
            models.add((app_label, model_name))
    return models


def can_view(user, model: type[Model] | str) -> bool:
    """Whether ``user`` may view ``model`` (a class, or its ``app_label.model_name``) in the admin."""
    label = model if isinstance(model, str) else model._meta.label_lower
    app_label, _dot, model_name = label.partition(".")
    return user.has_perm(f"{app_label}.view_{model_name}") or user.has_perm(f"{app_label}.change_{model_name}")


def vendor_chain(*, vendor: Vendor) -> QuerySet[Vendor]:
    """A vendor's direct sub-processors, one query."""
    return Vendor.objects.filter(engaged_by=vendor).select_related("country").order_by("name")


def register_findings(
    *, organisation: Organisation | None = None, activity: ProcessingActivity | None = None
) -> list[Finding]:
    """What is missing or wrong in the register: every registered check, in a fixed number of queries."""
    return run_checks(organisation=organisation, activity=activity)


def findings_by_organisation(
    findings: list[Finding], organisations: list[Organisation], *, limit: int | None = None
) -> list[dict]:
    """Findings grouped per organisation (in the given order; unattached records last), with counts by
    severity keyed by its value and by check id, and `total`.

    With `limit`, each group keeps only its first `limit` findings (most serious first) and says in `more`
    how many it leaves out: the dashboard shows a page's worth and points to `registry_check` for the rest,
    while the counts always cover every finding."""
    groups: dict[int | None, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.organisation_id, []).append(finding)
    result = []
    for organisation in [*organisations, None]:
        key = organisation.pk if organisation is not None else None
        items = groups.get(key)
        if not items:
            continue
        items.sort(key=Finding.sort_key)
        counts = dict.fromkeys((severity.value for severity in Severity), 0)
        by_check: dict[str, int] = {}
        for finding in items:
            counts[finding.severity.value] += 1
            by_check[finding.check_id] = by_check.get(finding.check_id, 0) + 1
        shown = items if limit is None else items[:limit]
        result.append({
            "organisation": organisation, "counts": counts, "counts_by_check": by_check,
            "total": len(items), "findings": shown, "more": len(items) - len(shown),
        })
    return result


DASHBOARD_FINDINGS_PER_ORGANISATION = 50


def dashboard(*, user) -> dict:
    """The admin index for ``user``, built from what they may view: the organisations table (its columns each
    need view permission on what they count), the register's findings about records they may view, open
    breaches (Incident), the admin log about models they may view, and the alerts other apps contribute (each
    source checks its own permission). A staff user with no permission sees none of it."""
    can = {
        "organisation": can_view(user, Organisation),
        "activity": can_view(user, ProcessingActivity),
        "system": can_view(user, System),
        "incident": can_view(user, Incident),
    }
    totals = {"total": 0, "active": 0}
    if can["activity"]:
        totals = ProcessingActivity.objects.aggregate(
            total=Count("pk"),
            active=Count("pk", filter=Q(status=ProcessingActivity.Status.ACTIVE)),
        )
    # The checks run only for a user who may view something; each finding is kept if its record is viewable.
    show_findings = user.is_superuser or bool(_viewable_models(user))
    # Also the headings of the findings, which are grouped per organisation.
    organisations = list(organisations_with_counts()) if can["organisation"] or show_findings else []
    viewable = _finding_filter(user)
    findings = [finding for finding in register_findings() if viewable(finding)] if show_findings else []
    return {
        "alerts": alerts.alerts_for(user=user),
        "can": can,
        "organisations": organisations if can["organisation"] else [],
        "findings": findings_by_organisation(findings, organisations, limit=DASHBOARD_FINDINGS_PER_ORGANISATION),
        "show_findings": show_findings,
        "incidents": list(incidents_with_running_clock()[:20]) if can["incident"] else [],
        "recent": list(recent_changes(user=user)),
        "totals": totals,
    }


def _finding_filter(user):
    """``viewable(finding)``: whether ``user`` may view the record the finding points at (asked once per model)."""
    allowed: dict[str, bool] = {}

    def viewable(finding: Finding) -> bool:
        if finding.model_label not in allowed:
            allowed[finding.model_label] = can_view(user, finding.model_label)
        return allowed[finding.model_label]

    return viewable


def organisations_for_record() -> QuerySet[Organisation]:
    """Organisations as an Art. 30 record's cover page names them: country, representative and privacy
    contacts selected up front (three queries for any number of organisations)."""
    return (
        Organisation.objects.select_related("country", "representative__country", "group", "representative__group")
        .prefetch_related(
            "contacts", "representative__contacts", "stated_rights",
            Prefetch("offices", queryset=Office.objects.select_related("country")),
        )
        .order_by("name")
    )


def activities_for_record(*, organisation: Organisation, include_retired: bool = False) -> QuerySet[ProcessingActivity]:
    """The organisation's processing activities with every row an Art. 30 record reads, prefetched: the number
    of queries is fixed whatever the number of activities (one per relation, never one per row).

    Retired activities are left out unless asked for: the record describes processing that takes place."""
    activities = ProcessingActivity.objects.filter(organisation=organisation)
    if not include_retired:
        activities = activities.exclude(status=ProcessingActivity.Status.RETIRED)
    vendors = ("vendor__country", "vendor__engaged_by", "vendor__company")
    activities = activities.select_related("owner", "reviewer")
    return activities.order_by("record_type", "reference", "name", "pk").prefetch_related(
        "purposes",
        "sources",
        "subject_categories",
        "data_categories",
        "security_measures",
        Prefetch(
            "recipients",
            queryset=Recipient.objects.select_related("country", *vendors).prefetch_related("data_categories"),
        ),
        Prefetch("transfers", queryset=Transfer.objects.select_related(
            "destination", *vendors, "receiving_organisation", "receiving_office__organisation",
            "receiving_office__country",
        )),
        Prefetch(
            "systems",
            queryset=System.objects.select_related(*vendors).prefetch_related("hosting_countries"),
        ),
        Prefetch(
            "joint_controllers",
            queryset=Organisation.objects.select_related(
                "country", "representative__country", "group"
            ).prefetch_related("contacts"),
        ),
        Prefetch(
            "other_controllers",
            queryset=Organisation.objects.select_related("country", "group").prefetch_related("contacts"),
        ),
        Prefetch("incidents", queryset=Incident.objects.order_by("detected_at")),
    )
