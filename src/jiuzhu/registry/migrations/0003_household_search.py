"""The trigram-indexed search table for names and phones (see ``jiuzhu.registry.search``):
an FTS5 table on SQLite, a table with pg_trgm GIN indexes on PostgreSQL (the migration creates
the pg_trgm extension, which needs a role allowed to create it), both kept by triggers."""

from django.db import migrations


def forward(apps, schema_editor):
    from jiuzhu.registry import search

    search.install(schema_editor.connection)


def backward(apps, schema_editor):
    from jiuzhu.registry import search

    search.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_alter_beneficiaryaccount_options_and_more")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
