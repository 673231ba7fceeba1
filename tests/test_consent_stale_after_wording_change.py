"""A purpose's new wording makes earlier consents stale: a filter in the admin shows them, and "Ask again" enqueues
one e-mail task per stale consent, with the record id only; confirming the new wording makes it current again."""
from __future__ import annotations

import pytest
from django.core import mail

from consent import selectors, services, tasks
from consent.models import ConsentRecord, Method
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    sent: list[tuple] = []
    monkeypatch.setattr(services, "enqueue", lambda name, *args: sent.append((name, *args)))
    return sent


def _two_consents():
    purpose = f.ConsentPurposeFactory()
    people = [f.DataSubjectFactory(organisation=purpose.organisation, language="en") for _ in range(2)]
    records = [services.consent_give(purpose=purpose, subject=p, method=Method.FORM) for p in people]
    return purpose, records


def test_a_new_wording_makes_earlier_consents_stale_and_a_new_version():
    purpose, records = _two_consents()
    assert not selectors.records_stale().exists()
    purpose.wording = "   I want the monthly newsletter  by e-mail. "  # re-wrapped: the same wording
    services.purpose_save(purpose=purpose)
    assert purpose.wording_version == 1 and not selectors.records_stale().exists()

    purpose.wording = "I want the weekly newsletter and partner offers by e-mail."
    services.purpose_save(purpose=purpose)

    assert purpose.wording_version == 2
    assert set(selectors.records_stale()) == set(records)
    assert all(ConsentRecord.objects.get(pk=r.pk).is_stale for r in records)
    # Stale is still recorded as given: shown as stale, not silently dropped.
    assert selectors.records_in_force(purpose=purpose).count() == 2


def test_the_admin_filter_lists_stale_consents(dpo_client):
    purpose, records = _two_consents()
    purpose.wording = "Changed words."
    services.purpose_save(purpose=purpose)
    fresh = services.consent_give(purpose=purpose, subject=f.DataSubjectFactory(organisation=purpose.organisation),
                                  method=Method.FORM)

    stale_page = dpo_client.get("/admin/consent/consentrecord/?stale=yes")
    current_page = dpo_client.get("/admin/consent/consentrecord/?stale=no")

    assert stale_page.status_code == 200
    assert set(stale_page.context["cl"].result_list) == set(records)
    assert list(current_page.context["cl"].result_list) == [fresh]


def test_ask_again_enqueues_one_task_per_stale_consent_with_ids_only(dpo_client, enqueued,
                                                                       django_capture_on_commit_callbacks):
    purpose, records = _two_consents()
    current = f.ConsentPurposeFactory(organisation=purpose.organisation)
    not_stale = services.consent_give(purpose=current, subject=records[0].subject, method=Method.FORM)
    purpose.wording = "Changed words."
    services.purpose_save(purpose=purpose)

    with django_capture_on_commit_callbacks(execute=True):
        response = dpo_client.post("/admin/consent/consentrecord/", {
            "action": "ask_again", "_selected_action": [r.pk for r in [*records, not_stale]],
        })

    assert response.status_code == 302
    assert sorted(enqueued) == sorted(("ask_again_mail", r.pk) for r in records)
    assert all(isinstance(arg, int) for _name, arg in enqueued)


def test_an_auditor_cannot_ask_again(auditor_client, enqueued, django_capture_on_commit_callbacks):
    purpose, records = _two_consents()
    purpose.wording = "Changed words."
    services.purpose_save(purpose=purpose)
    with django_capture_on_commit_callbacks(execute=True):
        auditor_client.post("/admin/consent/consentrecord/", {
            "action": "ask_again", "_selected_action": [r.pk for r in records],
        })
    assert enqueued == []


def test_the_ask_again_mail_shows_the_new_wording_and_confirming_makes_it_current(client):
    purpose, records = _two_consents()
    purpose.wording = "Weekly newsletter now."
    services.purpose_save(purpose=purpose)

    assert tasks.ask_again_mail(records[0].pk) is True

    message = mail.outbox[-1]
    assert "Weekly newsletter now." in message.body
    assert "List-Unsubscribe" in message.extra_headers
    confirm = next(word for word in message.body.split() if "/consent/confirm/" in word)
    client.post(confirm.split("127.0.0.1:8000", 1)[-1])
    record = ConsentRecord.objects.get(pk=records[0].pk)
    assert not record.is_stale and record.wording_version == 2
    assert tasks.ask_again_mail(records[0].pk) is False  # no longer stale: nothing to ask
