"""Known and unknown e-mail addresses get the same pages, the same status and the same e-mail behaviour."""
from __future__ import annotations

import re

import pytest
from django.core import mail

from rights.models import RequestToken, RightsRequest, Status
from tests.factories import DataSubjectFactory, OrganisationFactory
from tests.rights_public_support import (  # noqa: F401  (fixtures)
    eager_tasks_fixture,
    last_mail_to,
    link_in,
    public_pages_fixture,
    submit,
    without_csrf,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_pages", "eager_tasks")]

KNOWN = "known.person@example.com"
UNKNOWN = "nobody.here@example.com"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def organisation():
    organisation = OrganisationFactory()
    DataSubjectFactory(organisation=organisation, email=KNOWN)
    return organisation


@pytest.mark.parametrize("right", ["erasure", "access", "rectification"])
def test_known_and_unknown_addresses_get_byte_identical_responses(client, organisation, right,
                                                                   django_capture_on_commit_callbacks):
    answers = {}
    for address in (KNOWN, UNKNOWN):
        posted = submit(client, organisation, django_capture_on_commit_callbacks, type=right, email=address,
                        details="My surname is spelt wrong.")
        followed = client.get(posted["Location"])
        answers[address] = (posted.status_code, posted["Location"], posted.content,
                            followed.status_code, without_csrf(followed.content))
    assert answers[KNOWN] == answers[UNKNOWN]
    status, location, _body, page_status, page = answers[KNOWN]
    assert status == 302 and location == f"/privacy/{organisation.slug}/request/sent/" and page_status == 200
    assert b"Check your e-mail" in page
    assert KNOWN.encode() not in page and UNKNOWN.encode() not in page


def test_known_and_unknown_addresses_each_get_one_confirmation_mail(client, organisation,
                                                                      django_capture_on_commit_callbacks):
    for address in (KNOWN, UNKNOWN):
        submit(client, organisation, django_capture_on_commit_callbacks, email=address)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([KNOWN, UNKNOWN])
    known, unknown = last_mail_to(KNOWN), last_mail_to(UNKNOWN)
    assert known.subject == unknown.subject
    assert link_in(known) != link_in(unknown)
    # The same words apart from the link and the request's reference.
    assert _words(known.body, link_in(known)) == _words(unknown.body, link_in(unknown))


def _words(body: str, link: str) -> str:
    return UUID.sub("REF", body.replace(link, "LINK"))


def test_known_and_unknown_addresses_write_the_same_rows(client, organisation, django_capture_on_commit_callbacks):
    for address in (KNOWN, UNKNOWN):
        submit(client, organisation, django_capture_on_commit_callbacks, email=address)
    rows = {r.email: r for r in RightsRequest.objects.all()}
    assert set(rows) == {KNOWN, UNKNOWN}
    for row in rows.values():
        # Not matched to anyone yet: the match happens when the link is followed.
        assert row.status == Status.AWAITING_VERIFICATION and row.subject_id is None
        assert RequestToken.objects.filter(request=row, purpose=RequestToken.Purpose.VERIFY).count() == 1
        assert [e.kind for e in row.events.all()] == [e.kind for e in rows[KNOWN].events.all()]


def test_an_invalid_form_looks_the_same_for_known_and_unknown_addresses(client, organisation,
                                                                          django_capture_on_commit_callbacks):
    pages = {}
    for address in (KNOWN, UNKNOWN):
        response = submit(client, organisation, django_capture_on_commit_callbacks, email=address,
                          type="rectification", details="")
        assert response.status_code == 200
        body = response.content.decode().replace(address, "ADDRESS")
        # The fresh bot-check stamp differs by the time it was issued.
        pages[address] = without_csrf(re.sub(r'name="started" value="[^"]*"', "", body).encode())
    assert pages[KNOWN] == pages[UNKNOWN]
    assert b"Tell us what is wrong and what it should say." in pages[KNOWN]
    assert not RightsRequest.objects.exists() and not mail.outbox
