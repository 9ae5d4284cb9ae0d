"""Make the ledger append-only in the database itself: UPDATE and DELETE of an entry are
always rejected (corrections are new, compensating movements)."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER timebank_entry_no_update BEFORE UPDATE ON timebank_entry
       BEGIN SELECT RAISE(ABORT, 'ledger entries cannot be changed'); END;""",
    """CREATE TRIGGER timebank_entry_no_delete BEFORE DELETE ON timebank_entry
       BEGIN SELECT RAISE(ABORT, 'ledger entries cannot be deleted'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS timebank_entry_no_update;",
    "DROP TRIGGER IF EXISTS timebank_entry_no_delete;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION timebank_entry_guard() RETURNS trigger AS $$
       BEGIN
         RAISE EXCEPTION 'ledger entries cannot be changed or deleted';
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER timebank_entry_guard BEFORE UPDATE OR DELETE ON timebank_entry
       FOR EACH ROW EXECUTE FUNCTION timebank_entry_guard();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS timebank_entry_guard ON timebank_entry;",
    "DROP FUNCTION IF EXISTS timebank_entry_guard();",
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
    dependencies = [("timebank", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
