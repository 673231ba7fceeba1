"""Restricting a subject (Art. 18) tells every vendor holding a system record of theirs to restrict processing too
(Art. 19), tracked like an erasure follow-up until the vendor confirms: by e-mail, by a signed webhook with
``"action": "restrict"``, and, since HubSpot has no restriction endpoint, by e-mail for a HubSpot system. The
notice names the person only by the vendor's own id; logs carry ids only."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from retention import engine, followups, notifiers, services
from retention.models import (
    ErasureChannel,
    ErasureRecord,
    PeriodUnit,
    ProcessorErasure,
    RetentionRule,
    SystemErasureChannel,
)
from subjects.models import DataSubject, SystemRecord
from tests import factories as f
from tests.retention_support import database_text, person_with_copies
from tests.test_processor_erasure_followups import server  # noqa: F401  (the recording HTTP server fixture)

pytestmark = pytest.mark.django_db
Status = ProcessorErasure.Status
Kind = ProcessorErasure.Kind
SECRET = "restriction-test-secret"
CONTACT = "privacy@vendor.example"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PROCESSOR_ERASURE_WEBHOOK_SECRET = ""
    settings.PROCESSOR_ERASURE_WEBHOOK_SECRETS = {"vendor-a": SECRET}
    settings.HUBSPOT_ACCESS_TOKEN = "pat-test-token"


def _system(channel: str | None = None, *, contact: str = CONTACT, **kwargs):
    system = f.SystemFactory(vendor=f.VendorFactory(privacy_contact_email=contact))
    if channel is not None:
        SystemErasureChannel.objects.create(system=system, channel=channel, **kwargs)
    return system


def _restricted_in(system, tag: str, django_capture_on_commit_callbacks) -> tuple:
    person = person_with_copies(tag=tag)
    SystemRecord.objects.filter(subject=person.subject).update(system=system)
    with django_capture_on_commit_callbacks(execute=True):
        record = engine.subject_restrict(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)
    return person, record


def test_restricting_a_subject_opens_one_notice_per_system_record_sent_after_commit(
    enqueued, django_capture_on_commit_callbacks,
):
    person = person_with_copies(tag="ro")
    second = f.SystemRecordFactory(subject=person.subject, external_id="mailchimp-ro-77")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record = engine.subject_restrict(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)
        assert enqueued == []  # nothing goes out before the commit
    for callback in callbacks:
        callback()

    rows = ProcessorErasure.objects.filter(erasure_record=record).order_by("system_record_id")
    assert [r.system_record_id for r in rows] == sorted(
        SystemRecord.objects.filter(subject=person.subject).values_list("pk", flat=True))
    assert {(r.kind, r.status, r.external_id_sealed) for r in rows} == {(Kind.RESTRICTION, Status.PENDING, "")}
    assert sorted(enqueued) == sorted(r.pk for r in rows)
    assert rows.get(system_record=second).subject_id == person.subject.pk
    # Restricted, not erased: the ids stay where they were, and no copy of them is made.
    assert SystemRecord.objects.get(pk=second.pk).external_id == "mailchimp-ro-77"


def test_email_notice_asks_the_vendor_to_restrict_naming_only_its_own_id(
    enqueued, django_capture_on_commit_callbacks, caplog,
):
    system = _system()
    person, record = _restricted_in(system, "em", django_capture_on_commit_callbacks)
    [pk] = enqueued

    with caplog.at_level(logging.DEBUG):
        assert followups.followup_send(followup_id=pk) == Status.SENT

    [message] = mail.outbox
    assert message.to == [CONTACT] and message.subject == f"Restriction of processing PE-{pk}"
    body = message.body.lower()
    assert "art. 18" in body and "restrict the processing" in body and "erase" not in body
    assert "hubspot-em-4242" in body and system.name.lower() in body
    assert [v for v in person.identifiers if v != "hubspot-em-4242" and v in body] == []
    row = ProcessorErasure.objects.get(pk=pk)
    assert row.status == Status.SENT and row.sent_at and row.next_attempt_at > timezone.now() + timedelta(days=13)
    logs = caplog.text.lower()
    assert str(pk) in logs and [v for v in person.identifiers if v in logs] == []


def test_webhook_notice_says_restrict_and_is_signed_with_the_vendor_secret(
    server, enqueued, django_capture_on_commit_callbacks,  # noqa: F811
):
    system = _system(ErasureChannel.WEBHOOK, webhook_url=f"{server.url}/gdpr", secret_name="vendor-a")
    person, record = _restricted_in(system, "wr", django_capture_on_commit_callbacks)

    assert followups.followup_send(followup_id=enqueued[0]) == Status.SENT

    [request] = server.requests
    expected = "sha256=" + hmac.new(SECRET.encode(), request["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request["headers"][notifiers.SIGNATURE_HEADER], expected)
    payload = json.loads(request["body"])
    assert payload == {
        "type": "restriction_notice", "action": "restrict", "reference": f"PE-{enqueued[0]}", "system": system.name,
        "external_id": "hubspot-wr-4242", "restricted_on": record.erased_at.date().isoformat(), "reminder": False,
    }


def test_hubspot_cannot_restrict_so_its_vendor_is_told_by_email(
    server, settings, enqueued, django_capture_on_commit_callbacks,  # noqa: F811
):
    settings.HUBSPOT_API_BASE = server.url
    system = _system(ErasureChannel.HUBSPOT)
    _restricted_in(system, "hr", django_capture_on_commit_callbacks)
    [pk] = enqueued
    assert ProcessorErasure.objects.get(pk=pk).channel == ErasureChannel.EMAIL

    assert followups.followup_send(followup_id=pk) == Status.SENT

    assert server.requests == []  # never HubSpot's GDPR delete: that would erase the contact
    [message] = mail.outbox
    assert message.to == [CONTACT] and "hubspot-hr-4242" in message.body


def test_hubspot_vendor_without_a_privacy_contact_fails_saying_a_person_must_tell_it(
    server, settings, enqueued, django_capture_on_commit_callbacks,  # noqa: F811
):
    settings.HUBSPOT_API_BASE = server.url
    system = _system(ErasureChannel.HUBSPOT, contact="")
    _restricted_in(system, "hn", django_capture_on_commit_callbacks)

    assert followups.followup_send(followup_id=enqueued[0]) == Status.FAILED

    row = ProcessorErasure.objects.get(pk=enqueued[0])
    assert row.last_error == notifiers.HUBSPOT_CANNOT_RESTRICT and "by hand" in row.last_error
    assert server.requests == [] and mail.outbox == []


def test_the_sweep_restricts_and_tells_the_vendor_then_erases_and_asks_it_to_erase():
    activity = f.ProcessingActivityFactory()
    f.RetentionRuleFactory(
        activity=activity, trigger=RetentionRule.Trigger.RELATIONSHIP_ENDED, period_amount=0,
        period_unit=PeriodUnit.DAYS, action=RetentionRule.Action.RESTRICT_THEN_ERASE, second_period_amount=1,
        second_period_unit=PeriodUnit.YEARS,
    )
    engagement = f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                                     relationship_ended_on=date(2024, 1, 10))
    record = f.SystemRecordFactory(subject=engagement.subject, external_id="crm-sw-1")

    services.sweep_run(as_of=date(2024, 3, 1))
    [notice] = ProcessorErasure.objects.filter(subject_id=engagement.subject_id)
    assert (notice.kind, notice.status, notice.system_record_id) == (Kind.RESTRICTION, Status.PENDING, record.pk)
    assert notice.erasure_record.action == ErasureRecord.Action.RESTRICT

    services.sweep_run(as_of=date(2025, 2, 1))
    kinds = dict(ProcessorErasure.objects.filter(subject_id=engagement.subject_id).values_list("kind", "status"))
    assert kinds == {Kind.RESTRICTION: Status.PENDING, Kind.ERASURE: Status.PENDING}
    erasure = ProcessorErasure.objects.get(subject_id=engagement.subject_id, kind=Kind.ERASURE)
    assert followups.unseal(erasure.external_id_sealed) == "crm-sw-1"
    # The restriction notice not sent yet now has no id to send: the erasure's follow-up tells the vendor.
    assert followups.followup_send(followup_id=notice.pk) == Status.FAILED
    assert ProcessorErasure.objects.get(pk=notice.pk).last_error == followups.SUPERSEDED
    assert "crm-sw-1" not in database_text()


def test_an_unconfirmed_restriction_is_reminded_and_a_failed_one_can_be_retried(
    enqueued, django_capture_on_commit_callbacks, superuser_client,
):
    _restricted_in(_system(), "rm", django_capture_on_commit_callbacks)
    pk = enqueued.pop()
    followups.followup_send(followup_id=pk)

    with django_capture_on_commit_callbacks(execute=True):
        assert followups.followups_remind(now=timezone.now() + timedelta(days=15)) == {"reminded": 1, "enqueued": 1}
    assert followups.followup_send(followup_id=pk) == Status.SENT
    assert mail.outbox[-1].subject == f"Reminder: restriction of processing PE-{pk}"

    ProcessorErasure.objects.filter(pk=pk).update(status=Status.FAILED, last_error="HTTP 500")
    superuser_client.post(reverse("admin:retention_processorerasure_changelist"),
                          {"action": "retry_now", "_selected_action": [pk]})
    assert ProcessorErasure.objects.get(pk=pk).status == Status.PENDING

    superuser_client.post(reverse("admin:retention_processorerasure_changelist"),
                          {"action": "mark_confirmed", "_selected_action": [pk]})
    assert ProcessorErasure.objects.get(pk=pk).status == Status.CONFIRMED


def test_the_admin_shows_the_kind_and_filters_by_it(enqueued, django_capture_on_commit_callbacks, superuser_client):
    system = _system()
    _restricted_in(system, "ad", django_capture_on_commit_callbacks)
    erased = person_with_copies(tag="ae")
    engine.subject_erase(subject=erased.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)
    restriction = ProcessorErasure.objects.get(kind=Kind.RESTRICTION)
    url = reverse("admin:retention_processorerasure_changelist")

    page = superuser_client.get(url, {"kind": Kind.RESTRICTION})
    assert [row.pk for row in page.context["cl"].result_list] == [restriction.pk]
    assert "restriction of processing (Art. 18, 19)" in page.content.decode()
    assert "hubspot-ad-4242" not in page.content.decode()
    assert [r.kind for r in superuser_client.get(url, {"kind": Kind.ERASURE}).context["cl"].result_list] \
        == [Kind.ERASURE]

    detail = superuser_client.get(reverse("admin:retention_processorerasure_change", args=[restriction.pk]))
    assert detail.status_code == 200 and "restriction of processing" in detail.content.decode()


def test_a_restricted_subject_is_not_restricted_twice_nor_told_twice(enqueued, django_capture_on_commit_callbacks):
    person, _record = _restricted_in(_system(), "tw", django_capture_on_commit_callbacks)
    assert engine.subject_restrict(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST) is None
    assert DataSubject.objects.get(pk=person.subject.pk).state == DataSubject.State.RESTRICTED
    assert ProcessorErasure.objects.filter(subject_id=person.subject.pk).count() == 1
