"""Authority templates for the Art. 30 record, as data: each is an ordered list of (column header, extractor).

A template has a cover block (who the controller, its representative and its DPO are) and one or two
sheets: the controller's record (Art. 30(1)) and, when the organisation keeps one, the processor's record
(Art. 30(2)). Every column says where its answer comes from (`Source`), so the coverage table in
docs/exports.md is computed from the same definitions the exports use, and a test can walk them.

Where the law gives a field a definite shape, the answer is derived from structured register data, never
typed: the rights available follow from the Art. 6(1) basis (Art. 17(3)(b), 20(1), 21(1), 7(3)), as
``privacy_registry.law`` gives them (the notice reads the same rules); the
"special category?" answer from the data categories' flags; third countries from Transfer.destination (or,
where the organisation does not name the country, the destination as it states it);
the processor contract from Vendor.dpa_*; safeguards from Transfer.mechanism / derogation and the
destination's adequacy decision; location from System.hosting_countries; source from DataSource.

Field lists, and how sure we are of them:
- art30: Regulation (EU) 2016/679, Art. 30(1)(a)-(g) and 30(2)(a)-(d).
- ico: the UK ICO's "documentation template for controllers" (sheet "Template", columns A-AD, verbatim) and
  its processor template (from the ICO's published layout; the controller's-representative column follows
  Art. 30(2)(a)).
- dpc: the Irish DPC's guidance note "Records of Processing Activities (RoPA) under Article 30 GDPR" (2023)
  ships two spreadsheet templates whose exact headers were not available to us; the columns below follow
  its advice (one row per business function and purpose, information written out rather than linked,
  relevant extra information such as legal basis, source, location and DPIA) and Art. 30 itself.
- cnil: the CNIL's "registre de base" (fiche de registre per activity; French headers are the template's)
  and its processor register model for the processor sheet.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _

from .. import law
from ..models import (
    Article9Condition,
    LegalBasis,
    PrivacyContact,
    ProcessingActivity,
    Recipient,
    StatedRight,
    Transfer,
)
from .record import (
    CONSENT_RECORDS,
    RETENTION_COMPLIANCE,
    RETENTION_RULES,
    ActivityItem,
    Party,
    PurposeItem,
    RegisterRecord,
    TransferItem,
)

LIST_SEP = "; "
LINE_SEP = "\n"


class Source(StrEnum):
    """Where a column's answer comes from."""

    STRUCTURED = "structured"  # choices, flags, relations, dates, links: derived, never typed
    FREE_TEXT = "free_text"  # a free-text field of the register, for a field that is free text by nature
    NOT_ANSWERABLE = "not_answerable"  # the register holds nothing for it (yet): the cell stays empty


@dataclass(frozen=True)
class Row:
    """What an extractor sees: the record, and for a sheet row its activity and (per-purpose sheets) purpose."""

    record: RegisterRecord
    activity: ActivityItem | None = None
    purpose: PurposeItem | None = None
    per_purpose: bool = True

    @property
    def purposes(self) -> tuple[PurposeItem, ...]:
        if self.purpose is not None:
            return (self.purpose,)
        return () if self.per_purpose else self.activity.purposes


Extractor = Callable[[Row], str]


@dataclass(frozen=True)
class Column:
    header: str | Promise
    extract: Extractor
    source: Source
    note: str = ""  # what the answer is drawn from, or what the register would need to answer it


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str | Promise
    record_type: str
    per_purpose: bool
    columns: tuple[Column, ...]

    def headers(self) -> list[str]:
        return [str(c.header) for c in self.columns]

    def rows(self, record: RegisterRecord) -> list[tuple[ActivityItem, list[str]]]:
        result = []
        for activity in record.activities:
            if activity.record_type != self.record_type:
                continue
            purposes: tuple[PurposeItem | None, ...] = (activity.purposes or (None,)) if self.per_purpose else (None,)
            for purpose in purposes:
                row = Row(record=record, activity=activity, purpose=purpose, per_purpose=self.per_purpose)
                result.append((activity, [c.extract(row) for c in self.columns]))
        return result


@dataclass(frozen=True)
class Template:
    key: str
    name: str | Promise
    authority: str | Promise
    title: str | Promise
    cover: tuple[Column, ...]
    sheets: tuple[Sheet, ...]
    language: str | None = None  # a template whose headers are fixed in one language renders its phrases in it
    basis: str | Promise = ""


# ---------------------------------------------------------------------------------------------------------
# Phrases. English ones are translatable; the CNIL template passes French ones of its own.

@dataclass(frozen=True)
class Phrases:
    yes: str | Promise = _("Yes")
    no: str | Promise = _("No")
    none: str | Promise = _("None")
    not_recorded: str | Promise = _("Not recorded")
    not_applicable: str | Promise = _("Not applicable")
    not_stated: str | Promise = _("Not stated by the organisation")


EN = Phrases()
FR = Phrases(yes="Oui", no="Non", none="Aucun", not_recorded="Non renseigné", not_applicable="Sans objet",
             not_stated="Non précisé par l'organisme")


def _join(items, sep: str = LIST_SEP) -> str:
    return sep.join(str(i) for i in items if i)


def _or(value: str, fallback) -> str:
    return value if value else str(fallback)


def _date(value) -> str:
    return value.isoformat() if value else ""


def _day(moment) -> str:
    return localdate(moment).isoformat() if moment else ""


# ---------------------------------------------------------------------------------------------------------
# Record-level facts: Art. 30(1)(a) / 30(2)(a).

def _party_block(party: Party) -> str:
    lines = [party.summary()]
    for contact in party.contacts:
        lines.append(f"{contact.role_label}: {contact.summary()}")
    return LINE_SEP.join(lines)


def controller(row: Row) -> str:
    """The organisation keeping the record and, for an activity, the further controllers it names without
    asserting Art. 26 (entities of one group)."""
    text = row.record.organisation.summary()
    if row.activity is not None and row.activity.other_controllers:
        text += LINE_SEP + str(_("Further controllers (not stated to be joint, Art. 26): %(names)s") % {
            "names": _join(p.summary() for p in row.activity.other_controllers),
        })
    return text


