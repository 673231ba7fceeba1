"""The Art. 30 record as plain data: what every export format and authority template reads.

`build_record()` turns one organisation's register into frozen dataclasses of strings, dates and lists,
in a fixed number of queries (the selectors prefetch every relation; nothing here touches the database
per row). Formats and templates never see a model instance, so they cannot trigger a lazy query either.

Apps above the register (retention rules, consent evidence) add per-activity facts through
`register_annotator()` from their `AppConfig.ready()`: the register never imports them.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from django.utils import timezone, translation
from django.utils.translation import gettext

from .. import selectors
from ..models import (
    LegalBasis,
    Organisation,
    PrivacyContact,
    ProcessingActivity,
    Recipient,
    SecurityMeasure,
    Transfer,
    Vendor,
)

# Keys under which higher apps contribute per-activity facts (see register_annotator).
RETENTION_RULES = "retention_rules"
RETENTION_COMPLIANCE = "retention_compliance"
CONSENT_RECORDS = "consent_records"

Annotator = Callable[[Sequence[int]], Mapping[int, Sequence[str]]]
_annotators: dict[str, Annotator] = {}


def register_annotator(key: str, annotator: Annotator) -> None:
    """Let an app above the register add facts to each activity of an export.

    The annotator receives every activity id of the export at once and returns lines of text per id; it
    must run a fixed number of queries (it is called once per export, never per activity)."""
    _annotators[key] = annotator


def unregister_annotator(key: str) -> None:
    _annotators.pop(key, None)


@dataclass(frozen=True)
class Contact:
    role: str
    role_label: str
    name: str
    email: str = ""
    phone: str = ""
    postal_address: str = ""
    url: str = ""

    def summary(self) -> str:
        return ", ".join(p for p in (self.name, self.postal_address, self.email, self.phone, self.url) if p)


@dataclass(frozen=True)
class RightItem:
    """A right as the organisation states it (StatedRight)."""

    right: str
    right_label: str
    offered: str
    offered_label: str
    channel: str = ""
    deadline: str = ""
    extension: str = ""
    fee: str = ""
    identity_rule: str = ""
    delivery_format: str = ""
    conditions: str = ""

    def summary(self) -> str:
        parts = [
            (gettext("how: %(v)s"), self.channel), (gettext("within: %(v)s"), self.deadline),
            (gettext("extension: %(v)s"), self.extension), (gettext("fee: %(v)s"), self.fee),
            (gettext("identity: %(v)s"), self.identity_rule), (gettext("delivered as: %(v)s"), self.delivery_format),
            (gettext("conditions: %(v)s"), self.conditions),
        ]
        details = "; ".join(label % {"v": value} for label, value in parts if value)
        head = f"{self.right_label}: {self.offered_label}"
        return f"{head} ({details})" if details else head


@dataclass(frozen=True)
class Party:
    """An organisation as the record names it: controller, joint controller or representative."""

    name: str
    trading_name: str
    registration_number: str
    postal_address: str
    country: str  # "" when the register does not know it
    country_code: str
    is_eea: bool | None  # None when the country is not known
    email: str
    phone: str
    website: str
    role: str
    role_label: str
    lead_authority: str
    contacts: tuple[Contact, ...] = ()
    applicable_law: str = ""
    rights_request_requirements: str = ""
    retention_policy_url: str = ""
    roles: tuple[str, ...] = ()
    group: str = ""
    group_we_means: str = ""
    region: str = ""
    other_phones: tuple[str, ...] = ()
    privacy_notice_url: str = ""
    scope_exclusions: str = ""
    stated_rights: tuple[RightItem, ...] = ()
    offices: tuple[str, ...] = ()

    def stated_right(self, right: str) -> RightItem | None:
        return next((r for r in self.stated_rights if r.right == right), None)

    def summary(self) -> str:
        where = ", ".join(p for p in (self.postal_address, self.country) if p)
        return ", ".join(p for p in (self.name, where, self.email, self.phone) if p)

    def contacts_with(self, role: str) -> tuple[Contact, ...]:
        return tuple(c for c in self.contacts if c.role == role)


@dataclass(frozen=True)
class VendorRef:
    name: str
    legal_name: str
    role: str
    role_label: str
    country: str
    is_processor: bool
    has_dpa: bool
    dpa_signed_on: date | None
    dpa_url: str
    dpa_document: str
    dpf_certified: bool
    engaged_by: str
    dpa_in_place: bool = False
    category_label: str = ""
    company: str = ""

    @property
    def role_stated(self) -> bool:
        return self.role != Vendor.Role.NOT_STATED

    @property
    def display_name(self) -> str:
        """The service with its company where it has one: "Google Analytics (Google)"."""
        if self.company and self.company not in self.name:
            return f"{self.name} ({self.company})"
        return self.name

    def contract(self) -> str:
        """Where the Art. 28(3) contract is: link, document, signature date; that one is stated to exist but is
        not on file; or "" when nothing is known of one."""
        parts = [p for p in (self.dpa_url, self.dpa_document) if p]
        if self.dpa_signed_on:
            parts.append(gettext("signed %(date)s") % {"date": self.dpa_signed_on.isoformat()})
        if not parts and self.dpa_in_place:
            return gettext("stated to be in place; no copy or date on file")
        return "; ".join(parts)


@dataclass(frozen=True)
class PurposeItem:
    description: str
    legal_basis: str
    legal_basis_label: str
    legal_basis_detail: str
    legitimate_interest: str
    lia_completed_on: date | None
    lia_link: str
    article9_condition: str
    article9_condition_label: str
    article10_basis: str
    provision_requirement_label: str
    consequence_of_not_providing: str
    retention_statement: str = ""  # only where the purpose's period differs from the activity's
    legal_basis_not_stated: bool = False  # the organisation states none (apart from "not recorded yet")
    legal_basis_as_stated: str = ""
    direct_marketing: bool = False  # the objection of Art. 21(2)-(3) stops it


@dataclass(frozen=True)
class SourceItem:
    kind: str
    kind_label: str
    description: str

    def summary(self) -> str:
        return f"{self.kind_label}: {self.description}" if self.description else self.kind_label


@dataclass(frozen=True)
class RecipientItem:
    kind: str
    kind_label: str
    name: str
    description: str
    country: str
    country_code: str
    country_is_eea: bool | None
    vendor: VendorRef | None
    data_categories: tuple[str, ...] = ()

    def summary(self) -> str:
        who = self.name
        if self.vendor and self.description and self.description != self.vendor.name:
            who = f"{self.vendor.name} ({self.description})"
        text = f"{self.kind_label}: {who}" if who else self.kind_label
        if self.vendor and not self.vendor.role_stated and self.kind != Recipient.Kind.SERVICE_PROVIDER:
            text += " " + gettext("(role not stated)")
        if self.data_categories:
            text += " – " + gettext("receives: %(categories)s") % {"categories": ", ".join(self.data_categories)}
        return f"{text} [{self.country}]" if self.country else text


@dataclass(frozen=True)
class TransferItem:
    destination: str  # "" when the organisation does not name the country: see destination_description
    destination_code: str
    destination_description: str
    destination_has_adequacy: bool
    destination_needs_safeguard: bool
    adequacy_reference: str
    adequacy_needs_certification: bool
    recipient: str
    recipient_dpf_certified: bool | None
    international_organisation: str
    mechanism: str
    mechanism_label: str
    derogation: str
    derogation_label: str
    safeguard_document: str
    tia_completed_on: date | None
    tia_link: str
    notes: str
    destination_is_eea: bool = False
    receiving_entity: str = ""  # an intra-group transfer: the group entity or office that receives it

    @property
    def is_exceptional(self) -> bool:
        """Art. 49(1) second subparagraph: the transfer whose suitable safeguards Art. 30(1)(e) asks to document."""
        return self.derogation == Transfer.Derogation.COMPELLING

    def where(self) -> str:
        who = " / ".join(p for p in (self.recipient, self.international_organisation) if p)
        if self.destination_code:
            country = f"{self.destination} ({self.destination_code})"
        elif self.destination_description:
            country = gettext("Country not named: %(as_stated)s") % {"as_stated": self.destination_description}
        else:
            country = gettext("Country not named")
        if self.destination_is_eea:
            country += " " + gettext("(in the EEA: not a third country)")
        if self.receiving_entity:
            who = " / ".join(p for p in (who, gettext("received by %(entity)s") % {"entity": self.receiving_entity})
                             if p)
        return country + (f": {who}" if who else "")


@dataclass(frozen=True)
class SystemItem:
    name: str
    kind_label: str
    vendor: VendorRef | None
    hosting_countries: tuple[str, ...]
    hosting_codes: tuple[str, ...]

    def summary(self) -> str:
        text = self.name + (f" ({self.vendor.name})" if self.vendor else "")
        if self.hosting_countries:
            text += " – " + ", ".join(self.hosting_countries)
        return text


@dataclass(frozen=True)
class MeasureItem:
    name: str
    kind: str
    kind_label: str
    description: str


@dataclass(frozen=True)
class SubjectCategoryItem:
    name: str
    minimum_age: int | None
    vulnerable: bool


@dataclass(frozen=True)
class DataCategoryItem:
    name: str
    is_special: bool
    special_category_label: str
    is_criminal: bool


@dataclass(frozen=True)
class IncidentItem:
    title: str
    detected_at: datetime
    risk_label: str
    status_label: str
    authority_notified_at: datetime | None
    authority_reference: str
    subjects_notified_at: datetime | None

    def summary(self) -> str:
        detected = timezone.localdate(self.detected_at).isoformat()
        text = f"{self.title} ({detected}, {self.risk_label}, {self.status_label})"
        if self.authority_notified_at:
            notified = timezone.localdate(self.authority_notified_at).isoformat()
            text += "; " + gettext("authority notified %(date)s") % {"date": notified}
            if self.authority_reference:
                text += f" ({self.authority_reference})"
        return text


@dataclass(frozen=True)
class ActivityItem:
    id: int
    reference: str
    name: str
    record_type: str
    status: str
    status_label: str
    business_function: str
    description: str
    joint_controllers: tuple[Party, ...]
    joint_arrangement: str
    controllers_served: str
    subject_categories: tuple[SubjectCategoryItem, ...]
    data_categories: tuple[DataCategoryItem, ...]
    purposes: tuple[PurposeItem, ...]
    sources: tuple[SourceItem, ...]
    recipients: tuple[RecipientItem, ...]
    transfers: tuple[TransferItem, ...]
    systems: tuple[SystemItem, ...]
    security_measures: tuple[MeasureItem, ...]
    retention_statement: str
    retention_policy_deviation: str
    dpia_required: str
    dpia_required_label: str
    dpia_status: str
    dpia_status_label: str
    dpia_link: str
    dpia_completed_on: date | None
    automated_decision_making: bool | None  # None: not stated
    profiling: bool | None
    automated_logic: str
    incidents: tuple[IncidentItem, ...]
    review_date: date | None
    last_reviewed_on: date | None
    created_at: datetime
    updated_at: datetime
    annotations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    other_controllers: tuple[Party, ...] = ()
    owner: str = ""
    reviewer: str = ""
    privacy_notice_url: str = ""
    article22_exception_label: str = ""
    dpa2018_schedule1_label: str = ""
    other_impact_assessments: str = ""
    breach_procedure_url: str = ""
    retention_policy_adherence: str = ""
    retention_policy_adherence_label: str = ""

    @property
    def is_processor_record(self) -> bool:
        return self.record_type == ProcessingActivity.RecordType.PROCESSOR

    @property
    def special_categories(self) -> tuple[DataCategoryItem, ...]:
        return tuple(c for c in self.data_categories if c.is_special)

    @property
    def criminal_categories(self) -> tuple[DataCategoryItem, ...]:
        return tuple(c for c in self.data_categories if c.is_criminal)

    @property
    def processed_by_automated_means(self) -> bool:
        """Art. 20(1)(b) 'carried out by automated means': the register knows it when the data lives in a system."""
        return bool(self.systems)

    def processors(self) -> tuple[VendorRef, ...]:
        """Every processor the activity uses, as recipient or as provider of a system, each once."""
        seen: dict[str, VendorRef] = {}
        candidates = [r.vendor for r in self.recipients] + [s.vendor for s in self.systems]
        for vendor in candidates:
            if vendor is not None and vendor.is_processor and vendor.name not in seen:
                seen[vendor.name] = vendor
        return tuple(seen.values())

    def all_recipients(self) -> tuple[RecipientItem, ...]:
        """The recorded recipients, plus every processor that provides one of the activity's systems and is not
        recorded as a recipient: a hosting or software provider receives the data too (Art. 4(9))."""
        named = {r.vendor.name for r in self.recipients if r.vendor}
        providers = {}
        for system in self.systems:
            vendor = system.vendor
            if vendor and vendor.is_processor and vendor.name not in named and vendor.name not in providers:
                providers[vendor.name] = RecipientItem(
                    kind=Recipient.Kind.PROCESSOR, kind_label=str(Recipient.Kind.PROCESSOR.label), name=vendor.name,
                    description="", country=vendor.country, country_code="", country_is_eea=None, vendor=vendor,
                )
        return self.recipients + tuple(providers.values())

    def role_not_stated(self) -> tuple[VendorRef, ...]:
        """Every vendor the activity uses whose role the organisation does not state, each once."""
        seen: dict[str, VendorRef] = {}
        candidates = [r.vendor for r in self.recipients] + [s.vendor for s in self.systems]
        for vendor in candidates:
            if vendor is not None and not vendor.role_stated and vendor.name not in seen:
                seen[vendor.name] = vendor
        return tuple(seen.values())

    def annotation(self, key: str) -> tuple[str, ...]:
        return tuple(self.annotations.get(key, ()))


@dataclass(frozen=True)
class RegisterRecord:
    organisation: Party
    representative: Party | None
    generated_at: datetime
    activities: tuple[ActivityItem, ...]
    include_retired: bool = False
    language: str = ""  # the language the record was built in: its texts and labels are in it

    @property
    def date(self) -> date:
        """The day the record was drawn up, in the site's time zone."""
        return timezone.localdate(self.generated_at)

    @property
    def dpos(self) -> tuple[Contact, ...]:
        return self.organisation.contacts_with(PrivacyContact.Role.DPO)

    @property
    def representative_contacts(self) -> tuple[Contact, ...]:
        own = self.organisation.contacts_with(PrivacyContact.Role.REPRESENTATIVE)
        theirs = self.representative.contacts if self.representative else ()
        return own + tuple(theirs)

    @property
    def other_contacts(self) -> tuple[Contact, ...]:
        return tuple(
            c for c in self.organisation.contacts
            if c.role not in {PrivacyContact.Role.DPO, PrivacyContact.Role.REPRESENTATIVE}
        )

    @property
    def controller_activities(self) -> tuple[ActivityItem, ...]:
        return tuple(a for a in self.activities if not a.is_processor_record)

    @property
    def processor_activities(self) -> tuple[ActivityItem, ...]:
        return tuple(a for a in self.activities if a.is_processor_record)


