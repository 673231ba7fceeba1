"""The privacy notice, generated from the register (Art. 13 and 14, and the ICO "right to be informed" list).

Design note.
- Every block of the notice carries its ``Source``: the register fields it says (model, id, field, and the language
  the text is written in), a named text of the law ("GDPR Art. 15"), or, for headings and fixed link labels only,
  ``heading``. A block reports a field the register leaves empty ("not stated") with ``stated=False`` on that
  source, so that nothing reads as held that is not.
- Register texts are read through ``privacy_registry.translated.text_in`` in the reader's language, then the
  organisation's ``primary_language``. A text in another language than the reader's marks its block untranslated:
  the HTML gives its element ``lang="xx"`` and the DPO's preview lists it.
- Nothing is stated that the register does not state. Where it is silent the notice says nothing, or "not stated";
  it never speaks of the register or of this tool to the public. Roles, parties and categories "not stated" (""
  or "not_stated") print no role words. Automated decisions and profiling are tri-state: ``True`` is said with its
  logic, ``False`` is said as the held fact "none", ``None`` (not stated) says nothing. Admin choice labels are
  replaced by public phrases where they are admin wording.
- The law is said as the law's, from ``privacy_registry.law`` (which the exports and ``StatedRight`` also read):
  "Under the GDPR you have the right …", each with its law source. Which rights are named follows the activities'
  purposes (portability only for consent or contract by automated means, withdrawal for consent incl. Art.
  9(2)(a), Art. 22 only where decisions are automated, objection for (e), (f) and direct marketing). Where the
  organisation states its rights (``StatedRight``), those are said as it states them and no other.
- The request page. The link to this product's request page is the product's own service, not a channel the
  organisation states unless it says so: it is offered (as a fixed link label, "Make a request") only where the
  register records that the organisation takes requests through it (``Organisation.request_page_offered``) and the
  rights app serves the page. The organisation's own channels are said only as it states them
  (``StatedRight.channel``).
- Order, as a reader expects it: who we are; what we collect and why (each activity once, with whom it concerns);
  who receives it (and transfers); how long we keep it; how we protect it (when measures are recorded); your
  rights; cookies (a table). "Changes to this notice" is omitted: the register records nothing about it.
- ``completeness`` lists every Art. 13/14 item the register leaves empty; publishing records that list with the
  version, so an incomplete register is never published as if complete.
- The notice is built as a list of blocks (headings, paragraphs, list items, links, tables), rendered to plain
  text (kept per language in ``NoticeVersion.texts``, diffed, and printed to PDF) and to HTML (escaped, no inline
  code); ``render_preview`` shows the DPO each block beside its source.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from modeltranslation.translator import NotRegistered, translator

from privacy_registry import law
from privacy_registry.markets import for_language
from privacy_registry.models import (
    Country,
    LegalBasis,
    NoticeStatement,
    Office,
    Organisation,
    PrivacyContact,
    ProcessingActivity,
    Purpose,
    Recipient,
    SecurityMeasure,
    System,
    Transfer,
    Vendor,
)
from privacy_registry.translated import text_in
from retention.models import RetentionRule

from .models import ConsentPurpose, Cookie
from .selectors import notice_consent_purposes, notice_cookies

LANGUAGES = ("en", "sv", "da")
NOT_STATED_VALUES = frozenset({"", "not_stated"})


# --- blocks and their sources --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where a block's words come from: a register field, a named text of the law, or fixed wording (headings and
    link labels only)."""

    kind: str  # "field", "law" or "heading"
    model: str = ""  # "app_label.ModelName"
    pk: Any = None
    field: str = ""
    language: str = ""  # the language the text is written in ("" for a name, number or choice)
    law: str = ""  # "GDPR Art. 15"
    stated: bool = True  # False: the block says the field is not stated

    def describe(self) -> str:
        if self.kind == "field":
            parts = [f"{self.model} #{self.pk}", self.field]
            if self.language:
                parts.append(self.language)
            text = " · ".join(parts)
            words = _("not stated")  # outside the f-string, so that makemessages finds the message
            return text if self.stated else f"{text} ({words})"
        if self.kind == "law":
            return _("%(law)s: added by law, not in your register") % {"law": self.law}
        return _("fixed wording")


HEADING = Source(kind="heading")


def field_source(obj: models.Model, name: str, language: str = "", *, stated: bool = True) -> Source:
    return Source(kind="field", model=f"{obj._meta.app_label}.{obj._meta.object_name}", pk=obj.pk, field=name,
                  language=language, stated=stated)


def law_source(text: str) -> Source:
    return Source(kind="law", law=text)


@dataclass(frozen=True)
class Block:
    kind: str  # h1, h2, h3, p, li, link, table
    text: str
    href: str = ""
    source: Source | tuple[Source, ...] = ()
    language: str = ""  # set when the block's register text is in another language than the reader's
    header: tuple[str, ...] = ()  # table only
    rows: tuple[tuple[str, ...], ...] = ()  # table only
    row_languages: tuple[str, ...] = ()  # table only: per row, as ``language``

    def __post_init__(self) -> None:
        if not self.sources:
            raise ValueError(f"a notice block without a source: {self.kind} {self.text!r}")

    @property
    def sources(self) -> tuple[Source, ...]:
        return self.source if isinstance(self.source, tuple) else (self.source,)


