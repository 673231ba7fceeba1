"""The public notice page offers the notice in English, Swedish and Danish through plain links, shows the whole page
(frame and notice) in one language and says which in ``Content-Language``; a version stored without the language
asked is shown whole in the site language. Earlier versions and the diff are reachable from the page, in the
language chosen."""
from __future__ import annotations

import re

import pytest
from django.utils import translation

from consent import services
from consent.models import NoticeVersion
from privacy_registry.models import LegalBasis
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    organisation = f.OrganisationFactory(name="Sprog ApS", slug="sprog", lead_authority="Datatilsynet")
    activity = f.ProcessingActivityFactory(organisation=organisation, name="Customers")
    f.PurposeFactory(activity=activity, description="Deliver the orders", legal_basis=LegalBasis.CONTRACT)
    return organisation


def _translated(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def test_the_page_links_to_the_notice_in_each_language(org, client):
    services.notice_publish(organisation=org, acknowledge_gaps=True)
    page = client.get("/privacy/sprog/").content.decode()
    links = dict(re.findall(r'<a href="/privacy/sprog/\?lang=(\w+)" hreflang="\w+" lang="\w+"[^>]*>([^<]+)</a>', page))
    assert links == {"en": "English", "sv": "Svenska", "da": "Dansk"}


@pytest.mark.parametrize("language", ["sv", "da"])
def test_a_language_link_shows_the_whole_page_in_that_language_and_says_so(org, client, language):
    version = services.notice_publish(organisation=org, acknowledge_gaps=True)
    response = client.get("/privacy/sprog/", {"lang": language})
    page = response.content.decode()
    assert response["Content-Language"] == language
    assert f'<html lang="{language}">' in page and f'<article class="notice" lang="{language}">' in page
    assert version.htmls[language] in page and version.htmls["en"] not in page
    assert _translated(language, "Versions") in page and _translated(language, "Versions") != "Versions"
    # The links to the versions and to the PDF keep the language chosen.
    assert f'/privacy/sprog/version/1/?lang={language}"' in page
    assert f'/privacy/sprog/version/1/pdf/?lang={language}"' in page


def test_content_language_follows_the_visitors_own_language(org, client):
    services.notice_publish(organisation=org, acknowledge_gaps=True)
    client.cookies["django_language"] = "da"
    response = client.get("/privacy/sprog/")
    assert response["Content-Language"] == "da" and '<html lang="da">' in response.content.decode()
    assert client.get("/privacy/sprog/", {"lang": "en"})["Content-Language"] == "en"
    assert client.get("/privacy/sprog/", {"lang": "xx"})["Content-Language"] == "da"  # an unknown one is ignored


def test_a_version_stored_without_the_language_is_shown_whole_in_the_site_language(org, client):
    version = services.notice_publish(organisation=org, acknowledge_gaps=True)
    NoticeVersion.objects.filter(pk=version.pk).update(htmls={"en": version.htmls["en"]},
                                                       texts={"en": version.texts["en"]})
    response = client.get("/privacy/sprog/", {"lang": "sv"})
    page = response.content.decode()
    assert response["Content-Language"] == "en" and '<html lang="en">' in page
    assert version.htmls["en"] in page and ">Versions<" in page
    pdf = client.get("/privacy/sprog/version/1/pdf/", {"lang": "sv"})
    assert pdf.status_code == 200 and pdf["Content-Language"] == "en"


def test_earlier_versions_and_the_diff_are_reachable_from_the_page_in_the_language_chosen(org, client):
    services.notice_publish(organisation=org, acknowledge_gaps=True)
    purpose = org.activities.get().purposes.get()
    purpose.description = "Deliver and invoice the orders"
    purpose.save()
    services.notice_publish(organisation=org, acknowledge_gaps=True, note="invoicing")

    page = client.get("/privacy/sprog/", {"lang": "sv"}).content.decode()
    assert 'href="/privacy/sprog/version/1/?lang=sv"' in page
    diff_href = re.search(r'href="(/privacy/sprog/changes/\?from=1&amp;to=2[^"]*)"', page).group(1)
    diff = client.get(diff_href.replace("&amp;", "&"))
    assert diff.status_code == 200 and diff["Content-Language"] == "sv"
    lines = [line for section in diff.context["sections"] for line in section.lines]
    assert any(kind == "added" and "Deliver and invoice the orders" in line for kind, line in lines)
    assert any(kind == "removed" and "Deliver the orders" in line for kind, line in lines)
    earlier = client.get("/privacy/sprog/version/1/", {"lang": "sv"})
    assert earlier["Content-Language"] == "sv"
    assert _translated("sv", "This is an earlier version.") in earlier.content.decode()
    assert "Deliver the orders" in earlier.content.decode()


def test_the_unpublished_page_also_offers_the_languages(org, client):
    response = client.get("/privacy/sprog/", {"lang": "sv"})
    assert response.status_code == 404 and response["Content-Language"] == "sv"
    assert "/privacy/sprog/?lang=da" in response.content.decode()
