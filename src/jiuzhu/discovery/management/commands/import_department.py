"""``jiuzhu import SOURCE FILE [--dry-run] [--valid-rows-only] [--user NAME]``: import a
department file as the named account (default ``$JIUZHU_IMPORT_USER``). Exit status 0 when the
file was imported (or checked), 1 with the error report's path when it was refused."""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.core.errors import DomainError
from jiuzhu.core.models import User
from jiuzhu.discovery.engine.sources import SOURCES
from jiuzhu.discovery.models import ImportChannel, ImportStatus
from jiuzhu.discovery.services.import_messages import refusal_message
from jiuzhu.discovery.services.imports import batch_report_rows, import_file


class Command(BaseCommand):
    help = "Import a department data file (CSV in UTF-8 or GBK, or XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("source", choices=sorted(SOURCES))
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check only, import nothing")
        parser.add_argument(
            "--valid-rows-only", action="store_true", help="import the valid rows, skip the rest"
        )
        parser.add_argument("--user", default=os.environ.get("JIUZHU_IMPORT_USER", ""))
        parser.add_argument("--report", default="", help="where to write the error report")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        if not options["user"]:
            raise CommandError("name the importing account: --user NAME (or JIUZHU_IMPORT_USER)")
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active account {options['user']!r}")

        # Every 100,000 rows; with -v 2 every 10,000 (how far a long import has got, and what
        # the fault test waits for before it kills one half-way).
        step = 10_000 if options["verbosity"] >= 2 else 100_000

        def progress(rows: int) -> None:
            if rows and rows % step == 0:
                self.stderr.write(f"… {rows} rows")

        try:
            batch = import_file(
                actor=user,
                source=options["source"],
                path=path,
                file_name=path.name,
                channel=ImportChannel.CLI,
                dry_run=options["dry_run"],
                valid_rows_only=options["valid_rows_only"],
                progress=progress,
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        summary = (
            f"batch {batch.pk}: {batch.get_status_display()} — rows {batch.rows}, accepted "
            f"{batch.accepted}, rejected {batch.rejected}, new records {batch.new_records}, "
            f"matched {batch.matched}, potential cases {batch.potential_cases}, "
            f"warnings {batch.warnings}"
        )
        self.stdout.write(summary)
        if batch.rejected or batch.refusal:
            report = Path(options["report"] or f"{path.stem}-errors.csv")
            with open(report, "w", encoding="utf-8-sig", newline="") as out:
                csv.writer(out).writerows(batch_report_rows(batch))
            self.stdout.write(f"error report: {report.resolve()}")
        if batch.status == ImportStatus.REFUSED:
            message = refusal_message(batch.refusal["code"], batch.refusal.get("params", {}))
            self.stderr.write(f"refused: {message}")
            sys.exit(1)