@dataclass(frozen=True)
class Said:
    """A piece of a block: its words, their sources, and the language they are in when not the reader's."""

    text: str
    sources: tuple[Source, ...] = ()
    foreign: str = ""

    def __bool__(self) -> bool:
        return bool(self.text)


def _translated_fields(model: type[models.Model]) -> tuple[str, ...]:
    try:
        return tuple(translator.get_options_for_model(model).fields)
    except NotRegistered:
        return ()


@dataclass
class _Writer:
    """Reads register texts for one reader and collects the blocks."""

    organisation: Organisation
    language: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def primary(self) -> str:
        """The language the organisation's register is written in (a reader without a text of their own reads it)."""
        return getattr(self.organisation, "primary_language", "") or settings.LANGUAGE_CODE

    def read(self, obj: models.Model, name: str) -> Said:
        """A register field as the reader reads it ("" when empty), with its source."""
        if name in _translated_fields(type(obj)):
            text, language = text_in(obj, name, self.language, primary=self.primary)
            foreign = language if text and language != self.language else ""
            return Said(text or "", (field_source(obj, name, language if text else ""),), foreign)
        value = getattr(obj, name)
        return Said(str(value) if value not in (None, "") else "", (field_source(obj, name),))

    def choice(self, obj: models.Model, name: str, words: dict[str, Any] | None = None) -> Said:
        """A choice field in public words (``words``, else its label); "" when not stated."""
        value = getattr(obj, name)
        if value in NOT_STATED_VALUES or value is None:
            return Said("")
        text = words.get(value) if words is not None else None
        if text is None:
            text = getattr(obj, f"get_{name}_display")()
        return Said(str(text), (field_source(obj, name),))

    def add(self, kind: str, text: str, *parts: Said | Source, href: str = "", **table: Any) -> None:
        pieces = said(text, *parts)
        self.blocks.append(Block(kind, text, href, tuple(dict.fromkeys(pieces.sources)), pieces.foreign, **table))


def said(text: str, *parts: Said | Source) -> Said:
    """Words made of several pieces: their sources together, the first foreign language among them."""
    sources: list[Source] = []
    foreign = ""
    for part in parts:
        if isinstance(part, Source):
            sources.append(part)
        elif part:  # an empty text is no source of what the words say
            sources.extend(part.sources)
            foreign = foreign or part.foreign
    return Said(text, tuple(sources), foreign)


def not_stated(obj: models.Model, name: str) -> Said:
    return Said(_("not stated"), (field_source(obj, name, stated=False),))


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
                     .prefetch_related(Prefetch("vendor__sub_processors",
                                                queryset=Vendor.objects.select_related("country").order_by("name")))
                     .order_by("kind", "pk")),
            Prefetch("transfers", queryset=Transfer.objects.select_related(
                "vendor", "destination", "receiving_organisation").order_by("pk")),
            Prefetch("retention_rules", queryset=RetentionRule.objects.select_related(
                "subject_category", "data_category").order_by("pk")),
            Prefetch("systems", queryset=System.objects.prefetch_related(
                Prefetch("hosting_countries", queryset=Country.objects.order_by("code"))).order_by("name")),
        )
    )
    return sorted(activities, key=lambda activity: activity.name.casefold())


def request_path(organisation: Organisation) -> str:
    """The rights app's request page for the organisation, when that app is installed ("" otherwise)."""
    try:
        return reverse("rights:request", kwargs={"organisation": organisation.slug})
    except NoReverseMatch:
        return ""


def _offers_request_page(org: Organisation) -> bool:
    return org.request_page_offered


def _country(country: Country) -> Said:
    return Said(country.local_name, (field_source(country, "code"),))


def _join(pieces: list[Said], separator: str = ", ") -> Said:
    pieces = [p for p in pieces if p]
    return said(separator.join(p.text for p in pieces), *pieces)


def _contact_line(w: _Writer, contact: PrivacyContact) -> Said:
    pieces = [w.read(contact, name) for name in ("name", "email", "phone", "postal_address", "url")]
    line = _join(pieces)
    return line if line else said(_("not stated"), field_source(contact, "email", stated=False))


def _org_line(w: _Writer, org: Organisation) -> Said:
    name = w.read(org, "name")
    trading = w.read(org, "trading_name")
    if trading:
        name = said(_("%(name)s, trading as %(trading_name)s") % {"name": name.text, "trading_name": trading.text},
                    name, trading)
    pieces = [name]
    number = w.read(org, "registration_number")
    if number:
        pieces.append(said(_("registration number %(number)s") % {"number": number.text}, number))
    pieces.append(w.read(org, "registry_details"))
    if org.postal_address:
        pieces.append(said(org.postal_address, *(field_source(org, n) for n in ("street_address", "postal_code",
                                                                              "city", "region")
                                                  if getattr(org, n))))
    if org.country_id:
        pieces.append(_country(org.country))
    pieces.extend((w.read(org, "email"), w.read(org, "phone")))
    return _join(pieces)


def _office_line(w: _Writer, office: Office) -> Said:
    name = w.read(office, "name")
    if office.is_headquarters:
        name = said(_("%(office)s (headquarters)") % {"office": name.text}, name,
                    field_source(office, "is_headquarters"))
    address = ", ".join(p for p in (office.street_address, f"{office.postal_code} {office.city}".strip(),
                                    office.region) if p)
    pieces = [name, said(address, *(field_source(office, n) for n in ("street_address", "postal_code", "city",
                                                                       "region") if getattr(office, n)))]
    if office.country_id:
        pieces.append(_country(office.country))
    pieces.append(w.read(office, "phone"))
    return _join(pieces)


