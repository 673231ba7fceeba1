"""Every column of every authority template is filled where the register holds the answer (issue 16).

A register that holds every answer is exported through each template; the walk then checks each column by its
declared source: a structured or free-text column must come out filled (not blank, not "not recorded"), a column
the register cannot answer must stay empty. The new columns are also traced to the field they are drawn from, by a
value that exists only there.
"""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from privacy_registry import models as m
from privacy_registry import selectors
from privacy_registry.exports.document import render_document
from privacy_registry.exports.record import build_record
from privacy_registry.exports.templates import EN, FR, TEMPLATES, Source
from retention import models as rm
from tests import factories as f
from tests.factories import country

pytestmark = pytest.mark.django_db

UNFILLED = {"", str(EN.not_recorded), str(FR.not_recorded)}
# Columns that stay unanswered though they are marked structured, each with the reason; the test fails when one of
# them starts to be answered, so the list cannot go stale.
KNOWN_GAPS: set[tuple[str, str, str]] = set()


def full_register() -> m.Organisation:
    """One UK controller (and processor) with every field of the register filled, an EEA representative with a DPO."""
    group = f.CorporateGroupFactory(name="Fjord Group", we_means="Fjord Holding Ltd and its four subsidiaries")
    representative = f.OrganisationFactory(
        name="Fjord EU Representative ApS", slug="fjord-rep", country=country("DK"), city="Aarhus",
        role=m.Organisation.Role.REPRESENTATIVE, email="rep@fjord.example",
    )
    f.PrivacyContactFactory(organisation=representative, role=m.PrivacyContact.Role.DPO, name="Rep DPO Token",
                            email="dpo@fjord-rep.example")
    org = f.OrganisationFactory(
        name="Fjord Holding Ltd", slug="fjord", trading_name="Fjord", registration_number="GB-123",
        street_address="1 High St", postal_code="EC1A 1AA", city="London", region="Greater London",
        country=country("GB"), email="privacy@fjord.example", phone="+44 20 0000 0000",
        other_phones="+44 20 1111 1111", website="https://fjord.example", role=m.Organisation.Role.BOTH,
        other_roles=[m.Organisation.Role.REPRESENTATIVE], group=group, representative=representative,
        lead_authority="ICO", applicable_law="Data Protection Act 2018",
        rights_request_requirements="Proof of identity.", retention_policy_url="https://fjord.example/retention",
        privacy_notice_url="https://fjord.example/privacy", scope_exclusions="Does not cover employees.",
    )
    f.PrivacyContactFactory(organisation=org, role=m.PrivacyContact.Role.DPO, name="Fjord DPO")
    f.PrivacyContactFactory(organisation=org, role=m.PrivacyContact.Role.CISO, name="Fjord CISO")
    f.OfficeFactory(organisation=org, name="Copenhagen office", city="Copenhagen", country=country("DK"))
    f.StatedRightFactory(organisation=org, right=m.StatedRight.Right.ACCESS, channel="web form",
                         deadline="one month", fee="free", identity_rule="Token identity rule")
    sister = f.OrganisationFactory(name="Fjord Services A/S", slug="fjord-services", country=country("DK"),
                                   group=group)
    partner = f.OrganisationFactory(name="Partner Ltd", slug="partner", country=country("GB"))

    owner = f.UserFactory(username="steward", first_name="Stina", last_name="Steward")
    reviewer = f.UserFactory(username="reviewer", first_name="Rolf", last_name="Reviewer")
    special = f.PersonalDataCategoryFactory(name="Health", is_special=True, special_category=m.SpecialCategory.HEALTH)
    criminal = f.PersonalDataCategoryFactory(name="Convictions", is_criminal=True)
    contact = f.PersonalDataCategoryFactory(name="Contact")
    subjects = f.DataSubjectCategoryFactory(name="Patients", minimum_age=18, age_check="ID checked")
    processor = f.VendorFactory(name="Hoster", role=m.Vendor.Role.PROCESSOR, dpa_url="https://fjord.example/dpa",
                                category=m.Vendor.Category.HOSTING)
    system = f.SystemFactory(organisation=org, name="Clinic system", vendor=processor,
                             hosting_countries=[country("GB")])
    measure = f.SecurityMeasureFactory(organisation=org, name="Encryption", kind=m.SecurityMeasure.Kind.TECHNICAL)

    activity = f.ProcessingActivityFactory(
        organisation=org, name="Occupational health", reference="FJ-1", business_function="HR",
        description="Health checks.", owner=owner, reviewer=reviewer, joint_arrangement="Shared clinic.",
        subject_categories=[subjects], data_categories=[special, criminal, contact],
        retention_statement="Ten years.", retention_policy_adherence=m.Adherence.NO,
        retention_policy_deviation="Open claims are kept.", dpia_required=m.ProcessingActivity.DpiaRequired.YES,
        dpia_status=m.ProcessingActivity.DpiaStatus.COMPLETED, dpia_link="https://fjord.example/dpia",
        dpia_completed_on=date(2024, 1, 1), other_impact_assessments="Token equality assessment",
        automated_decision_making=True, profiling=True, automated_logic="Scores absence.",
        article22_exception=m.Article22Exception.EXPLICIT_CONSENT,
        dpa2018_schedule1_condition=m.Schedule1Condition.P1_HEALTH,
        breach_procedure_url="https://fjord.example/breach-procedure", review_date=date(2030, 1, 1),
    )
    activity.joint_controllers.set([partner])
    activity.other_controllers.set([sister])
    activity.systems.set([system])
    activity.security_measures.set([measure])
    f.PurposeFactory(
        activity=activity, description="Assess fitness for work", legal_basis=m.LegalBasis.LEGITIMATE_INTERESTS,
        legitimate_interest="Token legitimate interest", lia_link="https://fjord.example/lia",
        legal_basis_as_stated="legitimate interests or consent", article9_condition=m.Article9Condition.HEALTH_CARE,
        article10_basis="Token Art. 10 authority", provision_requirement=m.Purpose.ProvisionRequirement.CONTRACTUAL,
    )
    tips = f.PurposeFactory(
        activity=activity, description="Send health tips", legal_basis=m.LegalBasis.CONSENT,
        article9_condition=m.Article9Condition.EXPLICIT_CONSENT, article10_basis="Token Art. 10 authority",
    )
    # The consent app answers "link to record of consent" (its CONSENT_RECORDS annotator) from this purpose.
    f.ConsentPurposeFactory(organisation=org, key="health-tips", name="Health tips", register_purposes=[tips])
    f.DataSourceFactory(activity=activity, kind=m.DataSource.Kind.SUBJECT, description="Questionnaire")
    received = f.RecipientFactory(activity=activity, kind=m.Recipient.Kind.PROCESSOR, vendor=processor,
                                  country=country("GB"))
    received.data_categories.set([contact])
    f.RecipientFactory(activity=activity, kind=m.Recipient.Kind.INTERNAL, vendor=None, description="HR staff",
                       country=None)
    f.RecipientFactory(activity=activity, kind=m.Recipient.Kind.THIRD_PARTY, vendor=None,
                       description="Insurer", country=country("GB"))
    f.TransferFactory(activity=activity, destination=country("US"), vendor=processor,
                      mechanism=m.Transfer.Mechanism.SCC, tia_completed_on=date(2024, 2, 1),
                      receiving_organisation=sister)
    incident = f.IncidentFactory(organisation=org, title="Lost laptop",
                                 detected_at=datetime(2024, 3, 1, 9, tzinfo=UTC))
    incident.activities.set([activity])
    rm.RetentionRule.objects.create(
        activity=activity, period_amount=8, period_unit=rm.PeriodUnit.YEARS,
        trigger=rm.RetentionRule.Trigger.LAST_SERVICE, action=rm.RetentionRule.Action.ERASE,
        backup_exception="until backups expire after 35 days",
    )

    served = f.OrganisationFactory(name="Client Ltd", slug="client", country=country("GB"))
    payroll = f.ProcessingActivityFactory(
        organisation=org, name="Payroll for clients", reference="FJ-P1",
        record_type=m.ProcessingActivity.RecordType.PROCESSOR,
        controllers_served="Client Ltd", owner=owner, description="Payslips.",
    )
    del served
    payroll.security_measures.set([measure])
    payroll.systems.set([system])
    f.PurposeFactory(activity=payroll, description="Calculate salaries")
    f.TransferFactory(activity=payroll, destination=country("US"), vendor=processor,
                      mechanism=m.Transfer.Mechanism.SCC)
    return org


