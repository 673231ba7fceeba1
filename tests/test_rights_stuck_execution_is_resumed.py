"""A request left "in progress" by an interrupted execution (a lost export task, or a run of the earlier code killed
between the erasure and the closing) is not left for ever: it is on the admin dashboard, the admin's "Carry out
again" and the beat take it again once it has been in progress longer than RIGHTS_EXECUTION_STALE_AFTER_MINUTES,
the ``rights.execute`` task redelivered takes its own request again at once, and what was done already is recognised
(one erasure record, one receipt)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from privacy_registry import dashboard
from privacy_registry.celery import app
from retention import engine
from retention.models import ErasureRecord
from rights import tasks
from rights.dashboard import stuck_execution_alerts
from rights.models import RequestEvent, RequestType, RightsRequest, Status
from subjects.models import DataSubject
from tests.factories import DataSubjectFactory, EngagementFactory, RightsRequestFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST = reverse("admin:rights_rightsrequest_changelist")


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PUBLIC_BASE_URL = "https://privacy.example"
    settings.RIGHTS_EXECUTION_STALE_AFTER_MINUTES = 60


def _in_progress(type_=RequestType.ERASURE, *, minutes_ago: int | None, email: str | None = None) -> RightsRequest:
    """A request in progress since ``minutes_ago`` (None: taken before the claim was timed)."""
    subject = DataSubjectFactory(**({"email": email} if email else {}))
    EngagementFactory(subject=subject)
    started = None if minutes_ago is None else timezone.now() - timedelta(minutes=minutes_ago)
    return RightsRequestFactory(organisation=subject.organisation, subject=subject, email=subject.email, type=type_,
                                status=Status.IN_PROGRESS, verified_at=timezone.now(), verification_method="staff",
                                execution_started_at=started)


def _erased_already(request: RightsRequest) -> RightsRequest:
    """As the earlier code left it when killed after the engine's erasure committed: erased, the request open."""
    engine.subject_erase(subject=request.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST,
                         request_ref=f"rights request #{request.pk}")
    request.refresh_from_db()
    assert request.email is None  # the erasure took the requester's address with the person
    return request


def _receipts(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address] and "completed" in m.subject.lower()]


def test_the_dashboard_counts_requests_stuck_in_progress(dpo_client):
    _in_progress(minutes_ago=120)
    _in_progress(RequestType.ACCESS, minutes_ago=None)
    _in_progress(RequestType.ACCESS, minutes_ago=5)  # its export is being built
    _in_progress(RequestType.RECTIFICATION, minutes_ago=600)  # waits for staff's correction
    assert dashboard._sources["rights.stuck_executions"] is stuck_execution_alerts

    response = dpo_client.get(reverse("admin:index"))

    [alert] = response.context["dashboard"]["alerts"]
    assert alert.level == dashboard.Level.WARNING
    assert alert.message.startswith("2 rights requests have been in progress for more than 60 minutes")
    assert alert.url == LIST + "?status__exact=in_progress"
    assert stuck_execution_alerts(UserFactory()) == []  # not for someone who may not view requests


def test_carry_out_again_in_the_admin_finishes_stuck_requests_and_says_how_many(
    dpo_client, django_capture_on_commit_callbacks,
):
    not_erased = _in_progress(minutes_ago=90, email="not.yet@example.com")
    erased = _erased_already(_in_progress(minutes_ago=None))
    export = _in_progress(RequestType.ACCESS, minutes_ago=75)
    fresh = _in_progress(RequestType.ACCESS, minutes_ago=5)
    verified = RightsRequestFactory(status=Status.AWAITING_APPROVAL, verified_at=timezone.now(),
                                    subject=DataSubjectFactory())
    chosen = [not_erased, erased, export, fresh, verified]

    selection = {"action": "carry_out_again", "_selected_action": [r.pk for r in chosen]}
    # It asks first, on the shared confirmation page (the address masked): nothing is done yet.
    page = dpo_client.post(LIST, selection)
    assert page.status_code == 200 and "will be erased: this cannot be undone" in page.content.decode()
    assert "not.yet@example.com" not in page.content.decode()
    not_erased.refresh_from_db()
    assert DataSubject.objects.get(pk=not_erased.subject_id).state == DataSubject.State.ACTIVE

    with django_capture_on_commit_callbacks(execute=True):
        response = dpo_client.post(LIST, {**selection, "post": "yes"})

    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert "2 interrupted requests carried out again and completed." in said
    assert "1 interrupted request taken again: its export is queued and follows by e-mail." in said
    not_stuck = "Only a request in progress for more than 60 minutes (an interrupted execution) is carried out again."
    assert f"{fresh}: {not_stuck}" in said and f"{verified}: {not_stuck}" in said
    for r in chosen:
        r.refresh_from_db()
    assert not_erased.status == erased.status == Status.COMPLETED
    for r in (not_erased, erased):
        assert DataSubject.objects.get(pk=r.subject_id).state == DataSubject.State.ERASED
        assert ErasureRecord.objects.filter(subject_id=r.subject_id).count() == 1
        assert RequestEvent.objects.filter(request=r, kind=RequestEvent.Kind.RETRIED).count() == 1
    assert len(_receipts("not.yet@example.com")) == 1
    assert "was erased already" in RequestEvent.objects.get(request=erased, kind="executed").note
    # The export was queued again, and built: the requester has the link.
    assert export.status == Status.COMPLETED and RequestEvent.objects.filter(request=export, kind="export_ready")
    assert fresh.status == Status.IN_PROGRESS and verified.status == Status.AWAITING_APPROVAL