def _further_controllers(activities: list[ProcessingActivity], organisation: Organisation,
                         joint: list[Organisation]) -> OrderedDict[Organisation, list[ProcessingActivity]]:
    """Other controllers the register names without asserting Art. 26, each with the activities it is named in."""
    further: OrderedDict[Organisation, list[ProcessingActivity]] = OrderedDict()
    named = {organisation.pk, *(o.pk for o in joint)}
    for activity in activities:
        for other in activity.other_controllers.all():
            if other.pk not in named:
                further.setdefault(other, []).append(activity)
    return OrderedDict(sorted(further.items(), key=lambda item: item[0].name))


# Art. 13(2)(e): where the data must be provided, the notice says what follows if it is not.
REQUIRED_PROVISION = frozenset({Purpose.ProvisionRequirement.STATUTORY, Purpose.ProvisionRequirement.CONTRACTUAL,
                                Purpose.ProvisionRequirement.PRE_CONTRACT})

# The rights every notice names (Art. 13(2)(b)-(d), 14(2)(c)-(e)); Art. 22 only where decisions are automated.
# Their labels and the conditions under which the GDPR gives them are privacy_registry.law's.
STATUTORY_RIGHTS = ("access", "rectification", "erasure", "restriction", "portability", "automated_decisions")
SEPARATE_RIGHTS = frozenset({"objection", "withdraw_consent", "complaint"})
RIGHT_LABELS = {key: right.label for key, right in law.RIGHTS.items()}


def _stated_rights(org: Organisation) -> dict[str, Any]:
    """The rights as the organisation states them (register-fidelity: ``StatedRight``), by key, in the law's order.

    Empty when the register has none for the organisation (or predates them): the notice then lists the rights the
    GDPR gives and the completeness report says the organisation's own terms are missing."""
    related = getattr(org, "stated_rights", None)
    if related is None:
        return {}
    rows = {row.right: row for row in related.all()}
    return {key: rows[key] for key in RIGHT_LABELS if key in rows}


def _details(w: _Writer, right: Any) -> Said:
    labels = ((_("how to ask"), "channel"), (_("answered within"), "deadline"), (_("extension"), "extension"),
              (_("fee"), "fee"), (_("identity check"), "identity_rule"), (_("delivered as"), "delivery_format"),
              (_("conditions"), "conditions"))
    pieces = []
    for label, name in labels:
        value = w.read(right, name)
        if value:
            pieces.append(said(f"{label}: {value.text}", value))
    return _join(pieces, "; ")


def _stated_right_text(w: _Writer, right: Any) -> Said:
    text = str(RIGHT_LABELS[right.right])
    if right.offered == "conditional":
        text += " – " + _("offered with conditions")
    details = _details(w, right)
    return said(f"{text}: {details.text}" if details else text, field_source(right, "right"),
                field_source(right, "offered"), details)


def _purpose_facts(activity: ProcessingActivity, purpose: Purpose) -> dict[str, Any]:
    """What ``privacy_registry.law`` needs to know of one purpose to say which rights the GDPR gives for it."""
    return {"basis": purpose.legal_basis, "article9": purpose.article9_condition,
            "direct_marketing": purpose.direct_marketing,
            "automated_means": bool(activity.systems.all()),  # as the exports read Art. 20(1)(b)
            "automated_decisions": activity.automated_decision_making is True}


def law_gives(activities: list[ProcessingActivity], key: str) -> bool:
    """Whether the GDPR gives the right ``key`` for any purpose of the activities."""
    return any(law.gives(key, **_purpose_facts(a, p)) for a in activities for p in a.purposes.all())


def _basis(w: _Writer, purpose: Purpose) -> Said:
    as_stated = w.read(purpose, "legal_basis_as_stated")
    words = _("in the organisation’s words")  # outside the f-strings, so that makemessages finds the message
    if not purpose.legal_basis:
        text = _("legal basis not stated")
        base = said(text, field_source(purpose, "legal_basis", stated=False))
        return said(f"{text} ({words}: {as_stated.text})", base, as_stated) if as_stated else base
    text = str(purpose.get_legal_basis_display())
    pieces: list[Said | Source] = [field_source(purpose, "legal_basis")]
    if purpose.legal_basis == LegalBasis.LEGITIMATE_INTERESTS:
        interest = w.read(purpose, "legitimate_interest") or w.read(purpose, "legal_basis_detail")
        if interest:
            text += ": " + _("the legitimate interest pursued: %(interest)s") % {"interest": interest.text}
            pieces.append(interest)
        else:
            text += ": " + _("the legitimate interest is not stated")
            pieces.append(field_source(purpose, "legitimate_interest", stated=False))
    else:
        detail = w.read(purpose, "legal_basis_detail")
        if detail:
            text += f" ({detail.text})"
            pieces.append(detail)
    if as_stated:
        text += f" ({words}: {as_stated.text})"
        pieces.append(as_stated)
    return said(text, *pieces)


