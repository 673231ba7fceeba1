"""A change made in the admin leaves a history row naming who made it and why, and the history page shows
what changed (old value → new value), many-to-many choices included."""
from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from privacy_registry import models as m
from tests import factories as f
from tests.test_permission_matrix import change_form_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Staff users per test: the production hasher would make the module slow, not safer.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def activity():
    activity = f.ProcessingActivityFactory(name="Customer newsletter")
    f.PurposeFactory(activity=activity, description="Send the monthly newsletter")
    f.DataSourceFactory(activity=activity)
    f.RecipientFactory(activity=activity)
    f.TransferFactory(activity=activity)
    return activity


def _change_url(activity) -> str:
    return reverse("admin:privacy_registry_processingactivity_change", args=[activity.pk])


def _history_url(activity) -> str:
    return reverse("admin:privacy_registry_processingactivity_history", args=[activity.pk])


def _post_change(client, activity, **changes):
    data = change_form_post_data(client.get(_change_url(activity)))
    data.update(changes)
    response = client.post(_change_url(activity), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    return response


def test_changing_an_activity_records_the_acting_user_and_a_reason(compliance_client, activity):
    _post_change(compliance_client, activity, name_en="Customer newsletter (opt-in)")

    latest = activity.history.latest()
    assert latest.name == "Customer newsletter (opt-in)"
    assert latest.history_type == "~"
    assert latest.history_user == compliance_client.user
    assert latest.history_change_reason == "changed in admin"


def test_a_purpose_changed_in_its_inline_records_the_acting_user_and_a_reason(dpo_client, activity):
    purpose = activity.purposes.get()

    _post_change(dpo_client, activity, **{"purposes-0-description_en": "Send the newsletter to subscribers"})

    latest = purpose.history.latest()
    assert latest.description == "Send the newsletter to subscribers"
    assert latest.history_user == dpo_client.user
    assert latest.history_change_reason == "changed in admin"


def test_a_purpose_added_in_its_inline_records_the_acting_user_and_a_reason(dpo_client, activity):
    data = change_form_post_data(dpo_client.get(_change_url(activity)))
    data.update({
        "purposes-TOTAL_FORMS": "2",
        "purposes-1-description_en": "Measure newsletter opens",
        "purposes-1-legal_basis": m.LegalBasis.LEGITIMATE_INTERESTS,
        "purposes-1-order": "1",
        "purposes-1-activity": str(activity.pk),
    })

    response = dpo_client.post(_change_url(activity), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    added = m.Purpose.objects.get(description="Measure newsletter opens")
    assert added.history.get().history_user == dpo_client.user
    assert added.history.get().history_change_reason == "added in admin"


def test_a_purpose_deleted_in_its_inline_records_the_acting_user_and_a_reason(dpo_client, activity):
    purpose = activity.purposes.get()

    _post_change(dpo_client, activity, **{"purposes-0-DELETE": "on"})

    assert not m.Purpose.objects.filter(pk=purpose.pk).exists()
    deletion = purpose.history.latest()
    assert deletion.history_type == "-"
    assert deletion.history_user == dpo_client.user
    assert deletion.history_change_reason == "deleted in admin"


def test_the_history_page_shows_the_old_and_the_new_value(dpo_client, activity):
    _post_change(dpo_client, activity, name_en="Customer newsletter (opt-in)")

    page = dpo_client.get(_history_url(activity))

    assert page.status_code == 200
    newest = page.context["page_obj"][0]
    assert {"field": "Name", "old": "Customer newsletter", "new": "Customer newsletter (opt-in)"} in (
        newest.history_delta_changes
    )
    html = page.content.decode()
    assert "Customer newsletter &nbsp;&rarr;&nbsp;&nbsp;Customer newsletter (opt-in)" in " ".join(html.split())
    assert "changed in admin" in html
    assert dpo_client.user.username in html


def test_the_history_page_shows_many_to_many_changes_as_simple_history_would(dpo_client, activity):
    kept, dropped = f.PersonalDataCategoryFactory(name="Contact details"), f.PersonalDataCategoryFactory(name="IP")
    _post_change(dpo_client, activity, data_categories=[str(kept.pk), str(dropped.pk)])
    _post_change(dpo_client, activity, data_categories=[str(kept.pk)], organisation=str(f.OrganisationFactory().pk))
    dropped_pk = dropped.pk
    dropped.delete()  # an old version may name a choice that no longer exists

    page = dpo_client.get(_history_url(activity))

    assert page.status_code == 200
    shown = [getattr(record, "history_delta_changes", None) for record in page.context["page_obj"]]
    # simple-history's own diff of the same versions (two queries per many-to-many field and version).
    model_admin = admin.site._registry[m.ProcessingActivity]
    stock = list(model_admin.get_history_queryset(page.wsgi_request, m.ProcessingActivity.history, "id", activity.pk))
    SimpleHistoryAdmin.set_history_delta_changes(model_admin, page.wsgi_request, stock)
    assert shown == [getattr(record, "history_delta_changes", None) for record in stock]

    changes = [change for delta in shown if delta for change in delta]
    categories = [change for change in changes if change["field"] == "Categories of personal data"]
    deleted = f"Deleted personal data category (pk={dropped_pk})"
    assert any(c["old"] == "[]" and "Contact details" in c["new"] and deleted in c["new"] for c in categories)
    assert any(deleted in c["old"] and c["new"] == "[Contact details]" for c in categories)
    assert any(c["field"].startswith("Controller") for c in changes)  # the organisation, a foreign key


def test_reverting_to_a_version_records_the_dpo_and_a_reason(dpo_client, activity):
    first = activity.history.earliest()
    _post_change(dpo_client, activity, name_en="Customer newsletter (opt-in)")
    revert_url = reverse("admin:privacy_registry_processingactivity_simple_history", args=[activity.pk, first.pk])
    data = change_form_post_data(dpo_client.get(revert_url))

    response = dpo_client.post(revert_url, data)

    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.name == "Customer newsletter"
    latest = activity.history.latest()
    assert latest.history_user == dpo_client.user
    assert latest.history_change_reason == "changed in admin"
