"""The completeness report of the privacy notice: what the DPO must still find out before the notice says it all.

Design note.
- Two sources, one report. The notice's own items (Art. 13 and 14, and the ePrivacy cookie table) are read here from
  the register as ``consent.notice`` reads it; the register's errors are what ``manage.py registry_check`` reports for
  the organisation (``privacy_registry.selectors.register_findings``, the same checks the dashboard runs), so the
  two cannot disagree. Warnings stay on the dashboard: the report holds what must be fixed or acknowledged.
- One line per thing to do. The same missing item of many purposes or activities ("whether providing the data is
  required", across 44 purposes) is one ``Gap`` whose ``places`` name each of them, with a link to the record to
  change where the admin has one; a register check is one line (its title) with a place per finding.
- Each thing is said once: where a register error and a notice item are about the same record (a purpose without a
  legal basis, a transfer without a safeguard, an activity without a purpose), the register's line keeps it, since
  it names the record and the fix.
- Publishing keeps the report with the version (``NoticeVersion.gaps``, a list of ``Gap.as_dict()``). Rows written
  before the grouping hold ``where`` as one string; ``Gap.from_dict`` reads both.
"""
from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from privacy_registry import law
from privacy_registry.checks import Finding, Severity, admin_change_url, get_checks
from privacy_registry.models import LegalBasis, Organisation, PrivacyContact
from privacy_registry.selectors import register_findings

from .models import ConsentPurpose, Cookie
from .notice import REQUIRED_PROVISION, RIGHT_LABELS, _activities, _stated_rights, law_gives

# Register checks that say, about the same record, what a notice item says: the register's line keeps the record.
SAME_AS_NOTICE_ITEM = {"R001": "purposes", "R002": "basis", "R016": "basis", "R006": "safeguard",
                       "R017": "safeguard"}


class Place(NamedTuple):
    """One purpose, activity or record a gap concerns, and its admin page ("" where the admin has none)."""

    text: str
    url: str = ""


@dataclass(frozen=True)
class Gap:
    """One line of the report: an item (``article``, ``item``) missing in every one of ``places``.

    ``check`` is the register check's id for a line ``registry_check`` reports ("" for the notice's own items)."""

    article: str
    item: str
    places: tuple[Place, ...] = ()
    check: str = ""

    @property
    def where(self) -> tuple[str, ...]:
        return tuple(place.text for place in self.places)

    @property
    def count(self) -> int:
        return len(self.places)

    def as_dict(self) -> dict[str, Any]:
        """As kept with a published version (JSON): strings only, links left out (they are the admin's, not the
        version's)."""
        return {"article": str(self.article), "item": str(self.item), "where": [str(p) for p in self.where],
                "check": self.check}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Gap:
        """A stored line, grouped (``where`` a list) or written before the grouping (``where`` one string)."""
        where = data.get("where") or []
        if isinstance(where, str):
            where = [where]
        return cls(article=data.get("article", ""), item=data.get("item", ""),
                   places=tuple(Place(str(text)) for text in where), check=data.get("check", ""))


@dataclass
class _Collector:
    """Gathers (line, place) pairs in order and groups them: a line's places in the order first met, each once."""

    lines: OrderedDict[tuple[str, str, str], list[Place]] = field(default_factory=OrderedDict)
    urls: dict[str, str] = field(default_factory=dict)  # per-model admin URL templates, shared (admin_change_url)
    # (topic, model label, pk) of records the register checks report: said there, not again as a notice item.
    reported: set[tuple[str, str, Any]] = field(default_factory=set)

    def add(self, article: str, item: str, place: Place | None = None, *, check: str = "") -> None:
        places = self.lines.setdefault((article, str(item), check), [])
        if place is not None and place not in places:
            places.append(place)

    def place(self, text: str, record=None) -> Place:
        return Place(text, admin_change_url(record, self.urls) if record is not None else "")

    def gaps(self) -> list[Gap]:
        return [Gap(article, item, tuple(places), check) for (article, item, check), places in self.lines.items()]


def completeness(organisation: Organisation, *, findings: Iterable[Finding] | None = None) -> list[Gap]:
    """The report: the register's errors for the organisation (one line per check), then every Art. 13/14 item the
    register leaves empty (one line per item, naming every place it is missing in).

    ``findings`` are the register's findings for the organisation when the caller has run the checks already."""
    org = Organisation.objects.select_related("country").get(pk=organisation.pk)
    report = _Collector()
    if findings is None:
        findings = register_findings(organisation=org)
    _register_errors(report, [f for f in findings if f.is_error and f.organisation_id == org.pk])
    _notice_items(report, org)
    return report.gaps()


def _article(text: str) -> str:
    """The article a check's message cites: its bracketed "(Art. …)", else every "Art. n" it names."""
    start = text.find("(Art. ")
    if start >= 0:
        depth = 0
        for end in range(start, len(text)):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                return text[start + 1:end]
    return ", ".join(OrderedDict.fromkeys(re.findall(r"Art\. \d+(?:\(\w+\))*", text)))


def _register_errors(report: _Collector, findings: list[Finding]) -> None:
    titles = {check.id: check.title for check in get_checks()}
    articles: dict[str, str] = {}
    for finding in sorted(findings, key=Finding.sort_key):
        if finding.severity != Severity.ERROR:
            continue
        article = articles.setdefault(finding.check_id, _article(finding.message) or _article(
            str(titles.get(finding.check_id, ""))))
        report.add(article, titles.get(finding.check_id, finding.check_id),
                   Place(finding.message, finding.admin_url), check=finding.check_id)
        if topic := SAME_AS_NOTICE_ITEM.get(finding.check_id):
            report.reported.add((topic, finding.model_label, finding.object_pk))