def _documents(org: m.Organisation):
    organisation = selectors.organisations_for_record().get(pk=org.pk)
    record = build_record(organisation=organisation)
    return {key: render_document(template=template, record=record) for key, template in TEMPLATES.items()}


def test_every_template_column_is_filled_where_the_register_holds_the_answer():
    documents = _documents(full_register())
    walked = 0
    for key, template in TEMPLATES.items():
        document = documents[key]
        cover = dict(document.cover)
        for column in template.cover:
            value = cover[str(column.header)]
            assert (value not in UNFILLED) == (column.source != Source.NOT_ANSWERABLE), (key, "cover", column.header)
            walked += 1
        for sheet in template.sheets:
            rows = next(s for s in document.sheets if s.key == sheet.key).as_dicts()
            assert rows, (key, sheet.key)
            for column in sheet.columns:
                header = str(column.header)
                if (key, sheet.key, header) in KNOWN_GAPS:
                    assert any(row[header] in UNFILLED for row in rows), f"{header} is answered now: drop the gap"
                    continue
                for row in rows:
                    value = row[header]
                    if column.source == Source.NOT_ANSWERABLE:
                        assert value == "", (key, sheet.key, header)
                    else:
                        assert value not in UNFILLED, (key, sheet.key, header)
                walked += 1
    assert walked > 150


