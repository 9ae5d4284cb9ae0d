"""``jiuzhu restore FILE``: migrate an empty database, load a backup into it, and compare every
table's checksum with the backup's manifest (exit 1 on any difference)."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.core import audit
from jiuzhu.core.backup import BackupError, backup_manifest, backup_restore
from jiuzhu.core.models import AuditAction


class Command(BaseCommand):
    help = "Restore a backup into an empty database and check every record against it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        assert isinstance(path, Path)
        try:
            backup_manifest(path)
            call_command("migrate", verbosity=0, interactive=False)
            result = backup_restore(path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        audit.record(
            actor=None, actor_label="cli", action=AuditAction.CREATE, object_type="database",
            detail={"event": "restore", "file": path.name, "rows": result.rows},
        )  # fmt: skip
        self.stdout.write(
            f"restored {result.rows} records in {result.tables} tables; every checksum matches"
        )
