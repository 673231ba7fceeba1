"""The e-mailed links: GET only shows, POST acts once; a used, expired, tampered or foreign link gets one page."""
from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core import mail
from django.utils import timezone

from rights.models import RequestExport, RequestToken, RightsRequest, Status
from tests.factories import DataSubjectFactory, OrganisationFactory
from tests.rights_public_support import (  # noqa: F401  (fixtures)
    DOWNLOAD_LINK,
    eager_tasks_fixture,
    last_mail_to,
    link_in,
    public_pages_fixture,
    submit,
    without_csrf,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_pages", "eager_tasks")]

ADDRESS = "linda.larsson@example.com"


@pytest.fixture
def organisation():
    return OrganisationFactory()


@pytest.fixture
def link(client, organisation, django_capture_on_commit_callbacks):
    submit(client, organisation, django_capture_on_commit_callbacks, email=ADDRESS)
    return link_in(last_mail_to(ADDRESS))


def _snapshot():
    request = RightsRequest.objects.get()
    token = RequestToken.objects.get(request=request)
    return (request.status, request.verified_at, request.updated_at, request.history.count(),
            token.consumed_at, token.history.count(), request.events.count())


def _invalid_page(client, path: str, *, method: str = "post", capture=None) -> bytes:
    if capture is not None:
        with capture(execute=True):
            response = getattr(client, method)(path)
    else:
        response = getattr(client, method)(path)
    assert response.status_code == 404
    assert b"This link cannot be used" in response.content
    return without_csrf(response.content)


def test_get_shows_what_will_happen_and_changes_nothing(client, link):
    before = _snapshot()
    for _ in range(2):  # a mail scanner, then the person
        response = client.get(link)
        assert response.status_code == 200
        assert b"Confirm your request" in response.content and b"Erasure (Art. 17)" in response.content
        assert b"We will delete the personal data we hold about you." in response.content
        assert b'method="post"' in response.content
        assert "no-store" in response["Cache-Control"]
    assert _snapshot() == before
    assert before[0] == Status.AWAITING_VERIFICATION and before[4] is None


def test_post_confirms_once_and_the_second_post_gets_the_polite_page(client, link,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link)
    assert response.status_code == 200
    assert b"Thank you, your request is confirmed" in response.content
    request = RightsRequest.objects.get()
    assert request.status in (Status.AWAITING_APPROVAL, Status.VERIFIED)
    assert request.verified_at is not None and request.due_on is not None
    assert str(request.public_ref).encode() in response.content
    assert RequestToken.objects.get(request=request).consumed_at is not None
    after = _snapshot()
    _invalid_page(client, link, capture=django_capture_on_commit_callbacks)
    assert client.get(link).status_code == 404
    assert _snapshot() == after


def test_expired_link_gets_the_polite_page_and_confirms_nothing(client, link, django_capture_on_commit_callbacks):
    RequestToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    before = _snapshot()
    assert client.get(link).status_code == 404
    _invalid_page(client, link, capture=django_capture_on_commit_callbacks)
    assert _snapshot() == before and before[0] == Status.AWAITING_VERIFICATION


@pytest.mark.parametrize("tamper", [
    lambda path: path[:-2] + ("A/" if path[-2] != "A" else "B/"),  # one character changed
    lambda path: path.replace("/confirm/", "/confirm/x"),  # one character added
    lambda path: path.rsplit("/", 2)[0] + "/" + "a" * 500 + "/",  # absurdly long
    lambda path: path.replace("/confirm/", "/download/"),  # another kind of link
])
def test_tampered_link_gets_the_polite_page_and_consumes_nothing(client, link, tamper,
                                                                  django_capture_on_commit_callbacks):
    before = _snapshot()
    _invalid_page(client, tamper(link), capture=django_capture_on_commit_callbacks)
    _invalid_page(client, tamper(link), method="get")
    assert _snapshot() == before
    # The genuine link still works afterwards.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(link).status_code == 200


def test_link_under_another_organisations_address_acts_on_nothing(client, link, organisation,
                                                                    django_capture_on_commit_callbacks):
    other = OrganisationFactory()
    foreign = link.replace(f"/privacy/{organisation.slug}/", f"/privacy/{other.slug}/")
    before = _snapshot()
    _invalid_page(client, foreign, capture=django_capture_on_commit_callbacks)
    assert _snapshot() == before


def test_used_expired_and_tampered_links_get_the_same_page(client, organisation, django_capture_on_commit_callbacks):
    pages = []
    links = []
    for n in range(3):
        address = f"person{n}@example.com"
        submit(client, organisation, django_capture_on_commit_callbacks, email=address)
        links.append(link_in(last_mail_to(address)))
    used, expired, genuine = links
    with django_capture_on_commit_callbacks(execute=True):
        client.post(used)
    RequestToken.objects.filter(request__email="person1@example.com").update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    for path in (used, expired, genuine[:-5] + "xxxx/"):
        pages.append(_invalid_page(client, path, capture=django_capture_on_commit_callbacks))
    assert pages[0] == pages[1] == pages[2]


@pytest.fixture
def download_link(client, organisation, settings, django_capture_on_commit_callbacks):
    """An access request of a known person, confirmed and carried out at once (RIGHTS_AUTO_EXECUTE)."""
    settings.RIGHTS_AUTO_EXECUTE = True
    DataSubjectFactory(organisation=organisation, email=ADDRESS, first_name="Linda", last_name="Larsson")
    submit(client, organisation, django_capture_on_commit_callbacks, email=ADDRESS, type="access")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link_in(last_mail_to(ADDRESS)))
    download = [m for m in mail.outbox if DOWNLOAD_LINK.search(m.body)]
    assert len(download) == 1, [m.subject for m in mail.outbox]
    return link_in(download[0], DOWNLOAD_LINK)


def test_download_get_shows_a_button_and_post_sends_the_zip_once(client, download_link,
                                                                 django_capture_on_commit_callbacks):
    page = client.get(download_link)
    assert page.status_code == 200 and b"Download your data" in page.content and b'method="post"' in page.content
    assert RequestExport.objects.count() == 1  # GET took nothing away
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(download_link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() and b"Larsson" in b"".join(archive.read(n) for n in archive.namelist())
    _invalid_page(client, download_link, capture=django_capture_on_commit_callbacks)
    assert not RequestExport.objects.exists()


def test_expired_download_link_gets_the_polite_page(client, download_link, django_capture_on_commit_callbacks):
    RequestToken.objects.filter(purpose=RequestToken.Purpose.DOWNLOAD).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert client.get(download_link).status_code == 404
    _invalid_page(client, download_link, capture=django_capture_on_commit_callbacks)
    assert RequestExport.objects.count() == 1


@pytest.mark.parametrize("tail", ["%00", "%ff%fe", "\u202e", "%F0%9F%92%A9", "a" * 5000, "..%2f..", "%"])
def test_odd_links_get_the_polite_page_not_a_server_error(client, organisation, tail):
    for kind in ("confirm", "download"):
        for method in ("get", "post"):
            response = getattr(client, method)(f"/privacy/{organisation.slug}/request/{kind}/{tail}/")
            assert response.status_code == 404, (kind, method, response.status_code)
            assert b"This link cannot be used" in response.content or b"Page not found" in response.content