def _purpose_line(w: _Writer, purpose: Purpose) -> Said:
    """The purpose with its basis; then, where the register holds them, whether the data must be provided and what
    follows if not (Art. 13(2)(e)), and the purpose's own retention."""
    description = w.read(purpose, "description")
    basis = _basis(w, purpose)
    text = f"{description.text} – {basis.text}"
    pieces: list[Said] = [description, basis]
    requirement = w.choice(purpose, "provision_requirement")
    if requirement:
        text += "; " + _("providing the data: %(requirement)s") % {"requirement": requirement.text}
        pieces.append(requirement)
    consequence = w.read(purpose, "consequence_of_not_providing")
    if consequence:
        text += "; " + _("if it is not provided: %(consequence)s") % {"consequence": consequence.text}
        pieces.append(consequence)
    retention = w.read(purpose, "retention_statement")
    if retention:
        text += "; " + _("kept: %(retention)s") % {"retention": retention.text}
        pieces.append(retention)
    return said(text, *pieces)


def _public_role_words() -> dict[str, dict[str, str]]:
    """Public phrases for the roles recorded in admin wording (Vendor.Role, Recipient.Kind)."""
    return {
        "vendor": {
            Vendor.Role.PROCESSOR: _("processor, acting on our behalf"),
            Vendor.Role.SUB_PROCESSOR: _("sub-processor"),
            Vendor.Role.INDEPENDENT_CONTROLLER: _("independent controller"),
            Vendor.Role.JOINT_CONTROLLER: _("joint controller"),
        },
        "recipient": {
            Recipient.Kind.INTERNAL: _("our staff"),
            Recipient.Kind.GROUP: _("a company of our group"),
            Recipient.Kind.PROCESSOR: _("processor, acting on our behalf"),
            Recipient.Kind.SERVICE_PROVIDER: _("service provider"),
            Recipient.Kind.THIRD_PARTY: _("independent controller"),
            Recipient.Kind.AUTHORITY: _("public authority"),
            Recipient.Kind.BUYER: _("buyer in a business transfer"),
            Recipient.Kind.PUBLIC: _("the public"),
        },
    }


def _recipient(w: _Writer, recipient: Recipient) -> Said:
    """The recipient's name and description, its role only where stated, and its country."""
    words = _public_role_words()
    name = w.read(recipient.vendor, "name") if recipient.vendor_id else Said("")
    description = w.read(recipient, "description")
    role = w.choice(recipient.vendor, "role", words["vendor"]) if recipient.vendor_id else Said("")
    if not role:
        role = w.choice(recipient, "kind", words["recipient"])
    label = _join([name, description], " – ")
    if not label:
        label, role = role, Said("")
    if not label:
        return Said("")
    text = f"{label.text} ({role.text})" if role else label.text
    pieces = [label, role]
    if recipient.country_id:
        country = _country(recipient.country)
        text += f", {country.text}"
        pieces.append(country)
    return said(text, *pieces)


def _sub_processors(w: _Writer, vendor: Vendor) -> Said:
    subs = list(vendor.sub_processors.all())
    if not subs:
        return Said("")
    names = []
    for sub in subs:
        name = w.read(sub, "name")
        names.append(said(f"{name.text} ({_country(sub.country).text})", name, _country(sub.country))
                     if sub.country_id else name)
    listed = _join(names, "; ")
    return said(_("Sub-processors engaged by %(vendor)s: %(names)s") % {"vendor": vendor.name, "names": listed.text},
                field_source(vendor, "name"), *(field_source(sub, "engaged_by") for sub in subs), listed)


def _transfer(w: _Writer, transfer: Transfer) -> Said:
    if transfer.destination_id:
        where = _country(transfer.destination)
    else:
        where = w.read(transfer, "destination_description")
    who = w.read(transfer.vendor, "name") if transfer.vendor_id else w.read(transfer, "international_organisation")
    public = {Transfer.Mechanism.PROVIDER_TERMS: _("under the provider's own terms")}
    mechanism = w.choice(transfer, "mechanism", public)
    pieces: list[Said | Source] = [where, who]
    if mechanism:
        text = mechanism.text
        derogation = w.choice(transfer, "derogation")
        if derogation:
            text += f", {derogation.text}"
        pieces += [mechanism, derogation]
    else:
        text = _("not stated")
        pieces.append(field_source(transfer, "mechanism", stated=False))
    head = f"{who.text} → {where.text}" if who else where.text
    return said(_("%(transfer)s; safeguard: %(mechanism)s") % {"transfer": head, "mechanism": text}, *pieces)


def _rule_words(w: _Writer, rule: RetentionRule) -> Said:
    """One retention rule in the public's words (``RetentionRule.public_words``, never the sweep's admin wording)
    beside the organisation's own statement; a rule with no period is its statement only."""
    statement = w.read(rule, "statement")
    pieces: list[Said | Source] = []
    if rule.has_start and rule.period is not None:
        text = rule.public_words()
        text = text[:1].upper() + text[1:]
        pieces += [field_source(rule, n) for n in ("period_amount", "trigger", "action")]
        if statement:
            as_stated = _("as we state it")  # outside the f-string, so that makemessages finds the message
            text += f" ({as_stated}: {statement.text})"
            pieces.append(statement)
    elif statement:
        text = statement.text
        pieces.append(statement)
    elif rule.is_event_triggered:
        text = rule.public_words()
        text = text[:1].upper() + text[1:]
        pieces += [field_source(rule, "trigger_event"), field_source(rule, "action")]
    else:
        text = _("not stated")
        pieces.append(field_source(rule, "statement", stated=False))
    backup = w.read(rule, "backup_exception")
    if backup:
        text += "; " + _("kept in backups: %(exception)s") % {"exception": backup.text}
        pieces.append(backup)
    scope = (w.read(rule.subject_category, "name") if rule.subject_category_id
             else w.read(rule.data_category, "name") if rule.data_category_id else Said(""))
    if scope:
        return said(f"{scope.text}: {text}", scope, *pieces)
    return said(text, *pieces)


