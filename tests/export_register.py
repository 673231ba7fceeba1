"""A register built for the export tests: two organisations, controller and processor records, every Art. 6(1)
basis, special and criminal data with their conditions, transfers under every mechanism and one whose country is
not named, processors with and without a DPA, a joint controller, an EU representative, DPOs, a purpose with a
retention period of its own, a retention-policy deviation, and names with å, ä, ö and French accents."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from privacy_registry import models as m
from tests import factories as f
from tests.factories import country


@dataclass
class Register:
    nordlys: m.Organisation
    acme: m.Organisation
    representative: m.Organisation
    partner: m.Organisation
    crm: m.ProcessingActivity
    newsletter: m.ProcessingActivity
    health: m.ProcessingActivity
    emergency: m.ProcessingActivity
    draft: m.ProcessingActivity
    retired: m.ProcessingActivity
    payroll: m.ProcessingActivity
    analytics: m.ProcessingActivity


def build_register() -> Register:
    nordlys = f.OrganisationFactory(
        name="Nordlys Analys AB", slug="nordlys", registration_number="556677-8899", street_address="Storgatan 1",
        postal_code="411 38", city="Göteborg", country=country("SE"), email="privacy@nordlys.example",
        phone="+46 31 123 45 67", website="https://nordlys.example", role=m.Organisation.Role.BOTH,
        lead_authority="Integritetsskyddsmyndigheten (IMY)",
        applicable_law="Lag (2018:218) med kompletterande bestämmelser till EU:s dataskyddsförordning",
        rights_request_requirements="A signed request, or a request sent from the address we hold.",
        retention_policy_url="https://nordlys.example/retention",
    )
    f.PrivacyContactFactory(organisation=nordlys, role=m.PrivacyContact.Role.DPO, name="Åsa Öberg",
                            email="dpo@nordlys.example", phone="+46 31 765 43 21")
    f.PrivacyContactFactory(organisation=nordlys, role=m.PrivacyContact.Role.CISO, name="Jörgen Ärlig",
                            email="security@nordlys.example")

    representative = f.OrganisationFactory(
        name="Représentant Européen SARL", slug="rep-eu", street_address="12 rue de l'Église", postal_code="75004",
        city="Paris", country=country("FR"), email="rep@representant.example",
        role=m.Organisation.Role.REPRESENTATIVE,
    )
    f.PrivacyContactFactory(organisation=representative, role=m.PrivacyContact.Role.REPRESENTATIVE,
                            name="Hélène Lefèvre", email="helene@representant.example")
    acme = f.OrganisationFactory(
        name="Acme Analytics Inc.", slug="acme-us", street_address="1 Market St", postal_code="94105",
        city="San Francisco", country=country("US"), email="privacy@acme.example", representative=representative,
    )
    f.PrivacyContactFactory(organisation=acme, role=m.PrivacyContact.Role.DPO, name="Zoë Dupont",
                            email="dpo@acme.example")
    partner = f.OrganisationFactory(
        name="Partenaire Événements SAS", slug="partenaire", street_address="3 quai Saint-Étienne",
        postal_code="69002", city="Lyon", country=country("FR"), email="contact@partenaire.example",
    )
    f.PrivacyContactFactory(organisation=partner, role=m.PrivacyContact.Role.DPO, name="Noël Bérard",
                            email="dpo@partenaire.example")

    customers = f.DataSubjectCategoryFactory(name="Customer contacts")
    subscribers = f.DataSubjectCategoryFactory(name="Newsletter subscribers", minimum_age=16,
                                               age_check="Age confirmed on sign-up")
    employees = f.DataSubjectCategoryFactory(name="Employees")
    identity = f.PersonalDataCategoryFactory(name="Identity")
    contact = f.PersonalDataCategoryFactory(name="Contact details")
    online = f.PersonalDataCategoryFactory(name="Online identifiers")
    health_data = f.PersonalDataCategoryFactory(name="Health data", is_special=True,
                                                special_category=m.SpecialCategory.HEALTH)
    criminal = f.PersonalDataCategoryFactory(name="Criminal records", is_criminal=True)

    hubspot = f.VendorFactory(name="HubSpot", country=country("US"), dpa_signed_on=date(2023, 1, 15),
                              dpa_url="https://legal.hubspot.example/dpa", dpf_certified=True)
    google = f.VendorFactory(name="Google", country=country("US"), dpa_signed_on=None)
    aws = f.VendorFactory(name="AWS", country=country("IE"), dpa_signed_on=None, dpa_document="dpa/aws-dpa.pdf")
    seven = f.SubProcessorFactory(name="7Sense", country=country("SE"), engaged_by=hubspot, dpa_signed_on=None)
    eventbrite = f.VendorFactory(name="Eventbrite", role=m.Vendor.Role.INDEPENDENT_CONTROLLER, country=country("US"),
                                 dpa_signed_on=None)

    encryption = f.SecurityMeasureFactory(organisation=nordlys, name="Encryption at rest")
    mfa = f.SecurityMeasureFactory(organisation=nordlys, name="Multi-factor authentication")
    training = f.SecurityMeasureFactory(organisation=nordlys, name="Staff training",
                                        kind=m.SecurityMeasure.Kind.ORGANISATIONAL)

    crm_system = f.SystemFactory(organisation=nordlys, name="CRM", vendor=hubspot,
                                 hosting_countries=[country("US"), country("IE")])
    mailbox = f.SystemFactory(organisation=nordlys, name="Mailbox", kind=m.System.Kind.MAILBOX, vendor=google,
                              hosting_countries=[country("US")])
    hr_system = f.SystemFactory(organisation=nordlys, name="Personalsystem", kind=m.System.Kind.HR, vendor=None,
                                hosting_countries=[country("SE")])

    crm = f.ProcessingActivityFactory(
        organisation=nordlys, reference="PA-01", name="Customer relationship management", business_function="Sales",
        description="Keeps business contacts and their history.", joint_arrangement="Shared leads from joint events.",
        retention_statement="Two years after the last contact.",
        dpia_required=m.ProcessingActivity.DpiaRequired.NO,
        subject_categories=[customers], data_categories=[identity, contact, online],
    )
    crm.joint_controllers.set([partner])
    crm.systems.set([crm_system, mailbox])
    crm.security_measures.set([encryption, mfa, training])
    f.PurposeFactory(activity=crm, description="Manage customer accounts", legal_basis=m.LegalBasis.CONTRACT,
                     legal_basis_detail="Customer agreement", order=1)
    f.PurposeFactory(activity=crm, description="Direct marketing to business contacts",
                     legal_basis=m.LegalBasis.LEGITIMATE_INTERESTS, legitimate_interest="Growing our customer base",
                     lia_completed_on=date(2024, 2, 1), lia_link="https://nordlys.example/lia/crm", order=2,
                     retention_statement="Until the contact objects, and at most two years after the last contact.")
    f.DataSourceFactory(activity=crm, kind=m.DataSource.Kind.SUBJECT)
    f.DataSourceFactory(activity=crm, kind=m.DataSource.Kind.EMPLOYER, description="The contact's employer")
    f.RecipientFactory(activity=crm, kind=m.Recipient.Kind.PROCESSOR, vendor=hubspot, country=country("US"))
    f.RecipientFactory(activity=crm, kind=m.Recipient.Kind.INTERNAL, vendor=None, description="Sales team",
                       country=None)
    f.RecipientFactory(activity=crm, kind=m.Recipient.Kind.THIRD_PARTY, vendor=eventbrite, country=country("US"))
    f.TransferFactory(activity=crm, destination=country("US"), vendor=hubspot, mechanism=m.Transfer.Mechanism.DPF)
    f.TransferFactory(activity=crm, destination=country("US"), vendor=google, mechanism=m.Transfer.Mechanism.SCC,
                      safeguard_document="https://nordlys.example/scc/google", tia_completed_on=date(2024, 3, 1))

    newsletter = f.ProcessingActivityFactory(
        organisation=nordlys, reference="PA-02", name="Nyhetsbrev (newsletter)", business_function="Marketing",
        retention_statement="Until consent is withdrawn.", subject_categories=[subscribers], data_categories=[contact],
    )
    newsletter.systems.set([mailbox])
    newsletter.security_measures.set([mfa])
    f.PurposeFactory(activity=newsletter, description="Send the newsletter", legal_basis=m.LegalBasis.CONSENT)
    f.RecipientFactory(activity=newsletter, kind=m.Recipient.Kind.PROCESSOR, vendor=google, country=country("US"))
    f.TransferFactory(activity=newsletter, destination=country("CH"), vendor=None,
                      international_organisation="Universal Postal Union", mechanism="")
    f.TransferFactory(activity=newsletter, destination=country("IN"), vendor=None, international_organisation="",
                      mechanism=m.Transfer.Mechanism.DEROGATION, derogation=m.Transfer.Derogation.EXPLICIT_CONSENT)
    f.TransferFactory(activity=newsletter, destination=country("CN"), vendor=None,
                      mechanism=m.Transfer.Mechanism.DEROGATION, derogation=m.Transfer.Derogation.COMPELLING,
                      notes="One-off transfer assessed in memo 2024-07; supplier encryption verified.")

    health = f.ProcessingActivityFactory(
        organisation=nordlys, reference="PA-03", name="Företagshälsovård", business_function="HR",
        retention_statement="Ten years after employment ends.", subject_categories=[employees],
        data_categories=[identity, health_data, criminal],
        dpia_required=m.ProcessingActivity.DpiaRequired.YES, dpia_status=m.ProcessingActivity.DpiaStatus.COMPLETED,
        dpia_link="https://nordlys.example/dpia/health", dpia_completed_on=date(2024, 5, 2),
        automated_decision_making=True, profiling=True,
        automated_logic="Absence patterns flag a rehabilitation review; a nurse decides.",
        retention_policy_deviation="Records of an open insurance case are kept until the case closes.",
    )
    health.systems.set([hr_system])
    health.security_measures.set([encryption, training])
    f.PurposeFactory(activity=health, description="Occupational health obligations",
                     legal_basis=m.LegalBasis.LEGAL_OBLIGATION, legal_basis_detail="Arbetsmiljölagen (1977:1160)",
                     article9_condition=m.Article9Condition.EMPLOYMENT,
                     article10_basis="Lag (1998:620) om belastningsregister", order=1)
    f.PurposeFactory(activity=health, description="Sick-leave statistics for the authority",
                     legal_basis=m.LegalBasis.PUBLIC_TASK, article9_condition=m.Article9Condition.ARCHIVING_RESEARCH,
                     order=2)
    f.DataSourceFactory(activity=health, kind=m.DataSource.Kind.SUBJECT)
    f.RecipientFactory(activity=health, kind=m.Recipient.Kind.AUTHORITY, vendor=None,
                       description="Försäkringskassan", country=country("SE"))
    incident = f.IncidentFactory(organisation=nordlys, title="Misdirected e-mail",
                                 detected_at=datetime(2024, 9, 3, 8, 0, tzinfo=UTC))
    incident.activities.set([health])

    emergency = f.ProcessingActivityFactory(
        organisation=nordlys, reference="PA-04", name="Emergency contacts", business_function="HR",
        subject_categories=[employees], data_categories=[contact],
    )
    f.PurposeFactory(activity=emergency, description="Reach next of kin in an emergency",
                     legal_basis=m.LegalBasis.VITAL_INTERESTS)

    draft = f.ProcessingActivityFactory(organisation=nordlys, reference="PA-05", name="Event check-in (draft)",
                                        status=m.ProcessingActivity.Status.DRAFT)
    # Safeguards the export derives or questions: a certified recipient under an adequacy decision that covers
    # certified organisations only, a DPF claim for a recipient not certified, and no safeguard at all, to a named
    # country and to one the organisation does not name. The unnamed one is entered first and still listed last:
    # databases disagree on where NULL sorts, the record does not.
    f.TransferFactory(activity=draft, destination=None, destination_description="Ticketing providers outside the EU",
                      vendor=None, mechanism="")
    f.TransferFactory(activity=draft, destination=country("US"), vendor=hubspot, mechanism="")
    f.TransferFactory(activity=draft, destination=country("US"), vendor=google, mechanism=m.Transfer.Mechanism.DPF)
    f.TransferFactory(activity=draft, destination=country("AE"), vendor=None, mechanism="",
                      international_organisation="Event venue")
    retired = f.ProcessingActivityFactory(organisation=nordlys, reference="PA-99", name="Old loyalty programme",
                                          status=m.ProcessingActivity.Status.RETIRED)
    f.PurposeFactory(activity=retired, description="Loyalty points", legal_basis=m.LegalBasis.CONTRACT)

    payroll = f.ProcessingActivityFactory(
        organisation=nordlys, reference="PP-01", name="Payroll for client companies",
        record_type=m.ProcessingActivity.RecordType.PROCESSOR, description="Salary calculation and payslips.",
        controllers_served="Kund AB, Box 1, 111 11 Stockholm; Klient Oy, Helsinki",
        subject_categories=[employees], data_categories=[identity],
    )
    payroll.systems.set([crm_system])
    payroll.security_measures.set([encryption])
    f.PurposeFactory(activity=payroll, description="Calculate salaries", legal_basis="")
    f.RecipientFactory(activity=payroll, kind=m.Recipient.Kind.PROCESSOR, vendor=aws, country=country("IE"))
    f.RecipientFactory(activity=payroll, kind=m.Recipient.Kind.PROCESSOR, vendor=seven, country=country("SE"))
    f.TransferFactory(activity=payroll, destination=country("US"), vendor=aws, mechanism=m.Transfer.Mechanism.BCR)
    f.TransferFactory(activity=payroll, destination=country("BR"), vendor=None,
                      international_organisation="", mechanism=m.Transfer.Mechanism.CODE)
    f.TransferFactory(activity=payroll, destination=country("AU"), vendor=None,
                      mechanism=m.Transfer.Mechanism.CERTIFICATION)
    f.TransferFactory(activity=payroll, destination=country("JP"), vendor=None,
                      mechanism=m.Transfer.Mechanism.ADEQUACY)

    analytics = f.ProcessingActivityFactory(organisation=acme, reference="W-1", name="Website analytics",
                                            business_function="Web")
    f.PurposeFactory(activity=analytics, description="Measure site use", legal_basis=m.LegalBasis.LEGITIMATE_INTERESTS,
                     legal_basis_detail="Improving the site")
    return Register(
        nordlys=nordlys, acme=acme, representative=representative, partner=partner, crm=crm, newsletter=newsletter,
        health=health, emergency=emergency, draft=draft, retired=retired, payroll=payroll, analytics=analytics,
    )
