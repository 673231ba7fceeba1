"""A register built for the notice tests that reaches every part of the generated notice: a group ("we"), a trading
name, registry details, further phones, offices (headquarters and a branch), what the notice does not cover, the
binding language, national law, an EU representative, a DPO and another contact, a joint controller with its
arrangement, a further controller named without Art. 26, audiences with an age limit and its check, every basis
with a legitimate interest named, whether providing the data is required and what follows if not, a purpose's own
retention, direct marketing, consent (with a consent purpose), processors and a vendor of no stated role, transfers
with and without a safeguard, retention rules in words and as stated, automated decisions, rights as stated (one
with conditions and details, one not offered), a cookie table."""
from __future__ import annotations

from dataclasses import dataclass

from privacy_registry import models as m
from retention import models as rm
from tests import factories as f
from tests.factories import country


@dataclass
class NoticeRegister:
    org: m.Organisation
    customers: m.ProcessingActivity
    marketing: m.ProcessingActivity
    further: m.Organisation
    joint: m.Organisation
    marketing_purpose: m.Purpose
    contract_purpose: m.Purpose


def build_notice_register() -> NoticeRegister:
    group = f.CorporateGroupFactory(name="Fjord group", we_means="Fjord Retail AB and Fjord Logistik AB")
    representative = f.OrganisationFactory(name="Rep Europe BV", country=country("IE"), email="rep@rep.example")
    org = f.OrganisationFactory(
        name="Fjord Retail AB", slug="fjord", trading_name="Fjord Shop", registry_details="Bolagsverket, 2001",
        street_address="Kajen 1", postal_code="211 20", city="Malmö", country=country("SE"),
        email="privacy@fjord.example", phone="+46 40 100 00", other_phones="+46 40 100 01\n\n+46 40 100 02",
        group=group, representative=representative, lead_authority="IMY (Sweden)",
        scope_exclusions="Job applicants and staff", binding_language_note="The Swedish text prevails",
        applicable_law="Lag (2018:218) (Swedish Data Protection Act)",
        rights_request_requirements="A request sent from the address we hold",
    )
    f.OfficeFactory(organisation=org, name="Branch Oslo", city="Oslo", country=country("NO"), phone="+47 22 00 00")
    f.OfficeFactory(organisation=org, name="Zentrale Malmö", is_headquarters=True, street_address="Kajen 1",
                    postal_code="211 20", city="Malmö", country=country("SE"))
    f.PrivacyContactFactory(organisation=org, email="dpo@fjord.example", phone="+46 40 100 99")
    f.PrivacyContactFactory(organisation=org, role=m.PrivacyContact.Role.CISO, name="Security desk",
                            email="security@fjord.example")
    joint = f.OrganisationFactory(name="Fjord Logistik AB", email="logistik@fjord.example")
    further = f.OrganisationFactory(name="Fjord Holding AB", country=None)  # no contact details held

    adults = f.DataSubjectCategoryFactory(name="Shop customers", minimum_age=16, age_check="Asked at sign-up")
    identity = f.PersonalDataCategoryFactory(name="Name and address")
    customers = f.ProcessingActivityFactory(
        organisation=org, name="Shop orders", description="Orders placed in the web shop",
        subject_categories=[adults], data_categories=[identity], joint_arrangement="Logistik ships, Retail sells",
        automated_decision_making=True, automated_logic="A fraud score blocks risky orders",
    )
    customers.joint_controllers.add(joint)
    customers.other_controllers.add(further)
    f.DataSourceFactory(activity=customers, kind=m.DataSource.Kind.SUBJECT, description="The order form")
    contract_purpose = f.PurposeFactory(
        activity=customers, description="Deliver the orders", legal_basis=m.LegalBasis.CONTRACT,
        provision_requirement=m.Purpose.ProvisionRequirement.CONTRACTUAL,
        consequence_of_not_providing="No delivery without an address",
        retention_statement="Seven years for the books",
    )
    f.PurposeFactory(activity=customers, description="Prevent fraud", legal_basis=m.LegalBasis.LEGITIMATE_INTERESTS,
                     legitimate_interest="Not losing goods to fraud", provision_requirement="voluntary")
    f.PurposeFactory(activity=customers, description="Keep the books", legal_basis=m.LegalBasis.LEGAL_OBLIGATION,
                     legal_basis_detail="Bokföringslagen", provision_requirement="statutory",
                     consequence_of_not_providing="No sale")
    f.RecipientFactory(activity=customers, vendor=f.VendorFactory(name="ShipIt Ltd"),
                       kind=m.Recipient.Kind.PROCESSOR)
    f.RecipientFactory(activity=customers, vendor=f.VendorFactory(name="Helpdesk Co", role=m.Vendor.Role.NOT_STATED),
                       kind=m.Recipient.Kind.SERVICE_PROVIDER, country=None)
    f.TransferFactory(activity=customers, vendor=f.VendorFactory(name="Cloud Inc"), mechanism=m.Transfer.Mechanism.SCC)
    f.TransferFactory(activity=customers, vendor=None, destination=None, destination_description="Hosts abroad",
                      mechanism="")
    f.RetentionRuleFactory(activity=customers)
    f.RetentionRuleFactory(activity=customers, subject_category=adults, trigger=rm.RetentionRule.Trigger.NOT_STATED,
                           period_amount=None, enabled=False,
                           statement="As long as the law requires")

    marketing = f.ProcessingActivityFactory(organisation=org, name="Newsletter", description="",
                                            retention_statement="Until you unsubscribe")
    f.DataSourceFactory(activity=marketing, kind=m.DataSource.Kind.OBSERVED)
    marketing_purpose = f.PurposeFactory(activity=marketing, description="Send offers by e-mail",
                                         legal_basis=m.LegalBasis.CONSENT, direct_marketing=True)
    f.PurposeFactory(activity=marketing, description="Count opened e-mails", legal_basis="",
                     legal_basis_not_stated=True, legal_basis_as_stated="interest or consent")
    f.ConsentPurposeFactory(organisation=org, name="Offers by e-mail", register_purposes=[marketing_purpose])
    f.CookieFactory(organisation=org, name="_fjord", purpose="Counts visits.", vendor=f.VendorFactory(name="Statz"))
    f.CookieFactory(organisation=org, name="cart", retention="")

    rights = m.StatedRight.Right
    for right in (rights.ACCESS, rights.RECTIFICATION, rights.ERASURE, rights.RESTRICTION, rights.COMPLAINT,
                  rights.WITHDRAW_CONSENT, rights.AUTOMATED_DECISIONS):
        f.StatedRightFactory(organisation=org, right=right, channel="The web form", deadline="One month")
    f.StatedRightFactory(organisation=org, right=rights.PORTABILITY, offered=m.StatedRight.Offered.NO)
    f.StatedRightFactory(organisation=org, right=rights.OBJECTION, offered=m.StatedRight.Offered.CONDITIONAL,
                         conditions="Only for marketing", fee="None")
    return NoticeRegister(org=org, customers=customers, marketing=marketing, further=further, joint=joint,
                          marketing_purpose=marketing_purpose, contract_purpose=contract_purpose)