# --- the blocks ----------------------------------------------------------------------------------------------------


def build_blocks(organisation: Organisation, *, base_url: str = "") -> list[Block]:
    """The notice in the active language, as blocks. ``base_url`` prefixes links (absolute links in stored text)."""
    org = Organisation.objects.select_related("country", "group", "representative__country").get(pk=organisation.pk)
    w = _Writer(org, (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0])
    activities = _activities(org)
    name = w.read(org, "name")
    w.add("h1", _("Privacy notice: %(organisation)s") % {"organisation": name.text}, HEADING, name)
    scope = w.read(org, "scope_exclusions")
    if scope:
        w.add("p", _("What this notice does not cover: %(exclusions)s") % {"exclusions": scope.text}, scope)
    binding = w.read(org, "binding_language_note")
    if binding:
        w.add("p", _("The language of this notice: %(note)s") % {"note": binding.text}, binding)

    _who_we_are(w, org, activities)
    _what_we_collect(w, activities)
    _who_receives(w, activities)
    _how_long(w, activities)
    _protection(w, org)
    _rights(w, org, activities, base_url)
    _cookies(w, org)
    return w.blocks


def _who_we_are(w: _Writer, org: Organisation, activities: list[ProcessingActivity]) -> None:
    w.add("h2", _("Who we are"), HEADING)
    if org.group_id:
        we = w.read(org.group, "we_means")
        if we:
            w.add("p", _("In this notice “we” means %(we)s.") % {"we": we.text}, we)
    line = _org_line(w, org)
    w.add("p", _("Controller: %(organisation)s") % {"organisation": line.text}, line)
    phones = [p.strip() for p in org.other_phones.splitlines() if p.strip()]
    if phones:
        w.add("p", _("Further phone numbers: %(phones)s") % {"phones": "; ".join(phones)},
              field_source(org, "other_phones"))
    offices = list(Office.objects.filter(organisation=org).select_related("country")
                   .order_by("-is_headquarters", "name"))
    if offices:
        w.add("p", _("Offices:"), HEADING)
        for office in offices:
            office_line = _office_line(w, office)
            w.add("li", office_line.text, office_line)
    joint = sorted({j for a in activities for j in a.joint_controllers.all()}, key=lambda o: o.name)
    for other in joint:
        line = _org_line(w, other)
        named_in = [field_source(a, "joint_controllers") for a in activities if other in a.joint_controllers.all()]
        w.add("li", _("Joint controller (Art. 26): %(organisation)s") % {"organisation": line.text}, line, *named_in)
    for other, named_in in _further_controllers(activities, org, joint).items():
        names = _join([w.read(a, "name") for a in named_in], "; ")
        line = _org_line(w, other)
        w.add("li", _("Also a controller, for %(activities)s: %(organisation)s") % {
            "activities": names.text, "organisation": line.text},
            names, line, *(field_source(a, "other_controllers") for a in named_in))
    applicable = w.read(org, "applicable_law")
    if applicable:
        w.add("p", _("Law applied beside the GDPR: %(law)s") % {"law": applicable.text}, applicable)
    if org.representative_id:
        line = _org_line(w, org.representative)
        w.add("p", _("Our representative in the EU (Art. 27): %(organisation)s") % {"organisation": line.text},
              line, field_source(org, "representative"))
    contacts = list(PrivacyContact.objects.filter(organisation=org).order_by("role", "pk"))
    for contact in contacts:
        if contact.role == PrivacyContact.Role.DPO:
            line = _contact_line(w, contact)
            w.add("p", _("Data protection officer: %(contact)s") % {"contact": line.text}, line,
                  field_source(contact, "role"))
    for contact in contacts:
        if contact.role != PrivacyContact.Role.DPO:
            line = _contact_line(w, contact)
            w.add("li", f"{contact.get_role_display()}: {line.text}", field_source(contact, "role"), line)
    roles = [role for role in org.roles if role in {Organisation.Role.PROCESSOR, Organisation.Role.BOTH}]
    if roles:
        w.add("p", _("We also process personal data on behalf of our customers. For that data the customer decides "
                     "how it is used and is the one to ask about it."),
              field_source(org, "role" if org.role in roles else "other_roles"))


def _what_we_collect(w: _Writer, activities: list[ProcessingActivity]) -> None:
    w.add("h2", _("What we collect and why"), HEADING)
    for activity in activities:
        _activity_blocks(w, activity)
    for statement in _statements(w, w.organisation, NoticeStatement.Topic.OTHER):
        w.add("p", statement.text, statement)
    ages = sorted({c for a in activities for c in a.subject_categories.all() if c.minimum_age},
                  key=lambda c: c.name)
    if ages:
        w.add("p", _("Age limits:"), HEADING)
        for category in ages:
            audience, check = w.read(category, "name"), w.read(category, "age_check")
            text = _("%(audience)s: at least %(age)s years old.") % {"audience": audience.text,
                                                                     "age": category.minimum_age}
            w.add("li", f"{text} {check.text}" if check else text, audience, field_source(category, "minimum_age"),
                  check)


