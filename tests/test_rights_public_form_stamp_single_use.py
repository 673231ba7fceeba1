"""The request form's anti-bot stamp is accepted once: a stamp sent again (a replayed form) gets the form back
with a readable error in the visitor's language and a fresh stamp, never a server error, and no second request."""
from __future__ import annotations

import re

import pytest
from django.utils import translation

from rights import forms as rights_forms
from rights.forms import issue_stamp
from rights.models import RightsRequest
from tests.factories import OrganisationFactory
from tests.rights_public_support import eager_tasks_fixture, public_pages_fixture  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_pages", "eager_tasks")]

REUSED = "This form has been sent already. Please check it and send it again."


@pytest.fixture
def form_url():
    return f"/privacy/{OrganisationFactory().slug}/request/"


def _data(stamp: str, email: str) -> dict:
    return {"type": "erasure", "email": email, "details": "", "website": "", "started": stamp}


def _stamp_in(response) -> str:
    return re.search(r'name="started" value="([^"]+)"', response.content.decode()).group(1)


def test_a_stamp_is_accepted_once(client, form_url, django_capture_on_commit_callbacks):
    stamp = issue_stamp()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(form_url, _data(stamp, "first@example.com"))
    assert first.status_code == 302

    for address in ("second@example.com", "third@example.com"):
        again = client.post(form_url, _data(stamp, address))
        assert again.status_code == 200
        assert REUSED in again.content.decode()
        assert _stamp_in(again) != stamp  # shown again with a fresh stamp: a person only sends it again
    assert list(RightsRequest.objects.values_list("email", flat=True)) == ["first@example.com"]

    with django_capture_on_commit_callbacks(execute=True):
        resent = client.post(form_url, _data(_stamp_in(again), "third@example.com"))
    assert resent.status_code == 302
    assert RightsRequest.objects.count() == 2


def test_every_shown_form_has_its_own_stamp(client, form_url):
    assert _stamp_in(client.get(form_url)) != _stamp_in(client.get(form_url))


def test_the_error_speaks_the_visitors_language(client, form_url):
    stamp = issue_stamp()
    client.post(form_url, _data(stamp, "first@example.com"))
    again = client.post(form_url, _data(stamp, "first@example.com"), HTTP_ACCEPT_LANGUAGE="sv")
    assert again.status_code == 200 and again["Content-Language"] == "sv"
    with translation.override("sv"):
        assert translation.gettext(REUSED) in again.content.decode()


def test_a_failing_cache_does_not_make_a_server_error(client, form_url, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    class Down:
        def add(self, *args, **kwargs):
            raise ConnectionError("cache down")

    monkeypatch.setattr(rights_forms, "cache", Down())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url, _data(issue_stamp(), "someone@example.com"))
    assert response.status_code == 302
