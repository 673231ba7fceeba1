"""`export_ropa --language sv|da` and the gap checks come out in Swedish and Danish, not English: every fixed
wording of the art30, ICO and DPC templates (titles, sheet names, cover labels, column headers) and every gap
message differs from its English rendering, unless the catalogue deliberately says the same (a name such as
"ICO" or "CSV"). The CNIL template is French whatever the language asked."""
from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from privacy_registry.exports.document import render_document
from privacy_registry.exports.record import build_record
from privacy_registry.exports.templates import TEMPLATES
from privacy_registry.selectors import register_findings
from tests.export_register import build_register

pytestmark = pytest.mark.django_db
LANGUAGES = ("sv", "da")


def _catalogue_says_the_same(language: str, text: str) -> bool:
    """The catalogue has the text as a message of its own (translated, possibly to the same words)."""
    catalogue = trans_real.translation(language)._catalog
    return text in catalogue and bool(catalogue[text])


def _fixed_wording(document) -> list[str]:
    texts = [document.title, document.template_name]
    texts += [label for label, _value in document.cover]
    for sheet in document.sheets:
        texts.append(sheet.title)
        texts += sheet.headers
    return texts


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", ["art30", "ico", "dpc"])
def test_export_has_no_untranslated_fixed_wording(template, language):
    register = build_register()
    record = build_record(organisation=register.nordlys)
    english = _fixed_wording(render_document(template=TEMPLATES[template], record=record, language="en"))
    translated = _fixed_wording(render_document(template=TEMPLATES[template], record=record, language=language))
    assert len(english) == len(translated)
    untranslated = [
        en for en, other in zip(english, translated, strict=True)
        if en == other and not _catalogue_says_the_same(language, en)
    ]
    assert untranslated == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_cnil_template_stays_french(language):
    register = build_register()
    record = build_record(organisation=register.nordlys)
    french = render_document(template=TEMPLATES["cnil"], record=record, language="fr")
    asked = render_document(template=TEMPLATES["cnil"], record=record, language=language)
    assert _fixed_wording(asked) == _fixed_wording(french)


def _key(finding) -> tuple:
    return (finding.check_id, finding.model_label, finding.object_pk)


@pytest.mark.parametrize("language", LANGUAGES)
def test_gap_messages_are_translated(language):
    register = build_register()
    with translation.override("en"):
        english = {_key(f): f.message for f in register_findings(organisation=register.nordlys)}
    with translation.override(language):
        translated = {_key(f): f.message for f in register_findings(organisation=register.nordlys)}
    assert english, "the export register has no gaps to translate"
    assert english.keys() == translated.keys()
    untranslated = [message for key, message in english.items() if translated[key] == message]
    assert untranslated == []