def test_carry_out_again_needs_the_permission_to_decide(compliance_client):
    stuck = _in_progress(minutes_ago=120)
    compliance_client.post(LIST, {"action": "carry_out_again", "_selected_action": [stuck.pk], "post": "yes"})
    stuck.refresh_from_db()
    assert stuck.status == Status.IN_PROGRESS
    assert DataSubject.objects.get(pk=stuck.subject_id).state == DataSubject.State.ACTIVE


def test_approving_a_request_being_carried_out_says_so(dpo_client):
    fresh = _in_progress(minutes_ago=1)
    response = dpo_client.post(LIST, {"action": "approve_and_execute", "_selected_action": [fresh.pk], "post": "yes"})
    [said] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "This request is being carried out. If it is still in progress 60 minutes after it was taken" in said
    stuck = _in_progress(minutes_ago=61)
    dpo_client.post(LIST, {"action": "approve_and_execute", "_selected_action": [stuck.pk], "post": "yes"})
    stuck.refresh_from_db()
    assert stuck.status == Status.COMPLETED


def test_a_redelivered_task_takes_its_request_again_at_once(django_capture_on_commit_callbacks):
    request = _in_progress(minutes_ago=0, email="redelivered@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.execute(request.pk) is True
    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert DataSubject.objects.get(pk=request.subject_id).state == DataSubject.State.ERASED
    assert len(_receipts("redelivered@example.com")) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.execute(request.pk) is False  # done: a further delivery changes nothing
    assert ErasureRecord.objects.filter(subject_id=request.subject_id).count() == 1
    assert len(_receipts("redelivered@example.com")) == 1


def test_the_beat_carries_out_again_only_stuck_requests(django_capture_on_commit_callbacks):
    stuck = _erased_already(_in_progress(minutes_ago=61))
    restriction = _in_progress(RequestType.RESTRICTION, minutes_ago=None)
    fresh = _in_progress(minutes_ago=30)
    rectification = _in_progress(RequestType.RECTIFICATION, minutes_ago=600)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.execution_resume() == 2

    for r in (stuck, restriction, fresh, rectification):
        r.refresh_from_db()
    assert stuck.status == restriction.status == Status.COMPLETED
    assert ErasureRecord.objects.filter(subject_id=stuck.subject_id).count() == 1
    assert DataSubject.objects.get(pk=restriction.subject_id).state == DataSubject.State.RESTRICTED
    assert fresh.status == rectification.status == Status.IN_PROGRESS
    assert DataSubject.objects.get(pk=fresh.subject_id).state == DataSubject.State.ACTIVE
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.execution_resume() == 0


def test_the_beat_runs_the_resume_every_quarter_hour():
    entry = app.conf.beat_schedule["rights-execution-resume"]
    assert entry["task"] == "rights.execution_resume" == tasks.execution_resume.name
    assert entry["schedule"].minute == {0, 15, 30, 45}
    assert "args" not in entry and "kwargs" not in entry


def test_a_bad_stale_after_stops_start_up(tmp_path):
    from tests.test_settings_and_deploy import _run

    done = _run(["-c", "import privacy_registry.settings"], {"RIGHTS_EXECUTION_STALE_AFTER_MINUTES": "0"}, tmp_path)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "RIGHTS_EXECUTION_STALE_AFTER_MINUTES" in done.stderr