@cache
def _labels(model, field_name: str, language: str | None) -> dict:
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}


def _label(instance, field_name: str) -> str:
    """`str(instance.get_<field>_display())`, from a choices map built once per field and language: Django's
    version rebuilds (and translates) the whole map on every call, which dominated large exports."""
    value = getattr(instance, field_name)
    return _labels(type(instance), field_name, translation.get_language()).get(value, str(value))


def _file_name(field_file) -> str:
    return field_file.name if field_file else ""


def _contact(contact: PrivacyContact) -> Contact:
    return Contact(
        role=contact.role, role_label=_label(contact, "role"), name=contact.name or "",
        email=contact.email, phone=contact.phone, postal_address=contact.postal_address, url=contact.url,
    )


def _user_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _right(right) -> RightItem:
    return RightItem(
        right=right.right, right_label=_label(right, "right"), offered=right.offered,
        offered_label=_label(right, "offered"), channel=right.channel, deadline=right.deadline,
        extension=right.extension, fee=right.fee, identity_rule=right.identity_rule,
        delivery_format=right.delivery_format, conditions=right.conditions,
    )


def _office(office) -> str:
    where = ", ".join(p for p in (office.city, office.region, office.country.local_name if office.country else "") if p)
    name = office.name + (" " + gettext("(headquarters)") if office.is_headquarters else "")
    return f"{name}: {where}" if where else name


