"""Avara writes its policy in Swedish: after `load_demo` its register is in Swedish (its primary language) and in
Danish, so the notice the register generates reads in the visitor's language from end to end: no register text is
left untranslated (``demo.translations``)."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from consent import notice
from privacy_registry.models import Organisation
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
