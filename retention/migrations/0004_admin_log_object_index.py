"""An index on the admin log's (content type, object id).

The erasure engine finds the admin's log entries about each erased row (to count them in the receipt and scrub
their ``object_repr`` and ``change_message``) by content type and object id; Django's own table indexes the
content type only, so every sweep chunk read every log entry of that type, a cost growing with the log. The
admin's per-object history page asks the same question. Built ``CONCURRENTLY`` on PostgreSQL, so a large log
stays writable while it is built.
"""
from django.db import migrations

INDEX = "admin_log_object_idx"


def create(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX {concurrently}IF NOT EXISTS {INDEX} ON django_admin_log (content_type_id, object_id)"
    )


def drop(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("retention", "0003_processor_erasure_unique_kind_secret_name"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
