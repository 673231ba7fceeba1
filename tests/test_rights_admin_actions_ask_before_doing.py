"""The rights actions that change a person or close a request (approve and carry out, refuse, complete) first show
the shared intermediate page (templates/admin/intermediate_action.html): the selected requests with the address
and the subject's name masked, what will happen, confirm or go back. Nothing happens before the confirmation."""
from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from rights.models import RequestType, RightsRequest, Status
from subjects.models import DataSubject
from tests.factories import DataSubjectFactory, RightsRequestFactory

pytestmark = pytest.mark.django_db
LIST = reverse("admin:rights_rightsrequest_changelist")


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def _request(type_=RequestType.ERASURE, status=Status.AWAITING_APPROVAL) -> RightsRequest:
    subject = DataSubjectFactory(first_name="Anna", last_name="Svensson", email="anna.svensson@example.com")
    return RightsRequestFactory(organisation=subject.organisation, subject=subject, email=subject.email,
                                type=type_, status=status, verified_at=timezone.now())


def _asks(response, request: RightsRequest) -> str:
    assert response.status_code == 200
    assert "admin/intermediate_action.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "a***@e***.com" in page and "A*** S***" in page  # recognisable, not copyable
    assert "anna.svensson" not in page and "Svensson" not in page
    assert f'name="_selected_action" value="{request.pk}"' in page
    assert 'name="post" value="yes"' in page
    return page


@pytest.mark.parametrize("type_, effect", [
    (RequestType.ERASURE, DataSubject.State.ERASED), (RequestType.RESTRICTION, DataSubject.State.RESTRICTED),
])
def test_approve_and_carry_out_asks_first(dpo_client, django_capture_on_commit_callbacks, type_, effect):
    request = _request(type_)
    page = _asks(dpo_client.post(LIST, {"action": "approve_and_execute", "_selected_action": [request.pk]}), request)
    assert ("cannot be undone" if type_ == RequestType.ERASURE else "processing will be restricted") in page
    assert RightsRequest.objects.get(pk=request.pk).status == Status.AWAITING_APPROVAL
    assert DataSubject.objects.get(pk=request.subject_id).state == DataSubject.State.ACTIVE

    with django_capture_on_commit_callbacks(execute=True):
        done = dpo_client.post(LIST, {"action": "approve_and_execute", "_selected_action": [request.pk],
                                      "post": "yes"})
    assert done.status_code == 302
    assert "1 request approved and carried out (exports follow by e-mail)." in [
        str(m) for m in get_messages(done.wsgi_request)]
    assert RightsRequest.objects.get(pk=request.pk).status == Status.COMPLETED
    assert DataSubject.objects.get(pk=request.subject_id).state == effect


def test_refuse_asks_first(dpo_client):
    request = _request()
    page = _asks(dpo_client.post(LIST, {"action": "refuse", "_selected_action": [request.pk]}), request)
    assert "right to complain" in page
    assert RightsRequest.objects.get(pk=request.pk).status == Status.AWAITING_APPROVAL


def test_complete_asks_first_and_says_which_will_not_be_completed(dpo_client):
    waiting, carried_out = _request(), _request(RequestType.RECTIFICATION, Status.IN_PROGRESS)
    response = dpo_client.post(LIST, {"action": "complete", "_selected_action": [waiting.pk, carried_out.pk]})
    assert response.status_code == 200
    assert "admin/intermediate_action.html" in [t.name for t in response.templates]
    assert "awaits the DPO&#x27;s approval: will not be completed" in response.content.decode()
    assert RightsRequest.objects.get(pk=carried_out.pk).status == Status.IN_PROGRESS
