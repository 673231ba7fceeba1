"""Register texts carry their own translations (django-modeltranslation), and history keeps every language.

The fixed wording of the notice and exports is Django i18n; what the organisation writes (purposes, category names,
retention statements, cookie purposes…) is entered per language in the admin. A text not yet translated reads in
English, never empty. simple-history is attached after the language columns, so a history row, a diff and a revert
carry every language."""
from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from consent import notice
from privacy_registry import models as m
from privacy_registry.translated import HISTORY_AFTER_TRANSLATION
from tests import factories as f
from tests.test_permission_matrix import change_form_post_data

pytestmark = pytest.mark.django_db

# Every model whose texts are translated kept the history it had before (none may lose it to the registration).
TRANSLATED_WITH_HISTORY = {
    "privacy_registry.Organisation", "privacy_registry.CorporateGroup", "privacy_registry.StatedRight",
    "privacy_registry.DataSubjectCategory", "privacy_registry.PersonalDataCategory",
    "privacy_registry.ProcessingActivity", "privacy_registry.Purpose", "privacy_registry.DataSource",
    "privacy_registry.Recipient", "privacy_registry.Transfer", "consent.ConsentPurpose", "consent.Cookie",
    "privacy_registry.Vendor", "privacy_registry.PrivacyContact", "privacy_registry.Office",
    "privacy_registry.SecurityMeasure",
}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_every_translated_model_keeps_its_history_with_a_column_per_language():
    registered = {model._meta.label for model in HISTORY_AFTER_TRANSLATION}
    assert TRANSLATED_WITH_HISTORY <= registered
    for label in registered:
        model = apps.get_model(label)
        history_columns = {field.name for field in model.history.model._meta.fields}
        translated = [field for field in model._meta.fields if getattr(field, "translated_field", None)]
        assert translated, label
        assert {field.name for field in translated} <= history_columns, label
        # History rows repeat values: no language column of a history table is unique.
        assert not any(field.unique for field in model.history.model._meta.fields
                       if field.name in {t.name for t in translated}), label


def test_a_text_reads_in_the_active_language_and_in_english_until_translated():
    purpose = f.PurposeFactory(description="Send the monthly newsletter")
    purpose.description_sv = "Skicka nyhetsbrevet varje månad"
    purpose.save()
    purpose = m.Purpose.objects.get(pk=purpose.pk)

    with translation.override("sv"):
        assert purpose.description == "Skicka nyhetsbrevet varje månad"
    with translation.override("da"):
        assert purpose.description == "Send the monthly newsletter"  # not yet translated: English, never empty
    assert purpose.description == "Send the monthly newsletter"


def test_the_notice_speaks_the_register_texts_in_the_visitors_language():
    category = f.DataSubjectCategoryFactory(name="Newsletter subscribers")
    activity = f.ProcessingActivityFactory(name="Newsletter")
    activity.subject_categories.add(category)
    f.PurposeFactory(activity=activity, description="Send the monthly newsletter", legal_basis=m.LegalBasis.CONSENT)
    m.DataSubjectCategory.objects.filter(pk=category.pk).update(name_sv="Prenumeranter på nyhetsbrevet")
    m.ProcessingActivity.objects.filter(pk=activity.pk).update(name_sv="Nyhetsbrev", name_da="Nyhedsbrev")
    m.Purpose.objects.filter(activity=activity).update(description_sv="Skicka nyhetsbrevet varje månad")

    english, _ = notice.render(activity.organisation, "en")
    swedish, _ = notice.render(activity.organisation, "sv")
    danish, _ = notice.render(activity.organisation, "da")

    assert "Send the monthly newsletter" in english and "Skicka nyhetsbrevet" not in english
    assert "Skicka nyhetsbrevet varje månad" in swedish and "Send the monthly newsletter" not in swedish
    assert "Prenumeranter på nyhetsbrevet" in swedish and "### Nyhetsbrev" in swedish
    assert "### Nyhedsbrev" in danish
    assert "Send the monthly newsletter" in danish  # no Danish text yet: the English one, not a blank


