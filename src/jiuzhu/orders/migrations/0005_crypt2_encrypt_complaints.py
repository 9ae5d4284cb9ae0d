"""A complaint's text, in the beneficiary's words, is encrypted at rest
(docs/data-classification.md); existing rows are encrypted here."""

from django.db import migrations

import jiuzhu.core.encrypted_fields

#: (model, table, fields) whose values are encrypted
ENCRYPTED = [("Complaint", "orders_complaint", ["text"])]


def encrypt_rows(apps, schema_editor):
    """The historical fields read a value that is not yet a token as it is and encrypt on
    writing, so reading and writing each row back encrypts it."""
    for name, _table, fields in ENCRYPTED:
        model = apps.get_model("orders", name)
        last = 0
        while rows := list(model._base_manager.filter(pk__gt=last).order_by("pk")[:500]):
            model._base_manager.bulk_update(rows, fields)
            last = rows[-1].pk


def decrypt_rows(apps, schema_editor):
    connection = schema_editor.connection
    for name, table, fields in ENCRYPTED:
        model = apps.get_model("orders", name)
        assignments = ", ".join(f"{connection.ops.quote_name(f)} = %s" for f in fields)
        table = connection.ops.quote_name(table)  # names from ENCRYPTED above, not input
        sql = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608
        with connection.cursor() as cursor:
            for pk, *values in model._base_manager.values_list("pk", *fields).iterator():
                cursor.execute(sql, [*values, pk])


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_complaint_verdict"),
    ]

    operations = [
        migrations.AlterField(
            model_name="complaint",
            name="text",
            field=jiuzhu.core.encrypted_fields.EncryptedCharField(
                max_length=500, verbose_name="complaint"
            ),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
    ]
