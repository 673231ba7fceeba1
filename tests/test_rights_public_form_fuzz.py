"""Whatever is posted to the request form: never a server error, never half a request.

Either the form is refused (no row at all) or exactly one request row is written and gets exactly one
confirmation link (the task after commit runs here eagerly, as the worker would).
"""
from __future__ import annotations

import pytest
from django.core import mail
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from rights.forms import issue_stamp
from rights.models import RequestToken, RightsRequest
from tests.factories import OrganisationFactory
from tests.rights_public_support import eager_tasks_fixture, public_pages_fixture  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_pages", "eager_tasks")]

RIGHTS = ["access", "rectification", "erasure", "restriction", "objection", "portability", "consent_withdrawal"]
nasty_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from(["\x00", "\u202e", "\ufeff", "'", "<"]),
    max_size=80,
)
valid_email = st.sampled_from(["someone@example.com", "Åsa.Öberg@example.se", "a+tag@sub.example.org"]) | st.emails()
# Mostly plausible values, so that both outcomes (refused, accepted) are explored often.
fields = st.fixed_dictionaries(
    {
        "type": st.sampled_from(RIGHTS) | st.sampled_from(RIGHTS) | nasty_text,
        "email": valid_email | valid_email | nasty_text | st.text(max_size=400).map(lambda s: s + "@example.com"),
        "started": st.just("valid") | st.just("valid") | nasty_text,
        "website": st.just("") | st.just("") | nasty_text,
    },
    optional={
        "details": nasty_text | st.text(min_size=4990, max_size=5010, alphabet="ab\x00\n"),
        "objection_to": st.sampled_from(["direct_marketing", "particular_situation", "", "on", "\x00"]),
        "csrfmiddlewaretoken": nasty_text,
        "unexpected": nasty_text,
    },
)


@pytest.fixture
def form_url(public_pages):
    public_pages.RATELIMIT_ENABLE = False
    return f"/privacy/{OrganisationFactory().slug}/request/"


@hsettings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=fields)
def test_no_server_error_and_no_partial_rows(client, form_url, django_capture_on_commit_callbacks, data):
    if data.get("started") == "valid":
        data["started"] = issue_stamp()
    before = (RightsRequest.objects.count(), RequestToken.objects.count(), len(mail.outbox))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url, data)
    assert response.status_code in (200, 302), response.status_code
    event(f"status {response.status_code}")
    added = (RightsRequest.objects.count() - before[0], RequestToken.objects.count() - before[1],
             len(mail.outbox) - before[2])
    assert added == ((1, 1, 1) if response.status_code == 302 else (0, 0, 0))
    if response.status_code == 302:
        row = RightsRequest.objects.order_by("-pk").first()
        assert "\x00" not in row.details and "\x00" not in (row.email or "")
        assert len(row.details) <= 5000


@pytest.mark.parametrize("body", [
    b"\xff\xfe\x00type=erasure&email=%ff%fe@example.com",
    b"type=erasure&type=access&email=a@example.com&email=b@example.com",
    b"type[]=erasure&email[]=x",
    b"%" * 1000,
    b"email=" + b"a" * 100_000 + b"@example.com&type=erasure",
])
def test_malformed_bodies_get_a_form_error_not_a_server_error(client, form_url, body,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (200, 400)
    assert not RightsRequest.objects.exists()


def test_nul_characters_are_dropped_from_a_valid_request(client, form_url, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url, {
            "type": "rectification", "email": "someone@example.com", "details": "My name\x00 is Åsa\x07, not Asa.",
            "website": "", "started": issue_stamp(),
        })
    assert response.status_code == 302
    assert RightsRequest.objects.get().details == "My name is Åsa, not Asa."


@pytest.mark.parametrize(("overrides", "message"), [
    ({"type": "no-such-right"}, b"Choose one of the rights listed."),
    ({"type": ""}, b"Choose the right you want to use."),
    ({"email": "not-an-address"}, b"Enter a valid e-mail address"),
    ({"type": "objection", "details": ""}, b"Tell us whether you object to direct marketing or to other processing."),
    ({"type": "objection", "objection_to": "particular_situation", "details": ""},
     b"Tell us which processing you object to and the grounds relating to your situation."),
    ({"type": "objection", "objection_to": "something else"}, b"Choose one of the kinds of objection listed."),
    ({"website": "http://spam.example"}, b"We could not accept the form."),
    ({"started": "forged:stamp"}, b"We could not accept the form."),
    ({"details": "x" * 5001}, b"Please keep the details to 5000 characters or fewer."),
])
def test_each_refusal_is_a_readable_form_error(client, form_url, overrides, message):
    data = {"type": "erasure", "email": "someone@example.com", "details": "", "website": "", "started": issue_stamp()}
    data.update(overrides)
    response = client.post(form_url, data)
    assert response.status_code == 200 and message in response.content
    assert not RightsRequest.objects.exists()


def test_objection_to_direct_marketing_needs_no_reasons(client, form_url, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url, {
            "type": "objection", "email": "someone@example.com", "details": "", "objection_to": "direct_marketing",
            "website": "", "started": issue_stamp(),
        })
    assert response.status_code == 302
    assert RightsRequest.objects.get().direct_marketing is True


def test_a_form_sent_too_quickly_is_refused_and_shown_again_with_a_fresh_stamp(client, form_url, public_pages):
    public_pages.RIGHTS_FORM_MIN_SECONDS = 60
    stamp = issue_stamp()
    response = client.post(form_url, {"type": "erasure", "email": "someone@example.com", "started": stamp})
    assert response.status_code == 200 and b"That was very quick." in response.content
    assert b'name="started"' in response.content and stamp.encode() not in response.content
    assert not RightsRequest.objects.exists()


def test_a_form_left_open_too_long_is_refused(client, form_url, public_pages, monkeypatch):
    import time

    stamp = issue_stamp()
    later = time.time() + public_pages.RIGHTS_FORM_MAX_AGE_HOURS * 3600 + 60
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.post(form_url, {"type": "erasure", "email": "someone@example.com", "started": stamp})
    assert response.status_code == 200 and b"This form was open for a long time." in response.content
    assert not RightsRequest.objects.exists()
