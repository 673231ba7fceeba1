"""A worker or web process killed while a rights request is carried out leaves no request half-done: killed before
the erasure commits, or after the erasure and before the request completes, on the admin's "Approve and carry out"
and on the ``rights.execute`` task alike, nothing is left behind, and carrying it out again finishes it once (the
person erased, the request completed, one erasure record, one receipt to the requester).

A kill is simulated by an exception that is not an ``Exception``: a killed process runs no ``except Exception``
block, and whatever it had not committed is rolled back by the database."""
from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from retention import engine
from retention.models import ErasureRecord
from rights import tasks
from rights.models import RequestEvent, RequestType, RightsRequest, Status
from rights.services import execution
from subjects.models import DataSubject
from tests.factories import DataSubjectFactory, EngagementFactory, RightsRequestFactory

pytestmark = pytest.mark.django_db
LIST = reverse("admin:rights_rightsrequest_changelist")
ADDRESS = "killed.midway@example.com"


class Killed(BaseException):
    """The process was killed here: nothing after this point runs, no ``except Exception`` either."""


def _die(*args, **kwargs):
    raise Killed


# Where the process dies: inside the engine, before the erasure commits (its records are written last), or once the
# person is erased and before the request is completed.
KILL_POINTS = {
    "before_the_erasure_commits": (engine, "_records"),
    "after_the_erasure_before_completion": (execution, "request_complete"),
}


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PUBLIC_BASE_URL = "https://privacy.example"


def _erasure_request(status: str) -> RightsRequest:
    subject = DataSubjectFactory(email=ADDRESS)
    EngagementFactory(subject=subject)
    return RightsRequestFactory(organisation=subject.organisation, subject=subject, email=ADDRESS,
                                type=RequestType.ERASURE, status=status, verified_at=timezone.now(),
                                verification_method="email_link")


def _approve(client):
    def run(request: RightsRequest) -> None:
        client.post(LIST, {"action": "approve_and_execute", "_selected_action": [request.pk], "post": "yes"})
    return run


def _task(request: RightsRequest) -> None:
    tasks.execute(request.pk)  # the worker's call; a redelivered task is the same call again


def _receipts() -> list:
    return [m for m in mail.outbox if m.to == [ADDRESS] and "completed" in m.subject.lower()]


def _assert_done_once(request: RightsRequest) -> None:
    request.refresh_from_db()
    subject = DataSubject.objects.get(pk=request.subject_id)
    assert request.status == Status.COMPLETED and request.closed_at is not None
    assert subject.state == DataSubject.State.ERASED
    assert ErasureRecord.objects.filter(subject_id=subject.pk).count() == 1
    assert len(_receipts()) == 1
    assert RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.COMPLETED).count() == 1
    assert RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.EXECUTED).count() == 1


@pytest.mark.parametrize("point", KILL_POINTS)
@pytest.mark.parametrize("path", ["admin", "task"])
def test_a_kill_leaves_nothing_half_done_and_carrying_it_out_again_finishes_once(
    path, point, dpo_client, monkeypatch, django_capture_on_commit_callbacks,
):
    # The admin approves a request awaiting approval; the task carries out a verified one (RIGHTS_AUTO_EXECUTE).
    before = Status.AWAITING_APPROVAL if path == "admin" else Status.VERIFIED
    request = _erasure_request(before)
    run = _approve(dpo_client) if path == "admin" else _task
    monkeypatch.setattr(*KILL_POINTS[point], _die)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Killed):
        run(request)

    # Nothing of the killed run is left: the person is there, the request is as it was, nobody was told anything.
    request.refresh_from_db()
    assert request.status == before
    assert DataSubject.objects.get(pk=request.subject_id).state == DataSubject.State.ACTIVE
    assert request.email == ADDRESS
    assert not ErasureRecord.objects.filter(subject_id=request.subject_id).exists()
    assert not _receipts()

    # The DPO's retry, or the task redelivered to another worker.
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        run(request)
    _assert_done_once(request)
    # Carried out once: doing it yet again changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        run(request)
    _assert_done_once(request)
