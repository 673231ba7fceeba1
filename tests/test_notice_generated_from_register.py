"""The privacy notice of each demo organisation says what the register holds, checked against the register rather
than fixed strings: each purpose with its basis, each vendor with its role as stated, each retention period in
words, each right the GDPR gives for the purposes (as privacy_registry.law gives them) or as the organisation states
them, the DPO contact, the cookie table; and nothing the register does not hold (no invented basis, role or right,
no sentence about the register itself). (That the Swedish and Danish notices carry no untranslated fixed wording is
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
        # Each activity is told once, whatever the audiences (subject categories) it concerns.
        for basis in LegalBasis:
            stated = sum(1 for p in purposes if p.legal_basis == basis)
            assert text.count(str(basis.label)) == stated, basis


@pytest.mark.parametrize("slug", DEMO)
def test_each_vendor_is_named_with_its_role_as_stated(demo, slug):
    org = Organisation.objects.get(slug=slug)
    text = _english(org)
    recipients = Recipient.objects.filter(activity__in=_activities(org), vendor__isnull=False).select_related("vendor")
    assert recipients.exists()
    for recipient in recipients:
        lines = [ln for ln in text.splitlines() if ln.startswith(f"- {recipient.vendor.name}")]
        assert lines, recipient.vendor.name
        if recipient.vendor.role == Vendor.Role.PROCESSOR:
            assert any("(processor, acting on our behalf)" in ln for ln in lines)
        elif recipient.vendor.role == Vendor.Role.NOT_STATED and recipient.kind in {"", "not_stated"}:
            # No role is stated: no role words at all.
            assert not any(f"{recipient.vendor.name} (" in ln for ln in lines)
        assert any(recipient.activity.name in ln.rsplit("for: ", 1)[-1] for ln in lines)
    # Admin wording never reaches the public.
    with translation.override("en"):
        for label in (Vendor.Role.NOT_STATED.label, Vendor.Role.PROCESSOR.label, Recipient.Kind.SERVICE_PROVIDER.label,
                      Recipient.Kind.THIRD_PARTY.label):
            assert str(label) not in text
    # Each recipient once, however many activities it serves.
    listed = [ln for ln in text.split("## Who receives your data", 1)[1].split("\n## ", 1)[0].splitlines()
              if ln.startswith("- ") and not ln.startswith("- Transfer")]
    assert len(listed) == len(set(listed))


@pytest.mark.parametrize("slug", DEMO)
def test_each_retention_period_is_said_in_words(demo, slug):
    org = Organisation.objects.get(slug=slug)
    text = _flat(_english(org))
    rules = RetentionRule.objects.filter(activity__in=_activities(org))
    assert rules.exists()
    with translation.override("en"):
        for rule in rules:
            if rule.has_start and rule.period is not None:
                public_words = getattr(rule, "public_words", None)
                words = public_words() if callable(public_words) else rule.describe()
                assert _flat(words[:1].upper() + words[1:]) in text
            if rule.statement:
                assert _flat(rule.statement) in text  # beside the structured rule too
            if rule.backup_exception:
                assert _flat(f"kept in backups: {rule.backup_exception}") in text


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
    assert "The register" not in text  # nothing about the register reaches the public
    # The rights as the register states them; where it states none, those the GDPR gives for the purposes: access,
    # rectification and restriction for any basis, erasure unless (c) or (e), portability for consent or contract
    # by automated means, Art. 22 only where a decision is automated.
    purposes = [(a, p) for a in _activities(org) for p in a.purposes.all()]
    stated = dict(StatedRight.objects.filter(organisation=org).values_list("right", "offered"))
    consent = [p for _a, p in purposes if p.legal_basis == LegalBasis.CONSENT or p.article9_condition == "a"]
    if stated:
        expected = {key: stated.get(key, "no") != "no" for key in ARTICLES}
    else:
        based = [p for _a, p in purposes if p.legal_basis or p in consent]
        expected = {
            "access": bool(based), "rectification": bool(based), "restriction": bool(based),
            "erasure": any(p.legal_basis not in {"c", "e"} for p in based),
            "portability": any((p in consent or p.legal_basis == "b") and a.systems.exists() for a, p in purposes),
            "automated_decisions": any(a.automated_decision_making is True for a, _p in purposes),
        }
    assert _rights_told(org, text) == expected
    objection = any(p.legal_basis in {"e", "f"} or p.direct_marketing for _a, p in purposes)
    assert ("Your right to object (Art. 21)" in text) == (
        stated.get("objection", "no") != "no" if stated else objection)
    assert ("(Art. 7(3))" in text) == bool(consent)
    if "(Art. 7(3))" in text:
        assert "through the link in each of our e-mails" not in text  # not said unless stated
    # The request page only where the register says the organisation takes requests there (no seed names it).
    assert (f"/privacy/{org.slug}/request/" in text) == org.request_page_offered
    if org.lead_authority:
        assert org.lead_authority in text
    cookies = Cookie.objects.filter(organisation=org)
    table = text.split("## Cookies and similar technologies", 1)[1] if cookies else ""
    for cookie in cookies:
        # One aligned line per cookie, in the table.
        assert any(line.startswith(cookie.name) for line in table.splitlines()), cookie.name
    assert ("## Cookies and similar technologies" in text) == cookies.exists()


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
    # Not stated by the organisation, but the law's own (Art. 21(4)): said in the law's words wherever the GDPR gives
    # it for the organisation's purposes, and only there.
    assert ("Your right to object (Art. 21)" in text) == notice.law_gives(notice._activities(org), "objection")
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
    # Named as the service provider the register calls it; no processor role it does not state.
    assert "- Postie (service provider), Ireland – for: Mailing" in text.splitlines()
    assert "Processor" not in text and "processor" not in text
    assert "Art. 6(1)" not in text and "(Art. 22)" not in text and "(Art. 7(3))" not in text
    # No basis recorded: no right can be derived, so none is listed as the law's (the complaint stands alone).
    assert "Under the GDPR you have the right of access" not in text
    assert "(Art. 77)" in text
    assert "data protection officer" not in text.lower()
    assert "Mailing: not stated" in text  # how long it is kept
    assert "Cookies" not in text and "The register" not in text


def test_the_html_page_escapes_register_text():
    org = f.OrganisationFactory(name="<script>alert(1)</script> AB")
    _text, html = notice.render(org, "en")
    assert "<script>" not in html and "&lt;script&gt;" in html
