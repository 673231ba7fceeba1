"""The authority templates answer every one of their fields, from structured register data where the law gives
the field a definite shape. Each test walks a template's column definitions, so a column added without an
expected answer fails here."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from privacy_registry import models as m
from privacy_registry import selectors
from privacy_registry.exports import record as record_module
from privacy_registry.exports.document import build_document
from privacy_registry.exports.record import RETENTION_COMPLIANCE, RETENTION_RULES
from privacy_registry.exports.templates import TEMPLATES, Source, coverage
from privacy_registry.models import Country
from tests.export_register import build_register

pytestmark = pytest.mark.django_db

NORDLYS = "Nordlys Analys AB, Storgatan 1, 411 38 Göteborg, Sweden, privacy@nordlys.example, +46 31 123 45 67"
NORDLYS_DPO = "Åsa Öberg, dpo@nordlys.example, +46 31 765 43 21"
NOT_REQUIRED = "Not required: established in the EEA (Art. 27(1))"
PARTNER = (
    "Partenaire Événements SAS, 3 quai Saint-Étienne, 69002 Lyon, France, contact@partenaire.example\n"
    "Data protection officer (Art. 37): Noël Bérard, dpo@partenaire.example\n"
    "Arrangement (Art. 26): Shared leads from joint events."
)
CRM_RECIPIENTS = (
    "Internal (staff, department): Sales team\nProcessor: HubSpot [United States]\n"
    "Third party (independent controller): Eventbrite [United States]\n"
    "Processor: Google [United States]"  # not recorded as a recipient, but it provides the Mailbox system
)
CRM_CONTRACTS = "HubSpot: https://legal.hubspot.example/dpa; signed 2023-01-15\nGoogle: no contract on file"
CRM_COUNTRIES = "United States (US): HubSpot\nUnited States (US): Google"
CRM_SAFEGUARDS = (
    "United States (US): HubSpot: EU-US Data Privacy Framework certification (Art. 45)\n"
    "United States (US): Google: Standard contractual clauses (Art. 46(2)(c)); "
    "document: https://nordlys.example/scc/google; transfer impact assessment: 2024-03-01"
)
CRM_MEASURES = "Technical: Encryption at rest; Multi-factor authentication\nOrganisational: Staff training"
HEALTH_DATA = (
    "Criminal records (criminal offence data); Health data (special category: Data concerning health); Identity"
)
HEALTH_MEASURES = "Technical: Encryption at rest\nOrganisational: Staff training"
HEALTH_ADM = (
    "Yes: automated decision-making (Art. 22), profiling\n"
    "Absence patterns flag a rehabilitation review; a nurse decides."
)
BREACH = "Misdirected e-mail (2024-09-03, Risk: notify the authority (Art. 33), Open)"
PAYROLL_CONTROLLERS = "Kund AB, Box 1, 111 11 Stockholm; Klient Oy, Helsinki"
PAYROLL_PROCESSING = "Payroll for client companies: Salary calculation and payslips.\nCalculate salaries"
PAYROLL_COUNTRIES = "Australia (AU)\nBrazil (BR)\nJapan (JP)\nUnited States (US): AWS"
RETENTION_POLICY = "https://nordlys.example/retention"
MARKETING_RETENTION = "Until the contact objects, and at most two years after the last contact."
HEALTH_DEVIATION = "Records of an open insurance case are kept until the case closes."
# The retention app's answer for an activity without rules (its annotator is registered in every export).
NO_RULE = "No retention rule recorded: nothing enforces the period"


@pytest.fixture
def register():
    return build_register()


def _document(template: str, slug: str = "nordlys", language: str = "en"):
    organisation = selectors.organisations_for_record().get(slug=slug)
    return build_document(organisation=organisation, template=TEMPLATES[template], language=language)


def _row(document, sheet: str, **match) -> dict[str, str]:
    rows = [r for r in next(s for s in document.sheets if s.key == sheet).as_dicts()
            if all(r[k] == v for k, v in match.items())]
    assert len(rows) == 1, f"{len(rows)} rows match {match}"
    return rows[0]


def _assert_answers(row: dict[str, str], expected: dict[str, str]) -> None:
    assert list(expected) == list(row), "every column of the template, in order, has an expected answer"
    for header, value in expected.items():
        assert row[header] == value, header


def payroll_safeguards() -> str:
    japan = Country.objects.get(code="JP").adequacy_reference
    return (
        "Australia (AU): Approved certification (Art. 46(2)(f))\n"
        "Brazil (BR): Approved code of conduct (Art. 46(2)(e))\n"
        f"Japan (JP): Adequacy decision (Art. 45), {japan}\n"
        "United States (US): AWS: Binding corporate rules (Art. 47)"
    )


def newsletter_transfers_fr() -> str:
    switzerland = Country.objects.get(code="CH").adequacy_reference
    return (
        "Oui\n"
        "Chine (CN) : Art. 49, paragraphe 1, second alinéa : intérêts légitimes impérieux; garanties appropriées "
        "(art. 49, paragraphe 1, second alinéa) : One-off transfer assessed in memo 2024-07; supplier encryption "
        "verified.\n"
        "Inde (IN) : Art. 49, paragraphe 1, point a) : consentement explicite\n"
        f"Suisse (CH): Universal Postal Union : Décision d'adéquation (art. 45), {switzerland}"
    )


def test_every_column_is_data_a_test_can_walk():
    for template in TEMPLATES.values():
        for sheet in template.sheets:
            headers = sheet.headers()
            assert len(headers) == len(set(headers)), f"{template.key}/{sheet.key} repeats a header"
            for column in sheet.columns:
                assert callable(column.extract) and isinstance(column.source, Source)
                if column.source == Source.NOT_ANSWERABLE:
                    assert column.note, f"{column.header}: say what the register would need"


def test_ico_controller_sheet_answers_all_thirty_columns(register):
    # Columns A-AD of the ICO's sheet, with the activity's name and its owner added (not among the ICO's headers).
    assert TEMPLATES["ico"].sheets[0].headers()[:3] == ["Processing activity", "Business function",
                                                        "Owner (data steward)"]
    assert len(TEMPLATES["ico"].sheets[0].columns) == 32
    document = _document("ico")
    marketing = _row(document, "controller", **{"Purpose of processing": "Direct marketing to business contacts"})
    _assert_answers(marketing, {
        "Processing activity": "Customer relationship management",
        "Business function": "Sales",
        "Owner (data steward)": "Not recorded",
        "Purpose of processing": "Direct marketing to business contacts",
        "Name and contact details of joint controller (if applicable)": PARTNER,
        "Categories of individuals": "Customer contacts",
        "Categories of personal data": "Contact details; Identity; Online identifiers",
        "Categories of recipients": CRM_RECIPIENTS,
        "Link to contract with processor": CRM_CONTRACTS,
        "Names of third countries or international organisations that personal data are transferred to "
        "(if applicable)": CRM_COUNTRIES,
        "Safeguards for exceptional transfers of personal data to third countries or international organisations "
        "(if applicable)": CRM_SAFEGUARDS,
        # The purpose has a period of its own, which replaces the activity's on its row.
        "Retention schedule (if possible)": MARKETING_RETENTION,
        "General description of technical and organisational security measures (if possible)": CRM_MEASURES,
        "Article 6 lawful basis for processing personal data": "Art. 6(1)(f) legitimate interests",
        "Article 9 condition for processing special category data": "Not applicable: no special category data",
        "Legitimate interests for the processing (if applicable)": "Growing our customer base",
        "Link to record of legitimate interests assessment (if applicable)":
            "https://nordlys.example/lia/crm; assessed on 2024-02-01",
        # Nordlys states no rights: the derived ones say so rather than pass for the organisation's word.
        "Rights available to individuals": "Derived from the legal basis, not stated by the organisation: "
        "Access (Art. 15), Rectification (Art. 16), Erasure (Art. 17), Restriction (Art. 18), Objection (Art. 21), "
        "Complaint to a supervisory authority (Art. 77)",
        # The marketing activity states neither: "not stated", never "No".
        "Existence of automated decision-making, including profiling (if applicable)": "Not stated by the organisation",
        "The source of the personal data (if applicable)":
            "The subject's employer or principal: The contact's employer\nThe data subject",
        "Link to record of consent": "Not applicable: not based on consent",
        "Location of personal data": "CRM (HubSpot) – Ireland, United States\nMailbox (Google) – United States",
        "Data Protection Impact Assessment required?": "Not required (screened)",
        "Data Protection Impact Assessment progress": "Not applicable",
        "Link to Data Protection Impact Assessment": "None",
        "Has a personal data breach occurred?": "No",
        "Link to record of personal data breach": "Not applicable: no breach recorded",
        "Data Protection Act 2018 Schedule 1 Condition for processing":
            "Not applicable: no special category or criminal offence data",
        "GDPR Article 6 lawful basis for processing": "Art. 6(1)(f) legitimate interests",
        "Link to retention and erasure policy document": RETENTION_POLICY,
        "Is personal data retained and erased in accordance with the policy document?": NO_RULE,
        "Reasons for not adhering to policy document (if applicable)": "None recorded",
    })

    health = _row(document, "controller", **{"Purpose of processing": "Occupational health obligations"})
    legal_obligation = "Art. 6(1)(c) legal obligation: Arbetsmiljölagen (1977:1160)"
    _assert_answers(health, {
        "Processing activity": "Företagshälsovård",
        "Business function": "HR",
        "Owner (data steward)": "Not recorded",
        "Purpose of processing": "Occupational health obligations",
        "Name and contact details of joint controller (if applicable)": "Not applicable",
        "Categories of individuals": "Employees",
        "Categories of personal data": HEALTH_DATA,
        "Categories of recipients": "Public authority: Försäkringskassan [Sweden]",
        "Link to contract with processor": "Not applicable: no processor recorded",
        "Names of third countries or international organisations that personal data are transferred to "
        "(if applicable)": "None",
        "Safeguards for exceptional transfers of personal data to third countries or international organisations "
        "(if applicable)": "Not applicable: no transfer",
        "Retention schedule (if possible)": "Ten years after employment ends.",
        "General description of technical and organisational security measures (if possible)": HEALTH_MEASURES,
        "Article 6 lawful basis for processing personal data": legal_obligation,
        "Article 9 condition for processing special category data":
            "Art. 9(2)(b) employment, social security and social protection law",
        "Legitimate interests for the processing (if applicable)": "Not applicable: not based on Art. 6(1)(f)",
        "Link to record of legitimate interests assessment (if applicable)":
            "Not applicable: not based on Art. 6(1)(f)",
        # Art. 17(3)(b): no erasure for a legal obligation; Art. 22(3) because decisions are automated.
        "Rights available to individuals": "Derived from the legal basis, not stated by the organisation: "
        "Access (Art. 15), Rectification (Art. 16), Restriction (Art. 18), "
        "Not to be subject to automated decisions (Art. 22), Complaint to a supervisory authority (Art. 77)",
        "Existence of automated decision-making, including profiling (if applicable)": HEALTH_ADM,
        "The source of the personal data (if applicable)": "The data subject",
        "Link to record of consent": "Not applicable: not based on consent",
        "Location of personal data": "Personalsystem – Sweden",
        "Data Protection Impact Assessment required?": "Required (Art. 35)",
        "Data Protection Impact Assessment progress": "Completed (2024-05-02)",
        "Link to Data Protection Impact Assessment": "https://nordlys.example/dpia/health",
        "Has a personal data breach occurred?": "Yes (1)",
        "Link to record of personal data breach": BREACH,
        "Data Protection Act 2018 Schedule 1 Condition for processing":
            "Part 1 para 1: employment, social security and social protection\n"
            "Criminal offence data: Part 1, 2 or 3 condition not recorded",
        "GDPR Article 6 lawful basis for processing": legal_obligation,
        "Link to retention and erasure policy document": RETENTION_POLICY,
        "Is personal data retained and erased in accordance with the policy document?": NO_RULE,
        "Reasons for not adhering to policy document (if applicable)": HEALTH_DEVIATION,
    })


def test_ico_processor_sheet_answers_every_column(register):
    document = _document("ico")
    _assert_answers(_row(document, "processor"), {
        "Processing activity": "Payroll for client companies",
        "Owner (data steward)": "Not recorded",
        "Name and contact details of controller": PAYROLL_CONTROLLERS,
        "Name and contact details of controller's representative (if applicable)": "",
        "Categories of processing": PAYROLL_PROCESSING,
        "Names of third countries or international organisations that personal data are transferred to "
        "(if applicable)": PAYROLL_COUNTRIES,
        "Safeguards for exceptional transfers of personal data to third countries or international organisations "
        "(if applicable)": payroll_safeguards(),
        "General description of technical and organisational security measures (if possible)":
            "Technical: Encryption at rest",
    })


def test_dpc_template_answers_every_column(register):
    document = _document("dpc")
    statistics = _row(
        document, "controller", **{"Purpose of the processing": "Sick-leave statistics for the authority"}
    )
    _assert_answers(statistics, {
        "Business function / department": "HR",
        "Processing activity": "Företagshälsovård",
        "Owner (data steward)": "Not recorded",
        "Purpose of the processing": "Sick-leave statistics for the authority",
        "Name and contact details of joint controller(s)": "Not applicable",
        "Categories of data subjects": "Employees",
        "Categories of personal data": HEALTH_DATA,
        "Special category / criminal offence data":
            "Special categories (Art. 9): Data concerning health; condition: Art. 9(2)(j) archiving, research or "
            "statistics\nCriminal offence data (Art. 10): Criminal records; authority: not recorded",
        "Categories of recipients (incl. in third countries or international organisations)":
            "Public authority: Försäkringskassan [Sweden]",
        "Processors engaged and contract in place": "Not applicable: no processor recorded",
        "Third countries or international organisations transferred to": "None",
        "Transfer safeguards (incl. documentation of suitable safeguards, Art. 49(1))": "Not applicable: no transfer",
        "Envisaged time limits for erasure": "Ten years after employment ends.",
        "General description of technical and organisational security measures": HEALTH_MEASURES,
        "Legal basis (Art. 6)": "Art. 6(1)(e) public task or official authority",
        "Legitimate interests pursued (if applicable)": "Not applicable: not based on Art. 6(1)(f)",
        "Legitimate interests assessment (if applicable)": "Not applicable: not based on Art. 6(1)(f)",
        "Condition for special category data (Art. 9)": "Art. 9(2)(j) archiving, research or statistics",
        "Authority for criminal offence data (Art. 10)": "Not recorded",
        "Source of the personal data": "The data subject",
        "Location of the personal data (systems, hosting countries)": "Personalsystem – Sweden",
        "Data protection impact assessment": "Required (Art. 35); Completed (2024-05-02); "
        "https://nordlys.example/dpia/health",
        "Automated decision-making, including profiling": HEALTH_ADM,
        "Personal data breaches": f"Yes (1)\n{BREACH}",
    })
    _assert_answers(_row(document, "processor"), {
        "Processing activity": "Payroll for client companies",
        "Owner (data steward)": "Not recorded",
        "Name and contact details of each controller": PAYROLL_CONTROLLERS,
        "Controller's representative": "",
        "Categories of processing carried out on behalf of each controller": PAYROLL_PROCESSING,
        "Third countries or international organisations transferred to": PAYROLL_COUNTRIES,
        "Transfer safeguards (incl. documentation of suitable safeguards, Art. 49(1))":
            payroll_safeguards(),
        "General description of technical and organisational security measures": "Technical: Encryption at rest",
    })


def test_cnil_fiche_answers_every_heading_in_french(register):
    document = _document("cnil", language="sv")  # the CNIL's fiche is French whatever the language asked
    newsletter = register.newsletter
    fiche = _row(document, "controller", **{"Nom de l'activité": "Nyhetsbrev (newsletter)"})
    _assert_answers(fiche, {
        "Nom de l'activité": "Nyhetsbrev (newsletter)",
        "Référence": "PA-02",
        "Date de création de la fiche": timezone.localdate(newsletter.created_at).isoformat(),
        "Date de dernière mise à jour de la fiche": timezone.localdate(newsletter.updated_at).isoformat(),
        "Responsable du traitement": NORDLYS.replace("Sweden", "Suède"),
        "Représentant": "Sans objet : l'organisme est établi dans l'Union (art. 27 RGPD)",
        "Délégué à la protection des données (DPO)": NORDLYS_DPO,
        "Nom et coordonnées du responsable conjoint du traitement": "Sans objet",
        "Nom du logiciel ou de l'application": "Mailbox",
        "Responsable de l'activité (pilote)": "Non renseigné",
        "Objectifs poursuivis (finalités)": "Send the newsletter",
        "Base légale (art. 6 RGPD)": "Art. 6, paragraphe 1, point a) : consentement",
        "Intérêt légitime poursuivi": "Sans objet : la base légale n'est pas l'intérêt légitime (art. 6(1)(f))",
        "Mise en balance des intérêts (LIA)":
            "Sans objet : la base légale n'est pas l'intérêt légitime (art. 6(1)(f))",
        "Source des données": "Non renseigné",
        # Register texts with no French: as modeltranslation falls back (English here).
        "Catégories de personnes concernées": "Newsletter subscribers (âge minimum 16 ans)",
        "Catégories de données collectées": "Contact details",
        "Des données sensibles sont-elles traitées ?": "Non",
        "Durées de conservation des catégories de données": "Until consent is withdrawn.",
        "Destinataires internes": "Aucun",
        "Organismes externes": "Aucun",
        "Sous-traitants": "Sous-traitant: Google [États-Unis]",
        "Transferts des données hors UE": newsletter_transfers_fr(),
        "Mesures de sécurité": "Technique: Multi-factor authentication",
        "Décision automatisée, profilage": "Non précisé par l'organisme",
        "Analyse d'impact (AIPD)": "Non encore évaluée; Sans objet",
        "Violations de données": "Non\nSans objet : aucune violation enregistrée",
    })

    # One fiche per activity: the activity's period, then each purpose that has its own.
    crm = _row(document, "controller", **{"Nom de l'activité": "Customer relationship management"})
    assert crm["Durées de conservation des catégories de données"] == (
        f"Two years after the last contact.\nDirect marketing to business contacts: {MARKETING_RETENTION}"
    )

    health = _row(document, "controller", **{"Nom de l'activité": "Företagshälsovård"})
    assert health["Des données sensibles sont-elles traitées ?"].startswith("Oui : ")
    assert "Criminal records (infractions, art. 10)" in health["Des données sensibles sont-elles traitées ?"]
    assert "Occupational health obligations\nSick-leave statistics for the authority" == health[
        "Objectifs poursuivis (finalités)"]
    assert "Försäkringskassan" in health["Organismes externes"]

    processor = _row(document, "processor")
    assert list(processor) == [str(c.header) for c in TEMPLATES["cnil"].sheets[1].columns]
    assert processor["Responsable(s) de traitement pour le compte duquel le sous-traitant agit"] == PAYROLL_CONTROLLERS
    assert processor["Catégories de traitements effectués pour le compte du responsable"] == PAYROLL_PROCESSING
    assert processor["Représentant du responsable de traitement"] == ""
    assert "AWS" in processor["Sous-traitants ultérieurs"] and "7Sense" in processor["Sous-traitants ultérieurs"]
    assert processor["Transferts des données hors UE"].startswith("Oui\nAustralie (AU)")
    assert "Encryption at rest" in processor["Mesures de sécurité"]


def test_art30_template_carries_items_a_to_g_and_processor_items_a_to_d(register):
    document = _document("art30")
    accounts = _row(document, "controller", **{"(b) Purpose of the processing": "Manage customer accounts"})
    _assert_answers(accounts, {
        "Reference": "PA-01",
        "Processing activity": "Customer relationship management",
        "Description": "Keeps business contacts and their history.",
        "Status": "Active",
        "Business function": "Sales",
        "Owner (data steward)": "Not recorded",
        "(a) Controller": NORDLYS,
        "(a) Joint controllers": PARTNER,
        "(a) Representative": NOT_REQUIRED,
        "(a) Data protection officer": NORDLYS_DPO,
        "(b) Purpose of the processing": "Manage customer accounts",
        "Legal basis (Art. 6(1))": "Art. 6(1)(b) contract or steps before a contract: Customer agreement",
        "(c) Categories of data subjects": "Customer contacts",
        "(c) Categories of personal data": "Contact details; Identity; Online identifiers",
        "(c) Special categories (Art. 9) and criminal offence data (Art. 10)": "None",
        "(d) Categories of recipients, incl. in third countries or international organisations": CRM_RECIPIENTS,
        "(e) Transfers to third countries or international organisations": CRM_COUNTRIES,
        "(e) Safeguards, incl. documentation for Art. 49(1) second-subparagraph transfers": CRM_SAFEGUARDS,
        "(f) Envisaged time limits for erasure": "Two years after the last contact.",
        "(g) Technical and organisational security measures (Art. 32(1))": CRM_MEASURES,
    })
    _assert_answers(_row(document, "processor"), {
        "Reference": "PP-01",
        "Processing activity": "Payroll for client companies",
        "(a) Processor": NORDLYS,
        "(a) Controllers on whose behalf the processor acts": PAYROLL_CONTROLLERS,
        "(a) Representative": NOT_REQUIRED,
        "(a) Data protection officer": NORDLYS_DPO,
        "(b) Categories of processing carried out on behalf of each controller": PAYROLL_PROCESSING,
        "Owner (data steward)": "Not recorded",
        "(c) Transfers to third countries or international organisations": PAYROLL_COUNTRIES,
        "(c) Safeguards, incl. documentation for Art. 49(1) second-subparagraph transfers":
            payroll_safeguards(),
        "(d) Technical and organisational security measures (Art. 32(1))": "Technical: Encryption at rest",
    })
    exceptional = _row(document, "controller", **{"(b) Purpose of the processing": "Send the newsletter"})
    assert (
        "China (CN): Art. 49(1) second subparagraph, compelling legitimate interests; suitable safeguards (Art. 49(1) "
        "second subparagraph): One-off transfer assessed in memo 2024-07; supplier encryption verified."
        in exceptional["(e) Safeguards, incl. documentation for Art. 49(1) second-subparagraph transfers"]
    )


def test_safeguards_are_derived_from_mechanism_adequacy_and_certification(register):
    row = _row(_document("art30"), "controller", **{"Processing activity": "Event check-in (draft)"})
    assert row["(e) Safeguards, incl. documentation for Art. 49(1) second-subparagraph transfers"].split("\n") == [
        "United Arab Emirates (AE): Event venue: NO SAFEGUARD RECORDED",
        "United States (US): HubSpot: EU-US Data Privacy Framework certification (Art. 45); "
        "the recipient is certified",
        "United States (US): Google: EU-US Data Privacy Framework certification (Art. 45); "
        "WARNING: the recipient is not recorded as certified",
        # No country named: nothing shows the destination is safe.
        "Country not named: Ticketing providers outside the EU: NO SAFEGUARD RECORDED",
    ]
    assert row["(e) Transfers to third countries or international organisations"].split("\n")[-1] == (
        "Country not named: Ticketing providers outside the EU"
    )
    assert row["(b) Purpose of the processing"] == "Not recorded"


def test_adequacy_claimed_for_a_country_not_named_is_questioned(register):
    transfer = register.draft.transfers.get(destination=None)
    transfer.mechanism = m.Transfer.Mechanism.ADEQUACY
    transfer.save()
    row = _row(_document("art30"), "controller", **{"Processing activity": "Event check-in (draft)"})
    assert row["(e) Safeguards, incl. documentation for Art. 49(1) second-subparagraph transfers"].split("\n")[-1] == (
        "Country not named: Ticketing providers outside the EU: Adequacy decision (Art. 45); "
        "WARNING: the country is not named, so no adequacy decision can be shown to cover it"
    )


def test_a_purpose_without_its_own_period_keeps_the_activitys(register):
    document = _document("dpc")
    accounts = _row(document, "controller", **{"Purpose of the processing": "Manage customer accounts"})
    marketing = _row(document, "controller", **{"Purpose of the processing": "Direct marketing to business contacts"})
    assert accounts["Envisaged time limits for erasure"] == "Two years after the last contact."
    assert marketing["Envisaged time limits for erasure"] == MARKETING_RETENTION


def test_processor_contract_stated_but_not_on_file_says_so(register):
    m.Vendor.objects.filter(name="Google").update(dpa_in_place=True)
    row = _row(_document("ico"), "controller", **{"Purpose of processing": "Manage customer accounts"})
    assert row["Link to contract with processor"] == (
        "HubSpot: https://legal.hubspot.example/dpa; signed 2023-01-15\n"
        "Google: stated to be in place; no copy or date on file"
    )


def test_cover_names_controller_representative_and_dpo(register):
    cover = dict(_document("art30", slug="acme-us").cover)
    assert cover["Controller (legal name)"] == "Acme Analytics Inc."
    assert cover["Representative (Art. 27)"] == (
        "Représentant Européen SARL, 12 rue de l'Église, 75004 Paris, France, rep@representant.example\n"
        "Representative's contact (Art. 27) (Représentant Européen SARL): Hélène Lefèvre, helene@representant.example"
    )
    assert cover["Data protection officer (Art. 37)"] == "Zoë Dupont, dpo@acme.example"
    cover = dict(_document("ico").cover)
    assert cover["Representative (Art. 27)"] == NOT_REQUIRED
    assert cover["Other privacy contacts"] == (
        "Chief information security officer: Jörgen Ärlig, security@nordlys.example"
    )
    assert cover["Date of the record"] == timezone.localdate().isoformat()
    assert cover["Data protection law applied beside the GDPR"] == (
        "Lag (2018:218) med kompletterande bestämmelser till EU:s dataskyddsförordning"
    )
    assert cover["What a rights request must include"] == (
        "A signed request, or a request sent from the address we hold."
    )
    assert cover["Retention and erasure policy"] == RETENTION_POLICY
    french = dict(_document("cnil").cover)
    assert french["Droit national appliqué en plus du RGPD"].startswith("Lag (2018:218)")
    assert french["Pièces et modalités demandées pour exercer ses droits"].startswith("A signed request")
    assert french["Politique de conservation et d'effacement"] == RETENTION_POLICY
    assert dict(_document("dpc", slug="acme-us").cover)["Retention and erasure policy"] == "Not recorded"


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_cover_of_an_organisation_whose_country_is_not_known_leaves_it_blank(register, template):
    register.acme.country = None
    register.acme.representative = None
    register.acme.save()
    document = _document(template, slug="acme-us")
    cover = dict(document.cover)
    assert cover["Pays" if template == "cnil" else "Country"] == ""
    # Not known to be in the EEA, so a representative is not said to be unneeded: the gap shows.
    assert cover["Représentant (art. 27 RGPD)" if template == "cnil" else "Representative (Art. 27)"] in {
        "Not recorded", "Non renseigné",
    }
    assert document.record.organisation.summary() == "Acme Analytics Inc., 1 Market St, 94105 San Francisco, " \
        "privacy@acme.example"


@pytest.mark.parametrize(
    ("purpose", "expected"),
    [
        # (a) consent, data in a system: portability and withdrawal; no objection.
        ("Send the newsletter", ["Access", "Rectification", "Erasure", "Restriction", "Data portability",
                                 "Withdraw consent", "Complaint"]),
        # (b) contract, data in a system: portability; no objection.
        ("Manage customer accounts", ["Access", "Rectification", "Erasure", "Restriction", "Data portability",
                                      "Complaint"]),
        # (c) legal obligation: no erasure (Art. 17(3)(b)), no portability, no objection.
        ("Occupational health obligations", ["Access", "Rectification", "Restriction", "Not to be subject",
                                             "Complaint"]),
        # (d) vital interests: erasure, no portability, no objection.
        ("Reach next of kin in an emergency", ["Access", "Rectification", "Erasure", "Restriction", "Complaint"]),
        # (e) public task: objection, no erasure, no portability.
        ("Sick-leave statistics for the authority", ["Access", "Rectification", "Restriction", "Objection",
                                                     "Not to be subject", "Complaint"]),
        # (f) legitimate interests: objection and erasure, no portability.
        ("Direct marketing to business contacts", ["Access", "Rectification", "Erasure", "Restriction", "Objection",
                                                   "Complaint"]),
    ],
)
def test_rights_available_follow_the_legal_basis(register, purpose, expected):
    row = _row(_document("ico"), "controller", **{"Purpose of processing": purpose})
    # Nordlys states no rights of its own: every right is derived from the basis, and the cell says so.
    cell = row["Rights available to individuals"]
    prefix = "Derived from the legal basis, not stated by the organisation: "
    assert cell.startswith(prefix)
    rights = cell.removeprefix(prefix).split(", ")
    assert [r.split()[0] for r in rights] == [e.split()[0] for e in expected]


def test_annotations_from_apps_above_the_register_fill_their_columns(register, django_assert_num_queries):
    calls = []

    def rules(ids):
        calls.append(list(ids))
        return {register.crm.pk: ["Erase 24 months after last contact (rule #7)"]}

    # The retention app registers its own annotators under these keys: replaced here, restored afterwards.
    registered = {key: record_module._annotators.get(key) for key in (RETENTION_RULES, RETENTION_COMPLIANCE)}
    record_module.register_annotator(RETENTION_RULES, rules)
    record_module.register_annotator(RETENTION_COMPLIANCE, lambda ids: {register.crm.pk: ["Yes: sweep ran today"]})
    try:
        row = _row(_document("ico"), "controller", **{"Purpose of processing": "Manage customer accounts"})
    finally:
        for key, annotator in registered.items():
            if annotator is None:
                record_module.unregister_annotator(key)
            else:
                record_module.register_annotator(key, annotator)
    assert len(calls) == 1, "an annotator is called once per export, with every activity"
    assert row["Retention schedule (if possible)"] == (
        "Two years after the last contact.\nErase 24 months after last contact (rule #7)"
    )
    assert row["Is personal data retained and erased in accordance with the policy document?"] == (
        "Yes: sweep ran today"
    )


def test_coverage_table_in_docs_matches_the_templates():
    text = (Path(settings.BASE_DIR) / "docs" / "exports.md").read_text(encoding="utf-8")
    for template in TEMPLATES.values():
        for part, counts in coverage(template).items():
            if part == "cover":
                continue
            line = re.search(rf"^\| {template.key} \| {part} \|(.*)$", text, re.MULTILINE)
            assert line, f"docs/exports.md has no row for {template.key}/{part}"
            numbers = [int(n) for n in re.findall(r"\d+", line.group(1))[:4]]
            total = sum(counts.values())
            assert numbers == [total, counts[Source.STRUCTURED], counts[Source.FREE_TEXT],
                               counts[Source.NOT_ANSWERABLE]], f"{template.key}/{part}"