def test_translations_are_entered_in_the_admin_and_the_history_keeps_every_language(dpo_client):
    activity = f.ProcessingActivityFactory(name="Newsletter")
    purpose = f.PurposeFactory(activity=activity, description="Send the monthly newsletter")
    url = reverse("admin:privacy_registry_processingactivity_change", args=[activity.pk])
    page = dpo_client.get(url)
    form_fields = set(page.context["adminform"].form.fields)
    assert {"name_en", "name_sv", "name_da", "description_en", "description_sv", "description_da"} <= form_fields
    assert "name" not in form_fields  # one box per language, never one whose language depends on the browser

    data = change_form_post_data(page)
    data.update({"name_sv": "Nyhetsbrev", "purposes-0-description_sv": "Skicka nyhetsbrevet varje månad",
                 "change_reason": "Swedish notice"})
    response = dpo_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]

    activity.refresh_from_db()
    assert (activity.name_en, activity.name_sv) == ("Newsletter", "Nyhetsbrev")
    latest = activity.history.latest()
    assert (latest.name_en, latest.name_sv, latest.history_change_reason) == ("Newsletter", "Nyhetsbrev",
                                                                              "Swedish notice")
    assert purpose.history.latest().description_sv == "Skicka nyhetsbrevet varje månad"


def test_security_measures_and_the_organisations_registration_and_law_take_a_box_per_language(dpo_client):
    organisation = f.OrganisationFactory(primary_language="sv", registry_details="Bolagsverket, 2001",
                                         applicable_law="Swedish Data Protection Act", lead_authority="IMY")
    url = reverse("admin:privacy_registry_organisation_change", args=[organisation.pk])
    page = dpo_client.get(url)
    form_fields = set(page.context["adminform"].form.fields)
    for field in ("registry_details", "applicable_law", "lead_authority"):
        assert {f"{field}_en", f"{field}_sv", f"{field}_da"} <= form_fields and field not in form_fields
    data = change_form_post_data(page)
    data.update({"applicable_law_sv": "Dataskyddslagen (2018:218)", "change_reason": "Swedish notice"})
    response = dpo_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    organisation.refresh_from_db()
    assert (organisation.applicable_law_en, organisation.applicable_law_sv) == (
        "Swedish Data Protection Act", "Dataskyddslagen (2018:218)")
    assert organisation.history.latest().applicable_law_sv == "Dataskyddslagen (2018:218)"

    # A security measure of a Swedish organisation is written in Swedish: its Swedish box is the one required.
    add = reverse("admin:privacy_registry_securitymeasure_add")
    page = dpo_client.get(add)
    assert {"name_en", "name_sv", "name_da", "description_en", "description_sv", "description_da"} <= set(
        page.context["adminform"].form.fields)
    response = dpo_client.post(add, {"organisation": organisation.pk, "kind": "technical",
                                     "name_sv": "Kryptering i vila", "description_sv": "Diskarna är krypterade."})
    assert response.status_code == 302, response.context and response.context["errors"]
    measure = m.SecurityMeasure.objects.get(organisation=organisation)
    assert (measure.name_en, measure.name_sv) in {(None, "Kryptering i vila"), ("", "Kryptering i vila")}
    assert measure.history.latest().name_sv == "Kryptering i vila"
    with translation.override("sv"):
        text, _html = notice.render(organisation, "sv")
    assert "Kryptering i vila: Diskarna är krypterade." in text


def test_a_revert_brings_back_every_language(dpo_client):
    activity = f.ProcessingActivityFactory(name="Newsletter")
    m.ProcessingActivity.objects.filter(pk=activity.pk).update(name_sv="Nyhetsbrev")
    activity.refresh_from_db()
    activity.save()  # a history row with both languages
    first = activity.history.latest()
    activity.name_en, activity.name_sv = "Newsletter (weekly)", "Veckobrev"
    activity.save()

    version_url = reverse("admin:privacy_registry_processingactivity_simple_history",
                          args=[activity.pk, first.history_id])
    data = change_form_post_data(dpo_client.get(version_url))
    response = dpo_client.post(version_url, data)
    assert response.status_code == 302

    activity.refresh_from_db()
    assert (activity.name_en, activity.name_sv) == ("Newsletter", "Nyhetsbrev")


