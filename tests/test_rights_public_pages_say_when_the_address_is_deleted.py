"""The public pages say when an unconfirmed address is deleted as the product does it: the link's life
(RIGHTS_VERIFY_LINK_HOURS) plus the grace period (RIGHTS_UNVERIFIED_GRACE_HOURS), at the latest one hourly purge
later; and the purge deletes it by then."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from rights import services
from rights.models import RightsRequest, Status
from tests.factories import OrganisationFactory, RightsRequestFactory
from tests.rights_public_support import (  # noqa: F401  (fixtures)
    eager_tasks_fixture,
    last_mail_to,
    link_in,
    public_pages_fixture,
    submit,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_pages", "eager_tasks")]


@pytest.fixture
def short_clock(settings):
    settings.RIGHTS_VERIFY_LINK_HOURS = 10
    settings.RIGHTS_UNVERIFIED_GRACE_HOURS = 5
    return settings


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_request_form_says_when_the_address_is_deleted(client, short_clock):
    organisation = OrganisationFactory()
    page = _text(client.get(f"/privacy/{organisation.slug}/request/"))
    assert "the link expires after 10 hours" in page
    assert "the address is deleted at the latest 16 hours after you send this form" in page
    assert "48 hours" not in page and "72 hours" not in page


def test_the_confirmation_page_says_the_same(client, short_clock, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory()
    submit(client, organisation, django_capture_on_commit_callbacks, email="nils@example.com")
    page = _text(client.get(link_in(last_mail_to("nils@example.com"))))
    assert "the address is deleted at the latest 16 hours after the form was sent" in page


def test_the_purge_deletes_the_address_by_the_time_the_page_says(short_clock):
    now = timezone.now()
    said = services.unverified_deleted_within_hours()
    # The hourly purge's last run before the promised hour is at most an hour before it.
    due = RightsRequestFactory(email="due@example.com", received_at=now - timedelta(hours=said - 1, minutes=1))
    young = RightsRequestFactory(email="young@example.com", received_at=now - timedelta(hours=14))
    services.requests_purge_unverified(now=now)
    assert RightsRequest.objects.get(pk=due.pk).email is None
    assert RightsRequest.objects.get(pk=young.pk).status == Status.AWAITING_VERIFICATION
    assert RightsRequest.objects.get(pk=young.pk).email == "young@example.com"
