"""What changed between two versions of the notice: each change under the section (and activity) it belongs to, in
the admin and on the public page; the version selectors compare the versions chosen and show them as selected; a
bad parameter (not a number, not a version of this organisation, not a language) answers 400 and says so."""
from __future__ import annotations

import re

import pytest

from consent import services
from consent.notice_diff import sectioned_diff
from privacy_registry.models import LegalBasis
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    """Three versions: 2 changes a purpose of "Orders", 3 a purpose of "Newsletter"."""
    organisation = f.OrganisationFactory(name="Diff AB", slug="diff-ab", lead_authority="IMY (Sweden)")
    orders = f.ProcessingActivityFactory(organisation=organisation, name="Orders")
    news = f.ProcessingActivityFactory(organisation=organisation, name="Newsletter")
    deliver = f.PurposeFactory(activity=orders, description="Deliver the orders", legal_basis=LegalBasis.CONTRACT)
    send = f.PurposeFactory(activity=news, description="Send the news", legal_basis=LegalBasis.CONSENT)
    services.notice_publish(organisation=organisation, acknowledge_gaps=True)
    deliver.description = "Deliver and invoice the orders"
    deliver.save()
    services.notice_publish(organisation=organisation, acknowledge_gaps=True)
    send.description = "Send the monthly news"
    send.save()
    services.notice_publish(organisation=organisation, acknowledge_gaps=True)
    return organisation


def _url(org) -> str:
    return f"/admin/consent/noticeversion/diff/{org.pk}/"


def _selected(html: str, name: str) -> list[str]:
    select = re.search(rf'<select id="diff-{name}" name="{name}">(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="(\w+)" selected>', select)


def test_each_change_is_told_under_its_section_and_activity():
    old = "# N\n\n## Who\nUs\n\n## What we do\n\n### Orders\n- Deliver\n\n### News\n- Send\n"
    new = "# N\n\n## Who\nUs\n\n## What we do\n\n### Orders\n- Deliver\n\n### News\n- Send monthly\n"
    (section,) = sectioned_diff(old, new)
    assert (section.h2, section.h3) == ("What we do", "News")
    assert ("removed", "- Send") in section.lines and ("added", "- Send monthly") in section.lines


def test_the_admin_diff_compares_the_chosen_versions_under_their_sections(org, dpo_client):
    response = dpo_client.get(_url(org), {"from": 1, "to": 2, "language": "en"})
    assert response.status_code == 200
    sections = response.context["sections"]
    changed = {(s.h3, kind, line) for s in sections for kind, line in s.lines if kind != "same"}
    assert any(h3 == "Orders" and kind == "added" and "Deliver and invoice the orders" in line
               for h3, kind, line in changed)
    assert not any(h3 == "Newsletter" for h3, _kind, _line in changed)  # changed only in version 3
    html = response.content.decode()
    assert "Orders" in html and "Deliver and invoice the orders" in html
    assert _selected(html, "from") == ["1"] and _selected(html, "to") == ["2"]
    assert _selected(html, "language") == ["en"]

    other = dpo_client.get(_url(org), {"from": 2, "to": 3})
    assert {s.h3 for s in other.context["sections"]} == {"Newsletter"}
    assert _selected(other.content.decode(), "from") == ["2"] and _selected(other.content.decode(), "to") == ["3"]


def test_without_parameters_the_latest_version_is_compared_with_the_one_before(org, dpo_client):
    response = dpo_client.get(_url(org))
    assert response.status_code == 200
    assert (response.context["old"].number, response.context["new"].number) == (2, 3)


@pytest.mark.parametrize("params, says", [
    ({"from": "one", "to": 2}, "is not a version number"),
    ({"from": 1, "to": 9}, "has no published version 9"),
    ({"from": 1, "to": 2, "language": "xx"}, "is not a language of the notice"),
])
def test_a_bad_parameter_answers_400_and_says_which(org, dpo_client, params, says):
    response = dpo_client.get(_url(org), params)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert response.context["sections"] is not None  # the page still compares the versions it could


def test_another_organisations_version_is_not_found_here(org, dpo_client):
    other = f.OrganisationFactory(name="Other AB", slug="other-ab")
    f.PurposeFactory(activity=f.ProcessingActivityFactory(organisation=other), legal_basis=LegalBasis.CONTRACT)
    for n in range(4):
        other.name = f"Other AB {n}"
        other.save()
        services.notice_publish(organisation=other, acknowledge_gaps=True)
    response = dpo_client.get(_url(org), {"from": 1, "to": 4})  # version 4 is the other organisation's
    assert response.status_code == 400 and "Diff AB has no published version 4" in response.content.decode()
    assert "Other AB" not in response.content.decode()


def test_an_organisation_that_does_not_exist_is_404(dpo_client):
    assert dpo_client.get("/admin/consent/noticeversion/diff/999999/").status_code == 404


def test_the_public_diff_tells_changes_by_section_and_keeps_its_selectors(org, client):
    response = client.get("/privacy/diff-ab/changes/", {"from": 2, "to": 3})
    html = response.content.decode()
    assert response.status_code == 200
    assert {s.h3 for s in response.context["sections"]} == {"Newsletter"}
    assert "<h3>Newsletter</h3>" in html and "Send the monthly news" in html
    assert _selected(html, "from") == ["2"] and _selected(html, "to") == ["3"]

    for params, says in (({"from": "x", "to": 2}, "is not a version number"),
                         ({"from": 1, "to": 7}, "There is no version 7")):
        bad = client.get("/privacy/diff-ab/changes/", params)
        assert bad.status_code == 400 and says in bad.content.decode()


def test_an_organisation_with_nothing_published_gets_the_page_not_an_error(dpo_client):
    org = f.OrganisationFactory(name="Unpublished AB")
    response = dpo_client.get(_url(org), {"from": 1, "to": 2})
    assert response.status_code == 400 and response.context["sections"] is None
    assert "Not published yet." in response.content.decode()
