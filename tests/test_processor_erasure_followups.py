"""After an erasure each outside system's vendor is told (Art. 17(2), 19) and the follow-up is tracked until the
vendor confirms: e-mail to the privacy contact by default, a signed webhook, or HubSpot's GDPR delete; retries back
off, failures show in the admin, and confirmation empties the one stored copy of the person's outside id."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from retention import engine, followups, notifiers
from retention.models import ErasureChannel, ErasureRecord, ProcessorErasure, SystemErasureChannel
from retention.tasks import RETRY_BACKOFF_MAX, processor_erasure_send
from subjects.models import SystemRecord
from tests import factories as f
from tests.retention_support import database_text, person_with_copies

pytestmark = pytest.mark.django_db
Status = ProcessorErasure.Status
SECRET = "test-webhook-secret"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PROCESSOR_ERASURE_WEBHOOK_SECRET = SECRET
    settings.HUBSPOT_ACCESS_TOKEN = "pat-test-token"
    settings.PROCESSOR_ERASURE_MAX_ATTEMPTS = 3


class _Recorder(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        length = int(self.headers["Content-Length"])
        self.server.requests.append({"path": self.path, "headers": dict(self.headers), "body": self.rfile.read(length)})
        status = self.server.statuses.pop(0) if self.server.statuses else 204
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = HTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.requests, httpd.statuses = [], []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _erase(person, django_capture_on_commit_callbacks):
    """The set-wise primitive under the caller's transaction, with the capture before it (as replay does)."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        followups.followups_capture(subject_ids=[person.subject.pk])
        [record] = engine.subjects_erase(subject_ids=[person.subject.pk], action=ErasureRecord.Action.ERASE,
                                         reason=ErasureRecord.Reason.RIGHTS_REQUEST)
    return record


def _person_in(system, tag="fu"):
    person = person_with_copies(tag=tag)
    SystemRecord.objects.filter(subject=person.subject).update(system=system)
    return person


def _channel(system, channel, **kwargs):
    SystemErasureChannel.objects.create(system=system, channel=channel, **kwargs)


def test_one_follow_up_per_system_record_is_opened_and_enqueued_after_commit(
    enqueued, django_capture_on_commit_callbacks,
):
    person = person_with_copies()
    second = f.SystemRecordFactory(subject=person.subject, external_id="mailchimp-77-zq")

    record = _erase(person, django_capture_on_commit_callbacks)

    rows = ProcessorErasure.objects.filter(erasure_record=record).order_by("system_record_id")
    assert [r.system_record_id for r in rows] == sorted(SystemRecord.objects.filter(subject=person.subject)
                                                        .values_list("pk", flat=True))
    assert {r.status for r in rows} == {Status.PENDING} and {r.channel for r in rows} == {ErasureChannel.EMAIL}
    assert sorted(enqueued) == sorted(r.pk for r in rows)
    assert followups.unseal(rows.get(system_record=second).external_id_sealed) == "mailchimp-77-zq"
    # Sealed, the outside ids are nowhere in the database in the clear.
    text = database_text()
    assert [value for value in person.identifiers if value in text] == [] and "mailchimp-77-zq" not in text


def test_the_engine_captures_the_outside_id_before_it_scrubs_it():
    person = person_with_copies()
    record = engine.subject_erase(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)
    [row] = ProcessorErasure.objects.filter(erasure_record=record)
    assert row.status == Status.PENDING and row.external_id_sealed != ""
    assert "hubspot-zq-4242" not in row.external_id_sealed
    assert followups.unseal(row.external_id_sealed) == "hubspot-zq-4242"


def test_an_erasure_that_captured_nothing_opens_a_failed_follow_up_saying_so():
    person = person_with_copies()
    engine.hook_remove(followups.followups_capture_ids)
    try:
        record = engine.subject_erase(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)
    finally:
        engine.before_scrub_hook_add(followups.followups_capture_ids)
    [row] = ProcessorErasure.objects.filter(erasure_record=record)
    assert row.status == Status.FAILED and "not captured" in row.last_error and row.external_id_sealed == ""


def test_email_goes_to_the_vendor_privacy_contact_and_names_only_the_outside_id(
    enqueued, django_capture_on_commit_callbacks,
):
    system = f.SystemFactory(vendor=f.VendorFactory(privacy_contact_email="privacy@vendor.example"))
    person = _person_in(system)
    _erase(person, django_capture_on_commit_callbacks)
    [followup_id] = enqueued

    assert followups.followup_send(followup_id=followup_id) == Status.SENT

    [message] = mail.outbox
    assert message.to == ["privacy@vendor.example"]
    body = f"{message.subject}\n{message.body}".lower()
    assert "hubspot-fu-4242" in body and system.name.lower() in body
    assert [v for v in person.identifiers if v != "hubspot-fu-4242" and v in body] == []
    row = ProcessorErasure.objects.get(pk=followup_id)
    assert row.status == Status.SENT and row.sent_at and row.attempts == 1
    assert row.next_attempt_at > timezone.now() + timedelta(days=13)
    # Sent twice? The claim finds it no longer pending.
    assert followups.followup_send(followup_id=followup_id) == Status.SENT and len(mail.outbox) == 1


