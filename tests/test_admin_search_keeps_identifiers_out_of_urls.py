"""Searching the subject list and the suppression list never puts what was searched for in a URL (access logs,
browser history and Referer headers hold URLs, and no erasure reaches them): the search box posts the term, the
list's URL carries an opaque token, and a ``?q=`` in a URL is dropped unsearched. The subject autocomplete (a GET
from other admins' subject fields) finds by number and name, never by e-mail address."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from privacy_registry.roles import COMPLIANCE
from subjects import admin_search, services
from subjects.admin import DataSubjectAdmin
from subjects.models import Suppression
from tests import factories as f
from tests.conftest import _staff_client

pytestmark = pytest.mark.django_db

SUBJECTS = reverse("admin:subjects_datasubject_changelist")
SUBJECT_SEARCH = reverse("admin:subjects_datasubject_search")
SUPPRESSIONS = reverse("admin:subjects_suppression_changelist")
SUPPRESSION_SEARCH = reverse("admin:subjects_suppression_search")
EMAIL = "Anna.Berg@Example.com"
# Parts of the address that must appear in no URL: the mailbox and the domain.
PARTS = ("anna.berg", "anna%2eberg", "example.com", "example%2ecom", "%40example")


@pytest.fixture
def people():
    organisation = f.OrganisationFactory()
    anna = f.DataSubjectFactory(organisation=organisation, email=EMAIL, first_name="Anna", last_name="Berg")
    bo = f.DataSubjectFactory(organisation=organisation, email="bo@example.org", first_name="Bo", last_name="Ek")
    return anna, bo


def _urls_in(html: str) -> list[str]:
    return re.findall(r'(?:href|action|src)="([^"]*)"', html)


def _assert_no_part_of_the_address(urls: list[str]) -> None:
    for url in urls:
        lowered = unquote(url).lower()
        assert not [p for p in PARTS if p in lowered or p in url.lower()], url


def _results(response) -> list:
    return list(response.context["cl"].result_list)


def test_the_subject_search_box_posts_to_the_search_view(dpo_client, people):
    page = dpo_client.get(SUBJECTS).content.decode()

    form = re.search(r'<form id="changelist-search"[^>]*>', page).group(0)
    assert 'method="post"' in form and f'action="{SUBJECT_SEARCH}"' in form


def test_a_posted_search_redirects_to_an_opaque_token_and_finds_the_subject(dpo_client, people):
    anna, _bo = people

    posted = dpo_client.post(SUBJECT_SEARCH, {"q": " anna.berg@EXAMPLE.com "})

    assert posted.status_code == 302
    location = posted["Location"]
    _assert_no_part_of_the_address([location])
    assert set(parse_qs(urlsplit(location).query)) == {admin_search.TOKEN_VAR}
    page = dpo_client.get(location)
    assert _results(page) == [anna]
    html = page.content.decode()
    _assert_no_part_of_the_address(_urls_in(html))
    assert 'value="anna.berg@EXAMPLE.com"' in html  # the box shows the term again, in the page, not its URL


def test_a_search_by_name_keeps_the_filters_and_pages_with_the_token(dpo_client, people, monkeypatch):
    anna, _bo = people
    annika = f.DataSubjectFactory(organisation=anna.organisation, first_name="Annika", last_name="Sund",
                                  email="annika@example.com")
    f.DataSubjectFactory(organisation=anna.organisation, first_name="Anders", last_name="Ny", state="restricted")
    monkeypatch.setattr(DataSubjectAdmin, "list_per_page", 1)

    posted = dpo_client.post(SUBJECT_SEARCH, {"q": "Ann", "state__exact": "active", "p": "3"})

    query = parse_qs(urlsplit(posted["Location"]).query)
    assert set(query) == {"qk", "state__exact"} and query["state__exact"] == ["active"]
    first = dpo_client.get(posted["Location"])
    html = first.content.decode()
    page_links = [u for u in _urls_in(html) if "p=" in u]
    assert page_links and all("qk=" in u and "ann" not in u.lower() for u in page_links)
    second = dpo_client.get(posted["Location"] + "&p=2")
    assert {*_results(first), *_results(second)} == {anna, annika}


def test_a_get_with_q_is_redirected_unsearched_without_echoing_it(dpo_client, people):
    response = dpo_client.get(SUBJECTS, {"q": EMAIL, "state__exact": "active"})

    assert response.status_code == 302
    _assert_no_part_of_the_address([response["Location"]])
    assert parse_qs(urlsplit(response["Location"]).query) == {"state__exact": ["active"]}
    listed = dpo_client.get(response["Location"])
    assert set(_results(listed)) == set(people)  # not searched
    assert listed.context["cl"].query == ""


def test_a_token_works_only_for_the_user_who_searched(dpo_client, people):
    location = dpo_client.post(SUBJECT_SEARCH, {"q": EMAIL})["Location"]
    other = _staff_client(Client(), get_user_model(), group=COMPLIANCE)

    response = other.get(location)

    assert response.status_code == 200
    assert set(_results(response)) == set(people)
    assert "That search has expired: search again." in [str(m) for m in get_messages(response.wsgi_request)]


def test_the_search_view_takes_only_post_and_needs_view_permission(dpo_client, people):
    assert dpo_client.get(SUBJECT_SEARCH, {"q": EMAIL}).status_code == 405
    staff_without_rights = _staff_client(Client(), get_user_model(), group=None)
    assert staff_without_rights.post(SUBJECT_SEARCH, {"q": EMAIL}).status_code == 403


def test_the_suppression_search_keeps_only_keyed_hashes(dpo_client, monkeypatch):
    listed = f.DataSubjectFactory(email="listed@example.org", phone="+46 70 123 45 67")
    services.suppression_add(subject=listed)
    email_entry = Suppression.objects.get(kind="email")
    phone_entry = Suppression.objects.get(kind="phone")
    stored: list = []
    real_set = cache.set
    monkeypatch.setattr(cache, "set", lambda key, value, timeout: stored.append(value) or real_set(key, value, timeout))

    page = dpo_client.get(SUPPRESSIONS).content.decode()
    assert f'action="{SUPPRESSION_SEARCH}"' in page
    by_email = dpo_client.post(SUPPRESSION_SEARCH, {"q": "Listed@Example.org"})
    by_phone = dpo_client.post(SUPPRESSION_SEARCH, {"q": "0046701234567"})
    by_digest = dpo_client.post(SUPPRESSION_SEARCH, {"q": email_entry.digest})
    missed = dpo_client.post(SUPPRESSION_SEARCH, {"q": "someone-else@example.org"})

    assert [v["value"] for v in stored if "listed" in v["value"].lower()] == []
    for response in (by_email, by_phone, by_digest, missed):
        assert set(parse_qs(urlsplit(response["Location"]).query)) == {"qk"}
        assert "listed" not in response["Location"] and "4670" not in response["Location"]
    assert _results(dpo_client.get(by_email["Location"])) == [email_entry]
    assert _results(dpo_client.get(by_phone["Location"])) == [phone_entry]
    assert _results(dpo_client.get(by_digest["Location"])) == [email_entry]
    found = dpo_client.get(missed["Location"])
    assert _results(found) == [] and "someone-else" not in found.content.decode()


def test_a_get_with_q_on_the_suppression_list_is_not_searched(dpo_client):
    services.suppression_add(subject=f.DataSubjectFactory(email="listed@example.org"))

    response = dpo_client.get(SUPPRESSIONS, {"q": "listed@example.org"})

    assert response.status_code == 302 and response["Location"] == SUPPRESSIONS


def _autocomplete(client, term: str) -> list[str]:
    response = client.get(reverse("admin:autocomplete"), {
        "term": term, "app_label": "retention", "model_name": "legalhold", "field_name": "subject",
    })
    assert response.status_code == 200, response.content[:500]
    return [row["id"] for row in response.json()["results"]]


def test_the_subject_autocomplete_finds_by_number_and_name_never_by_email(dpo_client, people):
    anna, _bo = people

    assert _autocomplete(dpo_client, f"#{anna.pk}") == [str(anna.pk)]
    assert _autocomplete(dpo_client, "Anna Berg") == [str(anna.pk)]
    assert _autocomplete(dpo_client, "ber") == [str(anna.pk)]
    assert _autocomplete(dpo_client, EMAIL) == []
    assert _autocomplete(dpo_client, "anna.berg@") == []
    assert _autocomplete(dpo_client, "anna.berg") == []  # a word matches names only, not the address's start
    assert _autocomplete(dpo_client, "bo@example.org") == []
