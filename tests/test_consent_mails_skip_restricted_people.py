"""A restricted person (Art. 18: kept, excluded from every processing selection) is not mailed by consent: "Ask
again" does not select them, and neither the ask-again nor the double opt-in confirmation task mails them, also when
they were restricted after the mail was enqueued. Their consent can still be withdrawn (a right, not processing)."""
from __future__ import annotations

import pytest
from django.core import mail

from consent import services, tasks
from consent.models import ConsentRecord, Method
from subjects.models import DataSubject
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    sent: list[tuple] = []
    monkeypatch.setattr(services, "enqueue", lambda name, *args: sent.append((name, *args)))
    return sent


def _restrict(subject: DataSubject) -> None:
    DataSubject.objects.filter(pk=subject.pk).update(state=DataSubject.State.RESTRICTED)


def _stale_consents():
    purpose = f.ConsentPurposeFactory()
    active, restricted = (f.DataSubjectFactory(organisation=purpose.organisation, language="en") for _ in range(2))
    records = [services.consent_give(purpose=purpose, subject=p, method=Method.FORM) for p in (active, restricted)]
    purpose.wording = "New words, asked again."
    services.purpose_save(purpose=purpose)
    _restrict(restricted)
    return records


def test_ask_again_in_the_admin_mails_the_active_person_and_not_the_restricted_one(
    dpo_client, enqueued, django_capture_on_commit_callbacks,
):
    active, restricted = _stale_consents()

    with django_capture_on_commit_callbacks(execute=True):
        dpo_client.post("/admin/consent/consentrecord/", {
            "action": "ask_again", "_selected_action": [active.pk, restricted.pk],
        })

    assert enqueued == [("ask_again_mail", active.pk)]


def test_the_ask_again_task_sends_nothing_to_a_person_restricted_after_it_was_enqueued():
    active, restricted = _stale_consents()

    assert tasks.ask_again_mail(restricted.pk) is False
    assert mail.outbox == []
    assert tasks.ask_again_mail(active.pk) is True
    assert [m.to for m in mail.outbox] == [[active.subject.email]]


def test_the_confirmation_mail_is_not_sent_to_a_restricted_person(django_capture_on_commit_callbacks):
    purpose = f.ConsentPurposeFactory(double_opt_in=True)
    subject = f.DataSubjectFactory(organisation=purpose.organisation, language="en")
    record = services.consent_give(purpose=purpose, subject=subject, method=Method.DOUBLE_OPT_IN)
    _restrict(subject)

    assert tasks.confirmation_mail(record.pk) is False
    assert mail.outbox == []


def test_a_restricted_persons_consent_can_still_be_withdrawn():
    _active, restricted = _stale_consents()

    assert services.consent_withdraw(record=restricted, method=Method.EMAIL_LINK) is True
    assert ConsentRecord.objects.get(pk=restricted.pk).state == ConsentRecord.State.WITHDRAWN
