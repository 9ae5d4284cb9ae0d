"""Statement lines cite the upheld complaints about the orders they count (complaint → order →
line). On SQLite adding the column rebuilds the lines' table, which drops its triggers, so the
lock triggers of 0002 are made again (PostgreSQL keeps them)."""

import importlib

from django.db import migrations, models

_LOCKS = importlib.import_module("jiuzhu.evaluation.migrations.0002_projects")
_LINE_TRIGGERS = [sql for sql in _LOCKS.SQLITE if "ON evaluation_statementline" in sql]
_DROP = [
    f"DROP TRIGGER IF EXISTS evaluation_line_locked_{op};" for op in ("insert", "update", "delete")
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in [*_DROP, *_LINE_TRIGGERS]:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0003_applications"),
    ]

    operations = [
        migrations.AddField(
            model_name="statementline",
            name="complaints",
            field=models.JSONField(default=list),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
