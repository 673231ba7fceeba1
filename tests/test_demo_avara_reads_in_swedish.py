"""Avara writes its policy in Swedish: after `load_demo` its register is in Swedish (its primary language) and in
Danish, so the notice the register generates reads in the visitor's language from end to end: no register text is
left untranslated (``demo.translations``)."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from consent import notice
from privacy_registry.models import Organisation, SecurityMeasure
from retention.models import RetentionRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def avara() -> Organisation:
    call_command("load_demo", stdout=io.StringIO())
    return Organisation.objects.get(slug="avara")


def test_avaras_register_is_written_in_swedish(avara):
    assert avara.primary_language == "sv"


@pytest.mark.parametrize("language", ["sv", "da"])
def test_avaras_notice_has_no_register_text_left_untranslated(avara, language):
    untranslated = notice.preview(avara, language).untranslated
    assert untranslated == [], "\n".join(f"{text[:100]} ({source})" for text, _lang, source in untranslated)


@pytest.mark.parametrize("language", ["sv", "da"])
def test_avaras_registration_law_and_security_measures_are_in_each_language(avara, language):
    # Texts that once had no column per language: its registration, the law it applies, its security measures.
    for field in ("registry_details", "applicable_law"):
        assert getattr(avara, f"{field}_en") and getattr(avara, f"{field}_{language}"), field
    measures = SecurityMeasure.objects.filter(organisation=avara)
    assert measures.count() == 6
    for measure in measures:
        assert measure.name_en and getattr(measure, f"name_{language}"), measure.name_en
        if measure.description_en:
            assert getattr(measure, f"description_{language}"), measure.name_en
    text, _html = notice.render(avara, language)
    assert avara.registry_details_en not in text and getattr(avara, f"registry_details_{language}") in text
    for measure in measures:
        assert measure.name_en not in text
        assert getattr(measure, f"name_{language}") in text


def test_the_swedish_notice_states_the_registration_and_law_in_swedish(avara):
    text, _html = notice.render(avara, "sv")
    assert "Norskt organisationsnummer." in text and "Norwegian organisation number." not in text
    assert "Norges marknadsföringslag" in text and "Marketing Control Act" not in text
    assert "Årlig rensning av e-postlådor" in text and "Yearly mailbox clean-up" not in text


def test_rows_the_loaders_above_the_register_create_come_with_their_languages(avara):
    # The retention and consent loaders run after the register's: their rows get their languages as they are made.
    rule = RetentionRule.objects.get(activity__organisation=avara,
                                     statement_en="Deleted at once if consent is withdrawn.")
    assert rule.statement_sv == "Raderas genast om samtycket återkallas."
    assert rule.history.count() == 1  # written once, languages included


def test_a_second_load_changes_nothing(avara):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "rows_saved: 0" in out.getvalue()
