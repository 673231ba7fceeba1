"""In a real Chromium: the DPO edits a purpose, previews the privacy notice from the organisation's page, publishes
it; a visitor opens the notice and switches it to Swedish, with the edited purpose, and
the browser refuses nothing under the Content-Security-Policy. (Fixtures and setup notes: see
tests/test_browser_dpo_first_hour.py.)"""
from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from consent.models import NoticeVersion
from privacy_registry import models as m
from privacy_registry.roles import DPO, sync_role_permissions
from tests.factories import OrganisationFactory, ProcessingActivityFactory, PurposeFactory
from tests.test_browser_dpo_first_hour import PASSWORD, browser_page, chromium_path, current_totp  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, device) -> None:
    from playwright.sync_api import expect

    page.goto("/admin/")
    page.fill("#id_username", "dana-dpo")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", current_totp(device))
    with page.expect_navigation():
        page.click("#login-form input[type=submit][value='Log in']")
    if page.locator("#id_otp_device").count():  # django-otp asks for the device (see the first-hour test)
        page.select_option("#id_otp_device", label="phone")
        page.fill("#id_password", PASSWORD)
        page.fill("#id_otp_token", current_totp(device))
        page.click("#login-form input[type=submit][value='Log in']")
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_dpo_edits_previews_and_publishes_and_a_visitor_reads_it_in_swedish(browser_page, django_user_model):  # noqa: F811
    from playwright.sync_api import expect

    sweden, _ = m.Country.objects.get_or_create(code="SE", defaults={"name": "Sweden", "is_eea": True})
    group, _ = Group.objects.get_or_create(name=DPO)
    sync_role_permissions()
    dpo = django_user_model.objects.create_user(username="dana-dpo", password=PASSWORD, is_staff=True)
    dpo.groups.add(group)
    device = TOTPDevice.objects.create(user=dpo, name="phone", confirmed=True)
    org = OrganisationFactory(name="Nordlys Retail AB", slug="nordlys", country=sweden, lead_authority="IMY")
    activity = ProcessingActivityFactory(organisation=org, name="Customers")
    purpose = PurposeFactory(activity=activity, description="Deliver orders", legal_basis=m.LegalBasis.CONTRACT)

    with browser_page("notice_publish") as page:
        csp_refusals: list[str] = []
        page.on("console", lambda msg: csp_refusals.append(msg.text) if "Content Security Policy" in msg.text
                else None)
        _sign_in(page, device)

        # Edit the purpose.
        page.goto(f"/admin/privacy_registry/purpose/{purpose.pk}/change/")
        page.fill("#id_description_en", "Deliver and invoice orders")
        page.fill("#id_description_sv", "Leverera och fakturera beställningar")
        page.click("input[name=_save]")
        expect(page.locator(".messagelist .success")).to_be_visible()

        # Preview from the organisation's page, then publish.
        page.goto(f"/admin/privacy_registry/organisation/{org.pk}/change/")
        page.get_by_role("link", name="Preview and publish the privacy notice").click()
        expect(page).to_have_url(re.compile(rf"/admin/consent/noticeversion/preview/{org.pk}/$"))
        expect(page.locator(".notice-preview")).to_contain_text("Deliver and invoice orders")
        expect(page.locator(".notice-gaps")).to_contain_text("Art. 13(1)(b)")
        page.fill("#id_note", "Invoicing added")
        page.check("#id_acknowledge_gaps")
        page.click("input[name=publish]")
        expect(page.locator(".messagelist .success")).to_contain_text("Published as version 1")
        assert csp_refusals == [], csp_refusals
        assert page.problems == [], page.problems

    with browser_page("notice_in_swedish") as page:
        refusals: list[str] = []
        page.on("console", lambda msg: refusals.append(msg.text) if "Content Security Policy" in msg.text
                else None)
        page.goto("/privacy/nordlys/")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        # The visitor switches to Swedish with the page's own language form.
        page.select_option("#language-select", "sv")
        with page.expect_navigation():
            page.locator("form.language button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/privacy/nordlys/$"))
        expect(page.locator("html")).to_have_attribute("lang", "sv")
        # The purpose in the Swedish the DPO entered; the fixed wording from the catalogue.
        expect(page.locator("article.notice")).to_contain_text("Leverera och fakturera beställningar")
        expect(page.locator("article.notice")).not_to_contain_text("Deliver and invoice orders")
        expect(page.locator("label[for=language-select]")).to_have_text("Språk")
        expect(page.locator(".versions")).to_contain_text("Invoicing added")
        assert refusals == [], refusals

    version = NoticeVersion.objects.get(organisation=org)
    assert version.published_by == dpo and "Leverera och fakturera beställningar" in version.texts["sv"]
    assert "Deliver and invoice orders" in version.texts["en"] and "Deliver and invoice orders" in version.texts["da"]
