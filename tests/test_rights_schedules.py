"""Beat jobs of the rights app: unverified requests purged, closed ones minimised, the DPO's digest mailed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from privacy_registry.celery import app
from rights import services
from rights.models import RequestExport, RequestToken, RightsRequest, Status
from tests.factories import OrganisationFactory, PrivacyContactFactory, RightsRequestFactory

pytestmark = pytest.mark.django_db


def _history_emails(request) -> set:
    return set(RightsRequest.history.filter(id=request.pk).values_list("email", flat=True))


def test_unverified_requests_lose_the_address_after_link_and_grace(settings):
    settings.RIGHTS_VERIFY_LINK_HOURS = 48
    settings.RIGHTS_UNVERIFIED_GRACE_HOURS = 24
    now = timezone.now()
    stale = RightsRequestFactory(received_at=now - timedelta(hours=73), email="stale@example.com", details="words")
    fresh = RightsRequestFactory(received_at=now - timedelta(hours=71), email="fresh@example.com")
    verified = RightsRequestFactory(received_at=now - timedelta(hours=100), status=Status.AWAITING_APPROVAL)
    assert services.requests_purge_unverified(now=now, chunk_size=1) == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    verified.refresh_from_db()
    assert stale.email is None and stale.details == "" and stale.status == Status.EXPIRED
    assert _history_emails(stale) == {None}
    assert fresh.email == "fresh@example.com" and fresh.status == Status.AWAITING_VERIFICATION
    assert verified.email and verified.status == Status.AWAITING_APPROVAL
    assert services.requests_purge_unverified(now=now) == 0  # idempotent


def test_purge_works_in_chunks(settings):
    now = timezone.now()
    old = [RightsRequestFactory(received_at=now - timedelta(days=10)) for _ in range(5)]
    assert services.requests_purge_unverified(now=now, chunk_size=2) == 5
    assert not RightsRequest.objects.filter(pk__in=[r.pk for r in old], email__isnull=False).exists()


def test_closed_requests_are_minimised_after_the_period(settings):
    settings.RIGHTS_MINIMISE_AFTER_DAYS = 30
    now = timezone.now()
    old = RightsRequestFactory(status=Status.COMPLETED, closed_at=now - timedelta(days=31), email="old@example.com",
                               details="please", response="done for you")
    RequestExport.objects.create(request=old, filename="x.zip", content=b"zip", sha256="0" * 64, size=3)
    recent = RightsRequestFactory(status=Status.COMPLETED, closed_at=now - timedelta(days=29), email="new@example.com")
    open_ = RightsRequestFactory(status=Status.AWAITING_APPROVAL, email="open@example.com")
    assert services.requests_minimise(now=now) == 1
    old.refresh_from_db()
    assert old.email is None and old.details == "" and old.response == "[removed]" and old.minimised_at is not None
    assert old.status == Status.COMPLETED and old.type  # codes and dates stay
    assert _history_emails(old) == {None}
    assert not RequestExport.objects.filter(request=old).exists()
    assert RightsRequest.objects.get(pk=recent.pk).email == "new@example.com"
    assert RightsRequest.objects.get(pk=open_.pk).email == "open@example.com"


def test_exports_go_when_their_download_link_expires():
    now = timezone.now()
    expired = RightsRequestFactory(status=Status.COMPLETED, closed_at=now)
    waiting = RightsRequestFactory(status=Status.COMPLETED, closed_at=now)
    for request, expires in ((expired, now - timedelta(minutes=1)), (waiting, now + timedelta(days=6))):
        RequestExport.objects.create(request=request, filename="x.zip", content=b"zip", sha256="0" * 64, size=3)
        RequestToken.objects.create(request=request, purpose="download", digest=f"{request.pk:064d}",
                                    expires_at=expires)
    assert services.exports_purge_expired(now=now) == 1
    assert not RequestExport.objects.filter(request=expired).exists()
    assert RequestExport.objects.filter(request=waiting).exists()


def test_dpo_digest_lists_due_soon_and_overdue_only(settings):
    settings.PUBLIC_BASE_URL = "https://privacy.example"
    organisation = OrganisationFactory()
    PrivacyContactFactory(organisation=organisation, email="dpo@example.org")
    today = timezone.localdate()
    overdue = RightsRequestFactory(organisation=organisation, status=Status.AWAITING_APPROVAL,
                                   due_on=today - timedelta(days=2), email="requester@example.com")
    soon = RightsRequestFactory(organisation=organisation, status=Status.IN_PROGRESS, due_on=today + timedelta(days=6))
    later = RightsRequestFactory(organisation=organisation, status=Status.AWAITING_APPROVAL,
                                 due_on=today + timedelta(days=20))
    closed = RightsRequestFactory(organisation=organisation, status=Status.COMPLETED, due_on=today - timedelta(days=9))
    extended = RightsRequestFactory(organisation=organisation, status=Status.AWAITING_APPROVAL,
                                    due_on=today - timedelta(days=1), extended_due_on=today + timedelta(days=40))
    assert services.dpo_digest_send(today=today) == 1
    [message] = mail.outbox
    assert message.to == ["dpo@example.org"]
    assert f"#{overdue.pk} " in message.body and f"#{soon.pk} " in message.body
    for absent in (later, closed, extended):
        assert f"#{absent.pk} " not in message.body
    assert "OVERDUE" in message.body
    assert "requester@example.com" not in message.body
    assert f"https://privacy.example/admin/rights/rightsrequest/{overdue.pk}/change/" in message.body


def test_digest_falls_back_to_the_configured_address(settings):
    settings.RIGHTS_DPO_EMAIL = "privacy-team@example.org"
    RightsRequestFactory(status=Status.AWAITING_APPROVAL, due_on=timezone.localdate())
    assert services.dpo_digest_send() == 1
    assert mail.outbox[0].to == ["privacy-team@example.org"]


def test_beat_schedules_the_rights_jobs():
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    tasks = {entry["task"] for entry in schedule.values()}
    assert {"rights.purge_unverified", "rights.minimise_closed", "rights.dpo_digest"} <= tasks
    assert {"rights.purge_unverified", "rights.minimise_closed", "rights.dpo_digest"} <= set(app.tasks)
