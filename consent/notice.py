"""The privacy notice, generated from the register (Art. 13 and 14, and the ICO "right to be informed" list).

Design note.
- Everything the notice says about the organisation comes from the register, the retention rules, the cookie
  inventory and the consent purposes; the fixed wording is Django i18n (English, Swedish, Danish). Register texts
  (purposes, descriptions, statements) are shown as entered: the register has no translations of its own yet.
- Where the register is silent the notice says so ("not stated") rather than guessing: no basis, role, mechanism
  or right is invented. A vendor whose role is not stated is named with "role not stated"; a transfer with no
  safeguard says that none is recorded. Rights come from the GDPR itself (the register does not yet record how
  the organisation offers each one), Art. 22 only where an activity makes automated decisions, withdrawal of
  consent only where a purpose relies on consent. Further controllers the register names without asserting Art. 26
  are named as controllers, never as joint ones; only purposes marked as direct marketing are said to stop on an
  objection (Art. 21(2)-(3)).
- The organisation's own statements (who "we" means, offices, trading name, registry details, further phones, what
  the notice does not cover, national law, binding language; per purpose whether the data must be provided and
  what follows if not, and its own retention) appear only where the register holds them.
- ``completeness`` lists every Art. 13/14 item the register leaves empty; publishing records that list with the
  version, so an incomplete register is never published as if complete.
- The notice is built as a list of blocks (headings, paragraphs, list items, links), rendered to plain text (kept
  per language in ``NoticeVersion.texts``, diffed, and printed to PDF) and to HTML (escaped, no inline code).
"""
from __future__ import annotations

import difflib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy_registry.models import (
    DataSubjectCategory,
    LegalBasis,
    Office,
    Organisation,
    PrivacyContact,
    ProcessingActivity,
    Purpose,
    Recipient,
    Transfer,
)
from retention.models import RetentionRule

from .models import ConsentPurpose, Cookie

LANGUAGES = ("en", "sv", "da")


@dataclass(frozen=True)
class Block:
    kind: str  # h1, h2, h3, p, li, link
    text: str
    href: str = ""


# --- reading the register ----------------------------------------------------------------------------------------


def _activities(organisation: Organisation) -> list[ProcessingActivity]:
    # Sorted here by the name as the reader sees it: in the database the order would follow the language's own
    # column, which is empty where a name is not yet translated.
    activities = list(
        ProcessingActivity.objects.filter(
            organisation=organisation, record_type=ProcessingActivity.RecordType.CONTROLLER,
            status=ProcessingActivity.Status.ACTIVE,
        )
        .order_by("pk")
        .prefetch_related(
            "subject_categories", "data_categories", "sources",
            Prefetch("joint_controllers", queryset=Organisation.objects.select_related("country").order_by("name")),
            Prefetch("other_controllers", queryset=Organisation.objects.select_related("country").order_by("name")),
            Prefetch("purposes", queryset=Purpose.objects.order_by("order", "pk")),
            Prefetch("recipients", queryset=Recipient.objects.select_related("vendor", "country")
                     .order_by("kind", "pk")),
            Prefetch("transfers", queryset=Transfer.objects.select_related("vendor", "destination").order_by("pk")),
            Prefetch("retention_rules", queryset=RetentionRule.objects.select_related(
                "subject_category", "data_category").order_by("pk")),
        )
    )
    return sorted(activities, key=lambda activity: activity.name.casefold())


def _audiences(activities: list[ProcessingActivity]) -> OrderedDict[DataSubjectCategory | None, list]:
    audiences: OrderedDict[Any, list] = OrderedDict()
    categories = sorted({c for a in activities for c in a.subject_categories.all()}, key=lambda c: c.name)
    for category in categories:
        audiences[category] = [a for a in activities if category in a.subject_categories.all()]
    rest = [a for a in activities if not a.subject_categories.all()]
    if rest:
        audiences[None] = rest
    return audiences


