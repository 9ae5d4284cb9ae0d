"""``jiuzhu rotate-key [--batch-size N]``: re-encrypt every encrypted field under the current
``JIUZHU_FIELD_KEY`` (core/keyrotation.py; the procedure is in docs/operations.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.core import audit
from jiuzhu.core.keyrotation import rotate
from jiuzhu.core.models import AuditAction


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field and recompute every lookup hash under JIUZHU_FIELD_KEY; "
        "values under JIUZHU_FIELD_KEY_OLD stay readable throughout."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction")

    def handle(self, *args: object, **options: object) -> None:
        batch_size = options["batch_size"]
        if not isinstance(batch_size, int) or batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if not settings.FIELD_ENCRYPTION_KEYS_OLD:
            self.stdout.write(
                "JIUZHU_FIELD_KEY_OLD is not set: re-encrypting under the current key only."
            )

        def progress(label: str, done: int, total: int) -> None:
            self.stdout.write(f"{label}: {done}/{total}")

        done = rotate(batch_size=batch_size, progress=progress)
        audit.record(
            actor=None, actor_label="cli", action=AuditAction.UPDATE, object_type="database",
            detail={"event": "rotate-key", "rows": sum(done.values())},
        )  # fmt: skip
        self.stdout.write(
            f"{sum(done.values())} records in {len(done)} tables are under the current key; "
            "JIUZHU_FIELD_KEY_OLD can now be removed."
        )