def representative(row: Row, phrases: Phrases = EN) -> str:
    """The representative and every contact it has (its DPO among them), each with its role."""
    record = row.record
    if record.representative is not None or record.representative_contacts:
        rep = record.representative
        lines = [rep.summary()] if rep else []
        own = record.organisation.contacts_with(PrivacyContact.Role.REPRESENTATIVE)
        lines += [f"{c.role_label}: {c.summary()}" for c in own]
        if rep is not None:
            lines += [f"{c.role_label} ({rep.name}): {c.summary()}" for c in rep.contacts]
        return LINE_SEP.join(lines)
    if record.organisation.is_eea:
        if phrases is FR:
            return "Sans objet : l'organisme est établi dans l'Union (art. 27 RGPD)"
        return str(_("Not required: established in the EEA (Art. 27(1))"))
    return str(phrases.not_recorded)


def dpo(row: Row, phrases: Phrases = EN) -> str:
    return _or(_join((c.summary() for c in row.record.dpos), LINE_SEP), phrases.not_recorded)


def other_contacts(row: Row) -> str:
    return _join((f"{c.role_label}: {c.summary()}" for c in row.record.other_contacts), LINE_SEP)


def joint_controllers(row: Row, phrases: Phrases = EN) -> str:
    activity = row.activity
    if not activity.joint_controllers:
        return str(phrases.not_applicable)
    lines = [_party_block(p) for p in activity.joint_controllers]
    if activity.joint_arrangement:
        lines.append(str(_("Arrangement (Art. 26): %(text)s") % {"text": activity.joint_arrangement}))
    return LINE_SEP.join(lines)


# ---------------------------------------------------------------------------------------------------------
# Purposes and legal bases: Art. 30(1)(b), Art. 6, 9, 10.

def purpose(row: Row, phrases: Phrases = EN) -> str:
    return _or(_join((p.description for p in row.purposes), LINE_SEP), phrases.not_recorded)


def _basis_text(p: PurposeItem, phrases: Phrases = EN) -> str:
    """The mapped Art. 6(1) basis with its detail, the basis in the organisation's own words beside it; "not stated"
    when the organisation is silent, which is not the same as "not recorded" (the register does not know yet)."""
    as_stated = str(_("as stated: %(words)s") % {"words": p.legal_basis_as_stated}) if p.legal_basis_as_stated else ""
    if p.legal_basis:
        text = f"{p.legal_basis_label}: {p.legal_basis_detail}" if p.legal_basis_detail else p.legal_basis_label
        return _join((text, as_stated), " – ")
    if p.legal_basis_not_stated:
        head = str(phrases.not_stated)
        if as_stated:
            return str(_("%(head)s as one Art. 6(1) basis; %(as_stated)s") % {"head": head, "as_stated": as_stated})
        return head
    if as_stated:
        return _join((str(phrases.not_recorded), as_stated), " – ")
    return ""


def legal_basis(row: Row, phrases: Phrases = EN) -> str:
    texts = [_basis_text(p, phrases) or str(phrases.not_recorded) for p in row.purposes]
    return _or(_join(texts, LINE_SEP), phrases.not_recorded)


def article9_condition(row: Row, phrases: Phrases = EN) -> str:
    special = row.activity.special_categories
    if not special:
        return str(_("Not applicable: no special category data"))
    conditions = [p.article9_condition_label for p in row.purposes if p.article9_condition]
    return _or(_join(dict.fromkeys(conditions), LINE_SEP), phrases.not_recorded)


def article10_basis(row: Row, phrases: Phrases = EN) -> str:
    if not row.activity.criminal_categories:
        return str(_("Not applicable: no criminal offence data"))
    return _or(_join(dict.fromkeys(p.article10_basis for p in row.purposes), LINE_SEP), phrases.not_recorded)


def special_and_criminal(row: Row) -> str:
    activity = row.activity
    lines = []
    if activity.special_categories:
        kinds = _join(c.special_category_label or c.name for c in activity.special_categories)
        conditions = _join(dict.fromkeys(p.article9_condition_label for p in row.purposes if p.article9_condition))
        lines.append(str(_("Special categories (Art. 9): %(kinds)s; condition: %(conditions)s") % {
            "kinds": kinds, "conditions": conditions or _("not recorded"),
        }))
    if activity.criminal_categories:
        authority = _join(dict.fromkeys(p.article10_basis for p in row.purposes if p.article10_basis))
        lines.append(str(_("Criminal offence data (Art. 10): %(names)s; authority: %(authority)s") % {
            "names": _join(c.name for c in activity.criminal_categories), "authority": authority or _("not recorded"),
        }))
    return _or(LINE_SEP.join(lines), EN.none)


def legitimate_interests(row: Row) -> str:
    if not any(p.legal_basis == LegalBasis.LEGITIMATE_INTERESTS for p in row.purposes):
        return str(_("Not applicable: not based on Art. 6(1)(f)"))
    texts = [
        p.legitimate_interest or p.legal_basis_detail or str(EN.not_recorded)
        for p in row.purposes if p.legal_basis == LegalBasis.LEGITIMATE_INTERESTS
    ]
    return _join(texts, LINE_SEP)


def lia_link(row: Row) -> str:
    purposes = [p for p in row.purposes if p.legal_basis == LegalBasis.LEGITIMATE_INTERESTS]
    if not purposes:
        return str(_("Not applicable: not based on Art. 6(1)(f)"))
    texts = []
    for p in purposes:
        done = str(_("assessed on %(date)s") % {"date": _date(p.lia_completed_on)}) if p.lia_completed_on else ""
        texts.append(_join((p.lia_link, done)) or str(EN.not_recorded))
    return _join(texts, LINE_SEP)


def _is_consent(p: PurposeItem) -> bool:
    return law.is_consent(basis=p.legal_basis, article9=p.article9_condition)