def request_path(organisation: Organisation) -> str:
    """The rights app's request page for the organisation, when that app is installed ("" otherwise)."""
    try:
        return reverse("rights:request", kwargs={"organisation": organisation.slug})
    except NoReverseMatch:
        return ""


def _contact_line(contact: PrivacyContact) -> str:
    parts = [contact.name, contact.email, contact.phone, contact.postal_address, contact.url]
    return ", ".join(p for p in parts if p) or _("no contact details stated")


def _org_line(org: Organisation) -> str:
    name = org.name
    if org.trading_name:
        name = _("%(name)s, trading as %(trading_name)s") % {"name": org.name, "trading_name": org.trading_name}
    parts = [name]
    if org.registration_number:
        parts.append(_("registration number %(number)s") % {"number": org.registration_number})
    if org.registry_details:
        parts.append(org.registry_details)
    if org.postal_address:
        parts.append(org.postal_address)
    if org.country_id:
        parts.append(org.country.name)
    parts.extend(p for p in (org.email, org.phone) if p)
    return ", ".join(parts)


def _office_line(office: Office) -> str:
    name = _("%(office)s (headquarters)") % {"office": office.name} if office.is_headquarters else office.name
    address = ", ".join(p for p in (office.street_address, f"{office.postal_code} {office.city}".strip(),
                                    office.region) if p)
    parts = [name, address, office.country.name if office.country_id else "", office.phone]
    return ", ".join(p for p in parts if p)


def _further_controllers(activities: list[ProcessingActivity], organisation: Organisation,
                         joint: list[Organisation]) -> OrderedDict[Organisation, list[str]]:
    """Other controllers the register names without asserting Art. 26, each with the activities it is named in."""
    further: OrderedDict[Organisation, list[str]] = OrderedDict()
    named = {organisation.pk, *(o.pk for o in joint)}
    for activity in activities:
        for other in activity.other_controllers.all():
            if other.pk not in named:
                further.setdefault(other, []).append(activity.name)
    return OrderedDict(sorted(further.items(), key=lambda item: item[0].name))


def retention_words(activity: ProcessingActivity) -> list[str]:
    """The activity's retention in words: each rule as the sweep enforces it, or its statement as written."""
    words = []
    for rule in activity.retention_rules.all():
        scope = rule.subject_category.name if rule.subject_category_id else (
            rule.data_category.name if rule.data_category_id else "")
        if rule.has_start and rule.period is not None:
            text = rule.describe()
            text = text[:1].upper() + text[1:]
        else:
            text = rule.statement or _("not stated")
        words.append(f"{scope}: {text}" if scope else text)
    if not words:
        words.append(activity.retention_statement or _("The register does not state how long this is kept."))
    return words


# Art. 13(2)(e): where the data must be provided, the notice says what follows if it is not.
REQUIRED_PROVISION = frozenset({Purpose.ProvisionRequirement.STATUTORY, Purpose.ProvisionRequirement.CONTRACTUAL,
                                Purpose.ProvisionRequirement.PRE_CONTRACT})

# The rights every notice names (Art. 13(2)(b)-(d), 14(2)(c)-(e)); Art. 22 only where decisions are automated.
STATUTORY_RIGHTS = ("access", "rectification", "erasure", "restriction", "portability", "automated_decisions")
SEPARATE_RIGHTS = frozenset({"objection", "withdraw_consent", "complaint"})
RIGHT_LABELS = {
    "access": gettext_lazy("Access to your data and a copy of it (Art. 15)"),
    "rectification": gettext_lazy("Rectification of inaccurate data (Art. 16)"),
    "erasure": gettext_lazy("Erasure (Art. 17)"),
    "restriction": gettext_lazy("Restriction of processing (Art. 18)"),
    "portability": gettext_lazy("Data portability (Art. 20)"),
    "objection": gettext_lazy("Objection (Art. 21)"),
    "withdraw_consent": gettext_lazy("Withdrawal of consent (Art. 7(3))"),
    "automated_decisions": gettext_lazy("Not to be subject to a decision based solely on automated processing "
                                        "(Art. 22)"),
    "complaint": gettext_lazy("Complaint to a supervisory authority (Art. 77)"),
}


