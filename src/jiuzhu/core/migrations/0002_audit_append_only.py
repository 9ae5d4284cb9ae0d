"""Make the audit trail append-only in the database itself: UPDATE is always rejected, and
DELETE is rejected for entries younger than the retention period (180 days; the setting may
lengthen what the purge command keeps, never shorten this floor)."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed'); END;""",
    """CREATE TRIGGER audit_entry_no_early_delete BEFORE DELETE ON core_auditentry
       WHEN old.at > datetime('now', '-180 days')
       BEGIN SELECT RAISE(ABORT, 'audit entries are kept for at least 180 days'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update;",
    "DROP TRIGGER IF EXISTS audit_entry_no_early_delete;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION core_auditentry_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           RAISE EXCEPTION 'audit entries cannot be changed';
         END IF;
         IF OLD.at > now() - interval '180 days' THEN
           RAISE EXCEPTION 'audit entries are kept for at least 180 days';
         END IF;
         RETURN OLD;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_entry_guard BEFORE UPDATE OR DELETE ON core_auditentry
       FOR EACH ROW EXECUTE FUNCTION core_auditentry_guard();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_entry_guard ON core_auditentry;",
    "DROP FUNCTION IF EXISTS core_auditentry_guard();",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    statements = (
        POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    )
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
