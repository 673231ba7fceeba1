"""A DPO's first hour, walked through the admin pages in a real Chromium, as a new user would.

Sign in with password and a TOTP code, land on the dashboard, record a processing activity with two
purposes and a processor (organisation and vendor chosen through select2 autocompletes, rows added
with "Add another …"), read its History, then find it again through the changelist search.

Setup notes:
- pytest-django's ``live_server`` serves static files through ``StaticFilesHandler`` (staticfiles'
  finders, whatever DEBUG says), so the admin's CSS and JS (jQuery, select2, autocomplete.js,
  inlines.js) load without collectstatic and without touching DEBUG. The test asserts that no
  /static/ request failed, so a broken asset shows up as such rather than as a missing widget.
- ``live_server`` runs on a transactional database that is flushed after each transactional test,
  which empties the data migration's countries and role groups: the test re-creates what it needs.
- Playwright's sync API keeps an asyncio loop running in this thread while it is open. Django then
  refuses ORM calls (SynchronousOnlyOperation), and with DJANGO_ALLOW_ASYNC_UNSAFE it would open a
  second, context-local connection that nothing closes (PostgreSQL then cannot drop the test
  database). So the ORM work happens before the browser starts and after it has closed; the live
  server answers the browser from its own threads.
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from privacy_registry import models as m
from privacy_registry.roles import DPO, sync_role_permissions
from tests.factories import OrganisationFactory, ProcessingActivityFactory, VendorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
TIMEOUT_MS = 10_000
PASSWORD = "a-long-test-password-1"


@pytest.fixture
def chromium_path() -> str:
    if not Path(CHROMIUM_PATH).exists():
        message = f"Chromium not found at {CHROMIUM_PATH} (set CHROMIUM_PATH)"
        if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
            pytest.fail(f"REQUIRE_BROWSER_TESTS=1 but {message}", pytrace=False)
        pytest.skip(message)
    return CHROMIUM_PATH


@pytest.fixture
def browser_page(chromium_path, live_server):
    """`with browser_page("name") as page:` a fresh Chromium page on the live server.

    Playwright runs only inside the block: keep ORM calls outside it (see the module docstring). The
    page records failed /static/ requests and JS errors on `page.problems`; when the block fails, a
    screenshot and the page's HTML go to test-artifacts/<name>.png|html.
    """
    from playwright.sync_api import sync_playwright

    @contextmanager
    def open_page(name: str):
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(base_url=live_server.url, locale="en-GB")
                context.set_default_timeout(TIMEOUT_MS)
                page = context.new_page()
                problems: list[str] = []
                page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
                page.on(
                    "response",
                    lambda r: problems.append(f"{r.status} {r.url}")
                    if "/static/" in r.url and r.status >= 400 else None,
                )
                page.on("requestfailed", lambda r: problems.append(f"failed {r.url}") if "/static/" in r.url else None)
                page.problems = problems
                try:
                    yield page
                except BaseException:
                    ARTIFACTS.mkdir(exist_ok=True)
                    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
                    (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
                    raise
            finally:
                browser.close()

    return open_page


def choose_autocomplete(page, select_id: str, term: str, option_text: str) -> None:
    """Open the select2 box next to <select id=select_id>, type, and pick the matching result."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    search = page.locator(".select2-container--open .select2-search__field")
    search.fill(term)
    page.locator(".select2-container--open .select2-results__option", has_text=option_text).click()
    assert option_text in page.locator(f"#{select_id} + .select2 .select2-selection").inner_text()


def current_totp(device: TOTPDevice) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return str(code).zfill(device.digits)