def test_webhook_body_is_signed_and_the_signature_verifies(server, enqueued, django_capture_on_commit_callbacks):
    system = f.SystemFactory()
    _channel(system, ErasureChannel.WEBHOOK, webhook_url=f"{server.url}/erasures")
    person = _person_in(system, tag="wh")
    _erase(person, django_capture_on_commit_callbacks)

    assert followups.followup_send(followup_id=enqueued[0]) == Status.SENT

    [request] = server.requests
    assert request["path"] == "/erasures"
    expected = "sha256=" + hmac.new(SECRET.encode(), request["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request["headers"][notifiers.SIGNATURE_HEADER], expected)
    payload = json.loads(request["body"])
    assert payload["external_id"] == "hubspot-wh-4242" and payload["type"] == "erasure_request"
    assert payload["reference"] == f"PE-{enqueued[0]}"
    assert [v for v in person.identifiers if v != "hubspot-wh-4242" and v in request["body"].decode().lower()] == []


def test_hubspot_gdpr_delete_request_confirms_and_empties_the_stored_id(
    server, settings, enqueued, django_capture_on_commit_callbacks,
):
    settings.HUBSPOT_API_BASE = server.url
    system = f.SystemFactory()
    _channel(system, ErasureChannel.HUBSPOT)
    _erase(_person_in(system, tag="hs"), django_capture_on_commit_callbacks)

    assert followups.followup_send(followup_id=enqueued[0]) == Status.CONFIRMED

    [request] = server.requests
    assert request["path"] == "/crm/v3/objects/contacts/gdpr-delete"
    assert request["headers"]["Authorization"] == "Bearer pat-test-token"
    assert json.loads(request["body"]) == {"objectId": "hubspot-hs-4242", "idProperty": "hs_object_id"}
    row = ProcessorErasure.objects.get(pk=enqueued[0])
    assert row.status == Status.CONFIRMED and row.external_id_sealed == "" and row.confirmed_at


def test_a_500_is_retried_with_backoff_then_the_failure_shows_in_the_admin(
    server, settings, enqueued, django_capture_on_commit_callbacks, superuser_client,
):
    settings.HUBSPOT_API_BASE = server.url
    server.statuses = [500, 500, 500]
    system = f.SystemFactory()
    _channel(system, ErasureChannel.HUBSPOT)
    _erase(_person_in(system, tag="rt"), django_capture_on_commit_callbacks)
    pk = enqueued[0]

    with pytest.raises(followups.SendFailed):
        followups.followup_send(followup_id=pk)
    row = ProcessorErasure.objects.get(pk=pk)
    assert row.status == Status.PENDING and row.attempts == 1 and row.last_error == "HTTP 500"
    wait = row.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < wait <= timedelta(seconds=60)
    # Not due yet: a second delivery of the task does nothing.
    assert followups.followup_send(followup_id=pk) == Status.PENDING and len(server.requests) == 1
    assert followups.backoff(2) == timedelta(seconds=120) and followups.backoff(30).total_seconds() == RETRY_BACKOFF_MAX
    # The task's own policy: the same doubling, capped below the broker's visibility timeout.
    assert processor_erasure_send.retry_backoff == followups.BACKOFF_BASE_SECONDS
    assert processor_erasure_send.retry_backoff_max == RETRY_BACKOFF_MAX and processor_erasure_send.acks_late

    for _attempt in (2, 3):
        ProcessorErasure.objects.filter(pk=pk).update(next_attempt_at=timezone.now())
        try:
            followups.followup_send(followup_id=pk)
        except followups.SendFailed:
            pass
    row = ProcessorErasure.objects.get(pk=pk)
    assert row.status == Status.FAILED and row.attempts == 3 and row.last_error == "HTTP 500"
    assert row.external_id_sealed, "kept until the vendor confirms"

    page = superuser_client.get(reverse("admin:retention_processorerasure_changelist"), {"status": "failed"})
    assert page.status_code == 200
    assert b"HTTP 500" in page.content and b"hubspot-rt-4242" not in page.content

    superuser_client.post(reverse("admin:retention_processorerasure_changelist"),
                          {"action": "retry_now", "_selected_action": [pk]})
    row = ProcessorErasure.objects.get(pk=pk)
    assert row.status == Status.PENDING and row.attempts == 0
    assert followups.followup_send(followup_id=pk) == Status.CONFIRMED  # the server answers 204 now


def test_marking_confirmed_in_the_admin_empties_the_stored_id(
    enqueued, django_capture_on_commit_callbacks, superuser_client,
):
    _erase(person_with_copies(tag="cf"), django_capture_on_commit_callbacks)
    pk = enqueued[0]
    followups.followup_send(followup_id=pk)

    superuser_client.post(reverse("admin:retention_processorerasure_changelist"),
                          {"action": "mark_confirmed", "_selected_action": [pk]})

    row = ProcessorErasure.objects.get(pk=pk)
    assert row.status == Status.CONFIRMED and row.external_id_sealed == ""
    assert row.confirmed_by == superuser_client.user


def test_a_vendor_that_has_not_confirmed_is_reminded(enqueued, django_capture_on_commit_callbacks):
    system = f.SystemFactory(vendor=f.VendorFactory(privacy_contact_email="privacy@vendor.example"))
    _erase(_person_in(system, tag="rm"), django_capture_on_commit_callbacks)
    pk = enqueued.pop()
    assert followups.followup_send(followup_id=pk) == Status.SENT

    with django_capture_on_commit_callbacks(execute=True):
        assert followups.followups_remind(now=timezone.now() + timedelta(days=1)) == {"reminded": 0, "enqueued": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert followups.followups_remind(now=timezone.now() + timedelta(days=15)) == {"reminded": 1, "enqueued": 1}
    assert enqueued == [pk]
    followups.followup_send(followup_id=pk)
    assert mail.outbox[-1].subject.startswith("Reminder")
    assert ProcessorErasure.objects.get(pk=pk).reminders == 1


def test_the_beat_schedules_the_reminder_round():
    from privacy_registry.celery import app

    entries = {e["task"] for e in app.conf.beat_schedule.values()}
    assert "retention.processor_erasures_remind" in entries