def _party(org: Organisation, *, full: bool = True) -> Party:
    """`full`: with the cover page's relations (rights as stated, offices), prefetched by
    `selectors.organisations_for_record()`; parties named inside an activity carry the rest."""
    country = org.country
    role_labels = _labels(Organisation, "role", translation.get_language())
    return Party(
        name=org.name, trading_name=org.trading_name, registration_number=org.registration_number,
        postal_address=org.postal_address, country=country.local_name if country else "",
        country_code=country.code if country else "", is_eea=country.is_eea if country else None,
        email=org.email, phone=org.phone, website=org.website, role=org.role,
        role_label=_label(org, "role"), lead_authority=org.lead_authority,
        contacts=tuple(_contact(c) for c in org.contacts.all()),
        applicable_law=org.applicable_law, rights_request_requirements=org.rights_request_requirements,
        retention_policy_url=org.retention_policy_url,
        roles=tuple(role_labels.get(r, r) for r in org.roles),
        group=org.group.name if org.group_id else "", group_we_means=org.group.we_means if org.group_id else "",
        region=org.region, other_phones=tuple(p.strip() for p in org.other_phones.splitlines() if p.strip()),
        privacy_notice_url=org.privacy_notice_url, scope_exclusions=org.scope_exclusions,
        stated_rights=tuple(_right(r) for r in org.stated_rights.all()) if full else (),
        offices=tuple(_office(o) for o in org.offices.all()) if full else (),
    )