def derived_rights(p: PurposeItem, activity: ActivityItem) -> list[str]:
    """The rights (StatedRight.Right values) the law attaches to the purpose's basis, as ``privacy_registry.law``
    gives them (the notice reads the same rules): empty when no basis is recorded."""
    return law.rights_given(
        basis=p.legal_basis, article9=p.article9_condition,
        direct_marketing=p.direct_marketing,
        automated_means=activity.processed_by_automated_means,
        automated_decisions=activity.automated_decision_making is True,
    )


def rights_for(p: PurposeItem, activity: ActivityItem, organisation: Party | None = None) -> list[str]:
    """The rights for the purpose: those the organisation states, as it states them; those the law attaches to
    the basis that it does not state, marked "derived" (never passed off as the organisation's word)."""
    stated = {r.right: r for r in organisation.stated_rights} if organisation is not None else {}
    derived = derived_rights(p, activity)
    texts = [str(_("%(summary)s (as stated)") % {"summary": r.summary()}) for r in stated.values()]
    unstated = [str(StatedRight.Right(right).label) for right in derived if right not in stated]
    if unstated:
        texts.append(str(_("Derived from the legal basis, not stated by the organisation: %(rights)s") % {
            "rights": ", ".join(unstated),
        }))
    if not derived:
        texts.append(str(_("Not determinable: no legal basis recorded")))
    return texts


def rights_available(row: Row) -> str:
    if not row.purposes:
        return str(EN.not_recorded)
    organisation = row.record.organisation
    if len(row.purposes) == 1:
        return _join(rights_for(row.purposes[0], row.activity, organisation))
    return _join(
        (f"{p.description}: {_join(rights_for(p, row.activity, organisation))}" for p in row.purposes), LINE_SEP
    )


def rights_as_stated(row: Row, phrases: Phrases = EN) -> str:
    return _or(_join((r.summary() for r in row.record.organisation.stated_rights), LINE_SEP), phrases.not_recorded)


def consent_record(row: Row) -> str:
    if not any(_is_consent(p) for p in row.purposes):
        return str(_("Not applicable: not based on consent"))
    return _or(_join(row.activity.annotation(CONSENT_RECORDS), LINE_SEP), EN.not_recorded)


def schedule1_condition(row: Row) -> str:
    if row.activity.dpa2018_schedule1_label:
        return row.activity.dpa2018_schedule1_label
    return derived_schedule1_condition(row)


def derived_schedule1_condition(row: Row) -> str:
    """DPA 2018 s. 10: Art. 9(2)(b), (h), (i), (j) need a Schedule 1 Part 1 condition (paras 1-4, fixed by the
    Art. 9 condition), (g) a Part 2 condition (which one the register does not record); criminal offence data
    a Part 1, 2 or 3 condition (not recorded). Other Art. 9(2) conditions need none."""
    part1 = {
        Article9Condition.EMPLOYMENT: _("Part 1 para 1: employment, social security and social protection"),
        Article9Condition.HEALTH_CARE: _("Part 1 para 2: health or social care purposes"),
        Article9Condition.PUBLIC_HEALTH: _("Part 1 para 3: public health"),
        Article9Condition.ARCHIVING_RESEARCH: _("Part 1 para 4: research etc."),
    }
    activity = row.activity
    if not activity.special_categories and not activity.criminal_categories:
        return str(_("Not applicable: no special category or criminal offence data"))
    texts = []
    for p in row.purposes:
        if not activity.special_categories:
            continue
        if p.article9_condition in part1:
            texts.append(str(part1[p.article9_condition]))
        elif p.article9_condition == Article9Condition.SUBSTANTIAL_PUBLIC_INTEREST:
            texts.append(str(_("Part 2 (substantial public interest): paragraph not recorded")))
        elif p.article9_condition:
            texts.append(str(_("None needed: %(condition)s applies without one") % {
                "condition": p.article9_condition_label,
            }))
        else:
            texts.append(str(_("Not determinable: no Art. 9(2) condition recorded")))
    if activity.criminal_categories:
        texts.append(str(_("Criminal offence data: Part 1, 2 or 3 condition not recorded")))
    return _join(dict.fromkeys(texts), LINE_SEP)


# ---------------------------------------------------------------------------------------------------------
# Categories: Art. 30(1)(c).

def subject_categories(row: Row, phrases: Phrases = EN) -> str:
    names = []
    for c in row.activity.subject_categories:
        name = c.name
        if c.minimum_age:
            name += " " + str(_("(minimum age %(age)d)") % {"age": c.minimum_age})
        names.append(name)
    return _or(_join(names), phrases.not_recorded)


def data_categories(row: Row, phrases: Phrases = EN) -> str:
    names = []
    for c in row.activity.data_categories:
        marks = []
        if c.is_special:
            marks.append(str(_("special category: %(kind)s") % {"kind": c.special_category_label or _("Art. 9")}))
        if c.is_criminal:
            marks.append(str(_("criminal offence data")))
        names.append(f"{c.name} ({', '.join(marks)})" if marks else c.name)
    return _or(_join(names), phrases.not_recorded)


# ---------------------------------------------------------------------------------------------------------
# Recipients, processors, transfers: Art. 30(1)(d), (e).

def recipients(row: Row, phrases: Phrases = EN, kinds: set[str] | None = None) -> str:
    items = [r for r in row.activity.all_recipients() if kinds is None or r.kind in kinds]
    return _or(_join((r.summary() for r in items), LINE_SEP), phrases.none)


def processor_contracts(row: Row) -> str:
    """The contract of every processor; vendors whose role is not stated are named as such, never as processors."""
    processors, unstated = row.activity.processors(), row.activity.role_not_stated()
    no_contract = str(_("no contract on file"))  # outside the f-string, where makemessages finds it
    lines = [f"{v.name}: {v.contract() or no_contract}" for v in processors]
    if unstated:
        lines.append(str(_("Role not stated (not recorded as processors): %(names)s") % {
            "names": _join(v.display_name + (f" – {v.contract()}" if v.contract() else "") for v in unstated),
        }))
    if not lines:
        return str(_("Not applicable: no processor recorded"))
    return _join(lines, LINE_SEP)


