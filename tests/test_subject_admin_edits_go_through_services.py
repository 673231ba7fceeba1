"""The subject admin is a view: adds and changes go through the services (history says who and why), an
erased subject cannot be edited back, nobody deletes a subject around the erasure engine, and the
suppression list is read-only."""
from __future__ import annotations

import pytest
from django.urls import reverse

from subjects import services
from subjects.models import DataSubject, Suppression
from tests import factories as f

pytestmark = pytest.mark.django_db

INLINES = {
    "engagements-TOTAL_FORMS": 0, "engagements-INITIAL_FORMS": 0,
    "system_records-TOTAL_FORMS": 0, "system_records-INITIAL_FORMS": 0,
}


def _form(subject: DataSubject, **changes) -> dict:
    data = {
        "organisation": subject.organisation_id, "state": subject.state, "first_name": subject.first_name,
        "last_name": subject.last_name, "email": subject.email, "phone": subject.phone, "company": subject.company,
        "job_title": subject.job_title, "language": subject.language, **INLINES,
    }
    return {**data, **changes}


def test_a_change_in_the_admin_is_saved_by_the_service_with_a_reason(compliance_client):
    subject = f.DataSubjectFactory()
    category = f.DataSubjectCategoryFactory(name="Customer contact")
    activity = f.ProcessingActivityFactory(organisation=subject.organisation)
    response = compliance_client.post(
        reverse("admin:subjects_datasubject_change", args=[subject.pk]),
        # Not the state: restricting is the restrict permission's (test_restriction_has_its_own_permission.py).
        {**_form(subject, job_title="Head buyer", categories=[category.pk]), **INLINES,
         "engagements-TOTAL_FORMS": 1, "engagements-0-activity": activity.pk,
         "engagements-0-collected_on": "2025-01-02"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    subject.refresh_from_db()
    assert subject.job_title == "Head buyer"
    assert list(subject.categories.all()) == [category]
    latest = subject.history.first()
    assert latest.history_change_reason == "changed in admin" and latest.history_user == compliance_client.user
    engagement = subject.engagements.get()
    assert engagement.history.first().history_user == compliance_client.user


def test_changing_to_a_suppressed_email_in_the_admin_is_a_form_error(compliance_client):
    gone = f.DataSubjectFactory(email="gone@example.org")
    services.suppression_add(subject=gone)
    subject = f.DataSubjectFactory()
    response = compliance_client.post(
        reverse("admin:subjects_datasubject_change", args=[subject.pk]), _form(subject, email="GONE@example.org")
    )
    assert response.status_code == 200 and "suppression list" in response.content.decode()
    subject.refresh_from_db()
    assert subject.email != "gone@example.org"


def test_the_form_does_not_offer_erased_as_a_state(dpo_client):
    page = dpo_client.get(reverse("admin:subjects_datasubject_add")).content.decode()
    assert 'value="restricted"' in page and 'value="erased"' not in page


def test_an_erased_subject_cannot_be_edited(dpo_client):
    subject = f.DataSubjectFactory(state=DataSubject.State.ERASED, email="erased-1@invalid")
    url = reverse("admin:subjects_datasubject_change", args=[subject.pk])
    assert dpo_client.post(url, _form(subject, state="active")).status_code == 403
    subject.refresh_from_db()
    assert subject.state == DataSubject.State.ERASED


def test_nobody_deletes_a_subject_in_the_admin(superuser_client):
    subject = f.DataSubjectFactory()
    response = superuser_client.post(reverse("admin:subjects_datasubject_delete", args=[subject.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert DataSubject.objects.filter(pk=subject.pk).exists()


def test_the_suppression_list_is_read_only_and_searchable_by_address(dpo_client):
    subject = f.DataSubjectFactory(email="listed@example.org")
    services.suppression_add(subject=subject)
    entry = Suppression.objects.get(kind="email")
    assert dpo_client.get(reverse("admin:subjects_suppression_add")).status_code == 403
    delete_url = reverse("admin:subjects_suppression_delete", args=[entry.pk])
    assert dpo_client.post(delete_url, {"post": "yes"}).status_code == 403
    search = reverse("admin:subjects_suppression_search")  # posted: the address stays out of the URL
    found = dpo_client.post(search, {"q": "Listed@Example.org"}, follow=True)
    assert entry.digest[:12] in found.content.decode()
    missed = dpo_client.post(search, {"q": "someone-else@example.org"}, follow=True)
    assert entry.digest[:12] not in missed.content.decode()


def test_only_a_superuser_may_delete_a_suppression(superuser_client):
    subject = f.DataSubjectFactory()
    services.suppression_add(subject=subject)
    entry = Suppression.objects.get(kind="email")
    response = superuser_client.post(reverse("admin:subjects_suppression_delete", args=[entry.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Suppression.objects.filter(pk=entry.pk).exists()


def test_a_dpo_revert_from_history_goes_through_the_service(dpo_client):
    subject = f.DataSubjectFactory(email="old@example.org", city="Umeå")
    services.subject_update(subject=subject, changes={"email": "new@example.org", "city": "Luleå"})
    old = subject.history.earliest()
    url = reverse("admin:subjects_datasubject_simple_history", args=[subject.pk, old.history_id])
    response = dpo_client.post(url, _form(subject, email="old@example.org", city="Umeå"))
    assert response.status_code == 302, response.content.decode()[:3000]
    subject.refresh_from_db()
    assert (subject.email, subject.city) == ("old@example.org", "Umeå")
    assert subject.history.first().history_change_reason == "changed in admin"


def test_a_revert_to_a_since_suppressed_email_is_a_form_error(dpo_client):
    subject = f.DataSubjectFactory(email="old@example.org")
    old = subject.history.earliest()
    services.subject_update(subject=subject, changes={"email": "new@example.org"})
    services.suppression_add(subject=f.DataSubjectFactory(email="old@example.org"))
    url = reverse("admin:subjects_datasubject_simple_history", args=[subject.pk, old.history_id])
    response = dpo_client.post(url, _form(subject, email="old@example.org"))
    assert response.status_code == 200 and "suppression list" in response.content.decode()
    subject.refresh_from_db()
    assert subject.email == "new@example.org"


def test_an_erased_subject_cannot_be_reverted_from_history(dpo_client):
    subject = f.DataSubjectFactory(email="old@example.org")
    old = subject.history.earliest()
    DataSubject.objects.filter(pk=subject.pk).update(state=DataSubject.State.ERASED, email="erased-1@invalid")
    url = reverse("admin:subjects_datasubject_simple_history", args=[subject.pk, old.history_id])
    response = dpo_client.post(url, _form(subject, state="active"))
    assert response.status_code in {200, 403}
    subject.refresh_from_db()
    assert subject.state == DataSubject.State.ERASED and subject.email == "erased-1@invalid"