def _vendor(vendor: Vendor | None) -> VendorRef | None:
    if vendor is None:
        return None
    return VendorRef(
        name=vendor.name, legal_name=vendor.legal_name, role=vendor.role, role_label=_label(vendor, "role"),
        country=vendor.country.local_name if vendor.country else "", is_processor=vendor.is_processor,
        has_dpa=vendor.has_dpa, dpa_signed_on=vendor.dpa_signed_on, dpa_url=vendor.dpa_url,
        dpa_document=_file_name(vendor.dpa_document), dpf_certified=vendor.dpf_certified,
        engaged_by=vendor.engaged_by.name if vendor.engaged_by else "", dpa_in_place=vendor.dpa_in_place,
        category_label=_label(vendor, "category") if vendor.category else "",
        company=vendor.company.name if vendor.company_id else "",
    )


def _recipient(recipient: Recipient) -> RecipientItem:
    return RecipientItem(
        kind=recipient.kind, kind_label=_label(recipient, "kind"),
        name=recipient.vendor.name if recipient.vendor else recipient.description,
        description=recipient.description,
        country=recipient.country.local_name if recipient.country else "",
        country_code=recipient.country.code if recipient.country else "",
        country_is_eea=recipient.country.is_eea if recipient.country else None,
        vendor=_vendor(recipient.vendor),
        data_categories=tuple(c.name for c in recipient.data_categories.all()),
    )