def third_countries(row: Row, phrases: Phrases = EN) -> str:
    return _or(_join(dict.fromkeys(t.where() for t in row.activity.transfers), LINE_SEP), phrases.none)


def safeguard(t: TransferItem) -> str:
    """The transfer's safeguard in words: the recorded mechanism or derogation, else what the destination's
    adequacy decision (and, where it covers certified recipients only, the recipient's certification) gives."""
    dpf = Transfer.Mechanism.DPF
    if t.destination_is_eea:
        return str(_("Not a third-country transfer: %(country)s is in the EEA (no Chapter V safeguard applies)") % {
            "country": t.destination,
        })
    if t.mechanism == Transfer.Mechanism.DEROGATION:
        text = t.derogation_label or str(_("Derogation (Art. 49): which one not recorded"))
    elif t.mechanism and t.mechanism != Transfer.Mechanism.ADEQUACY:
        text = t.mechanism_label
        if t.mechanism == dpf and t.recipient_dpf_certified is False:
            text += "; " + str(_("WARNING: the recipient is not recorded as certified"))
    elif t.mechanism == Transfer.Mechanism.ADEQUACY or not t.destination_needs_safeguard:
        text = str(_("Adequacy decision (Art. 45)"))
        if t.adequacy_reference:
            text += f", {t.adequacy_reference}"
    elif t.adequacy_needs_certification and t.recipient_dpf_certified:
        text = str(dpf.label) + "; " + str(_("the recipient is certified"))
    else:
        text = str(_("NO SAFEGUARD RECORDED"))
    if not t.destination_code and t.mechanism in {Transfer.Mechanism.ADEQUACY, dpf}:
        text += "; " + str(_("WARNING: the country is not named, so no adequacy decision can be shown to cover it"))
    parts = [text]
    if t.safeguard_document:
        parts.append(str(_("document: %(url)s") % {"url": t.safeguard_document}))
    if t.tia_completed_on or t.tia_link:
        tia = _join((_date(t.tia_completed_on), t.tia_link), " ")
        parts.append(str(_("transfer impact assessment: %(tia)s") % {"tia": tia}))
    if t.is_exceptional:
        documentation = t.notes or t.safeguard_document or str(_("NOT RECORDED"))
        parts.append(str(_("suitable safeguards (Art. 49(1) second subparagraph): %(doc)s") % {"doc": documentation}))
    return LIST_SEP.join(parts)


def safeguards(row: Row) -> str:
    transfers = row.activity.transfers
    if not transfers:
        return str(_("Not applicable: no transfer"))
    return _join((f"{t.where()}: {safeguard(t)}" for t in transfers), LINE_SEP)


def cnil_transfers(row: Row) -> str:
    if not row.activity.transfers:
        return "Non"
    return "Oui" + LINE_SEP + _join((f"{t.where()} : {safeguard(t)}" for t in row.activity.transfers), LINE_SEP)


# ---------------------------------------------------------------------------------------------------------
# Retention, security, location, risk: Art. 30(1)(f), (g) and the authorities' extra fields.

def retention(row: Row, phrases: Phrases = EN) -> str:
    """The period as stated: a purpose's own where it has one (it differs from the activity's), else the activity's;
    a row per activity gives the activity's and then each purpose's own. Enforceable rules follow (RETENTION_RULES)."""
    activity = row.activity
    own = [p for p in row.purposes if p.retention_statement]
    if row.purpose is not None and own:
        lines = [row.purpose.retention_statement]
    else:
        lines = [activity.retention_statement, *(f"{p.description}: {p.retention_statement}" for p in own)]
    return _or(_join([*lines, *activity.annotation(RETENTION_RULES)], LINE_SEP), phrases.not_recorded)


def security_measures(row: Row, phrases: Phrases = EN) -> str:
    groups: dict[str, list[str]] = {}
    for m in row.activity.security_measures:
        groups.setdefault(m.kind_label, []).append(m.name)
    return _or(_join((f"{kind}: {_join(names)}" for kind, names in groups.items()), LINE_SEP), phrases.not_recorded)


def location(row: Row, phrases: Phrases = EN) -> str:
    return _or(_join((s.summary() for s in row.activity.systems), LINE_SEP), phrases.not_recorded)


def systems(row: Row, phrases: Phrases = EN) -> str:
    return _or(_join(s.name for s in row.activity.systems), phrases.not_recorded)


def data_sources(row: Row, phrases: Phrases = EN) -> str:
    return _or(_join((s.summary() for s in row.activity.sources), LINE_SEP), phrases.not_recorded)


def _automated_stated_no(activity) -> bool:
    """Both stated "no" (False): only then is the answer "No"; a None is "not stated", never a "No"."""
    return activity.automated_decision_making is False and activity.profiling is False


def automated_decisions(row: Row) -> str:
    activity = row.activity
    if not (activity.automated_decision_making or activity.profiling):
        return str(EN.no) if _automated_stated_no(activity) else str(EN.not_stated)
    kinds = []
    if activity.automated_decision_making:
        kinds.append(str(_("automated decision-making (Art. 22)")))
    if activity.profiling:
        kinds.append(str(_("profiling")))
    text = f"{EN.yes}: {', '.join(kinds)}"
    if activity.article22_exception_label:
        text += LINE_SEP + str(_("exception relied on: %(exception)s") % {
            "exception": activity.article22_exception_label,
        })
    return f"{text}{LINE_SEP}{activity.automated_logic}" if activity.automated_logic else text


def dpia_required(row: Row) -> str:
    return row.activity.dpia_required_label


def dpia_progress(row: Row) -> str:
    activity = row.activity
    if activity.dpia_completed_on:
        return f"{activity.dpia_status_label} ({_date(activity.dpia_completed_on)})"
    return activity.dpia_status_label


def dpia_link(row: Row) -> str:
    return _or(row.activity.dpia_link, EN.none)


