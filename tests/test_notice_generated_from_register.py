"""The privacy notice of each demo organisation says what the register holds, checked against the register rather
than fixed strings: each purpose with its basis, each vendor with its role as stated, each retention period in
words, each right, the DPO contact, the cookie table; and nothing the register does not hold (no invented basis,
role or right). (That the Swedish and Danish notices carry no untranslated fixed wording is
tests/test_notice_speaks_swedish_and_danish.py.)"""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import translation

from consent import notice
from consent.models import Cookie
from privacy_registry.models import (
    LegalBasis,
    Organisation,
    PrivacyContact,
    ProcessingActivity,
    Recipient,
    StatedRight,
    Vendor,
)
from retention.models import RetentionRule
from tests import factories as f

pytestmark = pytest.mark.django_db

DEMO = ("antura", "antara", "avara")


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def _activities(org):
    return ProcessingActivity.objects.filter(organisation=org, record_type=ProcessingActivity.RecordType.CONTROLLER,
                                             status=ProcessingActivity.Status.ACTIVE)


def _english(org) -> str:
    text, _html = notice.render(org, "en")
    return text


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("slug", DEMO)
def test_each_purpose_is_named_with_its_basis_and_no_basis_is_invented(demo, slug):
    org = Organisation.objects.get(slug=slug)
    text = _flat(_english(org))
    purposes = [p for a in _activities(org) for p in a.purposes.all()]
    assert purposes
    with translation.override("en"):
        for purpose in purposes:
            assert _flat(purpose.description) in text
            line = next(ln for ln in text.split(" - ") if _flat(purpose.description) in ln)
            if purpose.legal_basis:
                assert str(purpose.get_legal_basis_display()) in line
            else:
                assert "legal basis not stated" in line
            if purpose.legal_basis == LegalBasis.LEGITIMATE_INTERESTS and purpose.legitimate_interest:
                assert _flat(purpose.legitimate_interest) in text
        # Each activity is told once per audience (subject category) it concerns.
        for basis in LegalBasis:
            stated = sum(max(1, p.activity.subject_categories.count()) for p in purposes if p.legal_basis == basis)
            assert text.count(str(basis.label)) == stated, basis


@pytest.mark.parametrize("slug", DEMO)
def test_each_vendor_is_named_with_its_role_as_stated(demo, slug):
    org = Organisation.objects.get(slug=slug)
    text = _english(org)
    recipients = Recipient.objects.filter(activity__in=_activities(org), vendor__isnull=False).select_related("vendor")
    for recipient in recipients:
        lines = [ln for ln in text.splitlines() if recipient.vendor.name in ln]
        assert lines, recipient.vendor.name
        if recipient.vendor.role == Vendor.Role.NOT_STATED:
            assert any("role not stated" in ln for ln in lines)
    with translation.override("en"):
        processor_label = str(Vendor.Role.PROCESSOR.label)
        told = sum(max(1, r.activity.subject_categories.count()) for r in recipients
                   if r.vendor.role == Vendor.Role.PROCESSOR)
        assert text.count(processor_label) == told


@pytest.mark.parametrize("slug", DEMO)
def test_each_retention_period_is_said_in_words(demo, slug):
    org = Organisation.objects.get(slug=slug)
    text = _flat(_english(org))
    rules = RetentionRule.objects.filter(activity__in=_activities(org))
    assert rules.exists()
    with translation.override("en"):
        for rule in rules:
            if rule.has_start and rule.period is not None:
                words = rule.describe()
                assert _flat(words[:1].upper() + words[1:]) in text
            else:
                assert _flat(rule.statement) in text


ARTICLES = {"access": "(Art. 15)", "rectification": "(Art. 16)", "erasure": "(Art. 17)", "restriction": "(Art. 18)",
            "portability": "(Art. 20)", "automated_decisions": "(Art. 22)"}