def _stated_rights(org: Organisation) -> dict[str, Any]:
    """The rights as the organisation states them (register-fidelity: ``StatedRight``), by key, in the law's order.

    Empty when the register has none for the organisation (or predates them): the notice then lists the rights the
    GDPR gives and the completeness report says the organisation's own terms are missing."""
    related = getattr(org, "stated_rights", None)
    if related is None:
        return {}
    rows = {row.right: row for row in related.all()}
    return {key: rows[key] for key in RIGHT_LABELS if key in rows}


def _details(right: Any) -> str:
    parts = [
        (_("how to ask"), right.channel), (_("answered within"), right.deadline), (_("extension"), right.extension),
        (_("fee"), right.fee), (_("identity check"), right.identity_rule), (_("delivered as"), right.delivery_format),
        (_("conditions"), right.conditions),
    ]
    return "; ".join(f"{label}: {value}" for label, value in parts if value)


def _stated_right_text(right: Any) -> str:
    text = str(RIGHT_LABELS[right.right])
    if right.offered == "conditional":
        text += " – " + _("offered with conditions")
    details = _details(right)
    return f"{text}: {details}" if details else text


def _basis(purpose: Purpose) -> str:
    as_stated = getattr(purpose, "legal_basis_as_stated", "")  # the register-fidelity field, where present
    if not purpose.legal_basis:
        text = _("legal basis not stated")
        # Outside the f-string, so that makemessages finds the message.
        words = _("in the organisation’s words")
        return f"{text} ({words}: {as_stated})" if as_stated else text
    text = str(purpose.get_legal_basis_display())
    if purpose.legal_basis == LegalBasis.LEGITIMATE_INTERESTS:
        interest = purpose.legitimate_interest or purpose.legal_basis_detail
        text += ": " + (_("the legitimate interest pursued: %(interest)s") % {"interest": interest} if interest
                        else _("the legitimate interest is not stated"))
    elif purpose.legal_basis_detail:
        text += f" ({purpose.legal_basis_detail})"
    return text


def _recipient(recipient: Recipient) -> str:
    name = recipient.vendor.name if recipient.vendor_id else ""
    if recipient.vendor_id:
        role = (str(recipient.vendor.get_role_display()) if recipient.vendor.role_stated
                else _("role not stated"))
    else:
        role = str(recipient.get_kind_display())
    parts = [p for p in (name, recipient.description) if p]
    label = " – ".join(parts) if parts else str(recipient.get_kind_display())
    text = f"{label} ({role})"
    if recipient.country_id:
        text += f", {recipient.country.name}"
    return text


def _transfer(transfer: Transfer) -> str:
    where = transfer.destination.name if transfer.destination_id else transfer.destination_description
    who = transfer.vendor.name if transfer.vendor_id else transfer.international_organisation
    if transfer.mechanism:
        mechanism = str(transfer.get_mechanism_display())
        if transfer.derogation:
            mechanism += f", {transfer.get_derogation_display()}"
    else:
        mechanism = _("no safeguard recorded")
    head = f"{who} → {where}" if who else where
    return _("%(transfer)s; safeguard: %(mechanism)s") % {"transfer": head, "mechanism": mechanism}


# --- the blocks ----------------------------------------------------------------------------------------------------


