"""A data subject asks for erasure in a real Chromium, confirms through the e-mailed link, and the DPO carries it
out in the admin: afterwards the person is gone from the database.

As in tests/test_browser_dpo_first_hour.py: a live server on a transactional database, Playwright's sync API
(so every ORM call happens before the browser starts or after it has closed), Chromium from CHROMIUM_PATH or
/usr/bin/chromium. Celery tasks run eagerly in the live server's thread; the e-mails land in mail.outbox.
"""
from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from privacy_registry import models as m
from privacy_registry.roles import DPO, sync_role_permissions
from rights.models import Outcome, RightsRequest, Status
from subjects.models import DataSubject
from tests.factories import DataSubjectFactory, EngagementFactory, OrganisationFactory
from tests.rights_public_support import CONFIRM_LINK, eager_tasks_fixture, public_pages_fixture  # noqa: F401
from tests.test_browser_dpo_first_hour import CHROMIUM_ARGS, current_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("public_pages", "eager_tasks")]

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
TIMEOUT_MS = 15_000
PASSWORD = "a-long-test-password-1"
ADDRESS = "erik.lindqvist@example.com"


@pytest.fixture
def browser(live_server):
    if not Path(CHROMIUM_PATH).exists():
        message = f"Chromium not found at {CHROMIUM_PATH} (set CHROMIUM_PATH)"
        if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
            pytest.fail(f"REQUIRE_BROWSER_TESTS=1 but {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    @contextmanager
    def open_browser(name: str):
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS)
            pages = []

            def new_page(locale: str = "en-GB"):
                context = chromium.new_context(base_url=live_server.url, locale=locale)
                context.set_default_timeout(TIMEOUT_MS)
                page = context.new_page()
                page.problems = []
                page.on("pageerror", lambda exc: page.problems.append(f"JS error: {exc}"))
                page.on("console", lambda msg: page.problems.append(msg.text)
                        if "Content Security Policy" in msg.text else None)
                page.on("response", lambda r: page.problems.append(f"{r.status} {r.url}")
                        if "/static/" in r.url and r.status >= 400 else None)
                pages.append(page)
                return page

            try:
                yield new_page
            except BaseException:
                ARTIFACTS.mkdir(exist_ok=True)
                for n, page in enumerate(pages):
                    page.screenshot(path=str(ARTIFACTS / f"{name}-{n}.png"), full_page=True)
                    (ARTIFACTS / f"{name}-{n}.html").write_text(page.content(), encoding="utf-8")
                raise
            finally:
                chromium.close()

    return open_browser


def _address_anywhere(address: str) -> list[str]:
    """The tables where some column holds ``address`` (any case), history tables included."""
    found = []
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    for table in tables:
        with connection.cursor() as cursor:
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            text = " || ".join(f'COALESCE(CAST("{c}" AS TEXT), \'\')' for c in columns)
            cursor.execute(f'SELECT 1 FROM "{table}" WHERE lower({text}) LIKE %s LIMIT 1', [f"%{address}%"])
            if cursor.fetchone():
                found.append(table)
    return found


def _outside_the_browsers_loop(read):
    """Playwright's sync API runs an event loop in this thread, where Django refuses ORM calls: read in another."""
    def in_a_thread():
        try:
            return read()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(in_a_thread).result()


