"""Register texts in every language of the product: one place that makes a model's texts translatable.

Register texts (purposes, category names, retention statements…) are written by the organisation, so Django's
catalogues cannot translate them; django-modeltranslation gives each listed field a column per language
(``name_en``, ``name_sv``, ``name_da``). Reading ``obj.name`` gives the active language's text, falling back to
the other languages (English first, settings ``MODELTRANSLATION_FALLBACK_LANGUAGES``), so the generated notice, the
exports and the admin need no change to speak the visitor's language, and a text written in Danish only never reads
empty. :func:`text_in` reads a text for a reader and says which language it is in (the reader's, else the
organisation's own).

The organisation's language: each organisation writes its register in its ``primary_language``. In the admin a text
the model requires (its field is not ``blank``) is required in that language's box only, the others optional
(:class:`LanguageFormMixin`, the form base of every admin form here, inlines included); an object reaches its
organisation by the path its ``translated(..., organisation=...)`` names. An object with no organisation (a
category shared by every organisation) needs the text in one language, any.

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
from django.forms.models import BaseInlineFormSet
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modeltranslation.settings import AVAILABLE_LANGUAGES, DEFAULT_LANGUAGE
from modeltranslation.translator import NotRegistered, TranslationOptions, translator
from modeltranslation.utils import build_localized_fieldname

HISTORY_AFTER_TRANSLATION: list[type[models.Model]] = []
# How an object of a translated model reaches the organisation whose register it belongs to: "self" (the
# organisation), a field ("organisation") or a path ("activity__organisation"). A model absent has none.
ORGANISATION_PATHS: dict[type[models.Model], str] = {}


def translated(model: type[models.Model], fields: tuple[str, ...], *, organisation: str | None = None,
               **history_options) -> None:
    """Make ``fields`` of ``model`` translatable, then attach its history (``history_options`` as for
    ``HistoricalRecords``). ``organisation``: the path from an object to its organisation (see
    ``ORGANISATION_PATHS``), whose primary language the admin requires its texts in."""
    options = type(f"{model.__name__}TranslationOptions", (TranslationOptions,), {"fields": fields})
    translator.register(model, options)
    simple_history.register(model, **history_options)
    _plain_history_columns(model.history.model)
    HISTORY_AFTER_TRANSLATION.append(model)
    if organisation is not None:
        ORGANISATION_PATHS[model] = organisation


def required_texts(model: type[models.Model]) -> tuple[str, ...]:
    """The translated fields the model requires (not ``blank``): required in one language, not in every one."""
    options = _translation_options(model)
    if options is None:
        return ()
    return tuple(name for name in options.fields if not model._meta.get_field(name).blank)


def _follow(obj, path: list[str]):
    """The object at the end of ``path`` (field names) from ``obj``, or None where a link is empty."""
    for name in path:
        if obj is None:
            return None
        field = obj._meta.get_field(name)
        if getattr(obj, field.attname, None) is None:
            return None
        obj = getattr(obj, name)
    return obj


def primary_language_of(obj: models.Model | None) -> str | None:
    """The primary language of the organisation ``obj`` belongs to (an organisation: its own), None when it belongs
    to none (a category shared by every organisation) or its organisation is not chosen yet."""
    if obj is None:
        return None
    path = ORGANISATION_PATHS.get(type(obj))
    if path is None:
        return None
    organisation = obj if path == "self" else _follow(obj, path.split("__"))
    language = getattr(organisation, "primary_language", None)
    return language if language in AVAILABLE_LANGUAGES else None


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


_UNKNOWN = object()


class LanguageFormMixin:
    """The form base of every admin form of a translated model (inline rows included): the organisation's language.

    - A text the model requires is required in the box of the organisation's primary language and optional in the
      others (django-modeltranslation requires the default language's box, English, whatever the organisation).
      The language is the one the form will save: a new organisation's own ``primary_language`` as posted; an
      object's organisation as posted (an activity chosen on the form), else as stored; an inline row's, its
      parent's (the formset passes it, see :class:`LanguageInlineFormSet`). No organisation: any one language.
    - A model's ``clean()`` that reports a translated text ("automated_logic") reports it on the box of that
      language ("automated_logic_da"), since the form has no box of the plain name (without this Django would
      answer 500: "form has no field named …")."""

    primary_language: str | None = None

    def __init__(self, *args, primary_language=_UNKNOWN, **kwargs):
        super().__init__(*args, **kwargs)
        if primary_language is _UNKNOWN:
            primary_language = self._primary_language_posted_or_stored()
        self.require_language(primary_language)

    def require_language(self, language: str | None) -> None:
        """Require the texts in ``language``'s box, no other (None: no box, but one of them in :meth:`clean`)."""
        self.primary_language = language
        for field in self._required_texts():
            for code in AVAILABLE_LANGUAGES:
                box = self.fields.get(build_localized_fieldname(field, code))
                if box is not None:
                    box.required = code == language

    def clean(self):
        cleaned = super().clean()
        if self.primary_language is None:
            for field in self._required_texts():
                boxes = [name for name in (build_localized_fieldname(field, code) for code in AVAILABLE_LANGUAGES)
                         if name in self.fields]
                if boxes and not any(cleaned.get(name) for name in boxes):
                    self.add_error(boxes[0], _("Write it in at least one language."))
        return cleaned

    def _required_texts(self) -> tuple[str, ...]:
        meta = getattr(self, "_meta", None)
        return required_texts(meta.model) if meta is not None and meta.model is not None else ()

    def _primary_language_posted_or_stored(self) -> str | None:
        meta = getattr(self, "_meta", None)
        path = ORGANISATION_PATHS.get(meta.model) if meta is not None else None
        if path is None:
            return None
        if path == "self":
            if self.is_bound and "primary_language" in self.fields:
                posted = self["primary_language"].data
                return posted if posted in AVAILABLE_LANGUAGES else None
            return primary_language_of(self.instance)
        first, *rest = path.split("__")
        if self.is_bound and first in self.fields:
            try:
                start = self.fields[first].clean(self[first].data)
            except ValidationError:
                return None
            organisation = _follow(start, rest) if rest else start
            language = getattr(organisation, "primary_language", None)
            return language if language in AVAILABLE_LANGUAGES else None
        return primary_language_of(self.instance)

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            language = self.primary_language or DEFAULT_LANGUAGE
            remapped: dict = {}
            for field, messages in errors.error_dict.items():
                localized = build_localized_fieldname(field, language)
                if field not in self.fields and localized in self.fields:
                    field = localized
                remapped.setdefault(field, []).extend(messages)
            errors = ValidationError(remapped)
        super()._update_errors(errors)



class LanguageInlineFormSet(BaseInlineFormSet):
    """Inline rows belong to their parent's organisation: each row's form requires its texts in the parent's
    primary language (the parent as the page will save it, e.g. a new organisation's chosen language)."""

    @cached_property
    def primary_language(self) -> str | None:
        return primary_language_of(self.instance)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if issubclass(self.form, LanguageFormMixin):
            kwargs.setdefault("primary_language", self.primary_language)
        return kwargs


def blank(field: str) -> models.Q:
    """A lookup for "this register text is empty": empty in every language, whatever the active one.

    A text's column per language is NULL until written (and '' once cleared), and a plain ``field=""`` lookup is
    turned into the active language's column: in a Swedish session it would call every untranslated text empty.
    A text written in the organisation's own language only (Danish) is not missing."""
    prefix, _sep, name = field.rpartition("__")
    empty = models.Q()
    for language in AVAILABLE_LANGUAGES:
        column = build_localized_fieldname(name, language)
        path = f"{prefix}__{column}" if prefix else column
        empty &= models.Q(**{path: ""}) | models.Q(**{f"{path}__isnull": True})
    return empty


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