def _activity_blocks(w: _Writer, activity: ProcessingActivity) -> None:
    title = w.read(activity, "name")
    w.add("h3", title.text, title)
    audiences = _join([w.read(c, "name") for c in activity.subject_categories.all()], "; ")
    if audiences:
        w.add("p", _("Whom it concerns: %(audiences)s") % {"audiences": audiences.text}, audiences)
    description = w.read(activity, "description")
    if description:
        w.add("p", description.text, description)
    data = _join([w.read(c, "name") for c in activity.data_categories.all()]) or not_stated(activity,
                                                                                            "data_categories")
    w.add("p", _("Data: %(data)s") % {"data": data.text}, data)
    source_words = _data_source_words()
    sources = []
    for source in activity.sources.all():
        kind = w.choice(source, "kind", source_words)
        detail = w.read(source, "description")
        sources.append(said(f"{kind.text} ({detail.text})" if detail else kind.text, kind, detail))
    where = _join(sources, "; ") or not_stated(activity, "sources")
    w.add("p", _("Where it comes from: %(sources)s") % {"sources": where.text}, where)
    purposes = list(activity.purposes.all())
    if purposes:
        w.add("p", _("Purposes and legal bases:"), HEADING)
        for purpose in purposes:
            line = _purpose_line(w, purpose)
            w.add("li", line.text, line)
    else:
        w.add("p", _("Purposes: %(purposes)s") % {"purposes": _("not stated")},
              field_source(activity, "purposes", stated=False))
    _automated(w, activity)
    countries = list(OrderedDict.fromkeys(c for s in activity.systems.all() for c in s.hosting_countries.all()))
    if countries:
        stored = _join([_country(c) for c in countries])
        w.add("p", _("Where it is stored: %(countries)s") % {"countries": stored.text}, stored,
              *(field_source(s, "hosting_countries") for s in activity.systems.all() if s.hosting_countries.all()))


def _automated(w: _Writer, activity: ProcessingActivity) -> None:
    """Tri-state: True is said with its logic, False as the held fact "none", None (not stated) not at all."""
    logic = w.read(activity, "automated_logic")
    for name, yes, no in (("automated_decision_making", _("Automated decision-making"),
                           _("No automated decision-making.")),
                          ("profiling", _("Profiling"), _("No profiling."))):
        value = getattr(activity, name)
        if value is True:
            unstated = _("logic not stated")  # outside the f-string, so that makemessages finds the message
            w.add("p", f"{yes}: {logic.text or unstated}", field_source(activity, name),
                  logic if logic else field_source(activity, "automated_logic", stated=False))
        elif value is False:
            w.add("p", no, field_source(activity, name))


def _data_source_words() -> dict[str, str]:
    return {"subject": _("you"), "employer": _("your employer or principal"),
            "third_party": _("another organisation"), "public": _("publicly accessible sources"),
            "observed": _("what we observe (website, device, usage)"), "derived": _("derived or inferred by us")}


def _who_receives(w: _Writer, activities: list[ProcessingActivity]) -> None:
    """Each recipient once, with the activities it receives data from; its sub-processors beneath it."""
    recipients: OrderedDict[str, list] = OrderedDict()
    for activity in activities:
        for recipient in activity.recipients.all():
            line = _recipient(w, recipient)
            if not line:  # neither named, described nor of a stated kind: nothing to say of it
                continue
            entry = recipients.setdefault(line.text, [line, [], recipient])
            entry[1].append(activity)
    transfers: OrderedDict[str, list] = OrderedDict()
    for activity in activities:
        for transfer in activity.transfers.all():
            line = _transfer(w, transfer)
            transfers.setdefault(line.text, [line, []])[1].append(activity)
    not_done = _statements(w, w.organisation, NoticeStatement.Topic.NOT_DONE)
    if not recipients and not transfers and not not_done:
        return
    w.add("h2", _("Who receives your data"), HEADING)
    for statement in not_done:
        w.add("p", statement.text, statement)
    shown_subs: set[int] = set()
    for line, named_in, recipient in recipients.values():
        names = _join([w.read(a, "name") for a in named_in], "; ")
        w.add("li", _("%(recipient)s – for: %(activities)s") % {"recipient": line.text, "activities": names.text},
              line, names)
        if recipient.vendor_id and recipient.vendor_id not in shown_subs:
            shown_subs.add(recipient.vendor_id)
            subs = _sub_processors(w, recipient.vendor)
            if subs:
                w.add("li", subs.text, subs)
    for line, named_in in transfers.values():
        names = _join([w.read(a, "name") for a in named_in], "; ")
        w.add("li", _("Transfer outside the EU/EEA: %(transfer)s") % {"transfer": line.text}
              + " – " + _("for: %(activities)s") % {"activities": names.text}, line, names)


