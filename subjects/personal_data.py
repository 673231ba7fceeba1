"""The one declaration of which fields hold personal data, and how each is scrubbed.

Every app that keeps data about people declares it here, per model, from its ``AppConfig.ready()``
(the ``subjects`` app declares its own models in ``SubjectsConfig.ready``; consent and rights declare
theirs the same way). The erasure engine in ``retention`` reads nothing else: one person at a time for a
rights request, set-wise for a sweep, both from the same declarations. A test
(``tests/test_personal_data_declaration_is_complete.py``) fails the build when a text-like field on a
model that reaches a DataSubject has neither a policy nor an explicit "not personal".

A declaration says:

- ``subject_path``: how to reach the DataSubject from the model, as a lookup path of foreign keys
  ("" for DataSubject itself, "subject", "request__subject"); ``None`` when the rows belong to nobody
  known (the engine then leaves them to that app's own schedule).
- ``fields``: field name → ``Scrub`` policy (null, fixed text, keyed hash, pseudonym, or delete the row).
- ``not_personal``: text-like fields that are deliberately kept (choices, codes, the register's words).
- ``history``: what happens to the model's django-simple-history rows, which hold every earlier value:
  scrubbed with the same policies (the default) or deleted. History is never left alone.

Set-wise, ``Declaration.update_values()`` gives database expressions for ``QuerySet.update()``; a keyed
hash cannot be computed portably in SQL, so those fields are listed in ``python_fields`` and filled by
``Declaration.apply()`` (or the engine) from Python. Per person, ``Declaration.scrub_instance()`` sets
the values on a loaded object.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_model_for_model

from .keyed_hash import keyed_hash

# Fields whose values are text a person could be identified by. Others (dates, numbers, booleans,
# foreign keys) may still be declared, but are not demanded by the completeness test.
PERSONAL_LOOKING_FIELDS: tuple[type[models.Field], ...] = (
    models.CharField,  # EmailField, SlugField, URLField are CharFields
    models.TextField,
    models.JSONField,
    models.GenericIPAddressField,
    models.BinaryField,
    models.FileField,
)

KEYED_HASH_PREFIX = "hmac:"
_DIGEST_LENGTH = len(KEYED_HASH_PREFIX) + 64


class Policy(models.TextChoices):
    DELETE_ROW = "delete_row", _("row deleted")
    NULL = "null", _("set to null")
    FIXED_TEXT = "fixed_text", _("replaced by fixed text")
    KEYED_HASH = "keyed_hash", _("replaced by a keyed hash")
    PSEUDONYM = "pseudonym", _("replaced by a pseudonym")


class HistoryPolicy(models.TextChoices):
    SCRUB = "scrub", _("historical rows scrubbed like the live row")
    DELETE = "delete", _("historical rows deleted")


@dataclass(frozen=True)
class Scrub:
    """How one field is scrubbed. Build with the class methods: ``Scrub.null()``, ``Scrub.fixed("…")``,
    ``Scrub.keyed_hash()``, ``Scrub.pseudonym("erased-{pk}@invalid")``, ``Scrub.delete_row()``."""

    policy: Policy
    text: str = ""

    @classmethod
    def null(cls) -> Scrub:
        return cls(Policy.NULL)

    @classmethod
    def fixed(cls, text: str = "") -> Scrub:
        return cls(Policy.FIXED_TEXT, text)

    @classmethod
    def keyed_hash(cls) -> Scrub:
        return cls(Policy.KEYED_HASH)

    @classmethod
    def pseudonym(cls, template: str = "erased-{pk}@invalid") -> Scrub:
        if template.count("{pk}") != 1:
            raise ImproperlyConfigured(f"A pseudonym template names {{pk}} exactly once: {template!r}")
        return cls(Policy.PSEUDONYM, template)

    @classmethod
    def delete_row(cls) -> Scrub:
        return cls(Policy.DELETE_ROW)

    @property
    def in_database(self) -> bool:
        """Whether ``expression()`` can do it set-wise; a keyed hash needs the key, which SQL has not."""
        return self.policy in {Policy.NULL, Policy.FIXED_TEXT, Policy.PSEUDONYM}

    def expression(self, *, pk_field: str = "id") -> models.Expression:
        """The database expression that scrubs this field in ``QuerySet.update()``.

        ``pk_field`` names the column holding the live row's id: "id" on the model and on its historical
        model alike (where the primary key is ``history_id``), so a pseudonym is the same in both.
        """
        if self.policy == Policy.NULL:
            return Value(None)
        if self.policy == Policy.FIXED_TEXT:
            return Value(self.text)
        if self.policy == Policy.PSEUDONYM:
            before, after = self.text.split("{pk}")
            return Concat(
                Value(before), Cast(F(pk_field), CharField()), Value(after), output_field=CharField()
            )
        raise ImproperlyConfigured(f"{self.policy.label} has no database expression: compute it in Python")

    def python_value(self, value: Any, *, pk: Any, purpose: str) -> Any:
        """The scrubbed value for one row, computed in Python (the per-person path, and keyed hashes)."""
        if self.policy == Policy.NULL:
            return None
        if self.policy == Policy.FIXED_TEXT:
            return self.text
        if self.policy == Policy.PSEUDONYM:
            return self.text.replace("{pk}", str(pk))
        if self.policy == Policy.KEYED_HASH:
            if value in (None, "") or str(value).startswith(KEYED_HASH_PREFIX):
                return value  # nothing to hide, or already hashed: scrubbing twice changes nothing
            return KEYED_HASH_PREFIX + keyed_hash(str(value), purpose=purpose)
        raise ImproperlyConfigured("A deleted row has no scrubbed value")


@dataclass(frozen=True)
class Declaration:
    label: str
    subject_path: str | None
    fields: Mapping[str, Scrub]
    not_personal: frozenset[str] = frozenset()
    delete_row: bool = False
    history: HistoryPolicy = HistoryPolicy.SCRUB
    _model: type[models.Model] | None = field(default=None, compare=False, repr=False)

    @property
    def model(self) -> type[models.Model]:
        return self._model or apps.get_model(self.label)

    @property
    def historical_model(self) -> type[models.Model] | None:
        try:
            return get_history_model_for_model(self.model)
        except NotHistoricalModelError:
            return None

    @property
    def pk_field(self) -> str:
        return self.model._meta.pk.attname

    @property
    def python_fields(self) -> tuple[str, ...]:
        """Fields whose scrubbed value must be computed in Python (keyed hashes)."""
        return tuple(name for name, scrub in self.fields.items() if not scrub.in_database)

    def covers(self, field_name: str) -> bool:
        """Whether the declaration decides this field (a policy, an explicit 'not personal', or row deletion)."""
        return self.delete_row or field_name in self.fields or field_name in self.not_personal

    def purpose(self, field_name: str) -> str:
        return f"{self.label.lower()}.{field_name}"

    # --- reaching the subject -------------------------------------------------------------------------
    def subject_q(self, subject_ids: Iterable[Any] | QuerySet) -> Q:
        """Rows of these subjects (a list of ids or a ``values("pk")`` subquery), on the model or its history.

        On the historical model the same lookup works: the subject's own id is the plain ``id`` column, and
        foreign keys are kept (without a database constraint) under the same names.
        """
        if self.subject_path is None:
            raise ImproperlyConfigured(f"{self.label} declares no path to a data subject")
        lookup = f"{self.subject_path}__in" if self.subject_path else f"{self.pk_field}__in"
        return Q(**{lookup: subject_ids})

    # --- set-wise --------------------------------------------------------------------------------------
    def update_values(self, *, historical: bool = False) -> dict[str, models.Expression]:
        """``QuerySet.update(**values)`` arguments scrubbing every field SQL can scrub."""
        target = self.historical_model if historical else self.model
        present = {f.name for f in target._meta.concrete_fields}
        return {
            name: scrub.expression(pk_field=self.pk_field)
            for name, scrub in self.fields.items()
            if scrub.in_database and name in present
        }

    def apply(
        self, queryset: QuerySet, *, historical: bool = False, extra: Mapping[str, Any] | None = None
    ) -> int:
        """Scrub (or delete) every row of ``queryset``, of the model or of its historical model; rows touched.

        Callers bound the queryset (one subject, or one primary-key batch of a sweep). For a model whose
        rows are deleted, delete the live rows before the historical ones: simple-history records a deletion
        as one more historical row, which the history pass then removes or scrubs. ``extra`` adds values to
        the same UPDATE (the erasure engine sets the subject's state there), so a batch stays one statement.
        """
        if (historical and self.history == HistoryPolicy.DELETE) or (not historical and self.delete_row):
            _total, per_model = queryset.delete()
            return per_model.get(queryset.model._meta.label, 0)
        values = {**self.update_values(historical=historical), **(extra or {})}
        touched = queryset.update(**values) if values else queryset.count()
        python_fields = self.python_fields
        if python_fields:
            pk_name = queryset.model._meta.pk.attname
            rows = list(queryset.values_list(pk_name, self.pk_field, *python_fields))
            for position, name in enumerate(python_fields, start=2):
                whens = [
                    When(**{pk_name: row[0]}, then=Value(self.fields[name].python_value(
                        row[position], pk=row[1], purpose=self.purpose(name),
                    )))
                    for row in rows
                    if row[position] not in (None, "")
                ]
                if whens:
                    queryset.model._default_manager.filter(**{f"{pk_name}__in": [r[0] for r in rows]}).update(
                        **{name: Case(*whens, default=F(name))}
                    )
        return touched

    # --- per person ------------------------------------------------------------------------------------
    def scrub_instance(self, obj: models.Model) -> list[str]:
        """Set every declared field of a loaded object (live or historical) to its scrubbed value.

        Returns the names changed, for ``save(update_fields=…)``. The caller saves: on a live object a save
        writes one new historical row, which holds the scrubbed values only.
        """
        pk = getattr(obj, self.pk_field)
        changed = []
        present = {f.name for f in obj._meta.concrete_fields}
        for name, scrub in self.fields.items():
            if name not in present:
                continue
            attname = obj._meta.get_field(name).attname
            new = scrub.python_value(getattr(obj, attname), pk=pk, purpose=self.purpose(name))
            if getattr(obj, attname) != new:
                setattr(obj, attname, new)
                changed.append(name)
        return changed

    def receipt(self) -> dict[str, Any]:
        """What this declaration does, by table and field: names and policies, never values."""
        history_model = self.historical_model
        return {
            "table": self.model._meta.db_table,
            "history_table": history_model._meta.db_table if history_model else None,
            "row": str(Policy.DELETE_ROW.value) if self.delete_row else "kept",
            "history": str(self.history.value),
            "fields": {name: str(scrub.policy.value) for name, scrub in self.fields.items()},
        }


class PersonalDataRegistry:
    """Where every app declares its personal data; modelled on Django's system-check registry."""

    def __init__(self) -> None:
        self._declarations: dict[str, Declaration] = {}

    def declare(
        self,
        model: type[models.Model] | str,
        *,
        subject_path: str | None,
        fields: Mapping[str, Scrub] | None = None,
        not_personal: Iterable[str] = (),
        delete_row: bool = False,
        history: HistoryPolicy = HistoryPolicy.SCRUB,
    ) -> Declaration:
        """Declare one model's personal data. Call from ``AppConfig.ready()``; mistakes raise at start-up."""
        model_class = apps.get_model(model) if isinstance(model, str) else model
        label = model_class._meta.label
        if label in self._declarations:
            raise ImproperlyConfigured(f"{label}: personal data is declared twice")
        fields = dict(fields or {})
        if any(scrub.policy == Policy.DELETE_ROW for scrub in fields.values()):
            if any(scrub.policy != Policy.DELETE_ROW for scrub in fields.values()):
                raise ImproperlyConfigured(f"{label}: a row that is deleted has no other field policy")
            delete_row = True
        declaration = Declaration(
            label=label,
            subject_path=subject_path,
            fields=fields,
            not_personal=frozenset(not_personal),
            delete_row=delete_row,
            history=HistoryPolicy(history),
            _model=model_class,
        )
        _validate(declaration)
        self._declarations[label] = declaration
        return declaration

    def declarations(self) -> tuple[Declaration, ...]:
        return tuple(self._declarations.values())

    def declaration_for(self, model: type[models.Model] | str) -> Declaration | None:
        label = model if isinstance(model, str) else model._meta.label
        return self._declarations.get(label)

    def forget(self, model: type[models.Model] | str) -> None:
        """Remove a declaration (tests that declare a model of their own)."""
        label = model if isinstance(model, str) else model._meta.label
        self._declarations.pop(label, None)


def subject_model() -> type[models.Model]:
    return apps.get_model("subjects", "DataSubject")


def path_to_subject(model: type[models.Model], path: str) -> bool:
    """Whether ``path`` (foreign keys joined by "__") leads from ``model`` to DataSubject."""
    current = model
    for part in path.split("__") if path else []:
        try:
            f = current._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if not (f.is_relation and (f.many_to_one or f.one_to_one) and f.concrete):
            return False
        current = f.related_model
    return current is subject_model()


def _validate(declaration: Declaration) -> None:
    model = declaration.model
    label = declaration.label
    if declaration.subject_path is not None and not path_to_subject(model, declaration.subject_path):
        raise ImproperlyConfigured(f"{label}: {declaration.subject_path!r} does not lead to a DataSubject")
    overlap = set(declaration.fields) & declaration.not_personal
    if overlap:
        raise ImproperlyConfigured(f"{label}: {sorted(overlap)} declared both personal and not personal")
    for name in [*declaration.fields, *declaration.not_personal]:
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist as exc:
            raise ImproperlyConfigured(f"{label}: no field {name!r}") from exc
        if not model_field.concrete or model_field.many_to_many:
            raise ImproperlyConfigured(f"{label}.{name}: only concrete columns can be declared")
    for name, scrub in declaration.fields.items():
        model_field = model._meta.get_field(name)
        max_length = getattr(model_field, "max_length", None)
        if scrub.policy == Policy.NULL and not model_field.null:
            raise ImproperlyConfigured(f"{label}.{name}: set to null, but the column is NOT NULL")
        if scrub.policy in {Policy.FIXED_TEXT, Policy.PSEUDONYM, Policy.KEYED_HASH} and not isinstance(
            model_field, (models.CharField, models.TextField)
        ):
            raise ImproperlyConfigured(f"{label}.{name}: {scrub.policy.label} needs a text column")
        longest = {
            Policy.FIXED_TEXT: len(scrub.text),
            Policy.PSEUDONYM: len(scrub.text) - len("{pk}") + 20,  # a bigint has at most 20 characters
            Policy.KEYED_HASH: _DIGEST_LENGTH,
        }.get(scrub.policy, 0)
        if max_length is not None and longest > max_length:
            raise ImproperlyConfigured(f"{label}.{name}: the scrubbed value may not fit in {max_length} characters")


registry = PersonalDataRegistry()
declare = registry.declare
declarations = registry.declarations
declaration_for = registry.declaration_for
