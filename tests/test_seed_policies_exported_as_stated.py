"""For each of the three seed policies, the Art. 30 export says what the policy says, and nothing it does not
(issue 16): every vendor with the role the policy gives it (or none), every purpose with its basis as stated,
every transfer with the safeguard stated (or that none is), every retention statement and rule. No invented role,
basis or mechanism."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from privacy_registry import selectors
from privacy_registry.demo import seed_data
from privacy_registry.exports.document import render_document
from privacy_registry.exports.record import build_record
from privacy_registry.exports.templates import TEMPLATES
from privacy_registry.models import LegalBasis, ProcessingActivity, Transfer, Vendor
from retention import demo as retention_demo
from retention import exports as retention_exports
from retention.models import RetentionRule

pytestmark = pytest.mark.django_db

SEEDS = {seed.slug: seed for seed in seed_data.ORGANISATIONS}
PURPOSE, BASIS = "(b) Purpose of the processing", "Legal basis (Art. 6(1))"
RECIPIENTS = "(d) Categories of recipients, incl. in third countries or international organisations"
COUNTRIES = "(e) Transfers to third countries or international organisations"
SAFEGUARDS = "(e) Safeguards, incl. documentation for Art. 49(1) second-subparagraph transfers"
RETENTION = "(f) Envisaged time limits for erasure"
# Every safeguard a policy could be made to claim; none of the seeds names one.
CLAIMED = [str(m.label) for m in Transfer.Mechanism if m not in (
    Transfer.Mechanism.NONE, Transfer.Mechanism.NOT_STATED, Transfer.Mechanism.PROVIDER_TERMS,
)] + ["Adequacy decision (Art. 45)"]


@pytest.fixture
def loaded():
    call_command("load_demo", stdout=io.StringIO())


def _documents(slug: str) -> dict:
    organisation = selectors.organisations_for_record().get(slug=slug)
    record = build_record(organisation=organisation)
    return {key: render_document(template=template, record=record) for key, template in TEMPLATES.items()}


def _rows(document, sheet: str = "controller") -> list[dict[str, str]]:
    """The sheet's rows; none when the organisation keeps no such record (only Antura keeps a processor's)."""
    return next((s.as_dicts() for s in document.sheets if s.key == sheet), [])


def _text(documents) -> str:
    return "\n".join(
        value for document in documents.values() for sheet in document.sheets for row in sheet.as_dicts()
        for value in row.values()
    ) + "\n".join(value for document in documents.values() for _header, value in document.cover)


def _check_vendors(slug: str, documents) -> None:
    text = _text(documents)
    art30 = _rows(documents["art30"]) + _rows(documents["art30"], "processor")
    recipients = "\n".join(r.get(RECIPIENTS, "") for r in art30)
    vendors = [v for v in seed_data.VENDORS if v.organisation == slug]
    assert vendors
    for vendor in vendors:
        used = any(r.vendor == vendor.name for a in SEEDS[slug].activities for r in a.recipients)
        if vendor.role == Vendor.Role.NOT_STATED:
            assert f"Processor: {vendor.name}" not in text, vendor.name
            assert f"{vendor.name} (Processor" not in text, vendor.name
            if used:
                assert vendor.name in recipients and "role not stated" in recipients.lower(), vendor.name
        elif vendor.role == Vendor.Role.PROCESSOR and used:
            assert f"Processor: {vendor.name}" in recipients, vendor.name
    processors = [v.name for v in vendors if v.role in (Vendor.Role.PROCESSOR, Vendor.Role.SUB_PROCESSOR)]
    contracts = "\n".join(r["Link to contract with processor"] for r in _rows(documents["ico"]))
    for line in contracts.splitlines():
        if line.startswith(("Not applicable", "Role not stated")):
            continue
        assert line.split(":")[0] in processors, f"{line!r}: only what the policy calls a processor"


def _check_purposes(slug: str, documents) -> None:
    rows = _rows(documents["art30"])
    checked = 0
    for activity in SEEDS[slug].activities:
        if activity.record_type != ProcessingActivity.RecordType.CONTROLLER:
            continue
        for purpose in activity.purposes:
            [row] = [r for r in rows if r[PURPOSE] == purpose.description and r["Processing activity"] == activity.name]
            basis = row[BASIS]
            if purpose.legal_basis:
                label = str(LegalBasis(purpose.legal_basis).label)
                assert basis.startswith(label), (purpose.description, basis)
                if purpose.legal_basis_as_stated:
                    assert f"as stated: {purpose.legal_basis_as_stated}" in basis
            else:
                assert basis == "Not stated by the organisation", (purpose.description, basis)
            others = [str(b.label) for b in LegalBasis if b != purpose.legal_basis]
            assert not any(label in basis for label in others), (purpose.description, basis)
            checked += 1
    assert checked


def _check_transfers(slug: str, documents) -> None:
    rows = _rows(documents["art30"])
    for activity in SEEDS[slug].activities:
        if activity.record_type != ProcessingActivity.RecordType.CONTROLLER:
            continue  # no seed states a transfer for its processor records: their sheet is checked by the walk
        activity_rows = [r for r in rows if r["Processing activity"] == activity.name]
        assert activity_rows, activity.name
        for row in activity_rows:
            if not activity.transfers:
                assert row[COUNTRIES] == "None" and row[SAFEGUARDS] == "Not applicable: no transfer"
                continue
            for transfer in activity.transfers:
                assert f"Country not named: {transfer.destination_description}" in row[COUNTRIES]
                assert str(Transfer.Mechanism(transfer.mechanism).label) in row[SAFEGUARDS]
            assert not any(claim in row[SAFEGUARDS] for claim in CLAIMED), row[SAFEGUARDS]


def _check_retention(slug: str, documents) -> None:
    rows = _rows(documents["art30"])
    for activity in SEEDS[slug].activities:
        if activity.record_type != ProcessingActivity.RecordType.CONTROLLER:
            continue
        rules = [r for r in retention_demo.RULES if r.organisation == slug and r.activity == activity.name]
        for purpose in activity.purposes:
            [row] = [r for r in rows if r[PURPOSE] == purpose.description and r["Processing activity"] == activity.name]
            cell = row[RETENTION]
            assert (purpose.retention_statement or activity.retention_statement) in cell
            for seed in rules:
                rule = RetentionRule.objects.get(activity__name=activity.name, activity__organisation__slug=slug,
                                                 statement=seed.statement)
                words = retention_exports.rule_in_words(rule)
                assert words in cell
                if seed.trigger == RetentionRule.Trigger.NOT_STATED:
                    assert "not stated" in words and "not enforced" in words, words


@pytest.mark.parametrize("slug", list(SEEDS))
def test_the_export_says_each_seed_policy_as_it_reads(loaded, slug):
    documents = _documents(slug)
    _check_vendors(slug, documents)
    _check_purposes(slug, documents)
    _check_transfers(slug, documents)
    _check_retention(slug, documents)


def test_spot_checks_in_the_policies_own_words(loaded):
    antura = _rows(_documents("antura")["art30"])
    contacts = next(r for r in antura if r["Processing activity"] == "Customer contact persons")
    assert "up to 10 years from the end of the relationship, then erased" in contacts[RETENTION]  # "at the latest"
    website = next(r for r in antura if r["Processing activity"] == "Website analytics and advertising")
    assert "Service provider (role not stated): Google Analytics" in website[RECIPIENTS]
    assert "Processor" not in website[RECIPIENTS]

    antara = _documents("antara")
    billing = next(r for r in _rows(antara["art30"])
                   if r["Processing activity"] == "Customer accounts, services and billing")
    assert "At once from the end of the relationship, then blocked (restricted); when it is erased is not " \
           "stated" in billing[RETENTION]
    assert "Country not named: Hosting providers in several countries, some outside the EU: Under the provider's " \
           "own terms (no safeguard named)" in billing[SAFEGUARDS]
    # "The Public Entity Red.es": named, its role not stated, so neither processor nor independent controller.
    domains = next(r for r in _rows(antara["art30"]) if r["Processing activity"] == "Domain name registration")
    assert "Public register / the public: Red.es" in domains[RECIPIENTS]
    assert "(role not stated)" in domains[RECIPIENTS] and "Processor" not in domains[RECIPIENTS]
    assert Vendor.objects.get(name="Red.es").role == Vendor.Role.NOT_STATED

    avara = _rows(_documents("avara")["art30"])
    dialogue = next(r for r in avara if r[PURPOSE] == "Sales and marketing by direct e-mail or phone")
    assert "2 years from the last contact or activity, then erased" in dialogue[RETENTION]
    assert "as stated: “Legitimate consent under point 6f”" in dialogue[BASIS]
    assert "Processor: 7Sense" in dialogue[RECIPIENTS]  # "dataprocessoravtal med 7Sense AS"
