"""The Swedish and Danish notices carry no untranslated fixed wording, for each demo organisation and for a register
that reaches every part of the notice. Two checks together, the way the exports' test does it (against the
catalogues, not against fixed strings):

- every fixed word of the notice goes through Django's translation (each ``gettext`` result is marked while the
  notice is built; what is left outside the marks is register text, punctuation and numbers, nothing else), and
- every message the notice (and its completeness report, which the DPO's preview shows) uses has a Swedish and a
  Danish entry in the catalogues.

``AWAITING_TRANSLATION`` lists the messages added since the catalogues were last translated; the last test fails
once both catalogues carry one, so the list only shrinks."""
from __future__ import annotations

import io
import re
from contextlib import contextmanager
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.utils import translation
from django.utils.translation import trans_real

from consent import notice
from consent.completeness import completeness
from privacy_registry.models import DataSource, LegalBasis, Organisation
from tests import factories as f
from tests.notice_register import build_notice_register

pytestmark = pytest.mark.django_db

LANGUAGES = ("sv", "da")
DEMO = ("antura", "antara", "avara")

# Messages added since the catalogues were last translated; the owner translates them (sv, da) and empties this list.
AWAITING_TRANSLATION: frozenset[str] = frozenset()

OPEN, CLOSE = "\u27e6", "\u27e7"  # ⟦ ⟧ do not occur in register texts or messages


@contextmanager
def _gettext_wrapped(wrap):
    """Every gettext call (direct, or through a lazy label) passes its result through ``wrap(message, result)``."""
    real = translation._trans.gettext
    with mock.patch.object(translation._trans, "gettext", lambda message: wrap(message, real(message))):
        yield


def _gappy_organisation() -> Organisation:
    """An organisation whose register leaves out what the full one states, for the completeness report's messages."""
    org = f.OrganisationFactory(name="Gappy AB", slug="gappy", country=None)
    activity = f.ProcessingActivityFactory(organisation=org, name="Orders", automated_decision_making=True)
    activity.joint_controllers.add(f.OrganisationFactory(name="Partner AB", country=None))
    f.DataSourceFactory(activity=activity, kind=DataSource.Kind.SUBJECT)
    f.PurposeFactory(activity=activity, description="Deliver", provision_requirement="contractual")
    f.PurposeFactory(activity=activity, description="Sell", legal_basis=LegalBasis.LEGITIMATE_INTERESTS)
    f.StatedRightFactory(organisation=org, right="access")
    return org


def _organisations() -> list[Organisation]:
    call_command("load_demo", stdout=io.StringIO())
    build_notice_register()
    _gappy_organisation()
    return list(Organisation.objects.filter(slug__in=[*DEMO, "fjord", "gappy"]).order_by("slug"))


def _catalogue(language: str):
    return trans_real.translation(language)._catalog


def _register_texts() -> list[str]:
    """Every text value held in the register, retention and consent tables (not choice codes), longest first."""
    texts: set[str] = set()
    for label in ("privacy_registry", "retention", "consent"):
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            names = [field.name for field in model._meta.concrete_fields
                     if isinstance(field, models.CharField | models.TextField) and not field.choices]
            for row in model.objects.values_list(*names) if names else ():
                # The cookie table drops a sentence's final full stop.
                texts.update(text for value in row if value for text in (value, value.rstrip(". ")) if text)
    return sorted(texts, key=len, reverse=True)


def test_every_fixed_word_of_the_notice_goes_through_translation():
    organisations = _organisations()
    register_texts = _register_texts()
    innermost = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
    with _gettext_wrapped(lambda message, result: f"{OPEN}{result}{CLOSE}"), translation.override("en"):
        blocks = [block for org in organisations for block in notice.build_blocks(org)]
    left_over = set()
    # A table's header and cells are checked as any other text.
    texts = [text for block in blocks for text in (block.text, *block.header, *(c for row in block.rows for c in row))]
    assert any(block.kind == "table" for block in blocks)
    for original in texts:
        text = original
        while innermost.search(text):
            text = innermost.sub(" ", text)
        for register_text in register_texts:
            text = text.replace(register_text, " ")
        if not re.fullmatch(r"[\W\d_]*", text):
            left_over.add((original, text.strip()))
    assert not left_over


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_of_the_notice_has_a_translation(language):
    organisations = _organisations()
    used: set[str] = set()

    def record(message, result):
        used.add(message)
        return result

    with _gettext_wrapped(record), translation.override("en"):
        for org in organisations:
            notice.build_blocks(org)
            completeness(org)
    assert len(used) > 100  # the five registers reach most of the notice and its completeness report
    catalogue = _catalogue(language)
    untranslated = {message for message in used if not catalogue.get(message)} - AWAITING_TRANSLATION
    assert not untranslated
    # The messages still awaiting a translation are all ones the notice uses: the list holds no stale entry.
    assert AWAITING_TRANSLATION <= used


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_notice_says_in_swedish_and_danish_what_the_catalogue_says(language):
    """The rendered notice uses the catalogue: a fixed heading comes out as the catalogue's translation."""
    register = build_notice_register()
    text, _html = notice.render(register.org, language)
    with translation.override(language):
        heading = translation.gettext("Your right to complain")
    assert heading != "Your right to complain" and f"## {heading}" in text.splitlines()


def test_the_messages_awaiting_translation_are_still_missing_from_a_catalogue():
    translated = [message for message in AWAITING_TRANSLATION
                  if all(_catalogue(language).get(message) for language in LANGUAGES)]
    assert not translated, "translated now: remove them from AWAITING_TRANSLATION"