def _transfer(transfer: Transfer) -> TransferItem:
    destination = transfer.destination
    return TransferItem(
        destination=destination.local_name if destination else "",
        destination_code=destination.code if destination else "",
        destination_description=transfer.destination_description,
        destination_has_adequacy=destination.has_adequacy if destination else False,
        destination_needs_safeguard=transfer.needs_safeguard,
        adequacy_reference=destination.adequacy_reference if destination else "",
        adequacy_needs_certification=destination.adequacy_needs_certification if destination else False,
        recipient=transfer.vendor.name if transfer.vendor else "",
        recipient_dpf_certified=transfer.vendor.dpf_certified if transfer.vendor else None,
        international_organisation=transfer.international_organisation,
        mechanism=transfer.mechanism,
        mechanism_label=_label(transfer, "mechanism") if transfer.mechanism else "",
        derogation=transfer.derogation,
        derogation_label=_label(transfer, "derogation") if transfer.derogation else "",
        safeguard_document=transfer.safeguard_document, tia_completed_on=transfer.tia_completed_on,
        tia_link=transfer.tia_link, notes=transfer.notes,
        destination_is_eea=destination.is_eea if destination else False,
        receiving_entity=_receiving_entity(transfer),
    )


def _receiving_entity(transfer: Transfer) -> str:
    office, entity = transfer.receiving_office, transfer.receiving_organisation
    if office is not None:
        where = f" ({office.country.local_name})" if office.country else ""
        return f"{office.organisation.name}, {office.name}{where}"
    return entity.name if entity is not None else ""


