"""Each kind of request, verified, is carried out through the services of the apps below, with its effect."""
from __future__ import annotations

import io
import json
import zipfile

import jsonschema
import pytest
from django.core import mail
from django.utils import timezone

from privacy_registry.models import LegalBasis
from retention.models import ErasureRecord
from rights import exports, services
from rights.models import Outcome, RequestEvent, RequestExport, RequestType, RightsRequest, Status
from subjects import consent_withdrawers
from subjects.models import DataSubject, Engagement
from tests.factories import (
    DataSubjectFactory,
    EngagementFactory,
    LegalHoldFactory,
    ProcessingActivityFactory,
    PurposeFactory,
    RecipientFactory,
    RetentionRuleFactory,
    RightsRequestFactory,
    UserFactory,
)
from tests.retention_support import database_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PUBLIC_BASE_URL = "https://privacy.example"


def _verified(subject, type_, **kwargs) -> RightsRequest:
    return RightsRequestFactory(
        organisation=subject.organisation, subject=subject, email=subject.email, type=type_,
        status=Status.AWAITING_APPROVAL, verified_at=timezone.now(), verification_method="email_link", **kwargs,
    )


def _run(request, dpo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.request_approve_and_execute(request=request, actor=dpo)
    request.refresh_from_db()
    return request


def test_erasure_leaves_the_address_nowhere_in_the_database(django_capture_on_commit_callbacks):
    dpo = UserFactory()
    subject = DataSubjectFactory(email="erase.me@example.com")
    EngagementFactory(subject=subject)
    request = _verified(subject, RequestType.ERASURE)
    # an earlier, never-verified request by the same address holds it too
    RightsRequestFactory(organisation=subject.organisation, email="Erase.Me@example.com")
    request = _run(request, dpo, django_capture_on_commit_callbacks)
    assert request.status == Status.COMPLETED and request.outcome == Outcome.DONE
    assert DataSubject.objects.get(pk=subject.pk).state == DataSubject.State.ERASED
    assert ErasureRecord.objects.filter(subject_id=subject.pk, reason="rights_request").exists()
    assert "erase.me@example.com" not in database_text()
    # the receipt still reached the requester
    assert mail.outbox[-1].to == ["erase.me@example.com"]
    assert "completed" in mail.outbox[-1].subject.lower()


def test_legal_hold_and_legal_obligation_make_a_partial_erasure_with_the_reason(django_capture_on_commit_callbacks):
    dpo = UserFactory()
    subject = DataSubjectFactory()
    bookkeeping = ProcessingActivityFactory(organisation=subject.organisation, name="Invoicing")
    PurposeFactory(activity=bookkeeping, legal_basis=LegalBasis.LEGAL_OBLIGATION)
    marketing = ProcessingActivityFactory(organisation=subject.organisation, name="Newsletter")
    EngagementFactory(subject=subject, activity=bookkeeping)
    EngagementFactory(subject=subject, activity=marketing)
    request = _run(_verified(subject, RequestType.ERASURE), dpo, django_capture_on_commit_callbacks)
    assert request.outcome == Outcome.PARTIAL
    assert "17(3)(b)" in request.response and "Invoicing" in request.response
    assert list(Engagement.objects.filter(subject=subject).values_list("activity", flat=True)) == [bookkeeping.pk]
    assert DataSubject.objects.get(pk=subject.pk).state == DataSubject.State.RESTRICTED
    note = RequestEvent.objects.get(request=request, kind="executed").note
    assert f"legal obligation in activity #{bookkeeping.pk}" in note

    held = DataSubjectFactory()
    LegalHoldFactory(subject=held)
    EngagementFactory(subject=held)
    request = _run(_verified(held, RequestType.ERASURE), dpo, django_capture_on_commit_callbacks)
    assert request.outcome == Outcome.PARTIAL and "17(3)(e)" in request.response
    assert Engagement.objects.filter(subject=held).count() == 1  # a hold on the person keeps everything
    assert DataSubject.objects.get(pk=held.pk).state == DataSubject.State.RESTRICTED


def test_restriction_restricts_the_subject(django_capture_on_commit_callbacks):
    subject = DataSubjectFactory()
    request = _run(_verified(subject, RequestType.RESTRICTION), UserFactory(), django_capture_on_commit_callbacks)
    assert request.status == Status.COMPLETED
    subject.refresh_from_db()
    assert subject.state == DataSubject.State.RESTRICTED
    assert ErasureRecord.objects.filter(subject_id=subject.pk, action="restrict").exists()


def test_objection_to_direct_marketing_stops_it_today(django_capture_on_commit_callbacks):
    subject = DataSubjectFactory()
    marketing = EngagementFactory(subject=subject, unsubscribed_on=None)
    service = EngagementFactory(subject=subject, unsubscribed_on=None)
    request = _verified(subject, RequestType.OBJECTION, direct_marketing=True)
    request.objected_activities.set([marketing.activity])
    request = _run(request, UserFactory(), django_capture_on_commit_callbacks)
    assert request.status == Status.COMPLETED and request.outcome == Outcome.DONE
    marketing.refresh_from_db()
    service.refresh_from_db()
    assert marketing.unsubscribed_on == timezone.localdate()
    assert service.unsubscribed_on is None


def test_objection_without_the_processing_named_waits_for_staff():
    subject = DataSubjectFactory()
    request = _verified(subject, RequestType.OBJECTION, direct_marketing=False)
    with pytest.raises(Exception, match="processing objected to"):
        services.request_approve_and_execute(request=request, actor=UserFactory())
    request.refresh_from_db()
    assert request.status == Status.AWAITING_APPROVAL


def test_consent_withdrawal_with_no_withdrawer_records_there_was_nothing(django_capture_on_commit_callbacks,
                                                                          monkeypatch):
    monkeypatch.setattr(consent_withdrawers, "_withdrawers", {})  # the consent app registers one at start-up
    subject = DataSubjectFactory()
    request = _run(_verified(subject, RequestType.CONSENT_WITHDRAWAL), UserFactory(),
                   django_capture_on_commit_callbacks)
    assert request.outcome == Outcome.NOTHING_HELD
    assert "nothing to withdraw" in RequestEvent.objects.get(request=request, kind="executed").note


def test_consent_withdrawal_calls_the_registered_withdrawers(django_capture_on_commit_callbacks):
    calls = []

    def withdraw(*, subject, actor, reason):
        calls.append(subject.pk)
        return 2

    consent_withdrawers.register("test", withdraw)
    try:
        subject = DataSubjectFactory()
        request = _run(_verified(subject, RequestType.CONSENT_WITHDRAWAL), UserFactory(),
                       django_capture_on_commit_callbacks)
    finally:
        consent_withdrawers.unregister("test")
    assert calls == [subject.pk]
    assert request.outcome == Outcome.DONE
    assert "test: 2" in RequestEvent.objects.get(request=request, kind="executed").note


def test_rectification_is_an_edit_by_staff_recorded_in_history(django_capture_on_commit_callbacks):
    dpo = UserFactory()
    subject = DataSubjectFactory(last_name="Smiht")
    request = _run(_verified(subject, RequestType.RECTIFICATION, details="My surname is Smith"), dpo,
                   django_capture_on_commit_callbacks)
    assert request.status == Status.IN_PROGRESS
    with django_capture_on_commit_callbacks(execute=True):
        services.request_rectify(request=request, changes={"last_name": "Smith"}, actor=dpo)
    subject.refresh_from_db()
    request.refresh_from_db()
    assert subject.last_name == "Smith" and request.status == Status.COMPLETED
    latest = subject.history.first()
    assert latest.history_change_reason == f"rectified (request #{request.pk})" and latest.history_user == dpo
    assert mail.outbox[-1].to == [subject.email]


def test_access_export_validates_against_its_schema_and_holds_no_one_else(django_capture_on_commit_callbacks):
    subject = DataSubjectFactory(email="me@example.com", first_name="Ada")
    other = DataSubjectFactory(organisation=subject.organisation, email="other@example.com", first_name="Zed")
    engagement = EngagementFactory(subject=subject)
    EngagementFactory(subject=other, activity=engagement.activity)
    PurposeFactory(activity=engagement.activity, legal_basis=LegalBasis.CONTRACT)
    RecipientFactory(activity=engagement.activity)
    RetentionRuleFactory(activity=engagement.activity)
    RightsRequestFactory(organisation=subject.organisation, subject=other, email=other.email, type="access")
    request = _run(_verified(subject, RequestType.ACCESS), UserFactory(), django_capture_on_commit_callbacks)
    assert request.status == Status.COMPLETED
    message = mail.outbox[-1]
    raw = message.body.split("/request/download/")[1].split("/")[0]
    filename, content = services.export_open(raw=raw)
    assert filename.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(content))
    data = json.loads(archive.read("data.json"))
    schema = json.loads(exports.SCHEMA_PATH.read_text())
    jsonschema.validate(data, schema, format_checker=jsonschema.FormatChecker())
    assert data["subject"]["email"] == "me@example.com"
    assert data["engagements"][0]["activity"]["purposes"][0]["legal_basis"] == "b"
    assert data["engagements"][0]["activity"]["retention"][0]["in_words"]
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode("utf-8", "replace")
    assert "other@example.com" not in everything and "Zed" not in everything
    assert {"csv/subject.csv", "csv/engagements.csv", "csv/requests.csv"} <= set(archive.namelist())
    # the link works once, and the export is gone once delivered
    assert services.export_open(raw=raw) is None
    assert not RequestExport.objects.filter(request=request).exists()


