"""Prefix search on PostgreSQL: ``lower(col) LIKE 'abc%'`` uses a btree index only with ``text_pattern_ops``
(unless the database collation is "C"). SQLite has no operator classes and keeps the portable
``subject_email_lower_idx`` of 0001, so this migration does nothing there."""
from django.db import migrations

INDEXES = {
    "subject_email_prefix_idx": "email",
    "subject_first_name_prefix_idx": "first_name",
    "subject_last_name_prefix_idx": "last_name",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "subjects_datasubject" (lower("{column}") text_pattern_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("subjects", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
