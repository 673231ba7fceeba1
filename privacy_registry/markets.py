"""Facts that differ by market: a row of the register shown only in some of the notice's languages.

A cookie set only on the Swedish site, a consent asked only of Danish visitors: the organisation keeps one register,
but what its notice says in Swedish is not all it says in English. A model that can be limited so inherits
:class:`ShownInLanguages`: a ``languages`` field, the notice languages the row belongs to (empty: every language).

- ``obj.shown_in(language)`` says it for one row; ``for_language(queryset, language)`` selects the rows of a
  language in the database, with lookups that SQLite and PostgreSQL both answer (the list's positions, not the
  ``contains`` lookup that SQLite lacks).
- The admin shows the field as checkboxes of ``settings.LANGUAGES``.
"""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


def _codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


class LanguagesField(models.JSONField):
    """A list of language codes of ``settings.LANGUAGES``, each at most once, in the settings' order. Empty: all."""

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            choices=settings.LANGUAGES, widget=forms.CheckboxSelectMultiple, required=False,
            label=capfirst(self.verbose_name), help_text=self.help_text,
        )

    def validate(self, value, model_instance) -> None:
        super().validate(value, model_instance)
        if not isinstance(value, list):
            raise ValidationError(_("A list of language codes."), code="invalid")
        unknown = [code for code in value if code not in _codes()]
        if unknown:
            raise ValidationError(_("Unknown language: %(codes)s") % {"codes": ", ".join(map(str, unknown))},
                                  code="invalid")

    def pre_save(self, model_instance, add):
        # Each code once, in the settings' order: at most one position per language, which for_language relies on.
        value = getattr(model_instance, self.attname)
        if isinstance(value, list):
            value = [code for code in _codes() if code in value]
            setattr(model_instance, self.attname, value)
        return value


class ShownInLanguages(models.Model):
    """A row the notice shows in some of its languages only (``languages``), or in all (empty)."""

    languages = LanguagesField(
        _("shown in the notice in"), default=list, blank=True,
        help_text=_("Tick the notice languages (markets) this applies to. None ticked: every language."),
    )

    class Meta:
        abstract = True

    def shown_in(self, language: str) -> bool:
        return not self.languages or language in self.languages


def language_q(language: str, field: str = "languages") -> Q:
    """The rows shown in ``language``: no language named, or ``language`` at one of the list's positions."""
    shown = Q(**{field: []})
    for position in range(len(settings.LANGUAGES)):
        shown |= Q(**{f"{field}__{position}": language})
    return shown


def for_language(queryset: QuerySet, language: str) -> QuerySet:
    """The rows of ``queryset`` (of a :class:`ShownInLanguages` model) that the notice in ``language`` shows."""
    return queryset.filter(language_q(language))
