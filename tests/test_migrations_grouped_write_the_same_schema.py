"""Runs of new columns and new models are applied as one grouped operation (``AddFieldsInPlace``,
``CreateModelsAtOnce``), which renders the project state once instead of once per column or model (a fresh migrate on
SQLite spent most of its time there). A group must write the schema its separate operations wrote, on the database
the tests run on; and ``AddFieldsInPlace`` takes only columns every database adds in place."""
from __future__ import annotations

import pytest
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.migration import Migration

from privacy_registry.migration_ops import AddFieldsInPlace, CreateModelsAtOnce

GROUPS = (AddFieldsInPlace, CreateModelsAtOnce)
GROUPED = sorted(
    key for key, migration in MigrationLoader(None, ignore_no_migrations=True).disk_migrations.items()
    if any(isinstance(op, GROUPS) for op in migration.operations)
)


def _sql(migration: Migration, loader: MigrationLoader, key: tuple[str, str]) -> list[str]:
    state = loader.project_state(key, at_end=False)
    with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
        migration.apply(state, editor, collect_sql=True)
    return [sql for sql in editor.collected_sql if not sql.startswith("--")]  # not the operations' descriptions


# Not in a test transaction: SQLite's schema editor, even collecting SQL only, must turn off foreign key checks.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("key", GROUPED, ids=lambda key: f"{key[0]}.{key[1][:4]}")
def test_a_grouped_migration_writes_what_its_separate_operations_wrote(key):
    loader = MigrationLoader(None)
    grouped = loader.get_migration(*key)
    separate = Migration(key[1], key[0])
    separate.operations = [
        single for op in grouped.operations for single in (op.operations if isinstance(op, GROUPS) else [op])
    ]

    grouped_sql = _sql(grouped, loader, key)
    separate_sql = _sql(separate, loader, key)

    # The unique columns (rebuilt tables on SQLite) follow the group, so statements of different tables may come in
    # another order; each table's own statements are the same, in the same order.
    def per_table(sql: list[str]) -> dict[str, list[str]]:
        tables: dict[str, list[str]] = {}
        for statement in sql:
            table = next((word for word in statement.replace('"', " ").split() if "_" in word), "")
            tables.setdefault(table, []).append(statement)
        return tables

    assert sorted(grouped_sql) == sorted(separate_sql)
    assert per_table(grouped_sql) == per_table(separate_sql)
    assert len(grouped_sql) > len(grouped.operations)


@pytest.mark.parametrize("field", [
    models.CharField(max_length=10, null=True, unique=True),
    models.CharField(max_length=10, blank=True, default=""),
    models.CharField(max_length=10),
    models.ForeignKey("privacy_registry.Organisation", null=True, on_delete=models.CASCADE),
])
def test_a_column_that_needs_its_table_rebuilt_is_refused(field):
    with pytest.raises(ValueError, match="in place"):
        AddFieldsInPlace([migrations.AddField(model_name="purpose", name="x", field=field)])