@pytest.mark.parametrize(
    ("template", "sheet", "header", "token"),
    [
        # Owner / data steward everywhere.
        ("art30", "controller", "Owner (data steward)", "Stina Steward; reviewer: Rolf Reviewer"),
        ("ico", "controller", "Owner (data steward)", "Stina Steward"),
        ("dpc", "controller", "Owner (data steward)", "Stina Steward"),
        ("cnil", "controller", "Responsable de l'activité (pilote)", "Stina Steward"),
        ("ico", "processor", "Owner (data steward)", "Stina Steward"),
        # ICO: the activity's name; Schedule 1 from its own field; adherence; retention rule in words.
        ("ico", "controller", "Processing activity", "Occupational health"),
        ("ico", "controller", "Data Protection Act 2018 Schedule 1 Condition for processing",
         "Part 1 para 2: health or social care purposes"),
        ("ico", "controller", "Is personal data retained and erased in accordance with the policy document?", "No"),
        ("ico", "controller", "Retention schedule (if possible)",
         "8 years from the last service delivered, then erased (kept in backups until backups expire after 35 days"),
        ("art30", "controller", "(f) Envisaged time limits for erasure", "8 years from the last service delivered"),
        ("dpc", "controller", "Envisaged time limits for erasure", "8 years from the last service delivered"),
        ("cnil", "controller", "Durées de conservation des catégories de données", "8 years from the last service"),
        # CNIL's new columns.
        ("cnil", "controller", "Base légale (art. 6 RGPD)", "Art. 6(1)(f) legitimate interests"),
        ("cnil", "controller", "Intérêt légitime poursuivi", "Token legitimate interest"),
        ("cnil", "controller", "Mise en balance des intérêts (LIA)", "https://fjord.example/lia"),
        ("cnil", "controller", "Source des données", "Questionnaire"),
        ("cnil", "controller", "Décision automatisée, profilage", "Art. 22(2)(c) explicit consent"),
        ("cnil", "controller", "Analyse d'impact (AIPD)", "Token equality assessment"),
        ("cnil", "controller", "Violations de données", "Lost laptop"),
        # DPC's new columns.
        ("dpc", "controller", "Legitimate interests pursued (if applicable)", "Token legitimate interest"),
        ("dpc", "controller", "Legitimate interests assessment (if applicable)", "https://fjord.example/lia"),
        ("dpc", "controller", "Automated decision-making, including profiling", "Scores absence."),
        ("dpc", "controller", "Personal data breaches", "https://fjord.example/breach-procedure"),
        # Controllers named without Art. 26; the basis as stated; recipients' data; intra-group transfer.
        ("art30", "controller", "(a) Controller", "Further controllers (not stated to be joint, Art. 26): "
                                                  "Fjord Services A/S"),
        ("art30", "controller", "Legal basis (Art. 6(1))", "as stated: legitimate interests or consent"),
        ("art30", "controller", "(d) Categories of recipients, incl. in third countries or international "
                                "organisations", "Processor: Hoster – receives: Contact"),
        ("art30", "controller", "(e) Transfers to third countries or international organisations",
         "received by Fjord Services A/S"),
        ("ico", "controller", "Rights available to individuals", "Access (Art. 15): Offered (how: web form"),
    ],
)
def test_new_columns_come_from_their_fields(template, sheet, header, token):
    document = _documents(full_register())[template]
    row = next(s for s in document.sheets if s.key == sheet).as_dicts()[0]  # the first purpose: (f)
    assert token in row[header]


def test_cover_carries_roles_group_offices_rights_and_the_representatives_dpo():
    cover = dict(_documents(full_register())["art30"].cover)

    assert cover["Role"] == "Controller and processor; EU representative (Art. 27)"
    assert cover["Group (who “we” means)"] == "Fjord Group: Fjord Holding Ltd and its four subsidiaries"
    assert "Copenhagen office: Copenhagen, Denmark" in cover["Offices"]
    assert cover["Further phone numbers"] == "+44 20 1111 1111"
    assert cover["What the notice does not cover"] == "Does not cover employees."
    assert "identity: Token identity rule" in cover["Rights as stated"]
    assert "Data protection officer (Art. 37) (Fjord EU Representative ApS): Rep DPO Token" in cover[
        "Representative (Art. 27)"]
