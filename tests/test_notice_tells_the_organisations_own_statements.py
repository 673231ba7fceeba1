"""The notice tells what the register holds of the organisation's own statements, and nothing where it holds none:
who "we" means (its group), the trading name and registry details, further phones, offices with the headquarters
first, what the notice does not cover, national law, the binding language; further controllers named as
controllers and never as joint ones; per purpose whether the data must be provided, what follows if not, and its
own retention; the objection section names the direct-marketing purposes that stop on an objection. The
completeness report asks for what the law needs of these."""
from __future__ import annotations

import pytest

from consent import notice
from consent.completeness import completeness
from privacy_registry import models as m
from tests import factories as f
from tests.notice_register import build_notice_register

pytestmark = pytest.mark.django_db


def _english(org: m.Organisation) -> str:
    text, _html = notice.render(org, "en")
    return text


def _section(text: str, heading: str) -> str:
    """The lines of one ``## heading`` section of the text notice."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"## {heading}"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join(lines[start:end])


def test_group_identity_offices_phones_scope_law_and_language_are_told_as_held():
    register = build_notice_register()
    text = _english(register.org)
    assert "In this notice “we” means Fjord Retail AB and Fjord Logistik AB." in text
    assert "Controller: Fjord Retail AB, trading as Fjord Shop, registration number" in text
    assert "Bolagsverket, 2001" in text
    assert "Further phone numbers: +46 40 100 01; +46 40 100 02" in text
    offices = [line for line in text.splitlines() if line.startswith(("- Zentrale", "- Branch"))]
    # The headquarters first, whatever the names' order.
    assert offices == ["- Zentrale Malmö (headquarters), Kajen 1, 211 20 Malmö, Sweden",
                       "- Branch Oslo, Oslo, Norway, +47 22 00 00"]
    assert "What this notice does not cover: Job applicants and staff" in text
    assert "Law applied beside the GDPR: Lag (2018:218) (Swedish Data Protection Act)" in text
    assert "The language of this notice: The Swedish text prevails" in text


def test_nothing_of_these_is_said_when_the_register_holds_none():
    org = f.OrganisationFactory(name="Plain AB")
    activity = f.ProcessingActivityFactory(organisation=org, name="Customers")
    f.PurposeFactory(activity=activity, description="Deliver the orders")
    text = _english(org)
    for absent in ("“we” means", "trading as", "Further phone numbers", "Offices:", "headquarters",
                   "does not cover", "Law applied", "language of this notice", "Also a controller",
                   "Joint controller", "providing the data", "if it is not provided", "; kept:", "direct marketing"):
        assert absent not in text, absent


def test_a_further_controller_is_named_as_a_controller_never_as_a_joint_one():
    register = build_notice_register()
    text = _english(register.org)
    lines = [line for line in text.splitlines() if "Fjord Holding AB" in line]
    assert lines == ["- Also a controller, for Shop orders: Fjord Holding AB, registration number "
                     f"{register.further.registration_number}"]
    assert "Art. 26" not in lines[0] and "joint" not in lines[0].lower()
    # The joint controller the register does record as such is still named so, once.
    assert sum("Joint controller (Art. 26): Fjord Logistik AB" in line for line in text.splitlines()) == 1


def test_a_controller_named_both_ways_is_named_once_as_joint():
    register = build_notice_register()
    register.customers.other_controllers.add(register.joint)
    text = _english(register.org)
    assert sum("Fjord Logistik AB, registration" in line for line in text.splitlines()) == 1


def test_each_purpose_says_whether_the_data_must_be_provided_what_follows_if_not_and_its_own_retention():
    register = build_notice_register()
    text = _english(register.org)
    assert ("- Deliver the orders – Art. 6(1)(b) contract or steps before a contract; providing the data: "
            "Contractual requirement; if it is not provided: No delivery without an address; kept: Seven years "
            "for the books") in text.splitlines()
    line = next(line for line in text.splitlines() if line.startswith("- Prevent fraud"))
    assert line.endswith("providing the data: Voluntary")
    assert "if it is not provided" not in line and "kept:" not in line


def test_the_objection_section_names_the_direct_marketing_purposes_that_stop():
    register = build_notice_register()
    objection = _section(_english(register.org), "Your right to object")
    assert ("Under the GDPR you may object to direct marketing at any time, without giving reasons; the processing "
            "for it then stops (Art. 21(2)-(3)).") in objection
    named = [line[2:] for line in objection.splitlines() if line.startswith("- ") and ":" not in line]
    assert named == ["Send offers by e-mail"]  # not the other purposes, not "Count opened e-mails"

    register.marketing_purpose.direct_marketing = False
    register.marketing_purpose.save()
    objection = _section(_english(register.org), "Your right to object")
    assert "direct marketing" not in objection and "Send offers by e-mail" not in objection


def _lines(org: m.Organisation) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(gap.article, gap.item, gap.where) for gap in completeness(org)}


def test_completeness_asks_for_what_follows_if_required_data_is_not_provided():
    register = build_notice_register()
    consequence = ("Art. 13(2)(e)", "What happens if data that must be provided is not provided",
                   ("Shop orders: “Deliver the orders”",))
    assert consequence not in _lines(register.org)
    register.contract_purpose.consequence_of_not_providing = ""
    register.contract_purpose.save()
    gaps = _lines(register.org)
    assert consequence in gaps
    # A voluntary purpose needs no consequence.
    assert not any("Prevent fraud" in place for _article, _item, where in gaps for place in where)


def test_completeness_asks_for_the_joint_arrangement_and_the_further_controllers_contact():
    register = build_notice_register()
    gaps = _lines(register.org)
    assert ("Art. 13(1)(a)", "The contact details of another controller", ("Fjord Holding AB",)) in gaps
    assert not any(article == "Art. 26(2)" for article, _item, _where in gaps)
    assert not any("Fjord Logistik AB" in where for _article, _item, where in gaps)  # its e-mail is held

    register.customers.joint_arrangement = ""
    register.customers.save()
    register.further.email = "holding@fjord.example"
    register.further.save()
    gaps = _lines(register.org)
    assert ("Art. 26(2)", "The essence of the arrangement between the joint controllers", ("Shop orders",)) in gaps
    assert not any("Fjord Holding AB" in where for _article, _item, where in gaps)


def test_rights_are_told_as_stated_and_none_is_invented():
    register = build_notice_register()
    rights = _section(_english(register.org), "Your rights")
    for article in ("(Art. 15)", "(Art. 16)", "(Art. 17)", "(Art. 18)", "(Art. 22)"):
        assert f"{article}: how to ask: The web form; answered within: One month" in rights
    assert "(Art. 20)" not in _english(register.org)  # stated as not offered: not offered in the notice
    assert "The register does not record how" not in rights
    objection = _section(_english(register.org), "Your right to object")
    assert "fee: None; conditions: Only for marketing" in objection

    # A right the organisation does not state at all is not offered as stated either.
    m.StatedRight.objects.filter(organisation=register.org, right="erasure").delete()
    assert "(Art. 17)" not in _section(_english(register.org), "Your rights")
    gaps = {(gap.item, gap.where) for gap in completeness(register.org)}
    assert ("Whether and how the organisation offers a right", ("Erasure (Art. 17)",)) in gaps
