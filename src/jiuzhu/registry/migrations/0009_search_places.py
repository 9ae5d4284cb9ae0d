"""The search table holds each household's district, street and community too
(``registry.search``): plain columns on PostgreSQL, an indexed ``place`` column on SQLite. A name
search narrowed only by areas is then answered from the search table alone. The table, its
triggers and (on PostgreSQL) its functions are rebuilt."""

from django.db import migrations


def forward(apps, schema_editor):
    from jiuzhu.registry import search

    search.uninstall(schema_editor.connection)
    search.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("registry", "0008_household_place_index")]

    # Backwards, the table keeps the areas: the searches of the older code still work.
    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
