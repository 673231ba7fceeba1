"""The notice says nothing the organisation did not say, and says what the register holds: for each fact, a register
without it gives a notice that does not say it, and a register with it gives one that does. Covers consent
withdrawal, the request page, automated decisions and profiling (tri-state), recipients' roles and cookies'
parties and categories when not stated, retention in the public's words (its statement and backup exception
beside the rule), nothing about the register itself, the processor role, security measures, sub-processors, the
basis in the organisation's own words, where data is stored; each activity once; the cookie table."""
from __future__ import annotations

import pytest

from consent import notice
from consent.models import Cookie
from privacy_registry import models as m
from retention.models import RetentionRule
from tests import factories as f
from tests.factories import country

pytestmark = pytest.mark.django_db


def _text(org: m.Organisation, language: str = "en") -> str:
    text, _html = notice.render(org, language)
    return text


def _section(text: str, heading: str) -> str:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"## {heading}"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join(lines[start:end])


@pytest.fixture
def org() -> m.Organisation:
    return f.OrganisationFactory(name="Fakta AB", slug="fakta")


@pytest.fixture
def activity(org) -> m.ProcessingActivity:
    return f.ProcessingActivityFactory(organisation=org, name="Newsletter", description="")


def test_consent_withdrawal_says_the_law_and_only_the_channel_the_organisation_states(org, activity):
    f.PurposeFactory(activity=activity, description="Send the newsletter", legal_basis=m.LegalBasis.CONSENT)
    section = _section(_text(org), "Withdrawing your consent")
    assert "Under the GDPR you have the right to withdraw your consent at any time" in section
    for invented in ("link in each of our e-mails", "cookie settings", "how to ask"):
        assert invented not in section

    f.StatedRightFactory(organisation=org, right="withdraw_consent", channel="Reply STOP to any message")
    assert "how to ask: Reply STOP to any message" in _section(_text(org), "Withdrawing your consent")


def test_the_request_page_is_offered_only_where_the_register_says_the_organisation_takes_requests_there(
        org, activity):
    f.PurposeFactory(activity=activity, legal_basis=m.LegalBasis.CONTRACT)
    text = _text(org)
    assert "Make a request" not in text and "/request/" not in text
    org.request_page_offered = True
    org.save()
    assert "- Make a request: /privacy/fakta/request/" in _text(org).splitlines()
    link = next(b for b in notice.build_blocks(org) if b.kind == "link")
    assert link.sources[0].field == "request_page_offered"


@pytest.mark.parametrize(("value", "said", "unsaid"), [
    (None, [], ["automated decision", "Automated decision", "profiling", "Profiling", "(Art. 22)"]),
    (False, ["No automated decision-making.", "No profiling."], ["Automated decision-making:", "(Art. 22)"]),
    (True, ["Automated decision-making: A score decides", "Profiling: A score decides",
            "Under the GDPR you have the right not to be subject to a decision based solely on automated processing"],
     ["No automated decision-making.", "No profiling."]),
])
def test_automated_decisions_and_profiling_are_said_only_as_stated(org, activity, monkeypatch, value, said, unsaid):
    f.PurposeFactory(activity=activity, legal_basis=m.LegalBasis.CONTRACT)
    m.ProcessingActivity.objects.filter(pk=activity.pk).update(automated_logic="A score decides")
    if value is not None:
        m.ProcessingActivity.objects.filter(pk=activity.pk).update(automated_decision_making=value, profiling=value)
    real = notice._activities

    def as_stated(organisation):
        # None ("not stated") is what the register holds once these fields are tri-state (a migration of the
        # register's own); set on the objects here so the test holds on either side of it.
        activities = real(organisation)
        if value is None:
            for each in activities:
                each.automated_decision_making = each.profiling = None
        return activities

    monkeypatch.setattr(notice, "_activities", as_stated)
    text = _text(org)
    for words in said:
        assert words in text
    for words in unsaid:
        assert words not in text


def test_automated_decisions_without_logic_say_the_logic_is_not_stated(org, activity):
    m.ProcessingActivity.objects.filter(pk=activity.pk).update(automated_decision_making=True, automated_logic="")
    assert "Automated decision-making: logic not stated" in _text(org)


