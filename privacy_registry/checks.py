"""Register checks: what is missing or wrong in the record of processing activities.

A registry in the manner of Django's system-check framework (django/core/checks/registry.py). A check
is a function that takes a `Scope` (the whole register, one organisation, or one activity) and returns
`Finding`s. The register's own checks are below; apps above the register (retention, consent, rights)
add theirs from their `AppConfig.ready()` with `register(...)`, so the register never imports them.

Every check runs a fixed number of queries, whatever the size of the register: it selects the gaps
set-wise (filters, `Exists`, unions) and never queries per row. Checks over the same table share one
query per run (`Scope.rows`), each rule annotated as a flag on the rows that break any of them. The
dashboard, each activity's page and `manage.py registry_check` all run the same checks, so they cannot
disagree.

The checks read activities in force (status active): a retired activity no longer processes, and a
draft is work in progress. On one activity's own page a draft is read too, so its gaps show before it
goes live.
"""
from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import (
    DataSubjectCategory,
    LegalBasis,
    Organisation,
    ProcessingActivity,
    Purpose,
    Recipient,
    System,
    Transfer,
    Vendor,
)
from .translated import blank

if TYPE_CHECKING:
    from django.utils.functional import Promise


class Severity(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Info")

    @property
    def rank(self) -> int:
        """Most serious first when sorting."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(Severity)}


@dataclass(frozen=True)
class Finding:
    """One gap in the register, pointing at the record to fix."""

    check_id: str
    severity: Severity
    message: str
    organisation_id: int | None
    model_label: str
    object_pk: int | str
    admin_url: str = ""
    object_repr: str = ""
    activity_id: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR

    def sort_key(self) -> tuple:
        return (self.severity.rank, self.check_id, self.model_label, self.object_pk)


def admin_change_url(record: models.Model, templates: dict[str, str] | None = None) -> str:
    """The record's change page in the admin, or "" for a model the admin does not show.

    `templates` caches, per model, the URL reversed once with a placeholder for the pk: a run that reports
    thousands of records formats the pk in rather than resolving the URL pattern again for each."""
    meta = record._meta
    name = f"admin:{meta.app_label}_{meta.model_name}_change"
    if templates is None or not isinstance(record.pk, int):
        try:
            return reverse(name, args=[record.pk])
        except NoReverseMatch:
            return ""
    if name not in templates:
        try:
            templates[name] = reverse(name, args=[_PK_PLACEHOLDER]).replace(_PK_PLACEHOLDER, "{pk}")
        except NoReverseMatch:
            templates[name] = ""
    template = templates[name]
    return template.format(pk=record.pk) if template else ""


_PK_PLACEHOLDER = "PRIVACYREGISTRYPK"


@dataclass(frozen=True)
class Scope:
    """What a check looks at: the whole register, one organisation, or one activity."""

    organisation: Organisation | None = None
    activity: ProcessingActivity | None = None
    check: Check | None = field(default=None, compare=False)
    # Row sets that several checks read, loaded once per run (see `rows`), shared by the run's checks.
    loaded: dict[str, list] = field(default_factory=dict, compare=False, repr=False)

    def activities(self) -> QuerySet[ProcessingActivity]:
        """The activities in force within the scope (the one activity on its own page, unless retired)."""
        # Ordered by pk: the default ordering joins the organisation, and findings are sorted afterwards.
        qs = ProcessingActivity.objects.order_by("pk")
        if self.organisation is not None:
            qs = qs.filter(organisation=self.organisation)
        if self.activity is not None:
            return qs.filter(pk=self.activity.pk).exclude(status=ProcessingActivity.Status.RETIRED)
        return qs.filter(status=ProcessingActivity.Status.ACTIVE)

    def controller_activities(self) -> QuerySet[ProcessingActivity]:
        """Art. 30(1) records: purposes, legal bases and retention are the controller's to state."""
        return self.activities().filter(record_type=ProcessingActivity.RecordType.CONTROLLER)

    def rows(self, key: str, load: Callable[[], Iterable]) -> list:
        """`load()`'s rows, queried once per run however many checks ask: checks that read the same
        table share one query, which keeps a page that runs every check within its query budget."""
        if key not in self.loaded:
            self.loaded[key] = list(load())
        return self.loaded[key]

    def finding(
        self,
        record: models.Model,
        message: str,
        *,
        organisation_id: int | None,
        activity_id: int | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of the check being run, about `record`: of the check's severity, or of a milder one
        where the check tells a lesser variant of its gap apart (R008: a DPA stated but not on file)."""
        if self.check is None:
            raise ImproperlyConfigured("Scope.finding() is for checks run through the registry.")
        if severity is not None and Severity(severity).rank < self.check.severity.rank:
            raise ImproperlyConfigured(f"Check {self.check.id} may not report above its own severity.")
        return Finding(
            check_id=self.check.id,
            severity=Severity(severity) if severity is not None else self.check.severity,
            message=message,
            organisation_id=organisation_id,
            model_label=record._meta.label_lower,
            object_pk=record.pk,
            admin_url=admin_change_url(record, self.loaded.setdefault("admin_url_templates", {})),
            object_repr=str(record),
            activity_id=activity_id,
        )


CheckFunction = Callable[[Scope], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    id: str
    severity: Severity  # the most serious it reports; a milder variant of the gap may report less
    title: str | Promise
    function: CheckFunction

    def run(self, scope: Scope) -> list[Finding]:
        own = Scope(organisation=scope.organisation, activity=scope.activity, check=self, loaded=scope.loaded)
        return list(self.function(own))


class CheckRegistry:
    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}

    def register(
        self, check_id: str, *, severity: Severity, title: str | Promise
    ) -> Callable[[CheckFunction], CheckFunction]:
        """Decorator: `@register("R001", severity=Severity.ERROR, title=_("…"))` over `def check(scope)`.

        Registering the same function under the same id again is a no-op, so a `ready()` that runs twice
        is harmless; another function under a taken id is a mistake and raises.
        """

        def inner(function: CheckFunction) -> CheckFunction:
            existing = self._checks.get(check_id)
            if existing is not None and existing.function is not function:
                raise ImproperlyConfigured(f"Register check id {check_id!r} is already taken by {existing.function!r}.")
            self._checks[check_id] = Check(id=check_id, severity=Severity(severity), title=title, function=function)
            return function

        return inner

    def unregister(self, check_id: str) -> None:
        self._checks.pop(check_id, None)

    def get_checks(self) -> list[Check]:
        return [self._checks[k] for k in sorted(self._checks)]

    def run_checks(
        self, *, organisation: Organisation | None = None, activity: ProcessingActivity | None = None
    ) -> list[Finding]:
        """All findings in the scope, ordered by organisation, severity, check id and record."""
        scope = Scope(organisation=organisation, activity=activity)
        findings = [f for check in self.get_checks() for f in check.run(scope)]
        return sorted(findings, key=lambda f: (f.organisation_id is None, f.organisation_id or 0, *f.sort_key()))


registry = CheckRegistry()
register = registry.register
unregister = registry.unregister
get_checks = registry.get_checks
run_checks = registry.run_checks


# --- helpers -----------------------------------------------------------------------------------------


def _breaking_any(queryset: QuerySet, rules: dict[str, Q]) -> QuerySet:
    """The rows that break at least one rule, each rule's verdict annotated under its name."""
    flags = {name: ExpressionWrapper(rule, output_field=BooleanField()) for name, rule in rules.items()}
    return queryset.annotate(**flags).filter(reduce(operator.or_, (Q(**{name: True}) for name in rules)))


def _uses_by_organisation(pairs: Iterable[tuple[int, int]]) -> dict[int, set[int]]:
    uses: dict[int, set[int]] = defaultdict(set)
    for record_pk, organisation_id in pairs:
        uses[record_pk].add(organisation_id)
    return uses


def _shared_record_findings(
    scope: Scope,
    records: Iterable[models.Model],
    uses: dict[int, set[int]],
    message: Callable[[models.Model], str],
    severity: Callable[[models.Model], Severity | None] = lambda record: None,
) -> Iterable[Finding]:
    """For records several organisations share (vendors, subject categories): one finding per organisation
    that uses the record. Over the whole register an unused record is still reported, outside any
    organisation, since it is a gap the day someone starts using it."""
    activity_id = scope.activity.pk if scope.activity is not None else None
    for record in records:
        organisation_ids = sorted(uses.get(record.pk, ()))
        if not organisation_ids and scope.organisation is None and scope.activity is None:
            organisation_ids = [None]
        for organisation_id in organisation_ids:
            yield scope.finding(
                record, message(record), organisation_id=organisation_id, activity_id=activity_id,
                severity=severity(record),
            )


# --- activities: R001, R010, R011, R012 share one query ----------------------------------------------


def _activity_gaps(scope: Scope) -> list[ProcessingActivity]:
    def load() -> QuerySet[ProcessingActivity]:
        # Purposes and retention are for the controller to state (Art. 30(1)); a processor's record
        # (Art. 30(2)) has neither.
        controller = Q(record_type=ProcessingActivity.RecordType.CONTROLLER)
        dpia_done = [ProcessingActivity.DpiaStatus.COMPLETED, ProcessingActivity.DpiaStatus.PRIOR_CONSULTATION]
        activities = scope.activities().annotate(has_purpose=Exists(Purpose.objects.filter(activity=OuterRef("pk"))))
        return _breaking_any(activities, {
            "no_purpose": controller & Q(has_purpose=False),
            "review_overdue": Q(review_date__lt=timezone.localdate()),
            "no_retention_statement": controller & blank("retention_statement"),
            "dpia_open": Q(dpia_required=ProcessingActivity.DpiaRequired.YES) & ~Q(dpia_status__in=dpia_done),
        }).only("pk", "name", "organisation_id", "review_date")

    return scope.rows("activity_gaps", load)


def _activity_finding(scope: Scope, activity: ProcessingActivity, message: str, **params: object) -> Finding:
    return scope.finding(
        activity, message % {"activity": activity.name, **params},
        organisation_id=activity.organisation_id, activity_id=activity.pk,
    )


@register("R001", severity=Severity.ERROR, title=_("Activity without a purpose"))
def activity_without_purpose(scope: Scope) -> Iterable[Finding]:
    message = gettext("“%(activity)s” states no purpose (Art. 5(1)(b), 30(1)(b)).")
    for activity in _activity_gaps(scope):
        if activity.no_purpose:
            yield _activity_finding(scope, activity, message)


@register("R010", severity=Severity.WARNING, title=_("Review overdue"))
def review_overdue(scope: Scope) -> Iterable[Finding]:
    message = gettext("“%(activity)s” was due for review on %(date)s.")
    for activity in _activity_gaps(scope):
        if activity.review_overdue:
            yield _activity_finding(scope, activity, message, date=activity.review_date.isoformat())


@register("R011", severity=Severity.WARNING, title=_("No retention period stated"))
def no_retention_statement(scope: Scope) -> Iterable[Finding]:
    # Only that a period is stated: whether it is enforceable (a rule with a start point) is the
    # retention app's check, plugged in from there.
    message = gettext("“%(activity)s” states no retention period (Art. 5(1)(e), 30(1)(f)).")
    for activity in _activity_gaps(scope):
        if activity.no_retention_statement:
            yield _activity_finding(scope, activity, message)


@register("R012", severity=Severity.WARNING, title=_("DPIA required but not completed"))
def dpia_not_completed(scope: Scope) -> Iterable[Finding]:
    message = gettext("“%(activity)s” requires a DPIA (Art. 35) that is not completed.")
    for activity in _activity_gaps(scope):
        if activity.dpia_open:
            yield _activity_finding(scope, activity, message)


# --- purposes: R002–R005 share one query -------------------------------------------------------------


def _activities_with_data(**category_filter) -> QuerySet:
    """The ids of activities that process data of the kind, as an uncorrelated subquery: the database
    reads it once (a hashed set) rather than once per purpose, as a correlated `Exists` would, which on
    PostgreSQL also priced the query high enough to be JIT-compiled, at more than its run time."""
    through = ProcessingActivity.data_categories.through
    return through.objects.filter(
        **{f"personaldatacategory__{k}": v for k, v in category_filter.items()}
    ).values("processingactivity_id")


def _purpose_gaps(scope: Scope) -> list[Purpose]:
    def load() -> QuerySet[Purpose]:
        purposes = Purpose.objects.filter(activity__in=scope.controller_activities())
        special, criminal = _activities_with_data(is_special=True), _activities_with_data(is_criminal=True)
        return (
            _breaking_any(purposes, {
                "no_legal_basis": Q(legal_basis="", legal_basis_not_stated=False),
                "basis_not_stated": Q(legal_basis="", legal_basis_not_stated=True),
                "no_lia": Q(legal_basis=LegalBasis.LEGITIMATE_INTERESTS, lia_completed_on__isnull=True, lia_link=""),
                "no_article9_condition": Q(activity_id__in=special, article9_condition=""),
                "no_article10_basis": Q(activity_id__in=criminal, article10_basis=""),
            })
            .select_related("activity")
            .only("description", "activity__name", "activity__organisation_id")
            .order_by("pk")
        )

    return scope.rows("purpose_gaps", load)


def _purpose_finding(scope: Scope, purpose: Purpose, message: str) -> Finding:
    return scope.finding(
        purpose, message % {"purpose": purpose.description, "activity": purpose.activity.name},
        organisation_id=purpose.activity.organisation_id, activity_id=purpose.activity_id,
    )


@register("R002", severity=Severity.ERROR, title=_("Purpose without a legal basis recorded"))
def purpose_without_legal_basis(scope: Scope) -> Iterable[Finding]:
    message = gettext(
        "Purpose “%(purpose)s” of “%(activity)s” has no legal basis recorded (Art. 6(1)): record the basis, or "
        "mark that the organisation states none."
    )
    for purpose in _purpose_gaps(scope):
        if purpose.no_legal_basis:
            yield _purpose_finding(scope, purpose, message)


@register("R016", severity=Severity.ERROR, title=_("Purpose whose legal basis the organisation does not state"))
def purpose_basis_not_stated(scope: Scope) -> Iterable[Finding]:
    """The register knows the answer: the notice is silent. That is the organisation's gap (Art. 6(1), 13(1)(c)),
    not a field left to fill in, so it is reported apart from R002."""
    message = gettext(
        "Purpose “%(purpose)s” of “%(activity)s”: the organisation states no legal basis (Art. 6(1), 13(1)(c)). "
        "Determine one and say it in the notice."
    )
    for purpose in _purpose_gaps(scope):
        if purpose.basis_not_stated:
            yield _purpose_finding(scope, purpose, message)


@register("R003", severity=Severity.WARNING, title=_("Legitimate interests without an assessment"))
def legitimate_interests_without_assessment(scope: Scope) -> Iterable[Finding]:
    message = gettext(
        "Purpose “%(purpose)s” of “%(activity)s” relies on legitimate interests (Art. 6(1)(f)) "
        "with no legitimate-interests assessment on file."
    )
    for purpose in _purpose_gaps(scope):
        if purpose.no_lia:
            yield _purpose_finding(scope, purpose, message)


@register("R004", severity=Severity.ERROR, title=_("Special-category data without an Art. 9(2) condition"))
def special_category_without_condition(scope: Scope) -> Iterable[Finding]:
    message = gettext(
        "“%(activity)s” processes special-category data (Art. 9), but its purpose “%(purpose)s” "
        "names no Art. 9(2) condition."
    )
    for purpose in _purpose_gaps(scope):
        if purpose.no_article9_condition:
            yield _purpose_finding(scope, purpose, message)


@register("R005", severity=Severity.ERROR, title=_("Criminal-offence data without an Art. 10 basis"))
def criminal_data_without_basis(scope: Scope) -> Iterable[Finding]:
    message = gettext(
        "“%(activity)s” processes data on criminal convictions or offences, but its purpose “%(purpose)s” "
        "names no Art. 10 authority."
    )
    for purpose in _purpose_gaps(scope):
        if purpose.no_article10_basis:
            yield _purpose_finding(scope, purpose, message)


# --- transfers: R006, R007 and R014 share one query -------------------------------------------------


def _transfer_gaps(scope: Scope) -> list[Transfer]:
    def load() -> QuerySet[Transfer]:
        M = Transfer.Mechanism
        unnamed = Q(destination__isnull=True)
        # Transfer.needs_safeguard as a condition: a destination not named (nothing shows it is safe), or one
        # neither in the EEA nor under an adequacy decision for everyone.
        needs_safeguard = unnamed | (
            Q(destination__is_eea=False)
            & ~Q(destination__has_adequacy=True, destination__adequacy_needs_certification=False)
        )
        # An adequacy decision for certified recipients only (EU-US DPF) covers a certified vendor.
        certification_decision = Q(
            destination__isnull=False, destination__has_adequacy=True, destination__adequacy_needs_certification=True
        )
        transfers = Transfer.objects.filter(activity__in=scope.activities()).annotate(
            certified=Coalesce("vendor__dpf_certified", Value(False))
        )
        return (
            _breaking_any(transfers, {
                "no_safeguard": needs_safeguard & Q(mechanism="") & ~(certification_decision & Q(certified=True)),
                "safeguard_not_stated": needs_safeguard & Q(mechanism__in=[M.NOT_STATED, M.PROVIDER_TERMS])
                & ~(certification_decision & Q(certified=True)),
                "eea_destination": Q(destination__is_eea=True),
                # No adequacy decision can be shown to cover a country that is not named.
                "adequacy_not_covering": Q(mechanism__in=[M.ADEQUACY, M.DPF]) & (
                    unnamed
                    | Q(destination__is_eea=False, destination__has_adequacy=False)
                    | Q(destination__adequacy_needs_certification=True, certified=False)
                    | Q(mechanism=M.DPF, destination__adequacy_needs_certification=False)
                ),
                "destination_unnamed": unnamed,
            })
            .select_related("activity", "destination", "vendor")
            .order_by("pk")
        )

    return scope.rows("transfer_gaps", load)


def _transfer_params(transfer: Transfer) -> dict[str, str]:
    """`where`: the country, or the destination as stated; with the recipient in brackets when one is named."""
    if transfer.destination is not None:
        country = transfer.destination.name
    else:
        country = gettext("a destination not named (“%(as_stated)s”)") % {
            "as_stated": transfer.destination_description or gettext("nothing stated"),
        }
    recipient = transfer.vendor.name if transfer.vendor_id else transfer.international_organisation
    return {
        "activity": transfer.activity.name, "country": country, "recipient": recipient,
        "where": f"{country} ({recipient})" if recipient else country,
    }


def _transfer_finding(scope: Scope, transfer: Transfer, message: str) -> Finding:
    return scope.finding(
        transfer, message % _transfer_params(transfer),
        organisation_id=transfer.activity.organisation_id, activity_id=transfer.activity_id,
    )


@register("R006", severity=Severity.ERROR, title=_("Third-country transfer without a safeguard"))
def transfer_without_safeguard(scope: Scope) -> Iterable[Finding]:
    message = gettext(
        "“%(activity)s” transfers data to %(where)s with no safeguard recorded "
        "(Art. 46 safeguard, certification or Art. 49 derogation)."
    )
    for transfer in _transfer_gaps(scope):
        if transfer.no_safeguard:
            yield _transfer_finding(scope, transfer, message)


@register("R017", severity=Severity.ERROR, title=_("Third-country transfer with no safeguard stated"))
def transfer_safeguard_not_stated(scope: Scope) -> Iterable[Finding]:
    """Apart from R006 (nothing recorded yet): here the notice is silent, or leaves it to the provider's own terms."""
    message = gettext(
        "“%(activity)s” transfers data to %(where)s and the organisation states no safeguard (or only the "
        "provider's own terms): name the Art. 46 safeguard, certification or Art. 49 derogation relied on."
    )
    for transfer in _transfer_gaps(scope):
        if transfer.safeguard_not_stated:
            yield _transfer_finding(scope, transfer, message)


@register("R018", severity=Severity.WARNING, title=_("Transfer recorded to an EEA country"))
def transfer_to_eea_country(scope: Scope) -> Iterable[Finding]:
    """Data sent within the EEA is no transfer under Chapter V: such a row (saved before validation refused it)
    is reported so it is removed or its destination corrected, and the exports never call it an adequacy transfer."""
    message = gettext(
        "“%(activity)s” records a transfer to %(where)s, which is in the EEA: that is not a third-country "
        "transfer (Chapter V). Remove it or correct the destination."
    )
    for transfer in _transfer_gaps(scope):
        if transfer.eea_destination:
            yield _transfer_finding(scope, transfer, message)


@register("R007", severity=Severity.ERROR, title=_("Transfer relies on an adequacy decision that does not cover it"))
def transfer_adequacy_not_covering(scope: Scope) -> Iterable[Finding]:
    certified_only = gettext(
        "“%(activity)s” relies on the adequacy decision for %(country)s, which covers certified "
        "organisations only, but %(recipient)s is not recorded as certified."
    )
    no_decision = gettext(
        "“%(activity)s” relies on an adequacy decision or certification for %(country)s "
        "that does not exist or does not apply (Art. 45)."
    )
    unnamed = gettext(
        "“%(activity)s” relies on an adequacy decision or certification for %(country)s: "
        "no decision can be shown to cover a country that is not named (Art. 45)."
    )
    for transfer in _transfer_gaps(scope):
        if transfer.adequacy_not_covering:
            if transfer.destination is None:
                message = unnamed
            else:
                message = certified_only if transfer.destination.adequacy_needs_certification else no_decision
            yield _transfer_finding(scope, transfer, message)


@register("R014", severity=Severity.WARNING, title=_("Transfer destination not named"))
def transfer_destination_not_named(scope: Scope) -> Iterable[Finding]:
    """Art. 30(1)(e) asks for the third country by name. A transfer recorded as the organisation states it
    (“hosting providers in several countries”) is kept, and R006 judges its safeguard; this says what to find out."""
    message = gettext(
        "“%(activity)s” transfers data to %(where)s: name the third country (Art. 30(1)(e)), "
        "so the safeguard can be judged against it."
    )
    for transfer in _transfer_gaps(scope):
        if transfer.destination_unnamed:
            yield _transfer_finding(scope, transfer, message)


@register("R013", severity=Severity.WARNING, title=_("Data in a third country without a transfer recorded"))
def third_country_without_transfer(scope: Scope) -> Iterable[Finding]:
    """A recipient in, or a system hosted in, a country outside the EEA, while the activity records no
    transfer there (Art. 30(1)(e) lists every transfer, adequacy or not; R006 then judges its safeguard).
    A transfer whose destination is not named covers no named country: naming it (R014) clears both."""
    activities = scope.activities()
    message = gettext(
        "“%(activity)s” sends data to %(country)s through %(via)s, but records no transfer there (Art. 30(1)(e))."
    )
    recorded = Transfer.objects.filter(activity_id=OuterRef("activity_id"), destination_id=OuterRef("country_id"))
    recipients = (
        Recipient.objects.filter(~Exists(recorded), activity__in=activities, country__is_eea=False)
        .values_list("activity_id", "activity__name", "activity__organisation_id", "country__name",
                     Coalesce("vendor__name", "description"))
        .order_by("activity_id", "pk")
    )
    # One filter() call, so the hosting-country join is the same one the Exists and the columns read.
    through = ProcessingActivity.systems.through
    hosted = (
        through.objects.filter(
            ~Exists(Transfer.objects.filter(
                activity_id=OuterRef("processingactivity_id"), destination_id=OuterRef("system__hosting_countries")
            )),
            processingactivity__in=activities, system__hosting_countries__is_eea=False,
        )
        .values_list("processingactivity_id", "processingactivity__name", "processingactivity__organisation_id",
                     "system__hosting_countries__name", "system__name")
        .order_by("processingactivity_id", "system_id")
    )
    seen: set[tuple[int, str]] = set()
    for activity_id, activity_name, organisation_id, country_name, via in [*recipients, *hosted]:
        if (activity_id, country_name) in seen:  # one finding per activity and country is enough to act on
            continue
        seen.add((activity_id, country_name))
        activity = ProcessingActivity(pk=activity_id, name=activity_name, organisation_id=organisation_id)
        yield scope.finding(
            activity, message % {"activity": activity_name, "country": country_name, "via": via},
            organisation_id=organisation_id, activity_id=activity_id,
        )


# --- shared records: vendors (R008) and subject categories (R009) ------------------------------------


def _vendor_uses(scope: Scope) -> QuerySet:
    """(vendor, organisation) pairs of direct use, as one UNION query: the scope's recipients and
    transfers, and the systems the organisation (or, on an activity's page, the activity) runs."""
    activities = scope.activities()
    recipients = Recipient.objects.filter(activity__in=activities, vendor__isnull=False)
    transfers = Transfer.objects.filter(activity__in=activities, vendor__isnull=False)
    if scope.activity is not None:
        systems = System.objects.filter(activities__in=activities, vendor__isnull=False)
    elif scope.organisation is not None:
        systems = System.objects.filter(organisation=scope.organisation, vendor__isnull=False)
    else:
        systems = System.objects.filter(vendor__isnull=False)
    # rewrite(False): a translated model's values_list selects its columns in set order (django-modeltranslation
    # puts them back in order per row, but a UNION pairs columns by position), so these parts stay plain queries.
    return (
        recipients.rewrite(False).order_by().values_list("vendor_id", "activity__organisation_id")
        .union(transfers.rewrite(False).order_by().values_list("vendor_id", "activity__organisation_id"))
        .union(systems.order_by().values_list("vendor_id", "organisation_id"))
    )


def _vendor_gaps(scope: Scope) -> list[Vendor]:
    """Vendors that break R008 or R015, each rule's verdict annotated: one query for both checks."""
    def load() -> QuerySet[Vendor]:
        return _breaking_any(Vendor.objects.all(), {
            "no_dpa": Q(role__in=[Vendor.Role.PROCESSOR, Vendor.Role.SUB_PROCESSOR], dpa_signed_on__isnull=True,
                        dpa_url="", dpa_document=""),
            "role_not_stated": Q(role=Vendor.Role.NOT_STATED),
        }).only("pk", "name", "role", "engaged_by_id", "dpa_in_place").order_by("pk")

    return scope.rows("vendor_gaps", load)


def _vendor_uses_by_organisation(scope: Scope) -> dict[int, set[int]]:
    """`_vendor_uses` per vendor, queried once per run for every check that asks."""
    return scope.rows("vendor_uses", lambda: [_uses_by_organisation(_vendor_uses(scope))])[0]


@register("R008", severity=Severity.ERROR, title=_("Processor without a data processing agreement on file"))
def processor_without_dpa(scope: Scope) -> Iterable[Finding]:
    """No DPA on file (Vendor.has_dpa): an error; a warning when the organisation states one exists
    (`dpa_in_place`), since the contract is then missing from the file rather than, as far as is known, at all."""
    candidates = [v for v in _vendor_gaps(scope) if v.no_dpa]
    direct = _vendor_uses_by_organisation(scope)
    # A sub-processor handles the data of everyone its engaging vendor serves, however deep the chain:
    # walk it in memory over the vendors that engage others (one query, a short list).
    engaged_by = dict(
        Vendor.objects.filter(sub_processors__isnull=False).order_by().values_list("pk", "engaged_by_id").distinct()
    )
    uses: dict[int, set[int]] = {}
    for vendor in candidates:
        organisations, seen, link = set(direct.get(vendor.pk, ())), {vendor.pk}, vendor.engaged_by_id
        while link is not None and link not in seen:
            seen.add(link)
            organisations |= direct.get(link, set())
            link = engaged_by.get(link)
        uses[vendor.pk] = organisations

    missing = gettext(
        "%(role)s “%(vendor)s” has no data processing agreement on file (Art. 28(3)): "
        "no signing date, document or link."
    )
    not_on_file = gettext(
        "%(role)s “%(vendor)s”: a data processing agreement is stated to be in place, but no copy or date is "
        "on file (Art. 28(3), 28(9)): add the signing date, document or link."
    )

    def message(vendor: Vendor) -> str:
        text = not_on_file if vendor.dpa_in_place else missing
        return text % {"role": vendor.get_role_display(), "vendor": vendor.name}

    def severity(vendor: Vendor) -> Severity:
        return Severity.WARNING if vendor.dpa_in_place else Severity.ERROR

    yield from _shared_record_findings(scope, candidates, uses, message, severity)


@register("R009", severity=Severity.WARNING, title=_("Minimum age without an age check"))
def minimum_age_without_check(scope: Scope) -> Iterable[Finding]:
    candidates = DataSubjectCategory.objects.filter(blank("age_check"), minimum_age__isnull=False)
    through = ProcessingActivity.subject_categories.through
    uses = _uses_by_organisation(
        through.objects.filter(processingactivity__in=scope.activities(), datasubjectcategory__in=candidates)
        .values_list("datasubjectcategory_id", "processingactivity__organisation_id")
        .distinct()
    )

    def message(category: DataSubjectCategory) -> str:
        return gettext(
            "“%(category)s” has a minimum age of %(age)d but does not say how age is checked."
        ) % {"category": category.name, "age": category.minimum_age}

    yield from _shared_record_findings(scope, candidates.only("pk", "name", "minimum_age"), uses, message)


@register("R015", severity=Severity.WARNING, title=_("Vendor whose role is not stated"))
def vendor_role_not_stated(scope: Scope) -> Iterable[Finding]:
    """A vendor the organisation's notice names without saying what it is (processor, independent controller…).
    It is never treated as a processor (no "no DPA" error, no "Processor" in an export): determine its role."""
    candidates = [v for v in _vendor_gaps(scope) if v.role_not_stated]
    uses = _vendor_uses_by_organisation(scope)
    message = gettext(
        "The role of “%(vendor)s” is not stated: determine whether it is a processor (Art. 28), an independent "
        "or a joint controller, and record it."
    )
    yield from _shared_record_findings(scope, candidates, uses, lambda vendor: message % {"vendor": vendor.name})