def build_blocks(organisation: Organisation, *, base_url: str = "") -> list[Block]:
    """The notice in the active language, as blocks. ``base_url`` prefixes links (absolute links in stored text)."""
    org = Organisation.objects.select_related("country", "group", "representative__country").get(pk=organisation.pk)
    activities = _activities(org)
    contacts = list(PrivacyContact.objects.filter(organisation=org).order_by("role", "pk"))
    offices = list(Office.objects.filter(organisation=org).select_related("country")
                   .order_by("-is_headquarters", "name"))
    cookies = list(Cookie.objects.filter(organisation=org).select_related("vendor").order_by("category", "name"))
    consent_purposes = sorted(ConsentPurpose.objects.filter(organisation=org, active=True),
                              key=lambda purpose: purpose.name.casefold())
    blocks: list[Block] = [Block("h1", _("Privacy notice: %(organisation)s") % {"organisation": org.name})]
    add = blocks.append
    if org.scope_exclusions:
        add(Block("p", _("What this notice does not cover: %(exclusions)s") % {"exclusions": org.scope_exclusions}))
    if org.binding_language_note:
        add(Block("p", _("The language of this notice: %(note)s") % {"note": org.binding_language_note}))

    add(Block("h2", _("Who is responsible for your data")))
    if org.group_id and org.group.we_means:
        add(Block("p", _("In this notice “we” means %(we)s.") % {"we": org.group.we_means}))
    add(Block("p", _("Controller: %(organisation)s") % {"organisation": _org_line(org)}))
    phones = [line.strip() for line in org.other_phones.splitlines() if line.strip()]
    if phones:
        add(Block("p", _("Further phone numbers: %(phones)s") % {"phones": "; ".join(phones)}))
    if offices:
        add(Block("p", _("Offices:")))
        for office in offices:
            add(Block("li", _office_line(office)))
    joint = sorted({j for a in activities for j in a.joint_controllers.all()}, key=lambda o: o.name)
    for other in joint:
        add(Block("li", _("Joint controller (Art. 26): %(organisation)s") % {"organisation": _org_line(other)}))
    for other, names in _further_controllers(activities, org, joint).items():
        add(Block("li", _("Also a controller, for %(activities)s: %(organisation)s") % {
            "activities": "; ".join(names), "organisation": _org_line(other)}))
    if org.applicable_law:
        add(Block("p", _("Law applied beside the GDPR: %(law)s") % {"law": org.applicable_law}))
    if org.representative_id:
        add(Block("p", _("Our representative in the EU (Art. 27): %(organisation)s")
                  % {"organisation": _org_line(org.representative)}))
    dpos = [c for c in contacts if c.role == PrivacyContact.Role.DPO]
    for contact in dpos:
        add(Block("p", _("Data protection officer: %(contact)s") % {"contact": _contact_line(contact)}))
    if not dpos:
        add(Block("p", _("The register names no data protection officer.")))
    for contact in contacts:
        if contact.role != PrivacyContact.Role.DPO:
            add(Block("li", f"{contact.get_role_display()}: {_contact_line(contact)}"))

    for audience, members in _audiences(activities).items():
        title = (_("If you are: %(audience)s") % {"audience": audience.name}) if audience else _("Other processing")
        add(Block("h2", title))
        if audience is not None and audience.minimum_age:
            add(Block("p", _("Minimum age: %(age)s.") % {"age": audience.minimum_age}))
        for activity in members:
            _activity_blocks(activity, add)

    add(Block("h2", _("Your rights")))
    path = request_path(org)
    href = f"{base_url}{path}" if path else ""
    stated = _stated_rights(org)
    uses_consent = any(p.legal_basis == LegalBasis.CONSENT for a in activities for p in a.purposes.all())
    automated = any(a.automated_decision_making for a in activities)
    if stated:
        # As the organisation states them; the objection, withdrawal and complaint rights have sections of their own.
        for right in stated.values():
            if right.offered != "no" and right.right not in SEPARATE_RIGHTS:
                add(Block("link" if href else "li", _stated_right_text(right), href))
    else:
        add(Block("p", _("The register does not record how %(organisation)s offers each right; these are the rights "
                         "the GDPR gives you:") % {"organisation": org.name}))
        for key in STATUTORY_RIGHTS:
            if key != "automated_decisions" or automated:
                add(Block("link" if href else "li", str(RIGHT_LABELS[key]), href))
    if org.rights_request_requirements:
        add(Block("p", _("What a request must include: %(requirements)s")
                  % {"requirements": org.rights_request_requirements}))
    if href:
        add(Block("link", _("Make a request"), href))

    objection = stated.get("objection")
    if not stated or (objection is not None and objection.offered != "no"):
        add(Block("h2", _("Your right to object (Art. 21)")))
        add(Block("p", _("You may object at any time to processing based on legitimate interests or on a public "
                         "task, on grounds relating to your particular situation.")))
        marketing = list(OrderedDict.fromkeys(
            p.description for a in activities for p in a.purposes.all() if p.direct_marketing))
        if marketing:
            add(Block("p", _("You may object to direct marketing at any time, without giving reasons; these "
                             "purposes then stop:")))
            for description in marketing:
                add(Block("li", description))
        if objection is not None and _details(objection):
            add(Block("p", _details(objection)))
        if href:
            add(Block("link", _("Object"), href))

    if uses_consent:
        add(Block("h2", _("Withdrawing your consent (Art. 7(3))")))
        add(Block("p", _("Where we rely on your consent you may withdraw it at any time, as easily as you gave it: "
                         "through the link in each of our e-mails, the cookie settings, or a request. Withdrawal does "
                         "not affect processing before it.")))
        if "withdraw_consent" in stated and _details(stated["withdraw_consent"]):
            add(Block("p", _details(stated["withdraw_consent"])))
        for purpose in consent_purposes:
            add(Block("li", purpose.name))

    add(Block("h2", _("Your right to complain")))
    if org.lead_authority:
        add(Block("p", _("You may complain to the supervisory authority, %(authority)s, or to the authority where "
                         "you live or work.") % {"authority": org.lead_authority}))
    else:
        add(Block("p", _("You may complain to a supervisory authority, in particular where you live or work.")))
    if "complaint" in stated and _details(stated["complaint"]):
        add(Block("p", _details(stated["complaint"])))

    add(Block("h2", _("Cookies and similar technologies")))
    if cookies:
        for cookie in cookies:
            parts = [str(cookie.get_category_display()), cookie.purpose,
                     _("kept: %(retention)s") % {"retention": cookie.retention or _("not stated")},
                     str(cookie.get_party_display())]
            if cookie.vendor_id:
                parts.insert(0, cookie.vendor.name)
            add(Block("li", f"{cookie.name}: " + "; ".join(p.rstrip(". ") for p in parts if p)))
    else:
        add(Block("p", _("The register lists no cookies.")))

    ages = sorted({c for a in activities for c in a.subject_categories.all() if c.minimum_age},
                  key=lambda c: c.name)
    if ages:
        add(Block("h2", _("Age limits")))
        for category in ages:
            check = f" {category.age_check}" if category.age_check else ""
            add(Block("li", _("%(audience)s: at least %(age)s years old.") % {
                "audience": category.name, "age": category.minimum_age} + check))
    return blocks


