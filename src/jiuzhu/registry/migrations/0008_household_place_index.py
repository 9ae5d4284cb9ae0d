"""A covering index of each household's place (PostgreSQL only): the dispatch board and backlog
read the district, street and community of every open order's household, tens of thousands of
random lookups at a million households. From this index PostgreSQL answers them without reading
the households' rows (an index-only scan of about 45 MB instead of 1 GB of rows; board's main
query 141 ms → see bench/RESULTS.md). SQLite has no covering indexes (``INCLUDE``): its
households are looked up by rowid as before."""

from django.db import migrations

NAME = "registry_household_place"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON registry_household (id) "
            "INCLUDE (district_id, street_id, community_id)"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_pii_encrypt_birth_date")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
