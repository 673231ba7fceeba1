"""Consent events are append-only: on PostgreSQL a trigger refuses an UPDATE that changes anything but the
personal columns the erasure engine scrubs (IP network, user agent, visitor id). Deleting stays possible: the
purge of stale anonymous events and the cascade of a record's deletion need it. Other databases (SQLite in
development) rely on consent.services, which never updates an event (tests/test_consent_give_withdraw.py)."""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION consent_event_append_only() RETURNS trigger AS $$
BEGIN
    IF (NEW.id, NEW.record_id, NEW.purpose_id, NEW.subject_id, NEW.kind, NEW.method, NEW.at, NEW.notice_version_id,
        NEW.wording_hash, NEW.age_confirmed, NEW.gpc_applied, NEW.gpc_conflict, NEW.actor_id, NEW.reason)
       IS DISTINCT FROM
       (OLD.id, OLD.record_id, OLD.purpose_id, OLD.subject_id, OLD.kind, OLD.method, OLD.at, OLD.notice_version_id,
        OLD.wording_hash, OLD.age_confirmed, OLD.gpc_applied, OLD.gpc_conflict, OLD.actor_id, OLD.reason) THEN
        RAISE EXCEPTION 'consent events are append-only: only their personal columns may be scrubbed';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS consent_event_append_only ON consent_consentevent;
CREATE TRIGGER consent_event_append_only BEFORE UPDATE ON consent_consentevent
    FOR EACH ROW EXECUTE FUNCTION consent_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS consent_event_append_only ON consent_consentevent;
DROP FUNCTION IF EXISTS consent_event_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
