"""Erase-now's confirmation names each subject by number with a masked name and e-mail (enough to recognise, not
to copy), and a subject's own page offers "Erase now" and "Restrict processing now" to the DPO (the list's
actions, with their confirmation and checks), never to Compliance staff or the Auditor."""
from __future__ import annotations

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from retention.models import ErasureRecord
from subjects.masking import mask_email, mask_name
from subjects.models import DataSubject
from tests import factories as f

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:subjects_datasubject_changelist")


def _change(subject) -> str:
    return reverse("admin:subjects_datasubject_change", args=[subject.pk])


@pytest.fixture
def alice():
    return f.DataSubjectFactory(first_name="Alice", last_name="Smithers", email="alice.smithers@example.com")


def test_masking_keeps_one_letter_a_word_and_the_top_level_domain():
    assert mask_name("Alice Smithers") == "A*** S***"
    assert mask_name("  Jean-Luc   van Damme ") == "J*** v*** D***"
    assert mask_name("") == "" and mask_name(None) == ""
    assert mask_email("alice.smithers@example.com") == "a***@e***.com"
    assert mask_email("x@mail.example.co.uk") == "x***@m***.uk"
    assert mask_email("erased-4@invalid") == "e***@i***"
    assert mask_email("") == "" and mask_email("not-an-address") == "n***"


@pytest.mark.parametrize("action", ["erase_now", "restrict_now"])
def test_the_confirmation_page_shows_masked_values_not_the_raw_ones(dpo_client, alice, action):
    page = dpo_client.post(CHANGELIST, {"action": action, helpers.ACTION_CHECKBOX_NAME: [alice.pk]})

    assert page.status_code == 200
    html = page.content.decode()
    assert f"Subject #{alice.pk}" in html
    assert "A*** S***" in html and "a***@e***.com" in html
    for raw in ("Alice", "Smithers", "alice.smithers", "example.com"):
        assert raw not in html
    assert DataSubject.objects.get(pk=alice.pk).state == DataSubject.State.ACTIVE  # nothing done yet


def _buttons(client, subject) -> set[str]:
    html = client.get(_change(subject)).content.decode()
    return {name for name in ("erase_now", "restrict_now") if f'id="subject-action-{name}"' in html}


def test_the_buttons_show_for_the_dpo(dpo_client, alice):
    assert _buttons(dpo_client, alice) == {"erase_now", "restrict_now"}


def test_a_restricted_subject_can_still_be_erased_not_restricted_again(dpo_client, alice):
    DataSubject.objects.filter(pk=alice.pk).update(state=DataSubject.State.RESTRICTED)
    assert _buttons(dpo_client, alice) == {"erase_now"}


def test_the_buttons_do_not_show_for_compliance_or_the_auditor(compliance_client, auditor_client, alice):
    assert _buttons(compliance_client, alice) == set()
    assert _buttons(auditor_client, alice) == set()


def test_erasing_from_the_subject_page_goes_through_the_engine(dpo_client, alice, enqueued):
    from_page = {"action": "erase_now", helpers.ACTION_CHECKBOX_NAME: alice.pk, "from_subject_page": "1"}

    confirmation = dpo_client.post(CHANGELIST, from_page)
    assert confirmation.status_code == 200 and 'name="from_subject_page"' in confirmation.content.decode()
    done = dpo_client.post(CHANGELIST, {**from_page, "post": "yes", "request_ref": "TICKET-7"})

    assert done.status_code == 302 and done["Location"] == _change(alice)
    subject = DataSubject.objects.get(pk=alice.pk)
    assert subject.state == DataSubject.State.ERASED and subject.email == f"erased-{alice.pk}@invalid"
    assert subject.first_name == "" and subject.last_name == ""
    record = ErasureRecord.objects.get(subject=alice)
    assert (record.action, record.reason, record.request_ref, record.actor) == (
        "erase", "admin", "TICKET-7", dpo_client.user,
    )
    assert _buttons(dpo_client, alice) == set()  # an erased subject has nothing left to act on


def test_restricting_from_the_subject_page_goes_through_the_engine(dpo_client, alice, enqueued):
    from_page = {"action": "restrict_now", helpers.ACTION_CHECKBOX_NAME: alice.pk, "from_subject_page": "1"}

    done = dpo_client.post(CHANGELIST, {**from_page, "post": "yes"})

    assert done.status_code == 302 and done["Location"] == _change(alice)
    subject = DataSubject.objects.get(pk=alice.pk)
    assert subject.state == DataSubject.State.RESTRICTED and subject.email == "alice.smithers@example.com"
    record = ErasureRecord.objects.get(subject=alice)
    assert (record.action, record.reason, record.actor) == ("restrict", "admin", dpo_client.user)


def test_restricting_a_held_subject_is_allowed_and_restricting_twice_does_nothing(dpo_client, alice, enqueued):
    f.LegalHoldFactory(subject=alice)
    data = {"action": "restrict_now", helpers.ACTION_CHECKBOX_NAME: alice.pk, "post": "yes"}

    dpo_client.post(CHANGELIST, data)
    dpo_client.post(CHANGELIST, data)

    assert DataSubject.objects.get(pk=alice.pk).state == DataSubject.State.RESTRICTED
    assert ErasureRecord.objects.filter(subject=alice, action="restrict").count() == 1


@pytest.mark.parametrize("action", ["erase_now", "restrict_now"])
def test_compliance_posting_the_page_actions_changes_nothing(compliance_client, alice, action):
    compliance_client.post(CHANGELIST, {
        "action": action, helpers.ACTION_CHECKBOX_NAME: alice.pk, "from_subject_page": "1", "post": "yes",
    })

    assert DataSubject.objects.get(pk=alice.pk).state == DataSubject.State.ACTIVE
    assert not ErasureRecord.objects.filter(subject=alice).exists()
