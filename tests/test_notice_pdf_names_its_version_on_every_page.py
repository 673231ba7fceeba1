"""The notice's PDF says on every page whose notice it is, which version (number and publication date, or "draft"
for the DPO's preview) and "page N of M", so a page printed or forwarded alone still tells what it belongs to."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from consent import services
from consent.models import NoticeVersion
from consent.notice_pdf import render_pdf
from privacy_registry.models import LegalBasis
from tests import factories as f

pytestmark = pytest.mark.django_db


def _pages(content: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


@pytest.fixture
def long_org():
    """An organisation whose notice runs over several pages."""
    org = f.OrganisationFactory(name="Paged Notice AB", slug="paged", lead_authority="IMY (Sweden)")
    for n in range(12):
        activity = f.ProcessingActivityFactory(organisation=org, name=f"Activity {n:02d}",
                                               description="A long description of what is done. " * 6)
        for p in range(4):
            f.PurposeFactory(activity=activity, description=f"Purpose {n}-{p} told at some length",
                             legal_basis=LegalBasis.CONTRACT)
    return org


def test_every_page_of_a_published_version_names_the_organisation_version_date_and_page_of_pages(long_org, client):
    services.notice_publish(organisation=long_org, acknowledge_gaps=True)
    published = timezone.make_aware(dt.datetime(2026, 3, 14, 12, 0))
    NoticeVersion.objects.filter(organisation=long_org).update(published_at=published)

    response = client.get("/privacy/paged/version/1/pdf/", {"lang": "en"})
    pages = _pages(response.content)

    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert "Paged Notice AB" in text
        assert "Version 1, published March 14, 2026" in text
        assert f"Page {number} of {len(pages)}" in text
        assert "Draft" not in text


def test_the_running_lines_are_in_the_notices_language(long_org, client):
    services.notice_publish(organisation=long_org, acknowledge_gaps=True)
    published = timezone.make_aware(dt.datetime(2026, 3, 14, 12, 0))
    NoticeVersion.objects.filter(organisation=long_org).update(published_at=published)
    pages = _pages(client.get("/privacy/paged/version/1/pdf/", {"lang": "sv"}).content)
    # The date as Swedish writes it (Django's own formats; the words are the lead's to translate).
    assert all("14 mars 2026" in text for text in pages)


def test_a_preview_is_marked_as_a_draft_on_every_page(long_org, dpo_client):
    response = dpo_client.get(f"/admin/consent/noticeversion/preview/{long_org.pk}/pdf/", {"language": "en"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = _pages(response.content)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "Paged Notice AB" in text and "Draft (not published)" in text
        assert f"Page {number} of {len(pages)}" in text
        assert "Version 1" not in text


def test_a_one_page_notice_is_page_1_of_1():
    pages = _pages(render_pdf(title="t", text="# Notice\n\nShort.\n", organisation="Small AB", number=2,
                              published_at=None))
    assert len(pages) == 1 and "Small AB" in pages[0] and "Version 2" in pages[0] and "Page 1 of 1" in pages[0]