def _how_long(w: _Writer, activities: list[ProcessingActivity]) -> None:
    if not activities:
        return
    w.add("h2", _("How long we keep it"), HEADING)
    for activity in activities:
        title = w.read(activity, "name")
        rules = [_rule_words(w, rule) for rule in activity.retention_rules.all()]
        if not rules:
            rules = [w.read(activity, "retention_statement") or not_stated(activity, "retention_statement")]
        for words in rules:
            w.add("li", f"{title.text}: {words.text}", title, words)


def _statements(w: _Writer, org: Organisation, *topics: str) -> list[Said]:
    """The organisation's own statements of these topics (``NoticeStatement``) shown in the reader's market, in the
    order given, each in the reader's language where the register has it."""
    rows = for_language(NoticeStatement.objects.filter(organisation=org, topic__in=topics), w.language)
    rows = sorted(rows, key=lambda row: (topics.index(row.topic), row.order, row.pk))
    return [text for text in (w.read(row, "text") for row in rows) if text]


def _protection(w: _Writer, org: Organisation) -> None:
    # By kind, then by name in the reader's language (a measure not translated yet by its name as written).
    measures = sorted(SecurityMeasure.objects.filter(organisation=org).order_by("kind", "pk"),
                      key=lambda measure: (measure.kind, measure.name.casefold()))
    statements = _statements(w, org, NoticeStatement.Topic.SECURITY, NoticeStatement.Topic.INCIDENTS,
                             NoticeStatement.Topic.STORAGE)
    if not measures and not statements:
        return
    w.add("h2", _("How we protect your data"), HEADING)
    for statement in statements:
        w.add("p", statement.text, statement)
    for measure in measures:
        name, description = w.read(measure, "name"), w.read(measure, "description")
        w.add("li", f"{name.text}: {description.text}" if description else name.text, name, description)


def _rights(w: _Writer, org: Organisation, activities: list[ProcessingActivity], base_url: str) -> None:
    w.add("h2", _("Your rights"), HEADING)
    path = request_path(org) if _offers_request_page(org) else ""
    href = f"{base_url}{path}" if path else ""
    stated = _stated_rights(org)
    if stated:
        # As the organisation states them; the objection, withdrawal and complaint rights have sections of their own.
        for right in stated.values():
            if right.offered != "no" and right.right not in SEPARATE_RIGHTS:
                line = _stated_right_text(w, right)
                w.add("li", line.text, line)
    else:
        for key in STATUTORY_RIGHTS:
            if law_gives(activities, key):
                right = law.RIGHTS[key]
                w.add("li", str(right.words), law_source(right.source))
    requirements = w.read(org, "rights_request_requirements")
    if requirements:
        w.add("p", _("What a request must include: %(requirements)s") % {"requirements": requirements.text},
              requirements)
    if href:
        w.add("link", _("Make a request"), field_source(org, "request_page_offered"), href=href)

    objection = stated.get("objection")
    marketing = [p for a in activities for p in a.purposes.all() if p.direct_marketing]
    grounds = any(p.legal_basis in {LegalBasis.PUBLIC_TASK, LegalBasis.LEGITIMATE_INTERESTS}
                  for a in activities for p in a.purposes.all())
    # The right to object is the law's (Art. 21(4): brought to the person's attention explicitly): said wherever
    # the law gives it, whatever the organisation states, and wherever the organisation states that it offers it.
    if (objection is not None and objection.offered != "no") or law_gives(activities, "objection"):
        w.add("h2", _("Your right to object (Art. 21)"), HEADING)
        if grounds:
            w.add("p", str(law.RIGHTS["objection"].words), law_source("GDPR Art. 21(1)"))
        if marketing:
            w.add("p", str(law.DIRECT_MARKETING_WORDS), law_source(law.DIRECT_MARKETING_SOURCE))
            w.add("p", _("These purposes are direct marketing:"), HEADING)
            seen: set[str] = set()
            for purpose in marketing:
                description = w.read(purpose, "description")
                if description.text not in seen:
                    seen.add(description.text)
                    w.add("li", description.text, description, field_source(purpose, "direct_marketing"))
        if objection is not None:
            details = _details(w, objection)
            if details:
                w.add("p", details.text, details)
        if href:
            w.add("link", _("Object"), field_source(org, "request_page_offered"), href=href)

    if any(law.is_consent(basis=p.legal_basis, article9=p.article9_condition)
           for a in activities for p in a.purposes.all()):
        w.add("h2", _("Withdrawing your consent (Art. 7(3))"), HEADING)
        w.add("p", str(law.RIGHTS["withdraw_consent"].words), law_source(law.RIGHTS["withdraw_consent"].source))
        if "withdraw_consent" in stated:
            details = _details(w, stated["withdraw_consent"])
            if details:
                w.add("p", details.text, details)
        for purpose in sorted(notice_consent_purposes(organisation=org, language=w.language),
                              key=lambda purpose: purpose.name.casefold()):
            consent_name = w.read(purpose, "name")
            w.add("li", consent_name.text, consent_name)

    w.add("h2", _("Your right to complain"), HEADING)
    w.add("p", str(law.RIGHTS["complaint"].words), law_source(law.RIGHTS["complaint"].source))
    authority = w.read(org, "lead_authority")
    if authority:
        w.add("p", _("Our lead supervisory authority: %(authority)s") % {"authority": authority.text}, authority)
    if "complaint" in stated:
        details = _details(w, stated["complaint"])
        if details:
            w.add("p", details.text, details)