def test_a_category_renamed_twice_in_swedish_keeps_both_history_rows():
    # The names are unique, their history is not: two rows with the same Swedish name must both be kept.
    category = f.DataSubjectCategoryFactory(name="Customers")
    category.name_sv = "Kunder"
    category.save()
    category.description = "Buyers"
    category.save()
    assert category.history.filter(name_sv="Kunder").count() == 2


def test_admin_search_finds_a_text_in_any_language_whatever_the_staff_members_language(dpo_client):
    translated = f.ProcessingActivityFactory(name="Newsletter")
    m.ProcessingActivity.objects.filter(pk=translated.pk).update(name_sv="Nyhetsbrev")
    untranslated = f.ProcessingActivityFactory(name="Newsletter archive")
    url = reverse("admin:privacy_registry_processingactivity_changelist")

    for language in ("en", "sv", "da"):
        dpo_client.cookies["django_language"] = language
        found = set(dpo_client.get(url, {"q": "Newsletter"}).context["cl"].result_list)
        assert found == {translated, untranslated}, language
        found = set(dpo_client.get(url, {"q": "Nyhetsbrev"}).context["cl"].result_list)
        assert found == {translated}, language


def test_the_demo_gives_avaras_notice_in_swedish_and_every_translation_names_a_demo_row():
    from django.core.management import call_command

    from privacy_registry.demo.translations import TRANSLATIONS, rows

    call_command("load_demo", verbosity=0)
    for (model, field, slug), texts in TRANSLATIONS.items():
        for english, languages in texts.items():
            found = list(rows(model, field, slug, english))
            assert found, (model.__name__, english)
            assert all(getattr(row, f"{field}_sv") == languages["sv"] for row in found)

    avara = m.Organisation.objects.get(slug="avara")
    swedish, _ = notice.render(avara, "sv")
    assert "### Försäljning, marknadsföring och kundvård" in swedish
    assert "Besvara förfrågningar" in swedish
    english, _ = notice.render(avara, "en")
    assert "### Sales, marketing and customer care" in english and "Försäljning" not in english


def test_the_notice_lists_activities_in_the_order_of_their_names_in_the_readers_language():
    organisation = f.OrganisationFactory()
    alpha = f.ProcessingActivityFactory(organisation=organisation, name="Alpha")
    beta = f.ProcessingActivityFactory(organisation=organisation, name="Beta")
    f.ProcessingActivityFactory(organisation=organisation, name="Camp")  # not translated: its English name
    m.ProcessingActivity.objects.filter(pk=alpha.pk).update(name_sv="Öppet")
    m.ProcessingActivity.objects.filter(pk=beta.pk).update(name_sv="Andra")

    def order(language):
        text, _ = notice.render(organisation, language)
        return [line[4:] for line in text.splitlines() if line.startswith("### ")]

    assert order("en") == ["Alpha", "Beta", "Camp"]
    assert order("sv") == ["Andra", "Camp", "Öppet"]


def test_register_checks_read_the_english_text_whatever_the_session_language():
    from privacy_registry.checks import run_checks

    children = f.DataSubjectCategoryFactory(name="Pupils", minimum_age=13, age_check="Checked at enrolment")
    activity = f.ProcessingActivityFactory(retention_statement="Kept for 2 years after the course")
    activity.subject_categories.add(children)
    bare = f.DataSubjectCategoryFactory(name="Toddlers", minimum_age=3)  # no age check in any language
    activity.subject_categories.add(bare)

    for language in ("en", "sv", "da"):
        with translation.override(language):
            codes = {(x.check_id, x.object_pk) for x in run_checks(organisation=activity.organisation)}
        # Not translated is not missing: the English age check and retention statement count in every session.
        assert ("R009", children.pk) not in codes, language
        assert ("R009", bare.pk) in codes, language
        assert ("R011", activity.pk) not in codes, language
