"""A request awaiting the DPO's approval cannot be completed around that decision: not by the admin's "Complete…"
(Compliance may use it), not by the rectification page, not by calling the service. Nothing is erased or
corrected, the requester is mailed nothing, and the admin says how many were refused and why."""
from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from rights import services
from rights.models import RequestType, RightsRequest, Status
from subjects.models import DataSubject
from tests.factories import DataSubjectFactory, RightsRequestFactory

pytestmark = pytest.mark.django_db
LIST = reverse("admin:rights_rightsrequest_changelist")


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def _awaiting(type_=RequestType.ERASURE, status=Status.AWAITING_APPROVAL) -> RightsRequest:
    subject = DataSubjectFactory()
    return RightsRequestFactory(organisation=subject.organisation, subject=subject, email=subject.email,
                                type=type_, status=status, verified_at=timezone.now())


def test_compliance_cannot_complete_an_erasure_awaiting_approval(compliance_client,
                                                                 django_capture_on_commit_callbacks):
    request = _awaiting()
    with django_capture_on_commit_callbacks(execute=True):
        response = compliance_client.post(LIST, {"action": "complete", "_selected_action": [request.pk],
                                                 "post": "yes", "response": "Done."})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.AWAITING_APPROVAL and request.closed_at is None and request.response == ""
    assert DataSubject.objects.get(pk=request.subject_id).state == DataSubject.State.ACTIVE
    assert mail.outbox == []
    said = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    assert ("error", "1 request was not completed, and its requester was told nothing:") in said
    assert any(level == "error" and str(request) in text and "awaits the DPO's decision" in text
               for level, text in said)
    assert not any(level == "success" for level, _text in said)


def test_a_mixed_selection_completes_only_what_is_being_carried_out(dpo_client,
                                                                    django_capture_on_commit_callbacks):
    waiting, carried_out = _awaiting(), _awaiting(RequestType.RECTIFICATION, Status.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        response = dpo_client.post(LIST, {"action": "complete", "_selected_action": [waiting.pk, carried_out.pk],
                                          "post": "yes", "response": "Corrected."})
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert "1 request completed." in said
    assert "1 request was not completed, and its requester was told nothing:" in said
    assert RightsRequest.objects.get(pk=waiting.pk).status == Status.AWAITING_APPROVAL
    assert RightsRequest.objects.get(pk=carried_out.pk).status == Status.COMPLETED
    assert [m.to for m in mail.outbox] == [[carried_out.email]]


@pytest.mark.parametrize("status", [Status.AWAITING_APPROVAL, Status.VERIFIED])
def test_the_service_refuses_whoever_calls_it(status):
    request = _awaiting(status=status)
    with pytest.raises(ValidationError):
        services.request_complete(request=request, actor=None, response="Done.")
    assert RightsRequest.objects.get(pk=request.pk).status == status


def test_a_rectification_awaiting_approval_is_not_entered_around_the_decision(dpo_client):
    request = _awaiting(RequestType.RECTIFICATION)
    page = reverse("admin:rights_rightsrequest_rectify", args=[request.pk])
    response = dpo_client.post(page, {"first_name": "Changed"})
    assert response.status_code == 302
    assert any("approved by the DPO" in str(m) for m in get_messages(response.wsgi_request))
    with pytest.raises(ValidationError):
        services.request_rectify(request=request, changes={"first_name": "Changed"}, actor=dpo_client.user)
    assert DataSubject.objects.get(pk=request.subject_id).first_name != "Changed"
    assert RightsRequest.objects.get(pk=request.pk).status == Status.AWAITING_APPROVAL


def test_after_approval_the_erasure_is_carried_out_and_completed(dpo_client, django_capture_on_commit_callbacks):
    request = _awaiting()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_approve_and_execute(request=request, actor=dpo_client.user)
    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert DataSubject.objects.get(pk=request.subject_id).state == DataSubject.State.ERASED