def test_a_recipient_cookie_party_and_category_not_stated_print_no_role_words(org, activity):
    f.PurposeFactory(activity=activity, legal_basis=m.LegalBasis.CONTRACT)
    vendor = f.VendorFactory(name="Mailer Inc", role=m.Vendor.Role.NOT_STATED)
    recipient = f.RecipientFactory(activity=activity, vendor=vendor, kind=m.Recipient.Kind.SERVICE_PROVIDER,
                                   country=None)
    cookie = f.CookieFactory(organisation=org, name="_mail", purpose="Counts opens.", retention="")
    assert "- Mailer Inc (service provider) – for: Newsletter" in _text(org).splitlines()

    m.Recipient.objects.filter(pk=recipient.pk).update(kind="not_stated")
    Cookie.objects.filter(pk=cookie.pk).update(party="not_stated", category="not_stated")
    text = _text(org)
    assert "- Mailer Inc – for: Newsletter" in text.splitlines()
    row = next(line for line in text.splitlines() if line.startswith("_mail"))
    assert row.split() == ["_mail", "Counts", "opens.", "not", "stated"]  # no category, no party words

    m.Vendor.objects.filter(pk=vendor.pk).update(role=m.Vendor.Role.PROCESSOR)
    assert "- Mailer Inc (processor, acting on our behalf) – for: Newsletter" in _text(org).splitlines()


def test_a_recipient_neither_named_described_nor_of_a_stated_kind_is_not_said(org, activity):
    recipient = f.RecipientFactory(activity=activity, vendor=None, description="", kind=m.Recipient.Kind.AUTHORITY)
    assert "- public authority, Ireland – for: Newsletter" in _text(org).splitlines()
    m.Recipient.objects.filter(pk=recipient.pk).update(kind="not_stated")
    assert "Who receives your data" not in _text(org) and "Ireland" not in _text(org)


def test_retention_is_said_in_the_publics_words_with_its_statement_and_backup_exception(org, activity, monkeypatch):
    rule = f.RetentionRuleFactory(activity=activity, statement="Two years from your last purchase",
                                  backup_exception="until backups expire after 35 days")
    text = _section(_text(org), "How long we keep it")
    described = rule.public_words()
    assert f"- Newsletter: {described[:1].upper()}{described[1:]}" in text
    assert "Art. 17" not in text  # the sweep's admin wording never reaches the public
    assert "(as we state it: Two years from your last purchase)" in text
    assert "kept in backups: until backups expire after 35 days" in text

    # Where the rule has its public words (a ceiling said as "up to"), those are said, not the sweep's.
    monkeypatch.setattr(RetentionRule, "public_words", lambda self: "up to two years", raising=False)
    assert "- Newsletter: Up to two years (as we state it" in _section(_text(org), "How long we keep it")

    # A rule with no period is its statement only.
    RetentionRule.objects.filter(pk=rule.pk).update(period_amount=None, trigger="not_stated", enabled=False,
                                                    backup_exception="")
    text = _section(_text(org), "How long we keep it")
    assert "- Newsletter: Two years from your last purchase" in text.splitlines()


def test_nothing_about_the_register_or_the_tool_reaches_the_public(org, activity):
    f.PurposeFactory(activity=activity, legal_basis="")
    text = _text(org).lower()
    for words in ("register", "not record", "lists no", "names no"):
        assert words not in text


def test_the_processor_role_is_said_only_where_recorded(org, activity):
    f.PurposeFactory(activity=activity, legal_basis=m.LegalBasis.CONTRACT)
    assert "on behalf of our customers" not in _text(org)
    org.other_roles = [m.Organisation.Role.PROCESSOR]
    org.save()
    assert "We also process personal data on behalf of our customers." in _section(_text(org), "Who we are")


def test_security_measures_are_said_only_where_recorded(org, activity):
    assert "How we protect your data" not in _text(org)
    m.SecurityMeasure.objects.create(organisation=org, name="Encryption at rest", kind="technical",
                                     description="Disks are encrypted")
    section = _section(_text(org), "How we protect your data")
    assert "- Encryption at rest: Disks are encrypted" in section


