"""A verified request whose address several data subjects have is matched to none of them, and it waits for staff
to choose: approving it, or the ``rights.execute`` task, is refused with the reason (never closed as "nothing
held", which would tell the requester a falsehood), auto-execution leaves it for staff, and once a subject is chosen
it is carried out on that person only."""
from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from rights import services, tasks
from rights.models import RequestEvent, RightsRequest, Status
from subjects.models import DataSubject
from tests.factories import DataSubjectFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
LIST = reverse("admin:rights_rightsrequest_changelist")
SHARED = "family@example.com"
SEVERAL = ("The requester's address matches several data subjects: choose the one this request is about (the "
           "request's “matched data subject”) before carrying it out.")


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PUBLIC_BASE_URL = "https://privacy.example"


@pytest.fixture
def two_people():
    organisation = OrganisationFactory()
    return [DataSubjectFactory(organisation=organisation, email=SHARED),
            DataSubjectFactory(organisation=organisation, email=SHARED.upper())]


def _verified_on_the_web(organisation, django_capture_on_commit_callbacks) -> RightsRequest:
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_submit(organisation=organisation, type="erasure", email=SHARED, language="en")
    link = re.search(r"/request/confirm/([^/\s]+)/", mail.outbox[-1].body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.request_verify(raw=link) is not None
    request.refresh_from_db()
    return request


def _nothing_done(request: RightsRequest, people) -> None:
    request.refresh_from_db()
    assert request.status == Status.AWAITING_APPROVAL and request.subject_id is None and request.outcome == ""
    assert not RequestEvent.objects.filter(request=request, kind__in=["executed", "completed"]).exists()
    assert not [m for m in mail.outbox if "completed" in m.subject.lower()]
    assert all(DataSubject.objects.get(pk=p.pk).state == DataSubject.State.ACTIVE for p in people)


def test_several_subjects_wait_for_staff_to_choose(two_people, dpo_client, settings,
                                                   django_capture_on_commit_callbacks):
    settings.RIGHTS_AUTO_EXECUTE = True  # even so: choosing the person is for staff
    first, second = two_people
    request = _verified_on_the_web(first.organisation, django_capture_on_commit_callbacks)
    assert RequestEvent.objects.get(request=request, kind="not_matched").note == "several subjects"
    _nothing_done(request, two_people)

    with django_capture_on_commit_callbacks(execute=True):
        response = dpo_client.post(LIST, {"action": "approve_and_execute", "_selected_action": [request.pk],
                                          "post": "yes"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [f"{request}: {SEVERAL}"]
    _nothing_done(request, two_people)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.execute(request.pk) is False  # an execute task (a stale one, say) leaves it waiting too
    _nothing_done(request, two_people)

    # Staff choose the person; now it is carried out, on them only.
    services.request_match(request=request, subject=second, actor=dpo_client.user)
    with django_capture_on_commit_callbacks(execute=True):
        dpo_client.post(LIST, {"action": "approve_and_execute", "_selected_action": [request.pk], "post": "yes"})
    request.refresh_from_db()
    assert request.status == Status.COMPLETED and request.outcome == "done"
    assert DataSubject.objects.get(pk=second.pk).state == DataSubject.State.ERASED
    assert DataSubject.objects.get(pk=first.pk).state == DataSubject.State.ACTIVE
    assert len([m for m in mail.outbox if m.to == [SHARED] and "completed" in m.subject.lower()]) == 1


def test_an_address_nobody_has_still_closes_as_nothing_held(dpo_client, django_capture_on_commit_callbacks):
    request = _verified_on_the_web(OrganisationFactory(), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        dpo_client.post(LIST, {"action": "approve_and_execute", "_selected_action": [request.pk], "post": "yes"})
    request.refresh_from_db()
    assert request.status == Status.COMPLETED and request.outcome == "nothing_held"


def test_a_person_added_since_verification_is_matched_first(dpo_client, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory()
    request = _verified_on_the_web(organisation, django_capture_on_commit_callbacks)
    DataSubjectFactory(organisation=organisation, email=SHARED)  # imported after the request was verified
    response = dpo_client.post(LIST, {"action": "approve_and_execute", "_selected_action": [request.pk], "post": "yes"})
    [said] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "The requester's address matches a data subject: match the request to it" in said
    request.refresh_from_db()
    assert request.status == Status.AWAITING_APPROVAL
