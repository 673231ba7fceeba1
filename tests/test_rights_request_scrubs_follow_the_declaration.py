"""Every scrub of a rights request leaves what the one personal-data declaration (subjects/personal_data.py, as
rights/apps.py declares the request) says, on the live row and on every historical row: the erasure of a person
(their unmatched requests with the same address lose it), the hourly purge of unverified requests and the nightly
minimisation of closed ones. No path writes scrub values of its own."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rights import services
from rights.models import RequestExport, RequestType, RightsRequest, Status
from subjects.personal_data import declaration_for
from tests.factories import DataSubjectFactory, RightsRequestFactory

pytestmark = pytest.mark.django_db

WORDS = {"details": "Please delete me, Anna Svensson", "response": "Dear Anna, done.",
         "extension_reason": "Anna's archive is large."}


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def _filled(**kwargs) -> RightsRequest:
    request = RightsRequestFactory(**kwargs)
    for name, value in WORDS.items():
        setattr(request, name, value)
    request.save()  # a historical row holding every value too
    RequestExport.objects.create(request=request, filename="x.zip", content=b"zip", sha256="0" * 64, size=3)
    return request


def _expected(request: RightsRequest) -> dict:
    declaration = declaration_for(RightsRequest)
    assert set(declaration.fields) >= {"email", *WORDS}  # what this test fills is what is declared
    return {
        name: scrub.python_value(getattr(request, name), pk=request.pk, purpose=declaration.purpose(name))
        for name, scrub in declaration.fields.items()
    }


def _assert_as_declared(request: RightsRequest, expected: dict) -> None:
    names = list(expected)
    live = RightsRequest.objects.filter(pk=request.pk).values(*names).get()
    assert live == expected
    history = list(RightsRequest.history.filter(id=request.pk).values(*names))
    assert len(history) >= 2
    assert all(row == expected for row in history), history
    assert not RequestExport.objects.filter(request=request).exists()  # declared: the row is deleted


def test_erasure_scrubs_the_persons_unmatched_requests_as_declared(django_capture_on_commit_callbacks):
    person = DataSubjectFactory(email="anna@example.com")
    unmatched = _filled(organisation=person.organisation, email="Anna@example.com", status=Status.EXPIRED)
    expected = _expected(unmatched)
    erasure = RightsRequestFactory(organisation=person.organisation, subject=person, email=person.email,
                                   type=RequestType.ERASURE, status=Status.AWAITING_APPROVAL,
                                   verified_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        services.request_approve_and_execute(request=erasure, actor=None)
    assert RightsRequest.objects.get(pk=erasure.pk).status == Status.COMPLETED
    _assert_as_declared(unmatched, expected)


def test_the_purge_of_unverified_requests_scrubs_as_declared():
    now = timezone.now()
    stale = _filled(received_at=now - timedelta(hours=200))
    expected = _expected(stale)
    assert services.requests_purge_unverified(now=now) == 1
    _assert_as_declared(stale, expected)


def test_the_minimisation_of_closed_requests_scrubs_as_declared(settings):
    settings.RIGHTS_MINIMISE_AFTER_DAYS = 30
    now = timezone.now()
    closed = _filled(status=Status.COMPLETED, closed_at=now - timedelta(days=31))
    expected = _expected(closed)
    assert services.requests_minimise(now=now) == 1
    _assert_as_declared(closed, expected)


def test_the_engine_erasing_a_subject_scrubs_their_request_the_same_way():
    from retention import engine
    from retention.models import ErasureRecord

    person = DataSubjectFactory()
    matched = _filled(organisation=person.organisation, subject=person, email=person.email,
                      status=Status.COMPLETED, closed_at=timezone.now())
    expected = _expected(matched)
    engine.subject_erase(subject=person, reason=ErasureRecord.Reason.ADMIN)
    _assert_as_declared(matched, expected)