def test_sub_processors_are_named_under_the_recipient_that_engaged_them(org, activity):
    crm = f.VendorFactory(name="CRM Co", role=m.Vendor.Role.PROCESSOR)
    f.RecipientFactory(activity=activity, vendor=crm, country=None)
    assert "Sub-processors" not in _text(org)
    f.VendorFactory(name="Hosting Co", role=m.Vendor.Role.SUB_PROCESSOR, engaged_by=crm, country=country("DE"))
    lines = _section(_text(org), "Who receives your data").splitlines()
    at = lines.index("- CRM Co (processor, acting on our behalf) – for: Newsletter")
    assert lines[at + 1] == "- Sub-processors engaged by CRM Co: Hosting Co (Germany)"


def test_the_basis_in_the_organisations_own_words_stands_beside_the_mapped_basis(org, activity):
    purpose = f.PurposeFactory(activity=activity, description="Send offers", legal_basis=m.LegalBasis.CONSENT)
    assert "in the organisation’s words" not in _text(org)
    m.Purpose.objects.filter(pk=purpose.pk).update(legal_basis_as_stated="consent under the Marketing Act")
    assert ("- Send offers – Art. 6(1)(a) consent (in the organisation’s words: consent under the Marketing Act)"
            in _text(org).splitlines())


def test_where_the_data_is_stored_is_said_where_the_register_holds_it_in_the_readers_language(org, activity):
    system = f.SystemFactory(organisation=org, name="Mail system")
    system.hosting_countries.clear()
    activity.systems.add(system)
    assert "Where it is stored" not in _text(org)
    system.hosting_countries.add(country("SE"), country("IE"))
    assert "Where it is stored: Ireland, Sweden" in _text(org)
    assert "Sverige" in next(line for line in _text(org, "sv").splitlines() if "Irland" in line)


def test_each_activity_is_told_once_with_whom_it_concerns(org, activity):
    customers = f.DataSubjectCategoryFactory(name="Customers")
    prospects = f.DataSubjectCategoryFactory(name="Prospects")
    activity.subject_categories.add(customers, prospects)
    f.PurposeFactory(activity=activity, description="Send the newsletter", legal_basis=m.LegalBasis.CONSENT)
    text = _text(org)
    assert text.count("### Newsletter") == 1 and text.count("Send the newsletter") == 1
    assert "Whom it concerns: Customers; Prospects" in text
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    expected = ["## Who we are", "## What we collect and why", "## How long we keep it", "## Your rights"]
    assert [h for h in headings if h in expected] == expected


def test_the_cookie_table_is_a_table_in_text_and_html(org):
    assert "Cookies" not in _text(org)
    f.CookieFactory(organisation=org, name="_ga", purpose="Counts visits", retention="13 months",
                    vendor=f.VendorFactory(name="Google Analytics"))
    f.CookieFactory(organisation=org, name="session", purpose="Keeps you signed in", retention="")
    text, html = notice.render(org, "en")
    table = _section(text, "Cookies and similar technologies").splitlines()[1:]
    assert table[0].split() == ["Cookie", "Service", "Category", "Purpose", "Kept", "Party"]
    assert set(table[1]) <= {"-", " "}
    # Aligned: each column starts at the same place on every line.
    purpose_at = table[0].index("Purpose")
    assert all(line[purpose_at:].startswith(("Purpose", "Counts", "Keeps", "-")) for line in table)
    assert "<table><thead><tr><th scope=\"col\">Cookie</th>" in html
    assert "<td>_ga</td><td>Google Analytics</td>" in html and "<td>not stated</td>" in html


def test_a_rule_counted_from_an_event_is_said_in_the_publics_words(org, activity):
    f.RetentionRuleFactory(activity=activity, trigger=RetentionRule.Trigger.EVENT,
                           trigger_event="the contract is cancelled", period_amount=30,
                           period_unit="days", statement="", enabled=False)
    text = _section(_text(org), "How long we keep it")
    assert "30 days after the contract is cancelled" in text
    assert "Art. 17" not in text and "erase (" not in text  # the sweep's admin wording never reaches the public
