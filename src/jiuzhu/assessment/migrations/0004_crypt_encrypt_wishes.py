"""The household's wishes, in their own words, are encrypted at rest
(docs/data-classification.md); existing rows are encrypted here."""

from django.db import migrations

import jiuzhu.core.encrypted_fields


def encrypt_rows(apps, schema_editor):
    """The historical field reads a value that is not yet a token as it is and encrypts on
    writing, so reading and writing each row back encrypts it."""
    model = apps.get_model("assessment", "Assessment")
    last = 0
    while rows := list(model._base_manager.filter(pk__gt=last).order_by("pk")[:500]):
        model._base_manager.bulk_update(rows, ["wishes"])
        last = rows[-1].pk


def decrypt_rows(apps, schema_editor):
    connection = schema_editor.connection
    model = apps.get_model("assessment", "Assessment")
    with connection.cursor() as cursor:
        for pk, wishes in model._base_manager.values_list("pk", "wishes").iterator():
            cursor.execute(
                "UPDATE assessment_assessment SET wishes = %s WHERE id = %s", [wishes, pk]
            )


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0003_plan_schedules_and_reasons"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assessment",
            name="wishes",
            field=jiuzhu.core.encrypted_fields.EncryptedTextField(
                blank=True, verbose_name="the household's wishes"
            ),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
    ]
