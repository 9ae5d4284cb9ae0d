"""Members' birth dates encrypted at rest (issue 16 item 1, docs/data-classification.md): with
the issuing area and the last four characters kept in clear, a birth date rebuilt three numbers
in four. The column becomes text (an ISO date in the clear after the type change), then every
row is encrypted in batches. Backward: every row decrypted back to its ISO date in batches, then
the column becomes a date again. SQLite rebuilds the table to change a column's type and drops
its triggers on the way, so the search table is uninstalled first and installed again after."""

from django.db import migrations

import jiuzhu.core.encrypted_fields

BATCH = 500


def _batches(model):
    last = 0
    while True:
        rows = list(
            model._base_manager.filter(pk__gt=last).order_by("pk").only("pk", "birth_date")[:BATCH]
        )
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def encrypt_rows(apps, schema_editor):
    """The historical field reads an ISO date that is not yet a token as that date and
    encrypts on writing, so reading and writing each row back encrypts it."""
    model = apps.get_model("registry", "member")
    for rows in _batches(model):
        model._base_manager.bulk_update(rows, ["birth_date"])


def decrypt_rows(apps, schema_editor):
    """Back to ISO dates, written with SQL (the field would encrypt them again)."""
    connection = schema_editor.connection
    model = apps.get_model("registry", "member")
    table = connection.ops.quote_name(model._meta.db_table)
    for rows in _batches(model):
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET birth_date = %s WHERE id = %s",  # noqa: S608
                [(row.birth_date.isoformat(), row.pk) for row in rows],
            )


def search_uninstall(apps, schema_editor):
    from jiuzhu.registry import search

    search.uninstall(schema_editor.connection)


def search_install(apps, schema_editor):
    from jiuzhu.registry import search

    search.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0006_crypt_encrypt_at_rest"),
    ]

    operations = [
        migrations.RunPython(search_uninstall, search_install, elidable=False),
        migrations.AlterField(
            model_name="member",
            name="birth_date",
            field=jiuzhu.core.encrypted_fields.EncryptedDateField(verbose_name="birth date"),
        ),
        migrations.RunPython(search_install, search_uninstall, elidable=False),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
    ]