def dpia_summary(row: Row) -> str:
    other = row.activity.other_impact_assessments
    other = str(_("other assessments: %(text)s") % {"text": other}) if other else ""
    return _join((dpia_required(row), dpia_progress(row), row.activity.dpia_link, other))


def breach_occurred(row: Row) -> str:
    count = len(row.activity.incidents)
    return f"{EN.yes} ({count})" if count else str(EN.no)


def breach_records(row: Row) -> str:
    procedure = row.activity.breach_procedure_url
    procedure = str(_("breach procedure: %(url)s") % {"url": procedure}) if procedure else ""
    if not row.activity.incidents:
        return _join((str(_("Not applicable: no breach recorded")), procedure), LINE_SEP)
    return _join([*(i.summary() for i in row.activity.incidents), procedure], LINE_SEP)


def breaches(row: Row) -> str:
    return _join((breach_occurred(row), breach_records(row)), LINE_SEP)


def retention_compliance(row: Row) -> str:
    """The activity's own answer where the register records one (and the reason when not), then what the
    retention app knows of enforcement (RETENTION_COMPLIANCE)."""
    activity = row.activity
    lines = []
    if activity.retention_policy_adherence:
        lines.append(activity.retention_policy_adherence_label)
    return _or(_join([*lines, *activity.annotation(RETENTION_COMPLIANCE)], LINE_SEP), EN.not_recorded)


def owner(row: Row, phrases: Phrases = EN) -> str:
    activity = row.activity
    text = activity.owner
    if activity.reviewer:
        text = _join((text, str(_("reviewer: %(name)s") % {"name": activity.reviewer})))
    return _or(text, phrases.not_recorded)


def retention_policy_link(row: Row, phrases: Phrases = EN) -> str:
    return _or(row.record.organisation.retention_policy_url, phrases.not_recorded)


def retention_policy_deviation(row: Row) -> str:
    return _or(row.activity.retention_policy_deviation, _("None recorded"))


def not_held(row: Row) -> str:
    return ""


# ---------------------------------------------------------------------------------------------------------
# Processor records: Art. 30(2).

def controllers_served(row: Row, phrases: Phrases = EN) -> str:
    return _or(row.activity.controllers_served, phrases.not_recorded)


def categories_of_processing(row: Row) -> str:
    activity = row.activity
    lines = [activity.name + (f": {activity.description}" if activity.description else "")]
    lines += [p.description for p in activity.purposes]
    return _join(lines, LINE_SEP)


def sub_processors(row: Row, phrases: Phrases = EN) -> str:
    return _or(_join((f"{v.name} ({v.role_label})" for v in row.activity.processors()), LINE_SEP), phrases.none)


# ---------------------------------------------------------------------------------------------------------
# Simple accessors.

def reference(row: Row) -> str:
    return row.activity.reference


def activity_name(row: Row) -> str:
    return row.activity.name


def description(row: Row) -> str:
    return row.activity.description


def activity_status(row: Row) -> str:
    return row.activity.status_label


def business_function(row: Row) -> str:
    return _or(row.activity.business_function, EN.not_recorded)


def _fr(fn: Callable[..., str]) -> Extractor:
    return lambda row: fn(row, phrases=FR)


S, T, N = Source.STRUCTURED, Source.FREE_TEXT, Source.NOT_ANSWERABLE


def _cover(phrases: Phrases = EN) -> tuple[Column, ...]:
    org = lambda attr: (lambda row: getattr(row.record.organisation, attr))  # noqa: E731
    return (
        Column(_("Controller (legal name)"), org("name"), S),
        Column(_("Trading name"), org("trading_name"), S),
        Column(_("Registration number"), org("registration_number"), S),
        Column(_("Postal address"), org("postal_address"), S),
        Column(_("Country"), org("country"), S),
        Column(_("E-mail"), org("email"), S),
        Column(_("Telephone"), org("phone"), S),
        Column(_("Website"), org("website"), S),
        Column(_("Role"), lambda row: _join(row.record.organisation.roles), S, "Organisation.role and other_roles"),
        Column(_("Group (who “we” means)"), group, S, "Organisation.group, CorporateGroup.we_means"),
        Column(_("Offices"), lambda row: _join(row.record.organisation.offices, LINE_SEP), S, "Office"),
        Column(_("Further phone numbers"), lambda row: _join(row.record.organisation.other_phones), S),
        Column(_("Privacy notice"), org("privacy_notice_url"), S),
        Column(_("What the notice does not cover"), org("scope_exclusions"), T),
        Column(_("Lead supervisory authority"), org("lead_authority"), S),
        Column(_("Representative (Art. 27)"), lambda row: representative(row, phrases), S),
        Column(_("Data protection officer (Art. 37)"), lambda row: dpo(row, phrases), S),
        Column(_("Other privacy contacts"), other_contacts, S),
        Column(_("Data protection law applied beside the GDPR"), org("applicable_law"), T),
        Column(_("What a rights request must include"), org("rights_request_requirements"), T),
        Column(_("Rights as stated"), lambda row: rights_as_stated(row, phrases), S, "StatedRight"),
        Column(_("Retention and erasure policy"), lambda row: retention_policy_link(row, phrases), S),
        Column(_("Date of the record"), lambda row: row.record.date.isoformat(), S),
    )


def group(row: Row) -> str:
    organisation = row.record.organisation
    if not organisation.group:
        return ""
    return f"{organisation.group}: {organisation.group_we_means}" if organisation.group_we_means else organisation.group


