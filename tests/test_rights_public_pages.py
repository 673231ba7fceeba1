"""The public pages around the request form: the home page, the error pages, rate limits, CSRF and CSP."""
from __future__ import annotations

import re

import pytest
from django.test import Client

from privacy_registry.models import Organisation
from rights import views
from rights.models import RightsRequest
from tests.factories import OrganisationFactory
from tests.rights_public_support import form_data, public_pages_fixture, submit  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_pages")]

INLINE = re.compile(rb"<script|<style|\sstyle=|\son[a-z]+=|javascript:", re.I)


def test_home_lists_each_controllers_request_page_and_no_processor(client):
    first = OrganisationFactory(name="Antura AB")
    both = OrganisationFactory(name="Antara Group", role=Organisation.Role.BOTH)
    processor = OrganisationFactory(name="Hosting Processor Ltd", role=Organisation.Role.PROCESSOR)
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    for organisation in (first, both):
        assert f'href="/privacy/{organisation.slug}/request/"' in body and organisation.name in body
    assert processor.name not in body and processor.slug not in body


def test_home_says_so_when_no_organisation_takes_requests(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"No organisation takes requests here yet." in response.content


def test_request_page_has_every_right_a_csrf_token_and_the_bot_checks(client):
    organisation = OrganisationFactory()
    response = client.get(f"/privacy/{organisation.slug}/request/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in body
    for value in ("access", "rectification", "erasure", "restriction", "objection", "portability",
                  "consent_withdrawal"):
        assert f'value="{value}"' in body
    assert "Erasure (Art. 17)" in body
    assert 'name="website"' in body and 'class="hp" aria-hidden="true"' in body
    assert re.search(r'name="started" value="[^"]+:[^"]+"', body)
    assert organisation.name in body


@pytest.mark.parametrize("path", ["/", "/privacy/{slug}/request/", "/privacy/{slug}/request/sent/",
                                  "/privacy/{slug}/request/confirm/not-a-token/", "/no-such-page/"])
def test_public_pages_need_nothing_the_content_security_policy_forbids(client, path):
    organisation = OrganisationFactory()
    response = client.get(path.format(slug=organisation.slug))
    assert response.status_code in (200, 404)
    assert not INLINE.search(response.content), INLINE.search(response.content)
    assert b'href="/static/rights/public.css"' in response.content
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_request_page_of_an_unknown_or_processor_organisation_is_our_404(client):
    processor = OrganisationFactory(role=Organisation.Role.PROCESSOR)
    for path in ("/privacy/nobody/request/", f"/privacy/{processor.slug}/request/"):
        response = client.get(path)
        assert response.status_code == 404
        assert b"Page not found" in response.content and b"Traceback" not in response.content
        assert b'href="/static/rights/public.css"' in response.content


def test_400_403_and_500_pages_are_plain_pages(rf):
    request = rf.get("/")
    assert b"We could not understand that request" in views.bad_request(request).content
    denied = views.permission_denied(request, PermissionError())
    assert denied.status_code == 403 and b"You may not see this page" in denied.content
    failed = views.server_error(request)
    assert failed.status_code == 500 and b"Something went wrong on our side" in failed.content


def test_missing_csrf_token_gets_403_page_and_no_request_row(public_pages):
    organisation = OrganisationFactory()
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/privacy/{organisation.slug}/request/", form_data())
    assert response.status_code == 403
    assert b"Please reload the page and send the form again" in response.content
    assert not RightsRequest.objects.exists()


def test_ip_rate_limit_answers_429_after_the_configured_count(client, public_pages, django_capture_on_commit_callbacks):
    public_pages.RIGHTS_RATELIMIT_IP = "3/h"
    public_pages.RIGHTS_RATELIMIT_EMAIL = "100/h"
    organisation = OrganisationFactory()
    statuses = [
        submit(client, organisation, django_capture_on_commit_callbacks, email=f"p{i}@example.com").status_code
        for i in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]
    assert RightsRequest.objects.count() == 3
    limited = submit(client, organisation, django_capture_on_commit_callbacks, email="late@example.com")
    assert b"Too many attempts" in limited.content and b'lang="en"' in limited.content
    # Another address (another client) is not affected.
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert submit(other, organisation, django_capture_on_commit_callbacks, email="x@example.com").status_code == 302


def test_email_rate_limit_counts_one_address_whatever_its_case(client, public_pages,
                                                                django_capture_on_commit_callbacks):
    public_pages.RIGHTS_RATELIMIT_IP = "100/h"
    public_pages.RIGHTS_RATELIMIT_EMAIL = "2/h"
    organisation = OrganisationFactory()
    statuses = [
        submit(client, organisation, django_capture_on_commit_callbacks, email=address).status_code
        for address in ("same@example.com", "Same@Example.com", " same@example.com", "other@example.com")
    ]
    assert statuses == [302, 302, 429, 302]
    assert RightsRequest.objects.count() == 3


def test_429_page_speaks_the_visitors_language(client, public_pages, django_capture_on_commit_callbacks):
    public_pages.RIGHTS_RATELIMIT_IP = "1/h"
    organisation = OrganisationFactory()
    client.cookies["django_language"] = "sv"
    submit(client, organisation, django_capture_on_commit_callbacks)
    limited = submit(client, organisation, django_capture_on_commit_callbacks)
    assert limited.status_code == 429 and b'lang="sv"' in limited.content


def test_rate_limits_can_be_switched_off(client, public_pages, django_capture_on_commit_callbacks):
    public_pages.RIGHTS_RATELIMIT_IP = "1/h"
    public_pages.RATELIMIT_ENABLE = False
    organisation = OrganisationFactory()
    statuses = {submit(client, organisation, django_capture_on_commit_callbacks).status_code for _ in range(3)}
    assert statuses == {302}


def test_language_switch_posts_to_set_language_and_returns_to_the_page(client):
    organisation = OrganisationFactory()
    page = f"/privacy/{organisation.slug}/request/"
    body = client.get(page).content.decode()
    assert 'action="/i18n/setlang/"' in body and f'name="next" value="{page}"' in body
    assert {'value="en"', 'value="sv"', 'value="da"'} <= set(re.findall(r'value="(?:en|sv|da)"', body))
    response = client.post("/i18n/setlang/", {"language": "da", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert b'lang="da"' in client.get(page).content
