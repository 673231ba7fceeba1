"""A person's ``__str__`` is a number, never their e-mail or name: it is copied into the admin's LogEntry
``object_repr``, into messages and into logs, none of which the erasure of a field would reach."""
from __future__ import annotations

import logging

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from subjects import services
from subjects.models import DataSubject
from tests import factories as f

pytestmark = pytest.mark.django_db

EMAIL = "Greta.Lind@Example.COM"


def _identifiers(subject: DataSubject) -> list[str]:
    return [subject.email.lower(), subject.first_name.lower(), subject.last_name.lower(), subject.phone]


def test_subject_engagement_and_system_record_print_numbers_only():
    record = f.SystemRecordFactory(subject__email=EMAIL, subject__first_name="Greta", subject__last_name="Lind")
    engagement = f.EngagementFactory(subject=record.subject)
    subject = record.subject
    assert str(subject) == f"Subject #{subject.pk}"
    texts = [str(subject), str(engagement), str(record), str(subject.history.first())]
    for text in texts:
        for identifier in [*_identifiers(subject), record.external_id.lower()]:
            assert identifier not in text.lower()


def test_admin_log_entry_of_a_new_subject_names_no_one(dpo_client):
    organisation = f.OrganisationFactory()
    response = dpo_client.post(reverse("admin:subjects_datasubject_add"), {
        "organisation": organisation.pk, "state": "active", "first_name": "Greta", "last_name": "Lind",
        "email": EMAIL, "phone": "+46 70 111 22 33",
        "engagements-TOTAL_FORMS": 0, "engagements-INITIAL_FORMS": 0,
        "system_records-TOTAL_FORMS": 0, "system_records-INITIAL_FORMS": 0,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    subject = DataSubject.objects.get()
    entry = LogEntry.objects.get(object_id=str(subject.pk))
    logged = f"{entry.object_repr} {entry.change_message}".lower()
    for identifier in _identifiers(subject):
        assert identifier not in logged
    assert entry.object_repr == f"Subject #{subject.pk}"


def test_service_logs_carry_ids_not_identities(caplog):
    organisation = f.OrganisationFactory()
    activity = f.ProcessingActivityFactory(organisation=organisation)
    with caplog.at_level(logging.INFO, logger="subjects"):
        subject = services.subject_create(organisation=organisation, email=EMAIL, first_name="Greta", last_name="Lind")
        services.engagement_record(subject=subject, activity=activity)
        services.suppression_add(subject=subject)
    assert caplog.records, "the services log what they do"
    logged = " ".join(r.getMessage() for r in caplog.records).lower()
    assert str(subject.pk) in logged
    for identifier in ["greta", "lind", EMAIL.lower()]:
        assert identifier not in logged
