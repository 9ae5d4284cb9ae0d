"""A hotline ticket's caller phone, what the caller said and how it was handled are encrypted at
rest (docs/data-classification.md); existing rows are encrypted here."""

from django.db import migrations

import jiuzhu.core.encrypted_fields

#: (model, table, fields) whose values are encrypted
ENCRYPTED = [
    ("Ticket", "dispatch_ticket", ["caller_phone", "description", "handling_note", "callback_note"])
]


def encrypt_rows(apps, schema_editor):
    """The historical fields read a value that is not yet a token as it is and encrypt on
    writing, so reading and writing each row back encrypts it."""
    for name, _table, fields in ENCRYPTED:
        model = apps.get_model("dispatch", name)
        last = 0
        while rows := list(model._base_manager.filter(pk__gt=last).order_by("pk")[:500]):
            model._base_manager.bulk_update(rows, fields)
            last = rows[-1].pk


def decrypt_rows(apps, schema_editor):
    connection = schema_editor.connection
    for name, table, fields in ENCRYPTED:
        model = apps.get_model("dispatch", name)
        assignments = ", ".join(f"{connection.ops.quote_name(f)} = %s" for f in fields)
        table = connection.ops.quote_name(table)  # names from ENCRYPTED above, not input
        sql = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608
        with connection.cursor() as cursor:
            for pk, *values in model._base_manager.values_list("pk", *fields).iterator():
                cursor.execute(sql, [*values, pk])


class Migration(migrations.Migration):
    dependencies = [
        ("dispatch", "0003_escalation_by_dispatcher"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ticket",
            name="callback_note",
            field=jiuzhu.core.encrypted_fields.EncryptedCharField(
                blank=True, max_length=500, verbose_name="call-back or visit"
            ),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="caller_phone",
            field=jiuzhu.core.encrypted_fields.EncryptedCharField(
                blank=True, max_length=20, verbose_name="caller's phone"
            ),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="description",
            field=jiuzhu.core.encrypted_fields.EncryptedCharField(
                max_length=1000, verbose_name="description"
            ),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="handling_note",
            field=jiuzhu.core.encrypted_fields.EncryptedCharField(
                blank=True, max_length=1000, verbose_name="how it was handled"
            ),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
    ]
