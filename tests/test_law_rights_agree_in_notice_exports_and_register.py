"""Which rights the GDPR gives, and when, is written once (privacy_registry.law) and the notice, the Art. 30 exports'
derived rights and the register's StatedRight labels all read it: a purpose on Art. 9(2)(a) explicit consent counts
as consent in both the notice and the export; portability is given in both only for consent or contract by
automated means; objection for (e), (f) and direct marketing; Art. 22 only where decisions are automated."""
from __future__ import annotations

import pytest
from django.utils import translation

from consent import notice
from privacy_registry import law
from privacy_registry import models as m
from privacy_registry.exports.record import build_record
from privacy_registry.exports.templates import derived_rights
from tests import factories as f

pytestmark = pytest.mark.django_db


def _notice_rights(org: m.Organisation) -> set[str]:
    """The rights the notice names as the GDPR's (the organisation states none), by key."""
    text, _html = notice.render(org, "en")
    told = set()
    with translation.override("en"):
        for key, right in law.RIGHTS.items():
            if str(right.words) in text:
                told.add(key)
        if str(law.DIRECT_MARKETING_WORDS) in text:  # the objection to direct marketing (Art. 21(2)-(3))
            told.add("objection")
    return told


def _export_rights(org: m.Organisation) -> set[str]:
    record = build_record(organisation=org)
    return {right for activity in record.activities for p in activity.purposes
            for right in derived_rights(p, activity)}


def _org_with(*, basis: str = "", article9: str = "", with_system: bool = False, automated: bool | None = False,
              direct_marketing: bool = False) -> m.Organisation:
    org = f.OrganisationFactory()
    activity = f.ProcessingActivityFactory(organisation=org, automated_decision_making=automated)
    f.PurposeFactory(activity=activity, description="The purpose", legal_basis=basis, article9_condition=article9,
                     direct_marketing=direct_marketing)
    if with_system:
        activity.systems.add(f.SystemFactory(organisation=org))
    return org


CASES = {
    "explicit consent only (Art. 9(2)(a))": {"article9": "a"},
    "legal obligation with explicit consent": {"basis": "c", "article9": "a"},
    "contract without a system": {"basis": "b"},
    "contract by automated means": {"basis": "b", "with_system": True},
    "consent by automated means": {"basis": "a", "with_system": True},
    "legitimate interests": {"basis": "f"},
    "public task": {"basis": "e"},
    "legal obligation": {"basis": "c"},
    "direct marketing on legitimate interests": {"basis": "f", "direct_marketing": True},
    # Only direct marketing gives the objection here (Art. 21(2)): a basis that gives none of its own.
    "direct marketing on consent": {"basis": "a", "direct_marketing": True},
    "direct marketing on contract": {"basis": "b", "direct_marketing": True},
}


@pytest.mark.parametrize("case", CASES)
def test_the_notice_and_the_export_name_the_same_rights_of_the_law(case):
    org = _org_with(**CASES[case])
    notice_rights = _notice_rights(org)
    # The notice says the withdrawal, objection and complaint words in their own sections; the rest in its list.
    assert notice_rights == _export_rights(org), case


def test_explicit_consent_counts_as_consent_in_notice_and_export():
    org = _org_with(basis="c", article9="a")
    text, _html = notice.render(org, "en")
    assert "## Withdrawing your consent (Art. 7(3))" in text
    assert "withdraw_consent" in _export_rights(org)
    assert "erasure" not in _export_rights(org)  # Art. 17(3)(b): the basis is a legal obligation
    assert "Under the GDPR you have the right to have your data erased (Art. 17)." not in text


def test_portability_is_given_only_by_automated_means_in_both():
    without = _org_with(basis="b")
    with_system = _org_with(basis="b", with_system=True)
    assert "portability" not in _export_rights(without) | _notice_rights(without)
    assert "portability" in _export_rights(with_system) & _notice_rights(with_system)


def test_article_22_only_where_decisions_are_automated_in_both():
    automated = _org_with(basis="b", automated=True)
    not_automated = _org_with(basis="b", automated=False)
    assert "automated_decisions" in _export_rights(automated) & _notice_rights(automated)
    assert "automated_decisions" not in _export_rights(not_automated) | _notice_rights(not_automated)


def test_the_registers_stated_right_labels_are_the_laws():
    assert [value for value, _label in m.StatedRight.Right.choices] == list(law.RIGHTS)
    with translation.override("en"):
        for value, label in m.StatedRight.Right.choices:
            assert str(label) == str(law.RIGHTS[value].label)
            assert str(notice.RIGHT_LABELS[value]) == str(label)
            assert law.RIGHTS[value].article in str(label)