def _purpose_line(purpose: Purpose) -> str:
    """The purpose with its basis; then, where the register holds them, whether the data must be provided and what
    follows if not (Art. 13(2)(e)), and the purpose's own retention."""
    parts = [f"{purpose.description} – {_basis(purpose)}"]
    if purpose.provision_requirement:
        parts.append(_("providing the data: %(requirement)s") % {
            "requirement": purpose.get_provision_requirement_display()})
    if purpose.consequence_of_not_providing:
        parts.append(_("if it is not provided: %(consequence)s") % {
            "consequence": purpose.consequence_of_not_providing})
    if purpose.retention_statement:
        parts.append(_("kept: %(retention)s") % {"retention": purpose.retention_statement})
    return "; ".join(parts)


def _activity_blocks(activity: ProcessingActivity, add) -> None:
    add(Block("h3", activity.name))
    if activity.description:
        add(Block("p", activity.description))
    data = ", ".join(c.name for c in activity.data_categories.all()) or _("not stated")
    add(Block("p", _("Data: %(data)s") % {"data": data}))
    sources = [f"{s.get_kind_display()}" + (f" ({s.description})" if s.description else "")
               for s in activity.sources.all()]
    add(Block("p", _("Where it comes from: %(sources)s") % {"sources": "; ".join(sources) or _("not stated")}))
    purposes = list(activity.purposes.all())
    add(Block("p", _("Purposes and legal bases:")))
    for purpose in purposes:
        add(Block("li", _purpose_line(purpose)))
    if not purposes:
        add(Block("li", _("not stated")))
    recipients = list(activity.recipients.all())
    add(Block("p", _("Recipients:")))
    for recipient in recipients:
        add(Block("li", _recipient(recipient)))
    if not recipients:
        add(Block("li", _("none stated")))
    for transfer in activity.transfers.all():
        add(Block("li", _("Transfer outside the EU/EEA: %(transfer)s") % {"transfer": _transfer(transfer)}))
    add(Block("p", _("How long it is kept:")))
    for words in retention_words(activity):
        add(Block("li", words))
    if activity.automated_decision_making or activity.profiling:
        kind = _("Automated decision-making") if activity.automated_decision_making else _("Profiling")
        logic = activity.automated_logic or _("logic not stated")
        add(Block("p", f"{kind}: {logic}"))


