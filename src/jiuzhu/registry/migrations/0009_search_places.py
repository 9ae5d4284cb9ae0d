"""SQLite's search table indexes each household's place too (``registry.search``, ``place``), so
a name search narrowed to a district, street or community is answered from the index alone.
The table is rebuilt with the new column; on PostgreSQL nothing changes."""

from django.db import migrations


def forward(apps, schema_editor):
    from jiuzhu.registry import search

    if search.indexes_places(schema_editor.connection):
        search.uninstall(schema_editor.connection)
        search.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("registry", "0008_household_place_index")]

    # Backwards, the table keeps its place column: the searches of the older code still work.
    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
