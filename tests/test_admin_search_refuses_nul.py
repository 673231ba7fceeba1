"""A NUL character in an admin search, filter or autocomplete term (``?q=a%00b``) is never a 5xx: PostgreSQL refuses
NUL in text, so the admin site drops such a parameter before any view reads it, and says so. Every registered
admin's changelist is walked, on both databases; so is every posted search (the subject list's)."""
from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from tests import factories as f

# PostgreSQL refuses NUL where SQLite takes it: run on both (.ci/run repeats marked modules on SQLite).
pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

REFUSED = "cannot contain a NUL character"
POSTED_SEARCHES = [a for a in sorted(admin.site._registry.values(), key=lambda a: a.model._meta.label)
                   if any(p.name == f"{a.opts.app_label}_{a.opts.model_name}_search" for p in a.get_urls())]


def _changelist(model_admin) -> str:
    opts = model_admin.model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


REGISTERED = sorted(admin.site._registry.values(), key=lambda a: a.model._meta.label)


@pytest.fixture
def staff(superuser_client) -> Client:
    superuser_client.raise_request_exception = False
    f.DataSubjectFactory(first_name="Anna")  # something for a search to compare with
    return superuser_client


@pytest.mark.parametrize("model_admin", REGISTERED, ids=lambda a: a.model._meta.label)
def test_every_changelist_answers_a_nul_in_the_search_with_a_message(staff, model_admin):
    url = _changelist(model_admin)

    response = staff.get(url + "?q=a%00b&o=1")

    assert response.status_code == 302
    assert response["Location"] == url + "?o=1"  # the other parameters kept, the NUL-bearing one dropped
    shown = staff.get(response["Location"], follow=True)
    assert shown.status_code == 200
    assert any(REFUSED in str(m) for m in shown.context["messages"])


@pytest.mark.parametrize("query", ["name__startswith=%00", "country__code__exact=a%00b", "o=1&%00=1"])
def test_a_nul_in_a_filter_is_dropped_too(staff, query):
    url = reverse("admin:privacy_registry_vendor_changelist")

    response = staff.get(f"{url}?{query}")

    assert response.status_code == 302
    assert "%00" not in response["Location"] and response["Location"].startswith(url)
    assert staff.get(response["Location"]).status_code == 200


def test_a_nul_in_a_subject_state_filter_is_dropped(staff):
    url = reverse("admin:subjects_datasubject_changelist")
    response = staff.get(url + "?state=%00")
    assert response.status_code == 302 and response["Location"] == url
    assert staff.get(url).status_code == 200


def test_an_autocomplete_term_with_a_nul_finds_nothing(staff):
    params = {"app_label": "retention", "model_name": "legalhold", "field_name": "subject"}
    assert staff.get(reverse("admin:autocomplete"), {**params, "term": "Anna"}).json()["results"]  # a real one

    response = staff.get(reverse("admin:autocomplete"), {**params, "term": "An\x00na"})

    assert response.status_code == 200
    assert response.json() == {"results": [], "pagination": {"more": False}}


def test_there_is_a_posted_search_to_walk():
    assert "subjects.DataSubject" in {a.model._meta.label for a in POSTED_SEARCHES}


@pytest.mark.parametrize("model_admin", POSTED_SEARCHES, ids=lambda a: a.model._meta.label)
def test_a_posted_search_with_a_nul_searches_for_nothing_and_says_why(staff, model_admin):
    changelist = _changelist(model_admin)
    opts = model_admin.opts

    response = staff.post(reverse(f"admin:{opts.app_label}_{opts.model_name}_search"), {"q": "An\x00na"})

    assert response.status_code == 302
    assert response["Location"] == changelist  # nothing kept to search for
    assert any(REFUSED in str(m) for m in get_messages(response.wsgi_request))
    listed = staff.get(changelist)
    assert listed.status_code == 200
    assert listed.context["cl"].query == ""
