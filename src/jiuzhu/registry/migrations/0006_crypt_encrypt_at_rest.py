"""Encryption at rest beyond identity numbers (docs/data-classification.md): household phones,
members' mobile numbers and illness details, case notes' text. Phones get a keyed lookup hash
for exact search, and leave the trigram search table (which now holds names only), so the
search table is dropped first (SQLite drops a table's triggers when it rebuilds the table) and
installed again once the columns have their new form; then every existing row is encrypted."""

from django.db import migrations, models

import jiuzhu.core.encrypted_fields

BATCH = 500
#: model -> (encrypted fields, {hash field: source field})
FIELDS = {
    "household": (("phone",), {"phone_hash": "phone"}),
    "member": (("mobile", "illness_note"), {"mobile_hash": "mobile"}),
    "casenote": (("findings", "next_step"), {}),
}


def _batches(model):
    last = 0
    while True:
        rows = list(model._base_manager.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def encrypt_rows(apps, schema_editor):
    """The historical fields read a value that is not yet a token as it is and encrypt on
    writing, so reading and writing each row back encrypts it."""
    from jiuzhu.core.encrypted_fields import phone_hash

    for name, (encrypted, hashes) in FIELDS.items():
        model = apps.get_model("registry", name)
        for rows in _batches(model):
            for row in rows:
                for target, source in hashes.items():
                    setattr(row, target, phone_hash(getattr(row, source)))
            model._base_manager.bulk_update(rows, [*encrypted, *hashes])


def decrypt_rows(apps, schema_editor):
    """Back to plaintext, written with SQL (the fields would encrypt it again)."""
    connection = schema_editor.connection
    for name, (encrypted, _hashes) in FIELDS.items():
        model = apps.get_model("registry", name)
        table = connection.ops.quote_name(model._meta.db_table)
        sets = ", ".join(f"{connection.ops.quote_name(f)} = %s" for f in encrypted)
        for rows in _batches(model):
            with connection.cursor() as cursor:
                for row in rows:
                    cursor.execute(
                        f"UPDATE {table} SET {sets} WHERE id = %s",  # noqa: S608
                        [*(getattr(row, f) for f in encrypted), row.pk],
                    )


def search_uninstall(apps, schema_editor):
    from jiuzhu.registry import search

    search.uninstall(schema_editor.connection)


def search_install(apps, schema_editor):
    from jiuzhu.registry import search

    search.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0012_notification_subject"),
        ("registry", "0005_home_elderly_mode"),
    ]

    operations = [
        migrations.RunPython(search_uninstall, search_install, elidable=False),
        migrations.RemoveIndex(
            model_name="household",
            name="registry_ho_phone_8aba3a_idx",
        ),
        migrations.AddField(
            model_name="household",
            name="phone_hash",
            field=jiuzhu.core.encrypted_fields.LookupHashField(blank=True, source="phone"),
        ),
        migrations.AddField(
            model_name="member",
            name="mobile_hash",
            field=jiuzhu.core.encrypted_fields.LookupHashField(
                blank=True, db_index=True, source="mobile"
            ),
        ),
        migrations.AlterField(
            model_name="casenote",
            name="findings",
            field=jiuzhu.core.encrypted_fields.EncryptedTextField(
                max_length=2000, verbose_name="what was found"
            ),
        ),
        migrations.AlterField(
            model_name="casenote",
            name="next_step",
            field=jiuzhu.core.encrypted_fields.EncryptedCharField(
                blank=True, max_length=500, verbose_name="next step"
            ),
        ),
        migrations.AlterField(
            model_name="household",
            name="phone",
            field=jiuzhu.core.encrypted_fields.EncryptedCharField(
                blank=True, max_length=20, verbose_name="phone"
            ),
        ),
        migrations.AlterField(
            model_name="member",
            name="id_number_hash",
            field=jiuzhu.core.encrypted_fields.LookupHashField(
                automatic=False,
                db_index=True,
                from_token=True,
                kind="identity",
                source="id_number_encrypted",
            ),
        ),
        migrations.AlterField(
            model_name="member",
            name="illness_note",
            field=jiuzhu.core.encrypted_fields.EncryptedCharField(
                blank=True, max_length=120, verbose_name="illness details"
            ),
        ),
        migrations.AlterField(
            model_name="member",
            name="mobile",
            field=jiuzhu.core.encrypted_fields.EncryptedCharField(
                blank=True, max_length=11, verbose_name="mobile number"
            ),
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(fields=["phone_hash"], name="registry_ho_phone_h_e08d11_idx"),
        ),
        migrations.RunPython(search_install, search_uninstall, elidable=False),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
    ]
