"""The admin in a real Chromium under the Content-Security-Policy: signing in, the dashboard, a list, an add form
with its select2 autocomplete and inline rows, a change form with its findings, a history page — and the browser
refuses nothing on the way (it logs every refusal on the console)."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from privacy_registry import models as m
from privacy_registry.roles import DPO, sync_role_permissions
from tests.factories import OrganisationFactory, ProcessingActivityFactory, PurposeFactory
from tests.test_browser_dpo_first_hour import (  # the Chromium fixtures, and the sign-in helpers
    PASSWORD,
    browser_page,  # noqa: F401
    chromium_path,  # noqa: F401
    current_totp,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# simple-history's paginator has style="border-top: 0": the policy allows it by its hash, so nothing is refused.
WARNING_COLOUR = "rgb(176, 111, 0)"  # .finding-warning in privacy_registry/static/privacy_registry/admin.css


def test_admin_pages_break_no_content_security_policy_rule(browser_page, django_user_model):  # noqa: F811
    from playwright.sync_api import expect

    sweden, _ = m.Country.objects.get_or_create(code="SE", defaults={"name": "Sweden", "is_eea": True})
    group, _ = Group.objects.get_or_create(name=DPO)
    sync_role_permissions()
    dpo = django_user_model.objects.create_user(username="csp-dpo", password=PASSWORD, is_staff=True)
    dpo.groups.add(group)
    device = TOTPDevice.objects.create(user=dpo, name="phone", confirmed=True)
    org = OrganisationFactory(name="Nordlys Retail AB", slug="nordlys", country=sweden)
    activity = ProcessingActivityFactory(organisation=org, name="Payroll")
    PurposeFactory(activity=activity, legal_basis=m.LegalBasis.LEGITIMATE_INTERESTS)  # (f) without an assessment

    with browser_page("admin_under_csp") as page:
        refused: list[str] = []
        page.on("console", lambda msg: refused.append(f"{page.url}: {msg.text}")
                if "Content Security Policy" in msg.text else None)

        page.goto("/admin/")
        page.fill("#id_username", "csp-dpo")
        page.fill("#id_password", PASSWORD)
        page.fill("#id_otp_token", current_totp(device))
        with page.expect_navigation():
            page.click("#login-form input[type=submit][value='Log in']")
        if page.locator("#id_otp_device").count():  # django-otp 1.7 asks which device (see the first-hour test)
            page.select_option("#id_otp_device", label="phone")
            page.fill("#id_password", PASSWORD)
            page.fill("#id_otp_token", current_totp(device))
            page.click("#login-form input[type=submit][value='Log in']")
        expect(page.locator("#dashboard")).to_be_visible()
        # The register's stylesheet applies: findings are coloured by admin.css, not by an inline block.
        expect(page.locator("#dashboard .finding-warning").first).to_have_css("color", WARNING_COLOUR)

        page.goto("/admin/privacy_registry/processingactivity/")
        expect(page.locator("#result_list")).to_contain_text("Payroll")

        page.goto("/admin/privacy_registry/processingactivity/add/")
        page.locator("#id_organisation + .select2 .select2-selection").click()
        page.locator(".select2-container--open .select2-search__field").fill("Nordl")
        expect(page.locator(".select2-container--open .select2-results__option",
                            has_text="Nordlys Retail AB")).to_be_visible()
        page.keyboard.press("Escape")
        page.locator("#purposes-group").get_by_role("button", name="Add another Purpose").click()
        expect(page.locator("#id_purposes-0-description_en")).to_be_visible()

        page.goto(f"/admin/privacy_registry/processingactivity/{activity.pk}/change/")
        expect(page.locator("#activity-findings .finding-warning").first).to_have_css("color", WARNING_COLOUR)

        page.goto(f"/admin/privacy_registry/processingactivity/{activity.pk}/history/")
        expect(page.locator("#content-main")).to_be_visible()

        assert refused == []
        assert page.problems == [], page.problems