CNIL_COVER = (
    Column("Organisme (responsable du traitement)", lambda row: row.record.organisation.name, S),
    Column("Numéro d'immatriculation", lambda row: row.record.organisation.registration_number, S),
    Column("Adresse", lambda row: row.record.organisation.postal_address, S),
    Column("Pays", lambda row: row.record.organisation.country, S),
    Column("Courriel", lambda row: row.record.organisation.email, S),
    Column("Téléphone", lambda row: row.record.organisation.phone, S),
    Column("Représentant (art. 27 RGPD)", _fr(representative), S),
    Column("Délégué à la protection des données (DPO)", _fr(dpo), S),
    Column("Autres contacts", other_contacts, S),
    Column("Rôles", lambda row: _join(row.record.organisation.roles), S),
    Column("Groupe", group, S),
    Column("Établissements", lambda row: _join(row.record.organisation.offices, LINE_SEP), S),
    Column("Droits tels que déclarés", lambda row: rights_as_stated(row, FR), S),
    Column("Droit national appliqué en plus du RGPD", lambda row: row.record.organisation.applicable_law, T),
    Column("Pièces et modalités demandées pour exercer ses droits",
           lambda row: row.record.organisation.rights_request_requirements, T),
    Column("Politique de conservation et d'effacement", _fr(retention_policy_link), S),
    Column("Date du registre", lambda row: row.record.date.isoformat(), S),
)


CONTROLLER = ProcessingActivity.RecordType.CONTROLLER
PROCESSOR = ProcessingActivity.RecordType.PROCESSOR
INTERNAL = {Recipient.Kind.INTERNAL}
EXTERNAL = {
    Recipient.Kind.GROUP, Recipient.Kind.THIRD_PARTY, Recipient.Kind.AUTHORITY, Recipient.Kind.BUYER,
    Recipient.Kind.PUBLIC,
    # A service provider whose role is not stated is an outside body, not (as far as is known) a sous-traitant.
    Recipient.Kind.SERVICE_PROVIDER,
}
PROCESSORS = {Recipient.Kind.PROCESSOR}

RETENTION_NOTE = (
    "every RetentionRule of the activity in words (period, start, action, backups), contributed by the retention "
    "app's RETENTION_RULES annotator; after it the period as stated (Purpose.retention_statement where a purpose "
    "has its own, else ProcessingActivity.retention_statement)"
)

ART30 = Template(
    key="art30",
    name=_("GDPR Art. 30 record"),
    authority=_("Regulation (EU) 2016/679"),
    title=_("Record of processing activities (Art. 30 GDPR)"),
    basis=_("Art. 30(1)(a)-(g) for the controller's record, Art. 30(2)(a)-(d) for the processor's record."),
    cover=_cover(),
    sheets=(
        Sheet("controller", _("Controller record (Art. 30(1))"), CONTROLLER, True, (
            Column(_("Reference"), reference, T),
            Column(_("Processing activity"), activity_name, T),
            Column(_("Description"), description, T),
            Column(_("Status"), activity_status, S),
            Column(_("Business function"), business_function, T),
            Column(_("Owner (data steward)"), owner, S, "ProcessingActivity.owner, reviewer"),
            Column(_("(a) Controller"), controller, S),
            Column(_("(a) Joint controllers"), joint_controllers, S, "ProcessingActivity.joint_controllers"),
            Column(_("(a) Representative"), representative, S),
            Column(_("(a) Data protection officer"), dpo, S),
            Column(_("(b) Purpose of the processing"), purpose, T),
            Column(_("Legal basis (Art. 6(1))"), legal_basis, S),
            Column(_("(c) Categories of data subjects"), subject_categories, S),
            Column(_("(c) Categories of personal data"), data_categories, S),
            Column(_("(c) Special categories (Art. 9) and criminal offence data (Art. 10)"), special_and_criminal, S),
            Column(_("(d) Categories of recipients, incl. in third countries or international organisations"),
                   recipients, S),
            Column(_("(e) Transfers to third countries or international organisations"), third_countries, S),
            Column(_("(e) Safeguards, incl. documentation for Art. 49(1) second-subparagraph transfers"),
                   safeguards, S),
            Column(_("(f) Envisaged time limits for erasure"), retention, S, RETENTION_NOTE),
            Column(_("(g) Technical and organisational security measures (Art. 32(1))"), security_measures, S),
        )),
        Sheet("processor", _("Processor record (Art. 30(2))"), PROCESSOR, False, (
            Column(_("Reference"), reference, T),
            Column(_("Processing activity"), activity_name, T),
            Column(_("(a) Processor"), controller, S),
            Column(_("(a) Controllers on whose behalf the processor acts"), controllers_served, T,
                   "ProcessingActivity.controllers_served (free text); structured would need a relation to "
                   "Organisation"),
            Column(_("(a) Representative"), representative, S),
            Column(_("(a) Data protection officer"), dpo, S),
            Column(_("(b) Categories of processing carried out on behalf of each controller"),
                   categories_of_processing, T),
            Column(_("Owner (data steward)"), owner, S),
            Column(_("(c) Transfers to third countries or international organisations"), third_countries, S),
            Column(_("(c) Safeguards, incl. documentation for Art. 49(1) second-subparagraph transfers"),
                   safeguards, S),
            Column(_("(d) Technical and organisational security measures (Art. 32(1))"), security_measures, S),
        )),
    ),
)