def test_dpo_first_hour(browser_page, django_user_model):
    from playwright.sync_api import expect

    # Reference data and people, as an administrator would have prepared them.
    assert settings.ADMIN_REQUIRE_2FA, "the walk-through must sign in with the second factor"
    sweden, _ = m.Country.objects.get_or_create(code="SE", defaults={"name": "Sweden", "is_eea": True})
    ireland, _ = m.Country.objects.get_or_create(code="IE", defaults={"name": "Ireland", "is_eea": True})
    group, _ = Group.objects.get_or_create(name=DPO)
    sync_role_permissions()
    dpo = django_user_model.objects.create_user(username="dana-dpo", password=PASSWORD, is_staff=True)
    dpo.groups.add(group)
    device = TOTPDevice.objects.create(user=dpo, name="phone", confirmed=True)
    org = OrganisationFactory(name="Nordlys Retail AB", slug="nordlys", country=sweden)
    OrganisationFactory(name="Other Holding AB", slug="other", country=sweden)
    vendor = VendorFactory(name="Postmark Mailer Ltd", country=ireland)
    VendorFactory(name="Unrelated Hosting GmbH", country=ireland)
    ProcessingActivityFactory(organisation=org, name="Payroll")  # must not match the search below

    with browser_page("dpo_first_hour") as page:
        # Sign in: /admin/ sends an anonymous visitor to the login form, which asks for a TOTP code.
        page.goto("/admin/")
        expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
        page.fill("#id_username", "dana-dpo")
        page.fill("#id_password", PASSWORD)
        page.fill("#id_otp_token", current_totp(device))
        with page.expect_navigation():
            page.click("#login-form input[type=submit][value='Log in']")
        if page.locator("#id_otp_device").count():
            # django-otp 1.7 no longer tries each of the user's devices in turn: once the password is
            # accepted, the stock form answers "Please select a device." and shows a device list, even
            # for a user with a single device. Pick the phone and log in again, as a person would.
            expect(page.locator(".errornote")).to_contain_text("Please select a device.")
            page.select_option("#id_otp_device", label="phone")
            page.fill("#id_password", PASSWORD)
            page.fill("#id_otp_token", current_totp(device))
            page.click("#login-form input[type=submit][value='Log in']")

        # The dashboard.
        expect(page).to_have_url(re.compile(r"/admin/$"))
        expect(page.locator("#dashboard")).to_be_visible()
        expect(page.locator("#dashboard")).to_contain_text("Nordlys Retail AB")
        expect(page.locator("#user-tools")).to_contain_text("dana-dpo")

        # From the app list to the add form.
        page.get_by_role("link", name="Processing activities", exact=True).first.click()
        expect(page).to_have_url(re.compile(r"/admin/privacy_registry/processingactivity/$"))
        page.get_by_role("link", name=re.compile(r"Add processing activity", re.I)).click()
        expect(page).to_have_url(re.compile(r"/processingactivity/add/$"))

        choose_autocomplete(page, "id_organisation", "Nordl", "Nordlys Retail AB")
        page.fill("#id_name_en", "Customer newsletter")
        page.fill("#id_description_en", "Monthly offers to customers who subscribed.")

        # Two purposes through the stacked inline.
        add_purpose = page.locator("#purposes-group").get_by_role("button", name="Add another Purpose")
        add_purpose.click()
        add_purpose.click()
        page.fill("#id_purposes-0-description_en", "Send the monthly newsletter")
        page.select_option("#id_purposes-0-legal_basis", label="Art. 6(1)(a) consent")
        page.fill("#id_purposes-1-description_en", "Measure how the newsletter is read")
        page.select_option("#id_purposes-1-legal_basis", label="Art. 6(1)(f) legitimate interests")

        # The e-mail service provider as a processor recipient, chosen through the vendor autocomplete.
        page.locator("#recipients-group").get_by_role("button", name="Add another Recipient").click()
        page.select_option("#id_recipients-0-kind", label="Processor")
        choose_autocomplete(page, "id_recipients-0-vendor", "Postm", "Postmark Mailer Ltd")

        page.click("input[name=_save]")
        expect(page).to_have_url(re.compile(r"/admin/privacy_registry/processingactivity/$"))
        expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")

        # The audit trail: open the activity, then its History.
        page.locator(".messagelist .success a", has_text="Customer newsletter").click()
        expect(page).to_have_url(re.compile(r"/processingactivity/\d+/change/$"))
        page.get_by_role("link", name="History").click()
        expect(page).to_have_url(re.compile(r"/processingactivity/\d+/history/$"))
        history = page.locator("#content-main table")
        expect(history).to_contain_text("dana-dpo")
        expect(history).to_contain_text("added in admin")

        # Find it again through the changelist search.
        page.locator(".breadcrumbs").get_by_role("link", name="Processing activities", exact=True).click()
        expect(page).to_have_url(re.compile(r"/admin/privacy_registry/processingactivity/$"))
        page.fill("#searchbar", "newsletter")
        page.press("#searchbar", "Enter")
        expect(page).to_have_url(re.compile(r"\?q=newsletter$"))
        results = page.locator("#result_list")
        expect(results.get_by_role("link", name="Customer newsletter")).to_be_visible()
        expect(results).not_to_contain_text("Payroll")

        assert page.problems == [], page.problems

    # What the pages did to the register.
    activity = m.ProcessingActivity.objects.get(name="Customer newsletter")
    assert activity.organisation == org
    assert sorted(activity.purposes.values_list("description", "legal_basis")) == [
        ("Measure how the newsletter is read", m.LegalBasis.LEGITIMATE_INTERESTS),
        ("Send the monthly newsletter", m.LegalBasis.CONSENT),
    ]
    assert list(activity.recipients.values_list("kind", "vendor")) == [(m.Recipient.Kind.PROCESSOR, vendor.pk)]
    created = activity.history.get(history_type="+")
    assert created.history_user == dpo
    assert created.history_change_reason == "added in admin"
