"""A request from the public form: recorded alike for known and unknown addresses, confirmed once by its link."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rights import services
from rights.models import ClockPause, RequestEvent, RequestToken, RightsRequest, Status
from subjects.models import DataSubject
from tests.factories import DataSubjectFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PUBLIC_BASE_URL = "https://privacy.example"


def _submit(organisation, email, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return services.request_submit(organisation=organisation, type="erasure", email=email, language="en",
                                       **kwargs)


def _link_token(message) -> str:
    match = re.search(r"https://privacy\.example/privacy/[\w-]+/request/confirm/([^/\s]+)/", message.body)
    assert match, message.body
    return match.group(1)


def test_submit_mails_a_single_use_link_and_stores_only_its_hash(django_capture_on_commit_callbacks):
    organisation = OrganisationFactory()
    request = _submit(organisation, "someone@example.com", django_capture_on_commit_callbacks)
    assert request.status == Status.AWAITING_VERIFICATION
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["someone@example.com"]
    raw = _link_token(mail.outbox[0])
    token = RequestToken.objects.get(request=request)
    assert raw not in token.digest and len(token.digest) == 64
    assert mail.outbox[0].alternatives and raw in mail.outbox[0].alternatives[0][0]


def test_known_and_unknown_addresses_write_the_same_rows_and_mail(django_capture_on_commit_callbacks):
    organisation = OrganisationFactory()
    DataSubjectFactory(organisation=organisation, email="known@example.com")
    shapes = []
    for email in ("known@example.com", "unknown@example.com"):
        with CaptureQueriesContext(connection) as queries:
            request = _submit(organisation, email, django_capture_on_commit_callbacks)
        shapes.append([re.sub(r"'[^']*'|\d+", "?", q["sql"]) for q in queries.captured_queries])
        assert request.subject_id is None
    assert shapes[0] == shapes[1]
    assert len(mail.outbox) == 2
    assert [m.subject for m in mail.outbox][0] == mail.outbox[1].subject


def test_link_verifies_once_then_is_refused(django_capture_on_commit_callbacks):
    organisation = OrganisationFactory()
    subject = DataSubjectFactory(organisation=organisation, email="Person@Example.com")
    request = _submit(organisation, "person@example.com", django_capture_on_commit_callbacks)
    raw = _link_token(mail.outbox[0])
    assert services.token_peek(raw=raw, purpose="verify") == request
    with django_capture_on_commit_callbacks(execute=True):
        verified = services.request_verify(raw=raw)
    assert verified is not None
    request.refresh_from_db()
    assert request.status == Status.AWAITING_APPROVAL  # RIGHTS_AUTO_EXECUTE is off by default
    assert request.subject == subject and request.verified_at is not None
    assert request.due_on is not None
    assert ClockPause.objects.filter(request=request, reason="identity", ended_at__isnull=False).exists()
    # every earlier historical row now names the subject, so erasing the subject reaches them
    assert set(RightsRequest.history.filter(id=request.pk).values_list("subject_id", flat=True)) == {subject.pk}
    assert services.request_verify(raw=raw) is None
    assert services.token_peek(raw=raw, purpose="verify") is None


def test_peek_changes_nothing(django_capture_on_commit_callbacks):
    request = _submit(OrganisationFactory(), "a@example.com", django_capture_on_commit_callbacks)
    raw = _link_token(mail.outbox[0])
    for _ in range(3):
        assert services.token_peek(raw=raw, purpose="verify") == request
    assert RequestToken.objects.get(request=request).consumed_at is None
    request.refresh_from_db()
    assert request.status == Status.AWAITING_VERIFICATION


def test_expired_and_tampered_links_are_refused(django_capture_on_commit_callbacks):
    request = _submit(OrganisationFactory(), "a@example.com", django_capture_on_commit_callbacks)
    raw = _link_token(mail.outbox[0])
    assert services.request_verify(raw=raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    assert services.request_verify(raw="") is None
    RequestToken.objects.filter(request=request).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.request_verify(raw=raw) is None
    request.refresh_from_db()
    assert request.status == Status.AWAITING_VERIFICATION


def test_a_second_request_for_the_same_right_is_flagged_after_verification(django_capture_on_commit_callbacks):
    organisation = OrganisationFactory()
    DataSubjectFactory(organisation=organisation, email="twice@example.com")
    first = _submit(organisation, "twice@example.com", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_verify(raw=_link_token(mail.outbox[0]))
    second = _submit(organisation, "twice@example.com", django_capture_on_commit_callbacks)
    second.refresh_from_db()
    assert second.likely_duplicate_of is None  # never before verification
    with django_capture_on_commit_callbacks(execute=True):
        assert services.request_verify(raw=_link_token(mail.outbox[-1])) is not None  # never blocking
    second.refresh_from_db()
    assert second.likely_duplicate_of == first
    assert RequestEvent.objects.filter(request=second, kind="duplicate").exists()


def test_with_auto_execute_a_verified_erasure_is_carried_out(settings, django_capture_on_commit_callbacks):
    settings.RIGHTS_AUTO_EXECUTE = True
    organisation = OrganisationFactory()
    subject = DataSubjectFactory(organisation=organisation, email="auto@example.com")
    request = _submit(organisation, "auto@example.com", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_verify(raw=_link_token(mail.outbox[0]))
    request.refresh_from_db()
    subject.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert subject.state == DataSubject.State.ERASED
    assert request.email is None
    assert [m.to for m in mail.outbox][-1] == ["auto@example.com"]  # the completion receipt still went out


def test_the_requesters_language_is_kept_as_a_language_the_product_speaks(django_capture_on_commit_callbacks):
    request = _submit(OrganisationFactory(), "sv@example.com", django_capture_on_commit_callbacks)
    assert request.language == "en"
    other = services.request_submit(organisation=request.organisation, type="access", email="x@example.com",
                                    language="sv-SE")
    assert other.language == "sv"
    assert services.request_submit(organisation=request.organisation, type="access", email="y@example.com",
                                   language="xx").language == "en"