def test_unmatched_request_completes_with_nothing_held(django_capture_on_commit_callbacks):
    request = RightsRequestFactory(status=Status.AWAITING_APPROVAL, verified_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        services.request_approve_and_execute(request=request, actor=UserFactory())
    request.refresh_from_db()
    assert request.status == Status.COMPLETED and request.outcome == Outcome.NOTHING_HELD


def test_a_request_is_carried_out_once():
    subject = DataSubjectFactory()
    request = _verified(subject, RequestType.RESTRICTION)
    services.request_approve_and_execute(request=request, actor=UserFactory())
    with pytest.raises(Exception, match="once"):
        services.request_approve_and_execute(request=request, actor=UserFactory())


def test_an_export_that_breaks_its_schema_is_not_handed_over_and_its_error_names_no_value(
        monkeypatch, django_capture_on_commit_callbacks):
    subject = DataSubjectFactory(email="me@example.com", first_name="Ada")
    EngagementFactory(subject=subject)
    real = exports.export_data

    def broken(*, subject):
        data = real(subject=subject)
        data["subject"]["email"] = {"unexpected": "me@example.com"}  # a shape the schema does not allow
        return data

    monkeypatch.setattr(exports, "export_data", broken)
    request = _verified(subject, RequestType.ACCESS)
    RightsRequest.objects.filter(pk=request.pk).update(status=Status.IN_PROGRESS)  # approved: the export is due
    mail.outbox.clear()

    with pytest.raises(exports.ExportNotValid) as refused:
        services.export_build(request_id=request.pk)

    assert "me@example.com" not in str(refused.value) and "$.subject.email" in str(refused.value)
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS  # left for the task's retry and the overdue list, not completed
    assert not RequestExport.objects.filter(request=request).exists()
    assert mail.outbox == []