ICO = Template(
    key="ico",
    name=_("ICO documentation template (UK)"),
    authority=_("Information Commissioner's Office (UK)"),
    title=_("Article 30 Record of Processing Activities"),
    basis=_("The ICO's documentation templates for controllers (sheet 'Template', columns A-AD) and processors."),
    cover=_cover(),
    sheets=(
        Sheet("controller", _("Controller (Art. 30(1))"), CONTROLLER, True, (
            Column(_("Processing activity"), activity_name, T, "not one of the ICO's columns A-AD: added so "
                   "each row names its activity"),
            Column(_("Business function"), business_function, T),
            Column(_("Owner (data steward)"), owner, S, "not one of the ICO's columns A-AD: ProcessingActivity.owner"),
            Column(_("Purpose of processing"), purpose, T),
            Column(_("Name and contact details of joint controller (if applicable)"), joint_controllers, S),
            Column(_("Categories of individuals"), subject_categories, S),
            Column(_("Categories of personal data"), data_categories, S),
            Column(_("Categories of recipients"), recipients, S),
            Column(_("Link to contract with processor"), processor_contracts, S, "Vendor.dpa_url / dpa_document / "
                   "dpa_signed_on of every processor the activity uses"),
            Column(_("Names of third countries or international organisations that personal data are transferred "
                     "to (if applicable)"), third_countries, S,
                   "Transfer.destination / international_organisation; the destination as stated where the country "
                   "is not named"),
            Column(_("Safeguards for exceptional transfers of personal data to third countries or international "
                     "organisations (if applicable)"), safeguards, S, "Transfer.mechanism / derogation / "
                   "safeguard_document; Country adequacy"),
            Column(_("Retention schedule (if possible)"), retention, S, RETENTION_NOTE),
            Column(_("General description of technical and organisational security measures (if possible)"),
                   security_measures, S),
            Column(_("Article 6 lawful basis for processing personal data"), legal_basis, S),
            Column(_("Article 9 condition for processing special category data"), article9_condition, S),
            Column(_("Legitimate interests for the processing (if applicable)"), legitimate_interests, T,
                   "Purpose.legitimate_interest (free text by nature); 'not applicable' derived from the basis"),
            Column(_("Link to record of legitimate interests assessment (if applicable)"), lia_link, S),
            Column(_("Rights available to individuals"), rights_available, S,
                   "derived from the Art. 6(1) basis, automated means (systems) and Art. 22"),
            Column(_("Existence of automated decision-making, including profiling (if applicable)"),
                   automated_decisions, S),
            Column(_("The source of the personal data (if applicable)"), data_sources, S),
            Column(_("Link to record of consent"), consent_record, S,
                   "'not applicable' derived from the basis; the link comes from the consent app (CONSENT_RECORDS)"),
            Column(_("Location of personal data"), location, S, "System and System.hosting_countries"),
            Column(_("Data Protection Impact Assessment required?"), dpia_required, S),
            Column(_("Data Protection Impact Assessment progress"), dpia_progress, S),
            Column(_("Link to Data Protection Impact Assessment"), dpia_link, S),
            Column(_("Has a personal data breach occurred?"), breach_occurred, S, "Incident.activities"),
            Column(_("Link to record of personal data breach"), breach_records, S),
            Column(_("Data Protection Act 2018 Schedule 1 Condition for processing"), schedule1_condition, S,
                   "ProcessingActivity.dpa2018_schedule1_condition; without it, derived from the Art. 9(2) "
                   "condition (DPA 2018 s. 10)"),
            Column(_("GDPR Article 6 lawful basis for processing"), legal_basis, S),
            Column(_("Link to retention and erasure policy document"), retention_policy_link, S,
                   "Organisation.retention_policy_url"),
            Column(_("Is personal data retained and erased in accordance with the policy document?"),
                   retention_compliance, S, "ProcessingActivity.retention_policy_adherence, then the retention "
                   "app's enforcement (RETENTION_COMPLIANCE: enabled rules)"),
            Column(_("Reasons for not adhering to policy document (if applicable)"), retention_policy_deviation, T,
                   "ProcessingActivity.retention_policy_deviation (free text by nature)"),
        )),
        Sheet("processor", _("Processor (Art. 30(2))"), PROCESSOR, False, (
            Column(_("Processing activity"), activity_name, T),
            Column(_("Owner (data steward)"), owner, S),
            Column(_("Name and contact details of controller"), controllers_served, T,
                   "ProcessingActivity.controllers_served (free text)"),
            Column(_("Name and contact details of controller's representative (if applicable)"), not_held, N,
                   "needs the served controllers as Organisation rows (their representative follows)"),
            Column(_("Categories of processing"), categories_of_processing, T),
            Column(_("Names of third countries or international organisations that personal data are transferred "
                     "to (if applicable)"), third_countries, S),
            Column(_("Safeguards for exceptional transfers of personal data to third countries or international "
                     "organisations (if applicable)"), safeguards, S),
            Column(_("General description of technical and organisational security measures (if possible)"),
                   security_measures, S),
        )),
    ),
)

DPC = Template(
    key="dpc",
    name=_("DPC RoPA template (Ireland)"),
    authority=_("Data Protection Commission (Ireland)"),
    title=_("Record of Processing Activities (Article 30 GDPR)"),
    basis=_("The DPC's guidance note on records of processing activities (2023): one row per business function "
            "and purpose, every Art. 30 item written out, with relevant extra information."),
    cover=_cover(),
    sheets=(
        Sheet("controller", _("Controller RoPA"), CONTROLLER, True, (
            Column(_("Business function / department"), business_function, T),
            Column(_("Processing activity"), activity_name, T),
            Column(_("Owner (data steward)"), owner, S),
            Column(_("Purpose of the processing"), purpose, T),
            Column(_("Name and contact details of joint controller(s)"), joint_controllers, S),
            Column(_("Categories of data subjects"), subject_categories, S),
            Column(_("Categories of personal data"), data_categories, S),
            Column(_("Special category / criminal offence data"), special_and_criminal, S),
            Column(_("Categories of recipients (incl. in third countries or international organisations)"),
                   recipients, S),
            Column(_("Processors engaged and contract in place"), processor_contracts, S),
            Column(_("Third countries or international organisations transferred to"), third_countries, S),
            Column(_("Transfer safeguards (incl. documentation of suitable safeguards, Art. 49(1))"), safeguards, S),
            Column(_("Envisaged time limits for erasure"), retention, S, RETENTION_NOTE),
            Column(_("General description of technical and organisational security measures"),
                   security_measures, S),
            Column(_("Legal basis (Art. 6)"), legal_basis, S),
            Column(_("Legitimate interests pursued (if applicable)"), legitimate_interests, T,
                   "Purpose.legitimate_interest (free text by nature); 'not applicable' derived from the basis"),
            Column(_("Legitimate interests assessment (if applicable)"), lia_link, S),
            Column(_("Condition for special category data (Art. 9)"), article9_condition, S),
            Column(_("Authority for criminal offence data (Art. 10)"), article10_basis, T,
                   "Purpose.article10_basis (the law relied on: free text by nature)"),
            Column(_("Source of the personal data"), data_sources, S),
            Column(_("Location of the personal data (systems, hosting countries)"), location, S),
            Column(_("Data protection impact assessment"), dpia_summary, S),
            Column(_("Automated decision-making, including profiling"), automated_decisions, S),
            Column(_("Personal data breaches"), breaches, S, "Incident.activities; ProcessingActivity."
                   "breach_procedure_url"),
        )),
        Sheet("processor", _("Processor RoPA"), PROCESSOR, False, (
            Column(_("Processing activity"), activity_name, T),
            Column(_("Owner (data steward)"), owner, S),
            Column(_("Name and contact details of each controller"), controllers_served, T),
            Column(_("Controller's representative"), not_held, N,
                   "needs the served controllers as Organisation rows"),
            Column(_("Categories of processing carried out on behalf of each controller"),
                   categories_of_processing, T),
            Column(_("Third countries or international organisations transferred to"), third_countries, S),
            Column(_("Transfer safeguards (incl. documentation of suitable safeguards, Art. 49(1))"), safeguards, S),
            Column(_("General description of technical and organisational security measures"),
                   security_measures, S),
        )),
    ),
)

