"""An organisation writes its register in its own language (Organisation.primary_language).

A Danish DPO enters a Danish organisation through the admin in Danish only: each text the register requires is
required in Danish, never in English. A reader whose language has no text reads the organisation's; an
English-primary organisation still requires English."""
from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from consent import notice
from privacy_registry import models as m
from privacy_registry.checks import run_checks
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _post_add(client, app_model: str, values: dict, inline_rows: dict[str, list[dict]] | None = None):
    """POST the admin's add form as a browser would (its initial values, the inlines' rows), then the response."""
    url = f"/admin/{app_model}/add/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data: dict = {}
    for name in form.fields:
        value = form[name].value()
        if value in (None, False, "", []):
            continue
        data[name] = "on" if value is True else ([str(v) for v in value] if isinstance(value, list) else value)
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        rows = (inline_rows or {}).get(prefix, [])
        data.update({f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0",
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
        for index, row in enumerate(rows):
            data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    data.update(values)
    return client.post(url, data)


def _saved(response) -> None:
    if response.status_code != 302:
        errors = response.context["adminform"].form.errors
        inline_errors = [i.formset.errors for i in response.context["inline_admin_formsets"]]
        pytest.fail(f"not saved: {errors} {inline_errors}")


def _errors(response) -> dict:
    assert response.status_code == 200, "saved, but should have been refused"
    errors = dict(response.context["adminform"].form.errors)
    for inline in response.context["inline_admin_formsets"]:
        for index, row in enumerate(inline.formset.errors):
            errors.update({f"{inline.formset.prefix}-{index}-{name}": e for name, e in row.items()})
    return errors


def _enter_danish_organisation(client) -> m.Organisation:
    _saved(_post_add(client, "privacy_registry/organisation", {
        "name": "Fjord ApS", "slug": "fjord", "primary_language": "da",
        "scope_exclusions_da": "Denne politik dækker ikke medarbejdere.",
    }, inline_rows={
        "offices": [{"name_da": "Hovedkontoret i Aarhus", "is_headquarters": "on", "city": "Aarhus"}],
        "contacts": [{"role": m.PrivacyContact.Role.DPO, "name_da": "Databeskyttelsesrådgiver",
                      "email": "dpo@fjord.example"}],
    }))
    organisation = m.Organisation.objects.get(slug="fjord")
    _saved(_post_add(client, "privacy_registry/datasubjectcategory", {
        "name_da": "Abonnenter på nyhedsbrevet", "organisation": organisation.pk,
    }))
    category = m.DataSubjectCategory.objects.get(name_da="Abonnenter på nyhedsbrevet")
    _saved(_post_add(client, "privacy_registry/processingactivity", {
        "organisation": organisation.pk, "name_da": "Nyhedsbrev", "status": m.ProcessingActivity.Status.ACTIVE,
        "retention_statement_da": "Indtil du afmelder dig", "subject_categories": [str(category.pk)],
    }, inline_rows={"purposes": [{
        "description_da": "Sende det månedlige nyhedsbrev", "legal_basis": m.LegalBasis.CONSENT, "order": "0",
    }]}))
    _saved(_post_add(client, "consent/cookie", {
        "organisation": organisation.pk, "name": "_fjord_stats", "category": "statistics",
        "purpose_da": "Tæller besøg på siden", "retention_da": "13 måneder", "party": "first",
    }))
    return organisation


def test_a_danish_organisation_is_entered_in_danish_only_and_no_english_is_asked(dpo_client):
    organisation = _enter_danish_organisation(dpo_client)

    activity = m.ProcessingActivity.objects.get(organisation=organisation)
    purpose = activity.purposes.get()
    office = organisation.offices.get()
    assert (activity.name_da, activity.name_en) == ("Nyhedsbrev", None)
    assert (purpose.description_da, purpose.description_en) == ("Sende det månedlige nyhedsbrev", None)
    assert (office.name_da, office.name_en) == ("Hovedkontoret i Aarhus", None)
    assert not organisation.cookies.get().purpose_en
    assert activity.history.latest().name_da == "Nyhedsbrev"

    # The change form asks for Danish, the organisation's language: its box is the required one.
    page = dpo_client.get(reverse("admin:privacy_registry_processingactivity_change", args=[activity.pk]))
    form = page.context["adminform"].form
    assert form.fields["name_da"].required and not form.fields["name_en"].required
    purposes = next(i.formset for i in page.context["inline_admin_formsets"] if i.formset.prefix == "purposes")
    assert purposes.forms[0].fields["description_da"].required
    assert not purposes.forms[0].fields["description_en"].required
    assert purposes.empty_form.fields["description_da"].required


def test_a_danish_text_left_empty_is_asked_for_in_danish(dpo_client):
    organisation = f.OrganisationFactory(primary_language="da")
    response = _post_add(dpo_client, "privacy_registry/processingactivity", {
        "organisation": organisation.pk, "name_en": "Newsletter", "status": m.ProcessingActivity.Status.ACTIVE,
    }, inline_rows={"purposes": [{"description_en": "Send it", "order": "0"}]})
    errors = _errors(response)
    assert "name_da" in errors and "name_en" not in errors
    assert "purposes-0-description_da" in errors
    assert not m.ProcessingActivity.objects.exists()


def test_an_english_organisation_still_requires_english(dpo_client):
    organisation = f.OrganisationFactory()
    assert organisation.primary_language == "en"
    response = _post_add(dpo_client, "privacy_registry/processingactivity", {
        "organisation": organisation.pk, "name_da": "Nyhedsbrev", "status": m.ProcessingActivity.Status.ACTIVE,
    }, inline_rows={"purposes": [{"description_da": "Sende nyhedsbrevet", "order": "0"}]})
    errors = _errors(response)
    assert "name_en" in errors and "name_da" not in errors
    assert "purposes-0-description_en" in errors
    assert not m.ProcessingActivity.objects.exists()

    response = _post_add(dpo_client, "privacy_registry/organisation", {"name": "Plain Ltd", "slug": "plain"},
                         inline_rows={"offices": [{"name_sv": "Huvudkontoret"}]})
    assert "offices-0-name_en" in _errors(response)


def test_a_swedish_reader_reads_a_danish_only_register_in_danish(dpo_client):
    organisation = _enter_danish_organisation(dpo_client)

    swedish, _html = notice.render(organisation, "sv")
    assert "### Nyhedsbrev" in swedish
    assert "Sende det månedlige nyhedsbrev" in swedish
    assert "Abonnenter på nyhedsbrevet" in swedish
    assert "Hovedkontoret i Aarhus" in swedish
    assert "Tæller besøg på siden" in swedish
    english, _html = notice.render(organisation, "en")
    assert "### Nyhedsbrev" in english  # no English written: the Danish, never an empty heading


def test_a_danish_only_object_reads_in_danish_in_every_session_and_in_admin_lists(dpo_client):
    organisation = _enter_danish_organisation(dpo_client)
    activity = m.ProcessingActivity.objects.get(organisation=organisation)
    for language in ("en", "sv", "da"):
        with translation.override(language):
            assert str(activity) == "Nyhedsbrev", language
            assert str(activity.purposes.get()) == "Sende det månedlige nyhedsbrev", language
            assert "Hovedkontoret i Aarhus" in str(organisation.offices.get()), language

    dpo_client.cookies["django_language"] = "en"
    page = dpo_client.get(reverse("admin:privacy_registry_processingactivity_changelist"))
    assert "Nyhedsbrev" in page.content.decode()


def test_a_row_written_only_in_its_organisations_language_passes_full_clean():
    organisation = f.OrganisationFactory(primary_language="sv")
    activity = m.ProcessingActivity(organisation=organisation, name_sv="Nyhetsbrev")
    purpose = m.Purpose(activity=activity, description_sv="Skicka nyhetsbrevet")
    with translation.override("en"):
        activity.full_clean()
        activity.save()
        purpose.activity = activity
        purpose.full_clean()
        purpose.save()
    assert m.Purpose.objects.get(pk=purpose.pk).description_sv == "Skicka nyhetsbrevet"


def test_a_category_shared_by_every_organisation_needs_its_name_in_one_language_any(dpo_client):
    _saved(_post_add(dpo_client, "privacy_registry/datasubjectcategory", {"name_sv": "Kunder"}))
    assert m.DataSubjectCategory.objects.get(name_sv="Kunder").name_en is None

    response = _post_add(dpo_client, "privacy_registry/datasubjectcategory", {"description_en": "No name"})
    assert "name_en" in _errors(response)
    assert m.DataSubjectCategory.objects.count() == 1


def test_a_models_own_check_is_reported_on_the_organisations_language_box(dpo_client):
    organisation = f.OrganisationFactory(primary_language="da")
    response = _post_add(dpo_client, "privacy_registry/processingactivity", {
        "organisation": organisation.pk, "name_da": "Kreditvurdering", "automated_decision_making": "true",
        "status": m.ProcessingActivity.Status.ACTIVE,
    })
    assert "automated_logic_da" in _errors(response)


def test_a_text_written_only_in_danish_is_not_missing_for_the_register_checks():
    organisation = f.OrganisationFactory(primary_language="da")
    written = f.ProcessingActivityFactory(organisation=organisation, name="x", retention_statement="")
    m.ProcessingActivity.objects.filter(pk=written.pk).update(
        name_en=None, retention_statement_en=None, retention_statement_da="I to år")
    silent = f.ProcessingActivityFactory(organisation=organisation, retention_statement="")

    codes = {(x.check_id, x.object_pk) for x in run_checks(organisation=organisation)}
    assert ("R011", written.pk) not in codes
    assert ("R011", silent.pk) in codes


def test_every_translated_model_names_its_way_to_the_organisation_whose_language_it_is_written_in():
    from privacy_registry.translated import HISTORY_AFTER_TRANSLATION, ORGANISATION_PATHS

    belongs_to_no_organisation = {"privacy_registry.CorporateGroup"}  # a group of organisations
    for model in HISTORY_AFTER_TRANSLATION:
        label = model._meta.label
        if label in belongs_to_no_organisation:
            assert model not in ORGANISATION_PATHS, label
            continue
        path = ORGANISATION_PATHS.get(model)
        assert path, f"{label}: translated(..., organisation=...) names no path"
        target = model
        if path != "self":
            for name in path.split("__"):
                target = target._meta.get_field(name).related_model
        assert target is m.Organisation, label