def _notice_items(report: _Collector, org: Organisation) -> None:
    activities = _activities(org)
    contacts = list(PrivacyContact.objects.filter(organisation=org))
    add, here = report.add, report.place
    at_org = here(org.name, org)

    def said(topic: str, record) -> bool:
        return (topic, record._meta.label_lower, record.pk) in report.reported

    def purpose_place(activity, purpose) -> Place:
        return here(_("%(activity)s: “%(purpose)s”") % {"activity": activity.name, "purpose": purpose.description},
                    purpose)

    if not org.postal_address:
        add("Art. 13(1)(a)", _("The controller's address"), at_org)
    if not (org.email or org.phone or any(c.email or c.phone for c in contacts)):
        add("Art. 13(1)(a)", _("The controller's contact details (e-mail or phone)"), at_org)
    if not any(c.role == PrivacyContact.Role.DPO and (c.email or c.phone or c.postal_address or c.url)
               for c in contacts):
        add("Art. 13(1)(b)", _("The data protection officer's contact details, where one is designated"), at_org)
    if org.country_id and not org.country.is_eea and not org.representative_id:
        add("Art. 13(1)(a), 27", _("The representative in the EU"), at_org)
    if not activities:
        add("Art. 13(1)(c)", _("Any processing activity in force"), at_org)
    for activity in activities:
        at_activity = here(activity.name, activity)
        purposes = list(activity.purposes.all())
        if not purposes and not said("purposes", activity):
            add("Art. 13(1)(c)", _("Purposes"), at_activity)
        for purpose in purposes:
            if not purpose.legal_basis:
                if not said("basis", purpose):
                    add("Art. 13(1)(c)", _("The legal basis of a purpose"), purpose_place(activity, purpose))
            elif (purpose.legal_basis == LegalBasis.LEGITIMATE_INTERESTS
                  and not (purpose.legitimate_interest or purpose.legal_basis_detail)):  # as the notice reads it
                add("Art. 13(1)(d)", _("The legitimate interest pursued"), purpose_place(activity, purpose))
        if not activity.recipients.all():
            add("Art. 13(1)(e)", _("Recipients (or that there are none)"), at_activity)
        for transfer in activity.transfers.all():
            if transfer.mechanism in ("", "not_stated") and not said("safeguard", transfer):
                add("Art. 13(1)(f)", _("The safeguard of a transfer outside the EU/EEA"),
                    here(f"{activity.name}: {transfer}", activity))
        rules = list(activity.retention_rules.all())
        if not rules and not activity.retention_statement:
            add("Art. 13(2)(a)", _("How long the data is kept"), at_activity)
        elif any(not (rule.has_start and rule.period is not None) and not rule.statement for rule in rules):
            # The notice says "not stated" for such a rule: the period is missing, not just unenforced.
            add("Art. 13(2)(a)", _("How long the data is kept (a retention rule states neither a period nor a text)"),
                at_activity)
        if not activity.data_categories.all():
            add("Art. 14(1)(d)", _("The categories of personal data"), at_activity)
        sources = list(activity.sources.all())
        if not sources:
            add("Art. 14(2)(f)", _("Where the data comes from"), at_activity)
        if any(s.kind == s.Kind.SUBJECT for s in sources):
            for purpose in purposes:
                if not purpose.provision_requirement:
                    add("Art. 13(2)(e)", _("Whether providing the data is required, and what happens if not"),
                        purpose_place(activity, purpose))
                elif (purpose.provision_requirement in REQUIRED_PROVISION
                      and not purpose.consequence_of_not_providing):
                    add("Art. 13(2)(e)", _("What happens if data that must be provided is not provided"),
                        purpose_place(activity, purpose))
        joint = list(activity.joint_controllers.all())
        if joint and not activity.joint_arrangement:
            add("Art. 26(2)", _("The essence of the arrangement between the joint controllers"), at_activity)
        for other in [*joint, *activity.other_controllers.all()]:
            if not (other.email or other.phone or other.postal_address):
                add("Art. 13(1)(a)", _("The contact details of another controller"), here(other.name, other))
        if activity.automated_decision_making and not activity.automated_logic:
            add("Art. 13(2)(f)", _("The logic of the automated decisions"), at_activity)
        for category in activity.subject_categories.all():
            if category.minimum_age and not category.age_check:
                add("Art. 8", _("How a minimum age is checked"), here(category.name, category))
    stated = _stated_rights(org)
    if not stated:
        add("Art. 13(2)(b)", _("How the organisation offers each right (channel, deadline, fee): the register states "
                               "none, so the notice lists the rights the GDPR gives"), at_org)
    else:
        # The rights the GDPR gives for these purposes (privacy_registry.law, as the notice says them), and the
        # right to complain whatever the purposes.
        expected = [key for key in law.RIGHTS if key == "complaint" or law_gives(activities, key)]
        for key in expected:
            if key not in stated:
                add("Art. 13(2)(b)-(d)", _("Whether and how the organisation offers a right"),
                    here(str(RIGHT_LABELS[key]), org))
    if not org.lead_authority:
        add("Art. 13(2)(d)", _("The lead supervisory authority"), at_org)
    has_cookie_purposes = ConsentPurpose.objects.filter(organisation=org).exclude(cookie_category="").exists()
    cookies = list(Cookie.objects.filter(organisation=org).order_by("category", "name"))
    if has_cookie_purposes and not cookies:
        add("ePrivacy Art. 5(3)", _("The cookie table"), at_org)
    for cookie in cookies:
        if not cookie.retention:
            add("ePrivacy Art. 5(3)", _("How long a cookie is kept"), here(cookie.name, cookie))