def _purpose(purpose) -> PurposeItem:
    return PurposeItem(
        description=purpose.description, legal_basis=purpose.legal_basis,
        legal_basis_label=str(LegalBasis(purpose.legal_basis).label) if purpose.legal_basis else "",
        legal_basis_detail=purpose.legal_basis_detail, legitimate_interest=purpose.legitimate_interest,
        lia_completed_on=purpose.lia_completed_on, lia_link=purpose.lia_link,
        article9_condition=purpose.article9_condition,
        article9_condition_label=_label(purpose, "article9_condition") if purpose.article9_condition else "",
        article10_basis=purpose.article10_basis,
        provision_requirement_label=(
            _label(purpose, "provision_requirement") if purpose.provision_requirement else ""
        ),
        consequence_of_not_providing=purpose.consequence_of_not_providing,
        retention_statement=purpose.retention_statement,
        legal_basis_not_stated=purpose.legal_basis_not_stated, legal_basis_as_stated=purpose.legal_basis_as_stated,
        direct_marketing=purpose.direct_marketing,
    )


def _transfer_order(transfer: Transfer) -> tuple:
    """By country name (in the record's language), then in the order entered; a destination not named last.
    Databases disagree on where NULL sorts and need not keep ties in any order: a record must read the same on each."""
    destination = transfer.destination
    return (destination is None, destination.local_name if destination else "", transfer.pk)


def _by_local_name(countries) -> list:
    return sorted(countries, key=lambda c: (c.local_name, c.code))


def _measure_order(measure: SecurityMeasure) -> tuple:
    return (measure.kind != SecurityMeasure.Kind.TECHNICAL, measure.name)


