"""Adding a data subject whose e-mail the organisation already holds is refused with a link to the subject held
(the CSV import would have merged them), unless the user confirms that this is a second person."""
from __future__ import annotations

import pytest
from django.urls import reverse

from subjects.models import DataSubject
from tests import factories as f

pytestmark = pytest.mark.django_db

ADD = reverse("admin:subjects_datasubject_add")


def _data(organisation, **extra) -> dict:
    return {
        "organisation": organisation.pk, "state": "active", "first_name": "Anna", "last_name": "Berg",
        "email": "ANNA.berg@example.com",
        "engagements-TOTAL_FORMS": 0, "engagements-INITIAL_FORMS": 0,
        "system_records-TOTAL_FORMS": 0, "system_records-INITIAL_FORMS": 0,
        **extra,
    }


@pytest.fixture
def held():
    return f.DataSubjectFactory(email="anna.berg@example.com", first_name="Anna", last_name="Berg")


def test_the_add_form_refuses_an_email_held_and_links_to_that_subject(dpo_client, held):
    response = dpo_client.post(ADD, _data(held.organisation))

    assert response.status_code == 200
    assert DataSubject.objects.count() == 1
    errors = response.context["adminform"].form.errors["email"]
    assert [e.code for e in response.context["adminform"].form.errors.as_data()["email"]] == ["duplicate"]
    link = f'<a href="{reverse("admin:subjects_datasubject_change", args=[held.pk])}">Subject #{held.pk}</a>'
    assert link in errors[0]
    assert link in response.content.decode()  # rendered as a link, not escaped text


def test_confirming_a_second_person_creates_them(dpo_client, held):
    response = dpo_client.post(ADD, _data(held.organisation, create_duplicate="on"))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert DataSubject.objects.filter(organisation=held.organisation).count() == 2


def test_the_confirmation_checkbox_is_on_the_add_page_only(dpo_client, held):
    assert 'name="create_duplicate"' in dpo_client.get(ADD).content.decode()
    change = dpo_client.get(reverse("admin:subjects_datasubject_change", args=[held.pk])).content.decode()
    assert 'name="create_duplicate"' not in change


def test_the_same_email_in_another_organisation_is_a_different_record(dpo_client, held):
    response = dpo_client.post(ADD, _data(f.OrganisationFactory()))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert DataSubject.objects.count() == 2


def test_an_erased_subject_with_that_email_does_not_count(dpo_client, held):
    # An erased subject's address is a pseudonym; the suppression list (not this check) speaks for them.
    DataSubject.objects.filter(pk=held.pk).update(state=DataSubject.State.ERASED)

    response = dpo_client.post(ADD, _data(held.organisation))

    assert response.status_code == 302, response.content.decode()[:2000]