# --- rendering -------------------------------------------------------------------------------------------------------


def render_text(blocks: list[Block]) -> str:
    lines: list[str] = []
    marks = {"h1": "# ", "h2": "## ", "h3": "### "}
    for block in blocks:
        text = " ".join(block.text.split())
        if block.kind in marks:
            if lines:
                lines.append("")
            lines.append(marks[block.kind] + text)
        elif block.kind == "li":
            lines.append(f"- {text}")
        elif block.kind == "link":
            lines.append(f"- {text}: {block.href}")
        else:
            lines.append(text)
    return "\n".join(lines) + "\n"


def render_html(blocks: list[Block]) -> SafeString:
    out: list[str] = []
    items: list[Block] = []

    def flush() -> None:
        if items:
            out.append(format_html("<ul>{}</ul>", format_html_join(
                "", "<li>{}</li>", ((_item_html(b),) for b in items))))
            items.clear()

    for block in blocks:
        if block.kind in {"li", "link"}:
            items.append(block)
            continue
        flush()
        tag = block.kind if block.kind in {"h1", "h2", "h3"} else "p"
        out.append(format_html("<{}>{}</{}>", mark_safe(tag), block.text, mark_safe(tag)))  # noqa: S308 (fixed tags)
    flush()
    return mark_safe("\n".join(out))  # noqa: S308 (every piece escaped above)


def _item_html(block: Block) -> SafeString:
    if block.kind == "link":
        return format_html('<a href="{}">{}</a>', block.href, block.text)
    return format_html("{}", block.text)


def render(organisation: Organisation, language: str, *, base_url: str = "") -> tuple[str, str]:
    """(text, html) of the notice in ``language``."""
    with translation.override(language):
        blocks = build_blocks(organisation, base_url=base_url)
        return render_text(blocks), str(render_html(blocks))


def render_all(organisation: Organisation) -> tuple[dict[str, str], dict[str, str]]:
    """Texts and pages in every language of the product, links absolute (``PUBLIC_BASE_URL``)."""
    texts, htmls = {}, {}
    for language in LANGUAGES:
        texts[language], htmls[language] = render(organisation, language, base_url=settings.PUBLIC_BASE_URL)
    return texts, htmls


def diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    """(kind, line) of a line diff between two texts: kind is "added", "removed" or "same" (context)."""
    lines = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            lines.append(("hunk", "…"))
        elif line.startswith("+"):
            lines.append(("added", line[1:]))
        elif line.startswith("-"):
            lines.append(("removed", line[1:]))
        else:
            lines.append(("same", line[1:]))
    return lines