def test_visitor_requests_erasure_confirms_and_the_dpo_carries_it_out(browser, django_user_model, settings):
    from playwright.sync_api import expect

    settings.RIGHTS_AUTO_EXECUTE = False
    sweden, _ = m.Country.objects.get_or_create(code="SE", defaults={"name": "Sweden", "is_eea": True})
    group, _ = Group.objects.get_or_create(name=DPO)
    sync_role_permissions()
    dpo = django_user_model.objects.create_user(username="dana-dpo", password=PASSWORD, is_staff=True)
    dpo.groups.add(group)
    device = TOTPDevice.objects.create(user=dpo, name="phone", confirmed=True)
    organisation = OrganisationFactory(name="Nordlys Retail AB", slug="nordlys", country=sweden)
    person = DataSubjectFactory(organisation=organisation, email=ADDRESS, first_name="Erik", last_name="Lindqvist")
    EngagementFactory(subject=person)
    assert _address_anywhere(ADDRESS)

    with browser("rights_erasure") as new_page:
        # The visitor: the start page, the organisation's form, erasure.
        visitor = new_page()
        visitor.goto("/")
        visitor.get_by_role("link", name="Nordlys Retail AB").click()
        expect(visitor).to_have_url(re.compile(r"/privacy/nordlys/request/$"))
        expect(visitor.get_by_role("heading", level=1)).to_contain_text("Make a request to Nordlys Retail AB")
        visitor.get_by_label("Erasure (Art. 17)").check()
        visitor.get_by_label("Your e-mail address").fill(ADDRESS)
        visitor.get_by_role("button", name="Send request").click()
        expect(visitor).to_have_url(re.compile(r"/privacy/nordlys/request/sent/$"))
        expect(visitor.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
        assert ADDRESS not in visitor.content()

        # The e-mail (sent by the task after the response) holds the single-use link.
        sent = [message for message in mail.outbox if message.to == [ADDRESS]]
        assert len(sent) == 1
        link = CONFIRM_LINK.search(sent[0].body).group(1)
        visitor.goto(link)
        expect(visitor.get_by_role("heading", level=1)).to_have_text("Confirm your request")
        expect(visitor.locator("main")).to_contain_text("We will delete the personal data we hold about you.")
        visitor.get_by_role("button", name="Confirm my request").click()
        expect(visitor.get_by_role("heading", level=1)).to_have_text("Thank you, your request is confirmed")
        # The same link a second time: the polite page, nothing done.
        visitor.goto(link)
        expect(visitor.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
        assert visitor.problems == []

        # The DPO signs in with the second factor and carries the request out from the list.
        admin = new_page()
        admin.goto("/admin/rights/rightsrequest/")
        admin.fill("#id_username", "dana-dpo")
        admin.fill("#id_password", PASSWORD)
        admin.fill("#id_otp_token", current_totp(device))
        with admin.expect_navigation():
            admin.click("#login-form input[type=submit]")
        if admin.locator("#id_otp_device").count():  # django-otp 1.7 asks which device (see the DPO walk-through)
            admin.select_option("#id_otp_device", label="phone")
            admin.fill("#id_password", PASSWORD)
            admin.fill("#id_otp_token", current_totp(device))
            admin.click("#login-form input[type=submit]")
        expect(admin).to_have_url(re.compile(r"/admin/rights/rightsrequest/$"))
        rows = admin.locator("#result_list tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Awaiting approval")
        rows.first.locator("input.action-select").check()
        admin.select_option("select[name=action]", value="approve_and_execute")
        admin.locator("button[name=index], input[name=index], .actions button[type=submit]").first.click()
        # The confirmation page: the request with the address masked, what will happen; nothing done yet.
        expect(admin.locator("#requests-to-act-on")).to_contain_text("will be erased")
        assert ADDRESS not in admin.content()
        assert _outside_the_browsers_loop(lambda: DataSubject.objects.get(pk=person.pk).state) == "active"
        admin.locator("#content form input[type=submit]").click()
        expect(admin.locator(".messagelist .success")).to_contain_text("carried out")
        expect(rows.first).to_contain_text("Completed")
        rows.first.locator("th a, td a").first.click()
        expect(admin.locator("#content-main")).to_contain_text("Completed")
        assert ADDRESS not in admin.content()

    request = RightsRequest.objects.get()
    assert request.status == Status.COMPLETED and request.outcome == Outcome.DONE and request.handled_by == dpo
    assert DataSubject.objects.get(pk=person.pk).state == DataSubject.State.ERASED
    assert _address_anywhere(ADDRESS) == []
    assert any("completed" in message.subject.lower() for message in mail.outbox if message.to == [ADDRESS])