def _activity(activity: ProcessingActivity, annotations: Mapping[str, tuple[str, ...]]) -> ActivityItem:
    return ActivityItem(
        id=activity.pk, reference=activity.reference, name=activity.name, record_type=activity.record_type,
        status=activity.status, status_label=_label(activity, "status"),
        business_function=activity.business_function, description=activity.description,
        joint_controllers=tuple(_party(o, full=False) for o in activity.joint_controllers.all()),
        other_controllers=tuple(_party(o, full=False) for o in activity.other_controllers.all()),
        owner=_user_name(activity.owner), reviewer=_user_name(activity.reviewer),
        privacy_notice_url=activity.privacy_notice_url,
        article22_exception_label=_label(activity, "article22_exception") if activity.article22_exception else "",
        dpa2018_schedule1_label=(
            _label(activity, "dpa2018_schedule1_condition") if activity.dpa2018_schedule1_condition else ""
        ),
        other_impact_assessments=activity.other_impact_assessments,
        breach_procedure_url=activity.breach_procedure_url,
        retention_policy_adherence=activity.retention_policy_adherence,
        retention_policy_adherence_label=(
            _label(activity, "retention_policy_adherence") if activity.retention_policy_adherence else ""
        ),
        joint_arrangement=activity.joint_arrangement, controllers_served=activity.controllers_served,
        subject_categories=tuple(
            SubjectCategoryItem(name=c.name, minimum_age=c.minimum_age, vulnerable=c.vulnerable)
            for c in activity.subject_categories.all()
        ),
        data_categories=tuple(
            DataCategoryItem(
                name=c.name, is_special=c.is_special, is_criminal=c.is_criminal,
                special_category_label=_label(c, "special_category") if c.special_category else "",
            )
            for c in activity.data_categories.all()
        ),
        purposes=tuple(_purpose(p) for p in activity.purposes.all()),
        sources=tuple(
            SourceItem(kind=s.kind, kind_label=_label(s, "kind"), description=s.description)
            for s in activity.sources.all()
        ),
        recipients=tuple(_recipient(r) for r in activity.recipients.all()),
        transfers=tuple(_transfer(t) for t in sorted(activity.transfers.all(), key=_transfer_order)),
        systems=tuple(
            SystemItem(
                name=s.name, kind_label=_label(s, "kind"), vendor=_vendor(s.vendor),
                hosting_countries=tuple(c.local_name for c in _by_local_name(s.hosting_countries.all())),
                hosting_codes=tuple(c.code for c in _by_local_name(s.hosting_countries.all())),
            )
            for s in activity.systems.all()
        ),
        security_measures=tuple(
            MeasureItem(name=m.name, kind=m.kind, kind_label=_label(m, "kind"), description=m.description)
            for m in sorted(activity.security_measures.all(), key=_measure_order)
        ),
        retention_statement=activity.retention_statement,
        retention_policy_deviation=activity.retention_policy_deviation,
        dpia_required=activity.dpia_required, dpia_required_label=_label(activity, "dpia_required"),
        dpia_status=activity.dpia_status, dpia_status_label=_label(activity, "dpia_status"),
        dpia_link=activity.dpia_link, dpia_completed_on=activity.dpia_completed_on,
        automated_decision_making=activity.automated_decision_making, profiling=activity.profiling,
        automated_logic=activity.automated_logic,
        incidents=tuple(
            IncidentItem(
                title=i.title, detected_at=i.detected_at, risk_label=_label(i, "risk"),
                status_label=_label(i, "status"), authority_notified_at=i.authority_notified_at,
                authority_reference=i.authority_reference, subjects_notified_at=i.subjects_notified_at,
            )
            for i in activity.incidents.all()
        ),
        review_date=activity.review_date, last_reviewed_on=activity.last_reviewed_on,
        created_at=activity.created_at, updated_at=activity.updated_at, annotations=annotations,
    )


def build_record(
    *, organisation: Organisation, include_retired: bool = False, now: datetime | None = None
) -> RegisterRecord:
    """The organisation's Art. 30 record as plain data, in the active language: register texts read in it (where
    translated) and every choice label is translated in it. Build it inside the export's language
    (`document.build_document` does).

    Pass an organisation from `selectors.organisations_for_record()` to keep its cover page free of extra
    queries. Runs a fixed number of queries: one per prefetched relation plus one per registered annotator."""
    activities = list(selectors.activities_for_record(organisation=organisation, include_retired=include_retired))
    ids = [a.pk for a in activities]
    contributed = {key: annotator(ids) if ids else {} for key, annotator in _annotators.items()}
    items = tuple(
        _activity(a, {key: tuple(lines.get(a.pk, ())) for key, lines in contributed.items()}) for a in activities
    )
    return RegisterRecord(
        organisation=_party(organisation),
        representative=_party(organisation.representative, full=False) if organisation.representative_id else None,
        generated_at=now or timezone.now(),
        activities=items,
        include_retired=include_retired,
        language=translation.get_language() or "",
    )
