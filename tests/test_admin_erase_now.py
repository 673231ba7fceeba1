"""The subject list's "Erase now" action: a confirmation page with the count (and who is held or already erased),
then one audited erasure per subject through the engine, reported with message_user. Held subjects are refused.
Offered to the DPO only."""
from __future__ import annotations

import pytest
from django.contrib.admin import helpers
from django.contrib.messages import get_messages
from django.urls import reverse

from retention import engine
from retention.models import ErasureRecord
from subjects.models import DataSubject
from tests import factories as f
from tests.retention_support import database_text, person_with_copies

pytestmark = pytest.mark.django_db

URL = reverse("admin:subjects_datasubject_changelist")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _post(client, subjects, **extra):
    return client.post(URL, {"action": "erase_now", helpers.ACTION_CHECKBOX_NAME: [s.pk for s in subjects], **extra})


def test_dpo_confirms_and_the_subjects_are_erased_except_the_held(dpo_client):
    person = person_with_copies()
    held = f.DataSubjectFactory()
    f.LegalHoldFactory(subject=held)
    gone = f.DataSubjectFactory()
    engine.subject_erase(subject=gone, reason=ErasureRecord.Reason.ADMIN)

    page = _post(dpo_client, [person.subject, held, gone])

    assert page.status_code == 200
    assert (page.context["to_erase"], page.context["held"], page.context["already_erased"]) == (1, 1, 1)
    content = page.content.decode()
    assert "1 subject will be erased now" in content and "under a legal hold" in content
    assert person.identifiers[0] not in content.lower()  # the page lists subjects by number
    assert DataSubject.objects.get(pk=person.subject.pk).state == DataSubject.State.ACTIVE  # nothing yet

    done = _post(dpo_client, [person.subject, held, gone], post="yes", request_ref="TICKET-881")

    assert done.status_code == 302
    messages = [str(m) for m in get_messages(done.wsgi_request)]
    assert "Erased 1 subject." in messages
    assert "1 subject is under a legal hold and was not erased." in messages
    assert "1 subject was already erased." in messages
    record = ErasureRecord.objects.get(subject=person.subject)
    assert (record.reason, record.request_ref, record.actor) == ("admin", "TICKET-881", dpo_client.user)
    assert DataSubject.objects.get(pk=held.pk).state == DataSubject.State.ACTIVE
    assert [value for value in person.identifiers if value in database_text()] == []
    assert DataSubject.history.filter(id=person.subject.pk).latest("history_id").history_user == dpo_client.user


def _actions(client) -> dict:
    form = client.get(URL).context["action_form"]  # None when no action is offered at all
    return dict(form.fields["action"].choices) if form is not None else {}


def test_the_action_is_offered_to_the_dpo(dpo_client):
    f.DataSubjectFactory()
    assert "erase_now" in _actions(dpo_client)


def test_the_action_is_not_offered_to_compliance_staff(compliance_client):
    subject = f.DataSubjectFactory()
    assert "erase_now" not in _actions(compliance_client)

    _post(compliance_client, [subject], post="yes")

    assert DataSubject.objects.get(pk=subject.pk).state == DataSubject.State.ACTIVE


def test_too_many_at_once_are_refused(dpo_client, monkeypatch):
    from retention import admin as retention_admin

    monkeypatch.setattr(retention_admin, "ERASE_NOW_LIMIT", 2)
    subjects = [f.DataSubjectFactory() for _ in range(3)]

    response = _post(dpo_client, subjects, post="yes")

    assert response.status_code == 302
    assert any("at most 2" in str(m) for m in get_messages(response.wsgi_request))
    assert not ErasureRecord.objects.exists()