def cnil_legitimate_interests(row: Row) -> str:
    if not any(p.legal_basis == LegalBasis.LEGITIMATE_INTERESTS for p in row.purposes):
        return "Sans objet : la base légale n'est pas l'intérêt légitime (art. 6(1)(f))"
    return legitimate_interests(row)


def cnil_lia(row: Row) -> str:
    if not any(p.legal_basis == LegalBasis.LEGITIMATE_INTERESTS for p in row.purposes):
        return "Sans objet : la base légale n'est pas l'intérêt légitime (art. 6(1)(f))"
    return lia_link(row)


def cnil_automated(row: Row) -> str:
    activity = row.activity
    if not (activity.automated_decision_making or activity.profiling):
        return FR.no if _automated_stated_no(activity) else FR.not_stated
    return automated_decisions(row)


CNIL = Template(
    key="cnil",
    name=_("CNIL register (France)"),
    authority=_("Commission nationale de l'informatique et des libertés (France)"),
    title="Registre des activités de traitement",
    basis=_("The CNIL's 'registre de base': one fiche per activity, French headings fixed by the template."),
    language="fr",
    cover=CNIL_COVER,
    sheets=(
        Sheet("controller", "Fiches de registre", CONTROLLER, False, (
            Column("Nom de l'activité", activity_name, T),
            Column("Référence", reference, T),
            Column("Date de création de la fiche", lambda row: _day(row.activity.created_at), S),
            Column("Date de dernière mise à jour de la fiche", lambda row: _day(row.activity.updated_at), S),
            Column("Responsable du traitement", controller, S),
            Column("Représentant", _fr(representative), S),
            Column("Délégué à la protection des données (DPO)", _fr(dpo), S),
            Column("Nom et coordonnées du responsable conjoint du traitement", _fr(joint_controllers), S),
            Column("Nom du logiciel ou de l'application", _fr(systems), S),
            Column("Responsable de l'activité (pilote)", _fr(owner), S),
            Column("Objectifs poursuivis (finalités)", _fr(purpose), T),
            Column("Base légale (art. 6 RGPD)", _fr(legal_basis), S),
            Column("Intérêt légitime poursuivi", cnil_legitimate_interests, T,
                   "Purpose.legitimate_interest (free text by nature); 'sans objet' derived from the basis"),
            Column("Mise en balance des intérêts (LIA)", cnil_lia, S),
            Column("Source des données", _fr(data_sources), S),
            Column("Catégories de personnes concernées", _fr(subject_categories), S),
            Column("Catégories de données collectées", _fr(data_categories), S,
                   "category names; mapping to the CNIL's fixed checkboxes would need "
                   "PersonalDataCategory.cnil_family (choices)"),
            Column("Des données sensibles sont-elles traitées ?", lambda row: _sensitive_fr(row), S),
            Column("Durées de conservation des catégories de données", _fr(retention), S, RETENTION_NOTE),
            Column("Destinataires internes", lambda row: recipients(row, FR, INTERNAL), S),
            Column("Organismes externes", lambda row: recipients(row, FR, EXTERNAL), S),
            Column("Sous-traitants", lambda row: recipients(row, FR, PROCESSORS), S),
            Column("Transferts des données hors UE", cnil_transfers, S),
            Column("Mesures de sécurité", _fr(security_measures), S,
                   "measure names by kind; the CNIL's fixed checkboxes would need SecurityMeasure.cnil_family"),
            Column("Décision automatisée, profilage", cnil_automated, S),
            Column("Analyse d'impact (AIPD)", dpia_summary, S),
            Column("Violations de données", breaches, S),
        )),
        Sheet("processor", "Registre du sous-traitant", PROCESSOR, False, (
            Column("Catégories de traitements effectués pour le compte du responsable", categories_of_processing, T),
            Column("Responsable de l'activité (pilote)", _fr(owner), S),
            Column("Responsable(s) de traitement pour le compte duquel le sous-traitant agit",
                   _fr(controllers_served), T),
            Column("Représentant du responsable de traitement", not_held, N,
                   "needs the served controllers as Organisation rows"),
            Column("Sous-traitants ultérieurs", _fr(sub_processors), S),
            Column("Transferts des données hors UE", cnil_transfers, S),
            Column("Mesures de sécurité", _fr(security_measures), S),
        )),
    ),
)


def _sensitive_fr(row: Row) -> str:
    activity = row.activity
    kinds = [c.special_category_label or c.name for c in activity.special_categories]
    kinds += [f"{c.name} (infractions, art. 10)" for c in activity.criminal_categories]
    return "Oui : " + LIST_SEP.join(kinds) if kinds else "Non"


TEMPLATES: dict[str, Template] = {t.key: t for t in (ART30, ICO, DPC, CNIL)}


def coverage(template: Template) -> dict[str, dict[Source, int]]:
    """How many columns of each part of the template are answered from structured data, free text or not at all."""
    parts = {"cover": template.cover, **{s.key: s.columns for s in template.sheets}}
    return {name: {src: sum(1 for c in cols if c.source == src) for src in Source} for name, cols in parts.items()}
