"""Potential cases' birth dates encrypted at rest, like members' (issue 16 item 1): the case
keeps the last four characters of the identity number in clear, and with the birth date they
rebuild it. The column becomes text, then every row is encrypted in batches; backward, decrypted
to ISO dates in batches before the column becomes a date again."""

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
    """Read (an ISO date not yet a token reads as that date) and write back (encrypted)."""
    model = apps.get_model("discovery", "potentialcase")
    for rows in _batches(model):
        model._base_manager.bulk_update(rows, ["birth_date"])


def decrypt_rows(apps, schema_editor):
    """Back to ISO dates, written with SQL (the field would encrypt them again)."""
    connection = schema_editor.connection
    model = apps.get_model("discovery", "potentialcase")
    table = connection.ops.quote_name(model._meta.db_table)
    for rows in _batches(model):
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET birth_date = %s WHERE id = %s",  # noqa: S608
                [(row.birth_date and row.birth_date.isoformat(), row.pk) for row in rows],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("discovery", "0006_crypt_lookup_hash"),
    ]

    operations = [
        migrations.AlterField(
            model_name="potentialcase",
            name="birth_date",
            field=jiuzhu.core.encrypted_fields.EncryptedDateField(
                blank=True, null=True, verbose_name="birth date"
            ),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
    ]
