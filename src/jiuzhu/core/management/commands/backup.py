"""``jiuzhu backup [--out FILE]``: write the whole database to one file (core/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from jiuzhu.core import audit
from jiuzhu.core.backup import backup_write
from jiuzhu.core.models import AuditAction


class Command(BaseCommand):
    help = "Write a backup of every record (encrypted fields stay encrypted; keep the key apart)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, help="the backup file (default var/backups/…)")

    def handle(self, *args: object, **options: object) -> None:
        out = options.get("out")
        if not isinstance(out, Path):
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            out = Path(settings.VAR_DIR) / "backups" / f"jiuzhu-{stamp}.zip"
        audit.record(
            actor=None, actor_label="cli", action=AuditAction.EXPORT, object_type="database",
            detail={"event": "backup", "file": out.name},
        )  # fmt: skip
        manifest = backup_write(out)
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(f"{rows} records in {len(manifest['tables'])} tables written to {out}")
        self.stdout.write("Keep JIUZHU_FIELD_KEY apart from this file: it is not in the backup.")
