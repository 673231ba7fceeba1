"""Operations the apps' migrations share. Kept small and stable: old migrations import them."""
from __future__ import annotations

from django.db import migrations
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ModelState
from django.db.models import F


def copy_into_english(app_label: str, translated: dict[str, tuple[str, ...]]) -> migrations.RunPython:
    """When a text gains a column per language: the text written before is the English one (the product's default
    language). Its history rows too, so that a revert does not bring back an empty English text."""

    def copy(apps, schema_editor) -> None:
        for model_name, fields in translated.items():
            for name in (model_name, "Historical" + model_name):
                model = apps.get_model(app_label, name)
                for field in fields:
                    model.objects.filter(**{f"{field}_en__isnull": True}).update(**{f"{field}_en": F(field)})

    return migrations.RunPython(copy, migrations.RunPython.noop)


class AddFieldsInPlace(Operation):
    """Several ``AddField`` operations applied as one: the same columns, in the same order, on every database.

    Why: a migration applies each operation to the in-memory project state and re-renders the changed model and
    every model related to it. For the per-language columns (a hundred and more nullable columns on models that
    half the register points at) that rendering, not the SQL, took most of a fresh ``migrate`` on SQLite. Here
    the fields join the state together and the models are rendered once.

    Only columns every backend adds in place (``ALTER TABLE … ADD COLUMN``) may be grouped: nullable, no default,
    not unique, not a key or a relation. A column SQLite must rebuild its table for needs the model exactly as it
    stood before that column, so it stays a plain ``AddField`` outside the group (refused here otherwise)."""

    reversible = True

    def __init__(self, operations: list[migrations.AddField]) -> None:
        for operation in operations:
            field = operation.field
            if not isinstance(operation, migrations.AddField) or not _adds_in_place(field):
                raise ValueError(f"{operation.describe()}: not a column every database adds in place")
        self.operations = list(operations)

    def state_forwards(self, app_label, state) -> None:
        for operation in self.operations:
            model_key = app_label, operation.model_name_lower
            state.models[model_key].fields[operation.name] = operation.field
            if state._relations is not None:
                state.resolve_model_field_relations(model_key, operation.name, operation.field)
        # Non-relational fields: the changed models and their direct relations, rendered once for all.
        state.reload_models({(app_label, operation.model_name_lower) for operation in self.operations}, delay=True)

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        for operation in self.operations:
            to_model = to_state.apps.get_model(app_label, operation.model_name)
            if self.allow_migrate_model(schema_editor.connection.alias, to_model):
                # An in-place ADD COLUMN reads only the table's name from the model, so the model as it was before
                # the group serves every column of it, as it serves a single AddField.
                from_model = from_state.apps.get_model(app_label, operation.model_name)
                schema_editor.add_field(from_model, to_model._meta.get_field(operation.name))

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        # Rare, so done the plain way: each field removed from the state it was added to (SQLite may rebuild the
        # table to drop an indexed column, and needs the model as it stood).
        states = [to_state]
        for operation in self.operations:
            state = states[-1].clone()
            operation.state_forwards(app_label, state)
            states.append(state)
        for index in reversed(range(len(self.operations))):
            self.operations[index].database_backwards(app_label, schema_editor, states[index + 1], states[index])

    def describe(self) -> str:
        return f"Add {len(self.operations)} fields in place"

    @property
    def migration_name_fragment(self) -> str:
        return "add_fields_in_place"


def _adds_in_place(field) -> bool:
    return (
        field.null and not field.unique and not field.primary_key and not field.is_relation
        and not field.has_default() and not field.has_db_default()
    )


class CreateModelsAtOnce(Operation):
    """Several ``CreateModel`` operations applied as one: the same tables, created in the same order.

    Why: as for :class:`AddFieldsInPlace`, each new model re-rendered the project state with every model related to
    it, which for a model pointing at the organisation is most of the register. Here the models join the state
    together and are rendered once. A table's SQL reads only its own model, which is the same whether the models
    after it in the group are in the state or not."""

    reversible = True

    def __init__(self, operations: list[migrations.CreateModel]) -> None:
        for operation in operations:
            if not isinstance(operation, migrations.CreateModel):
                raise ValueError(f"{operation.describe()}: not a CreateModel")
        self.operations = list(operations)

    def state_forwards(self, app_label, state) -> None:
        # ProjectState.add_model without its reload, then one reload of them all (related models included).
        for operation in self.operations:
            model_key = app_label, operation.name_lower
            state.models[model_key] = ModelState(
                app_label, operation.name, list(operation.fields), dict(operation.options), tuple(operation.bases),
                list(operation.managers),
            )
            if state._relations is not None:
                state.resolve_model_relations(model_key)
        state.reload_models([(app_label, operation.name_lower) for operation in self.operations], delay=False)

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        for operation in self.operations:
            operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        for operation in reversed(self.operations):
            operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self) -> str:
        return f"Create {len(self.operations)} models"

    @property
    def migration_name_fragment(self) -> str:
        return "create_models_at_once"
