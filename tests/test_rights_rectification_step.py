"""A rectification request (Art. 16) has its own step on the request's page: staff enter the corrected values of the
matched subject's personal data (the fields subjects declares personal), the subjects service applies them with a
change reason naming the request (not the values), the timeline names the fields corrected, and the request
completes. Invalid input is a form error, and nothing is written."""
from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from rights import selectors, services
from rights.models import RequestType, RightsRequest, Status
from subjects import services as subject_services
from subjects.models import DataSubject
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PUBLIC_BASE_URL = "https://privacy.example"


@pytest.fixture
def subject():
    return f.DataSubjectFactory(first_name="Karin", last_name="Nilson", email="karin@example.com")


@pytest.fixture
def rectification(subject) -> RightsRequest:
    return f.RightsRequestFactory(
        organisation=subject.organisation, subject=subject, email=subject.email, type=RequestType.RECTIFICATION,
        status=Status.IN_PROGRESS, verified_at=timezone.now(), details="My surname is Nilsson.",
    )


def _url(request) -> str:
    return reverse("admin:rights_rightsrequest_rectify", args=[request.pk])


def _values(subject, **changes) -> dict:
    data = {name: getattr(subject, name) or "" for name in selectors.rectifiable_fields() if name != "country"}
    data["country"] = subject.country_id or ""
    return {**data, **changes}


def _post(client, request, subject, capture, **changes):
    with capture(execute=True):
        return client.post(_url(request), _values(subject, **changes))


def test_the_fields_offered_are_the_subjects_declared_personal_data():
    fields = selectors.rectifiable_fields()
    assert {"first_name", "last_name", "email", "phone", "city"} <= set(fields)
    assert "state" not in fields and "language" not in fields  # declared not personal


def test_the_request_page_offers_the_step_for_a_rectification_only(dpo_client, rectification, subject):
    page = dpo_client.get(reverse("admin:rights_rightsrequest_change", args=[rectification.pk])).content.decode()
    erasure = f.RightsRequestFactory(organisation=subject.organisation, subject=subject, status=Status.IN_PROGRESS)
    other = dpo_client.get(reverse("admin:rights_rightsrequest_change", args=[erasure.pk])).content.decode()

    assert _url(rectification) in page
    assert _url(erasure) not in other


def test_the_form_shows_the_request_details_and_the_current_values(dpo_client, rectification):
    page = dpo_client.get(_url(rectification)).content.decode()

    assert "My surname is Nilsson." in page and 'value="Nilson"' in page


def test_correcting_applies_the_values_records_the_field_names_and_completes(
        dpo_client, rectification, subject, django_capture_on_commit_callbacks):
    response = _post(dpo_client, rectification, subject, django_capture_on_commit_callbacks, last_name="Nilsson")

    assert response.status_code == 302
    subject.refresh_from_db()
    rectification.refresh_from_db()
    assert subject.last_name == "Nilsson"
    assert rectification.status == Status.COMPLETED
    latest = subject.history.first()
    assert latest.history_change_reason == f"rectified (request #{rectification.pk})"
    assert latest.history_user == dpo_client.user
    assert rectification.events.get(kind="executed").note == "corrected: last_name"
    assert mail.outbox[-1].to == ["karin@example.com"]


def test_neither_the_timeline_nor_the_history_reason_holds_the_values(
        dpo_client, rectification, subject, django_capture_on_commit_callbacks):
    _post(dpo_client, rectification, subject, django_capture_on_commit_callbacks, last_name="Nilsson",
          city="Uppsala")

    notes = " ".join(rectification.events.values_list("note", flat=True))
    reasons = " ".join(r or "" for r in subject.history.values_list("history_change_reason", flat=True))
    assert "city" in notes and "last_name" in notes
    for value in ("Nilsson", "Uppsala"):
        assert value not in notes and value not in reasons


def test_invalid_input_is_a_form_error_and_nothing_is_written(dpo_client, rectification, subject,
                                                              django_capture_on_commit_callbacks):
    before = subject.history.count()

    response = _post(dpo_client, rectification, subject, django_capture_on_commit_callbacks,
                     last_name="Nilsson", email="not an address")

    assert response.status_code == 200 and response.context["form"].errors["email"]
    assert DataSubject.objects.get(pk=subject.pk).last_name == "Nilson"
    assert subject.history.count() == before
    assert RightsRequest.objects.get(pk=rectification.pk).status == Status.IN_PROGRESS
    assert not rectification.events.filter(kind="executed").exists()


def test_a_refusal_by_the_subjects_service_is_a_form_error_and_nothing_is_written(
        dpo_client, rectification, subject, django_capture_on_commit_callbacks):
    gone = f.DataSubjectFactory(email="gone@example.org")
    subject_services.suppression_add(subject=gone)

    response = _post(dpo_client, rectification, subject, django_capture_on_commit_callbacks,
                     last_name="Nilsson", email="gone@example.org")

    assert response.status_code == 200 and "suppression list" in response.content.decode()
    subject.refresh_from_db()
    assert (subject.last_name, subject.email) == ("Nilson", "karin@example.com")
    assert RightsRequest.objects.get(pk=rectification.pk).status == Status.IN_PROGRESS


def test_nothing_changed_is_a_form_error(dpo_client, rectification, subject, django_capture_on_commit_callbacks):
    response = _post(dpo_client, rectification, subject, django_capture_on_commit_callbacks)

    assert response.status_code == 200 and "Nothing to correct" in response.content.decode()
    assert RightsRequest.objects.get(pk=rectification.pk).status == Status.IN_PROGRESS


def test_the_auditor_cannot_rectify(auditor_client, rectification, subject, django_capture_on_commit_callbacks):
    response = _post(auditor_client, rectification, subject, django_capture_on_commit_callbacks,
                     last_name="Nilsson")

    assert response.status_code == 403
    assert DataSubject.objects.get(pk=subject.pk).last_name == "Nilson"


def test_compliance_staff_rectify(compliance_client, rectification, subject, django_capture_on_commit_callbacks):
    _post(compliance_client, rectification, subject, django_capture_on_commit_callbacks, last_name="Nilsson")

    assert DataSubject.objects.get(pk=subject.pk).last_name == "Nilsson"


def test_a_request_not_yet_verified_is_not_rectified(dpo_client, rectification, subject,
                                                     django_capture_on_commit_callbacks):
    RightsRequest.objects.filter(pk=rectification.pk).update(status=Status.AWAITING_VERIFICATION)

    _post(dpo_client, rectification, subject, django_capture_on_commit_callbacks, last_name="Nilsson")

    assert DataSubject.objects.get(pk=subject.pk).last_name == "Nilson"


def test_the_service_refuses_a_field_that_is_not_declared_personal(rectification):
    with pytest.raises(ValidationError, match="not the person's data"):
        services.request_rectify(request=rectification, changes={"state": "restricted"}, actor=f.UserFactory())

    assert DataSubject.objects.get(pk=rectification.subject_id).state == DataSubject.State.ACTIVE
