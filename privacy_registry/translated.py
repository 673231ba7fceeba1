"""Register texts in every language of the product: one place that makes a model's texts translatable.

Register texts (purposes, category names, retention statements…) are written by the organisation, so Django's
catalogues cannot translate them; django-modeltranslation gives each listed field a column per language
(``name_en``, ``name_sv``, ``name_da``). Reading ``obj.name`` gives the active language's text, falling back to
English, so the generated notice, the exports and the admin need no change to speak the visitor's language.

History: simple-history copies a model's fields when its history is attached. Attached in ``models.py`` it would
miss the language columns, which modeltranslation adds later, so a translated model attaches its history here,
after its translations (simple-history's documented way to work with modeltranslation). Each app's
``translation.py`` calls :func:`translated`; ``HISTORY_AFTER_TRANSLATION`` lists the models so that a check can
prove none lost its history.
"""
from __future__ import annotations

import simple_history
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from modeltranslation.settings import AVAILABLE_LANGUAGES, DEFAULT_LANGUAGE
from modeltranslation.translator import NotRegistered, TranslationOptions, translator
from modeltranslation.utils import build_localized_fieldname

HISTORY_AFTER_TRANSLATION: list[type[models.Model]] = []


def translated(model: type[models.Model], fields: tuple[str, ...], **history_options) -> None:
    """Make ``fields`` of ``model`` translatable, then attach its history (``history_options`` as for
    ``HistoricalRecords``)."""
    options = type(f"{model.__name__}TranslationOptions", (TranslationOptions,), {"fields": fields})
    translator.register(model, options)
    simple_history.register(model, **history_options)
    _plain_history_columns(model.history.model)
    HISTORY_AFTER_TRANSLATION.append(model)


def _plain_history_columns(historical: type[models.Model]) -> None:
    """History rows repeat values, so their columns are never unique. simple-history clears ``unique`` on the copies
    it makes, but a language column describes itself (to migrations) from the field it translates, unique included;
    as the plain field it stores, it describes itself as it is. (django-simple-history issue 1299.)"""
    for field in historical._meta.concrete_fields:
        original = getattr(field, "translated_field", None)
        if original is not None:
            field.__class__ = type(original)


def every_language(model: type[models.Model], lookups) -> tuple[str, ...]:
    """Search lookups with each translated text replaced by its column in every language ("name" becomes
    "name_en", "name_sv", "name_da"; "activity__name" likewise), so that a search finds a text whatever the
    searcher's language and whether or not it is translated yet. Lookups with a prefix (``^``, ``=``, ``@``)
    and other fields are kept as they are."""
    out: list[str] = []
    for lookup in lookups:
        path = lookup.split("__")
        current = model
        for name in path[:-1]:
            try:
                current = current._meta.get_field(name).related_model
            except FieldDoesNotExist:  # a lookup such as "__exact": leave it as it is
                current = None
            if current is None:
                break
        options = _translation_options(current) if current is not None else None
        if options is None or path[-1] not in options.fields:
            out.append(lookup)
            continue
        prefix = "__".join(path[:-1])
        out.extend(
            f"{prefix}__{build_localized_fieldname(path[-1], language)}" if prefix
            else build_localized_fieldname(path[-1], language)
            for language in AVAILABLE_LANGUAGES
        )
    return tuple(out)


def _translation_options(model):
    try:
        return translator.get_options_for_model(model)
    except NotRegistered:
        return None


class LanguageErrorsMixin:
    """For a ModelForm: a model's ``clean()`` that reports a translated text ("automated_logic") reports it on the
    form's box for the default language ("automated_logic_en"), since the form has no box of the plain name
    (without this Django would answer 500: "form has no field named …")."""

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            remapped: dict = {}
            for field, messages in errors.error_dict.items():
                localized = build_localized_fieldname(field, DEFAULT_LANGUAGE)
                if field not in self.fields and localized in self.fields:
                    field = localized
                remapped.setdefault(field, []).extend(messages)
            errors = ValidationError(remapped)
        super()._update_errors(errors)


def blank(field: str) -> models.Q:
    """A lookup for "this register text is empty", in the product's default language whatever the active one.

    A text's column per language is NULL until written (and '' once cleared), and a plain ``field=""`` lookup is
    turned into the active language's column: in a Swedish session it would call every untranslated text empty."""
    column = build_localized_fieldname(field.rsplit("__", 1)[-1], DEFAULT_LANGUAGE)
    path = f"{field.rsplit('__', 1)[0]}__{column}" if "__" in field else column
    return models.Q(**{path: ""}) | models.Q(**{f"{path}__isnull": True})


def text_in(obj: models.Model, field: str, language: str, primary: str = DEFAULT_LANGUAGE) -> tuple[str, str]:
    """(text, language it is written in) of a register text for a reader of ``language``.

    The reader's own column first, then the organisation's ``primary`` language (the one its register is written
    in), then the product's default language. ``("", language)`` when every column is empty. Unlike reading
    ``obj.field`` (modeltranslation's fallback) this says which language the text is in, so that a notice can mark
    an untranslated text (``lang="en"``) and name its source."""
    options = _translation_options(type(obj))
    if options is None or field not in options.fields:
        return (getattr(obj, field) or "", primary)
    for candidate in dict.fromkeys((language, primary, DEFAULT_LANGUAGE, *AVAILABLE_LANGUAGES)):
        value = getattr(obj, build_localized_fieldname(field, candidate), None)
        if value:
            return value, candidate
    return "", language