def _cookies(w: _Writer, org: Organisation) -> None:
    cookies = list(notice_cookies(organisation=org, language=w.language))
    if not cookies:
        return
    w.add("h2", _("Cookies and similar technologies"), HEADING)
    rows, languages, sources = [], [], []
    for cookie in cookies:
        cells = [w.read(cookie, "name"), w.read(cookie.vendor, "name") if cookie.vendor_id else Said(""),
                 w.choice(cookie, "category"), w.read(cookie, "purpose"),
                 w.read(cookie, "retention") or not_stated(cookie, "retention"), w.choice(cookie, "party")]
        rows.append(tuple(cell.text for cell in cells))
        languages.append(next((cell.foreign for cell in cells if cell.foreign), ""))
        sources.extend(s for cell in cells for s in cell.sources)
    header = (_("Cookie"), _("Service"), _("Category"), _("Purpose"), _("Kept"), _("Party"))
    w.add("table", "", *sources, header=header, rows=tuple(rows), row_languages=tuple(languages))


# --- rendering -------------------------------------------------------------------------------------------------------


def _table_lines(block: Block) -> list[str]:
    """A table as aligned lines: the header, a rule, then one line per row, each column as wide as its widest cell."""
    rows = [tuple(" ".join(cell.split()) for cell in row) for row in (block.header, *block.rows)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(block.header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


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
        elif block.kind == "table":
            lines.extend(_table_lines(block))
        else:
            lines.append(text)
    return "\n".join(lines) + "\n"


def _lang(language: str) -> SafeString:
    return format_html(' lang="{}"', language) if language else mark_safe("")  # noqa: S308 (empty)


def _table_html(block: Block) -> SafeString:
    head = format_html_join("", "<th scope=\"col\">{}</th>", ((cell,) for cell in block.header))
    languages = block.row_languages or ("",) * len(block.rows)
    body = format_html_join("", "<tr{}>{}</tr>", (
        (_lang(language), format_html_join("", "<td>{}</td>", ((cell,) for cell in row)))
        for row, language in zip(block.rows, languages, strict=True)))
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)


def _block_html(block: Block) -> SafeString:
    if block.kind == "table":
        return _table_html(block)
    if block.kind == "link":
        return format_html('<a href="{}">{}</a>', block.href, block.text)
    tag = mark_safe(block.kind if block.kind in {"h1", "h2", "h3", "li"} else "p")  # noqa: S308 (fixed tags)
    return format_html("<{}{}>{}</{}>", tag, _lang(block.language), block.text, tag)


def render_html(blocks: list[Block]) -> SafeString:
    out: list[str] = []
    items: list[Block] = []

    def flush() -> None:
        if items:
            out.append(format_html("<ul>{}</ul>", format_html_join("", "{}", ((_item_html(b),) for b in items))))
            items.clear()

    for block in blocks:
        if block.kind in {"li", "link"}:
            items.append(block)
            continue
        flush()
        out.append(_block_html(block))
    flush()
    return mark_safe("\n".join(out))  # noqa: S308 (every piece escaped above)


def _item_html(block: Block) -> SafeString:
    if block.kind == "link":
        return format_html("<li>{}</li>", _block_html(block))
    return _block_html(block)


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


# --- the DPO's preview ------------------------------------------------------------------------------------------------


def market_facts(organisation: Organisation) -> list[tuple[str, tuple[str, ...]]]:
    """The organisation's facts shown in some notice languages only (``languages``: cookies, consent purposes,
    statements), each as (what it is, the languages it is shown in). Empty: the notice states one set of facts in
    every language, and the preview says so."""
    facts: list[tuple[str, tuple[str, ...]]] = []
    for model in (Cookie, ConsentPurpose, NoticeStatement):
        for row in model.objects.filter(organisation=organisation).exclude(languages=[]).order_by("pk"):
            facts.append((f"{model._meta.verbose_name}: {row}", tuple(row.languages)))
    return facts


@dataclass(frozen=True)
class Preview:
    """The notice for the DPO: each block beside its sources (``html``), and the register texts not in the reader's
    language (``untranslated``: text, the language it is in, its sources described)."""

    html: SafeString
    untranslated: list[tuple[str, str, str]]


def preview(organisation: Organisation, language: str) -> Preview:
    """The DPO's preview in ``language``: a table of block and source, every source described (model, id, field,
    language; or the law text, marked "added by law, not in your register")."""
    with translation.override(language):
        blocks = build_blocks(organisation)
        rows = format_html_join("", '<tr><td class="notice-block">{}</td><td class="notice-source">{}</td></tr>', (
            (_block_html(block) if block.kind != "li" else format_html("<ul>{}</ul>", _block_html(block)),
             format_html_join(mark_safe("<br>"), "{}", ((source.describe(),) for source in block.sources)))
            for block in blocks))
        html = format_html('<table class="notice-sources"><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
                           "</tr></thead><tbody>{}</tbody></table>", _("Notice"), _("Source"), rows)
        untranslated = []
        for block in blocks:
            described = "; ".join(source.describe() for source in block.sources if source.kind == "field")
            if block.language:
                untranslated.append((block.text, block.language, described))
            for row, row_language in zip(block.rows, block.row_languages, strict=True):
                if row_language:
                    untranslated.append((" · ".join(cell for cell in row if cell), row_language, described))
        return Preview(html=html, untranslated=untranslated)
