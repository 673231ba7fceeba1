"""Publishing the notice: the completeness report first (gaps must be acknowledged and are kept with the version),
a NoticeVersion per publication with its text in en/sv/da and their hash; publishing twice with a change between
gives two versions, the public page shows the current one and the earlier ones, and a diff shows the change; the
PDF prints a version. The DPO previews and publishes from the admin; an Auditor only previews."""
from __future__ import annotations

import hashlib
import json

import pytest
from django.core.exceptions import ValidationError

from consent import completeness, services
from consent.models import NoticeVersion
from privacy_registry.models import LegalBasis
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    organisation = f.OrganisationFactory(name="Notice AB", slug="notice-ab", lead_authority="IMY (Sweden)")
    activity = f.ProcessingActivityFactory(organisation=organisation, name="Customers")
    f.PurposeFactory(activity=activity, description="Deliver the orders", legal_basis=LegalBasis.CONTRACT)
    return organisation


def test_the_completeness_report_lists_what_the_register_leaves_empty(org):
    gaps = completeness.completeness(org)
    items = {(gap.article, gap.where) for gap in gaps}
    assert ("Art. 13(1)(b)", ("Notice AB",)) in items  # no DPO contact
    assert ("Art. 13(1)(a)", ("Notice AB",)) in items  # no address
    assert ("Art. 13(1)(e)", ("Customers",)) in items  # no recipients
    assert ("Art. 14(2)(f)", ("Customers",)) in items  # no source
    assert not any(gap.article == "Art. 13(2)(d)" for gap in gaps)  # the lead authority is stated

    f.PrivacyContactFactory(organisation=org, email="dpo@notice.example")
    org.street_address, org.postal_code, org.city = "Gatan 1", "111 11", "Stockholm"
    org.save()
    after = {gap.article for gap in completeness.completeness(org)}
    assert "Art. 13(1)(b)" not in after and "Art. 13(1)(a)" not in after


def test_gaps_must_be_acknowledged_and_are_kept_with_the_version(org):
    with pytest.raises(ValidationError, match="acknowledge"):
        services.notice_publish(organisation=org)
    assert not NoticeVersion.objects.exists()
    version = services.notice_publish(organisation=org, acknowledge_gaps=True, note="first")
    assert version.number == 1
    assert {gap["article"] for gap in version.gaps} >= {"Art. 13(1)(b)", "Art. 13(1)(e)"}
    assert set(version.texts) == {"en", "sv", "da"} == set(version.htmls)
    digest = hashlib.sha256(json.dumps(version.texts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    assert version.sha256 == digest
    assert "Deliver the orders" in version.texts["en"]


def test_publish_twice_with_a_change_gives_two_versions_and_a_diff_that_shows_it(org, client):
    services.notice_publish(organisation=org, acknowledge_gaps=True)
    with pytest.raises(ValidationError, match="not changed"):
        services.notice_publish(organisation=org, acknowledge_gaps=True)
    purpose = org.activities.get().purposes.get()
    purpose.description = "Deliver the orders and invoice them"
    purpose.save()
    second = services.notice_publish(organisation=org, acknowledge_gaps=True, note="invoicing")
    assert second.number == 2 and NoticeVersion.objects.filter(organisation=org).count() == 2

    page = client.get("/privacy/notice-ab/").content.decode()
    assert "Deliver the orders and invoice them" in page
    assert "/privacy/notice-ab/version/1/" in page and "/privacy/notice-ab/version/2/" in page
    earlier = client.get("/privacy/notice-ab/version/1/").content.decode()
    assert "Deliver the orders – " in earlier and "invoice them" not in earlier and "earlier version" in earlier

    diff = client.get("/privacy/notice-ab/changes/", {"from": 1, "to": 2})
    lines = [line for section in diff.context["sections"] for line in section.lines]
    basis = "Art. 6(1)(b) contract or steps before a contract"
    assert ("removed", f"- Deliver the orders – {basis}") in lines
    assert ("added", f"- Deliver the orders and invoice them – {basis}") in lines
    assert diff.status_code == 200 and "invoice them" in diff.content.decode()
    assert client.get("/privacy/notice-ab/changes/", {"from": 1, "to": 9}).status_code == 400


def test_the_page_speaks_the_visitors_language_from_the_stored_version(org, client):
    version = services.notice_publish(organisation=org, acknowledge_gaps=True)
    NoticeVersion.objects.filter(pk=version.pk).update(htmls={**version.htmls, "sv": "<p>svensk version</p>"})
    client.cookies["django_language"] = "sv"
    assert "svensk version" in client.get("/privacy/notice-ab/").content.decode()


def test_an_unpublished_notice_is_a_polite_404(org, client):
    response = client.get("/privacy/notice-ab/")
    assert response.status_code == 404 and "not published" in response.content.decode()


def test_the_notice_as_pdf(org, client):
    services.notice_publish(organisation=org, acknowledge_gaps=True)
    response = client.get("/privacy/notice-ab/version/1/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 1500


def test_the_dpo_previews_and_publishes_from_the_admin(org, dpo_client):
    url = f"/admin/consent/noticeversion/preview/{org.pk}/"
    page = dpo_client.get(url, {"language": "sv"})
    assert page.status_code == 200
    assert any(gap.article == "Art. 13(1)(b)" for gap in page.context["gaps"])
    assert "Deliver the orders" in page.content.decode()

    refused = dpo_client.post(url, {"note": "first"})
    assert refused.status_code == 200 and not NoticeVersion.objects.exists()
    assert dpo_client.post(url, {"note": "first", "acknowledge_gaps": "on"}).status_code == 302
    version = NoticeVersion.objects.get()
    assert version.published_by == dpo_client.user and version.note == "first"


def test_an_auditor_previews_but_cannot_publish(org, auditor_client):
    url = f"/admin/consent/noticeversion/preview/{org.pk}/"
    assert auditor_client.get(url).status_code == 200
    assert auditor_client.post(url, {"acknowledge_gaps": "on"}).status_code == 403
    assert not NoticeVersion.objects.exists()
