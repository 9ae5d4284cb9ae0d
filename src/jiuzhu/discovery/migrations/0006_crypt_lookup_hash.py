"""Identity-number lookup hashes are LookupHashFields, so `jiuzhu rotate-key` recomputes them."""

import jiuzhu.core.encrypted_fields
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("discovery", "0005_warning_event_action_labels"),
    ]

    operations = [
        migrations.AlterField(
            model_name="potentialcase",
            name="id_number_hash",
            field=jiuzhu.core.encrypted_fields.LookupHashField(
                automatic=False,
                from_token=True,
                kind="identity",
                source="id_number_encrypted",
                unique=True,
            ),
        ),
    ]