def _rights_told(org, text: str) -> dict[str, bool]:
    rights = text.split("## Your rights", 1)[1].split("\n## ", 1)[0]
    return {key: article in rights for key, article in ARTICLES.items()}


@pytest.mark.parametrize("slug", DEMO)
def test_rights_contact_complaint_and_cookies(demo, slug):
    org = Organisation.objects.get(slug=slug)
    text = _english(org)
    dpos = PrivacyContact.objects.filter(organisation=org, role=PrivacyContact.Role.DPO)
    dpo_lines = [ln for ln in text.splitlines() if ln.startswith("Data protection officer: ")]
    for contact in dpos:
        values = [v for v in (contact.name, contact.email, contact.phone, contact.postal_address, contact.url) if v]
        assert any(all(value in line for value in values) for line in dpo_lines), contact
    assert ("The register names no data protection officer." in text) == (not dpos.exists())
    # The rights as the register states them; where it states none, the GDPR's, Art. 22 only where a decision is
    # automated.
    adm = _activities(org).filter(automated_decision_making=True).exists()
    stated = dict(StatedRight.objects.filter(organisation=org).values_list("right", "offered"))
    if stated:
        expected = {key: stated.get(key, "no") != "no" for key in ARTICLES}
    else:
        expected = {key: key != "automated_decisions" or adm for key in ARTICLES}
    assert _rights_told(org, text) == expected
    assert ("Your right to object (Art. 21)" in text) == (not stated or stated.get("objection", "no") != "no")
    uses_consent = _activities(org).filter(purposes__legal_basis=LegalBasis.CONSENT).exists()
    assert ("(Art. 7(3))" in text) == uses_consent
    assert f"/privacy/{org.slug}/request/" in text
    if org.lead_authority:
        assert org.lead_authority in text
    for cookie in Cookie.objects.filter(organisation=org):
        assert _flat(cookie.name) in _flat(text)


@pytest.mark.parametrize("slug", DEMO)
def test_a_demo_organisation_that_states_its_rights_offers_those_and_no_other(demo, slug):
    org = Organisation.objects.get(slug=slug)
    f.StatedRightFactory(organisation=org, right="access", channel="By letter")
    f.StatedRightFactory(organisation=org, right="erasure", offered=StatedRight.Offered.CONDITIONAL)
    f.StatedRightFactory(organisation=org, right="restriction", offered=StatedRight.Offered.NO)
    text = _english(org)
    assert _rights_told(org, text) == {key: key in {"access", "erasure"} for key in ARTICLES}
    assert "(Art. 15): how to ask: By letter" in text
    assert "Erasure (Art. 17) – offered with conditions" in text
    assert "Your right to object (Art. 21)" not in text  # the register does not say it is offered
    assert "The register does not record how" not in text


def test_nothing_invented_for_a_bare_organisation():
    org = f.OrganisationFactory(name="Bare AB")
    activity = f.ProcessingActivityFactory(organisation=org, name="Mailing")
    f.PurposeFactory(activity=activity, description="Send letters", legal_basis="")
    f.RecipientFactory(activity=activity, vendor=f.VendorFactory(name="Postie", role=Vendor.Role.NOT_STATED,
                                                                  dpa_signed_on=None),
                       kind=Recipient.Kind.SERVICE_PROVIDER)
    text = _english(org)
    assert "Send letters – legal basis not stated" in text
    assert "Postie" in text and "role not stated" in text and "Processor" not in text
    assert "Art. 6(1)" not in text and "(Art. 22)" not in text and "(Art. 7(3))" not in text
    assert "The register names no data protection officer." in text
    assert "The register does not state how long this is kept." in text
    assert "The register lists no cookies." in text


def test_the_html_page_escapes_register_text():
    org = f.OrganisationFactory(name="<script>alert(1)</script> AB")
    _text, html = notice.render(org, "en")
    assert "<script>" not in html and "&lt;script&gt;" in html
