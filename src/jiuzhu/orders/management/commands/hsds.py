"""``jiuzhu hsds export DIR`` writes ``organizations.json`` and ``services.json`` (HSDS 3.0);
``jiuzhu hsds import FILE… --user NAME`` imports such files (organizations before services),
reporting each refused record and keeping the good ones. Exit status 1 when any was refused."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.core.models import User
from jiuzhu.orders.hsds.imports import hsds_import
from jiuzhu.orders.hsds.records import (
    directory_providers,
    directory_services,
    organization_record,
    service_record,
)

FILES = {"organization": "organizations.json", "service": "services.json"}


def dump(records: list[dict[str, Any]]) -> str:
    return json.dumps(records, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _kind(records: list[Any]) -> str:
    """Services name their organization; organizations do not."""
    return (
        "service"
        if any(isinstance(r, dict) and "organization_id" in r for r in records)
        else ("organization")
    )


class Command(BaseCommand):
    help = "Exchange the service directory in Open Referral HSDS 3.0 JSON."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write organizations.json and services.json")
        export.add_argument("directory")
        load = sub.add_parser("import", help="import organization and service files")
        load.add_argument("files", nargs="+")
        load.add_argument("--user", default=os.environ.get("JIUZHU_IMPORT_USER", ""))

    def handle(self, *args, **options):
        if options["action"] == "export":
            return self._export(Path(options["directory"]))
        return self._import(options["files"], options["user"])

    def _export(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        organizations = [organization_record(p) for p in directory_providers(user=None)]
        services = [service_record(link) for link in directory_services(user=None)]
        (directory / FILES["organization"]).write_text(dump(organizations), encoding="utf-8")
        (directory / FILES["service"]).write_text(dump(services), encoding="utf-8")
        self.stdout.write(f"{len(organizations)} organizations, {len(services)} services")

    def _import(self, files: list[str], username: str) -> None:
        if not username:
            raise CommandError("name the importing account: --user NAME (or JIUZHU_IMPORT_USER)")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active account {username!r}")
        batches = []
        for name in files:
            try:
                records = json.loads(Path(name).read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise CommandError(f"{name}: {error}") from None
            if not isinstance(records, list):
                raise CommandError(f"{name}: expected a JSON array of records")
            batches.append((_kind(records), name, records))
        failed = False
        for kind, name, records in sorted(batches, key=lambda b: b[0] != "organization"):
            report = hsds_import(actor=user, kind=kind, records=records)
            self.stdout.write(f"{name}: {report.imported}/{len(records)} {kind} records imported")
            for line in report.errors:
                self.stderr.write(f"{name}: {line}")
            failed = failed or bool(report.errors)
        if failed:
            sys.exit(1)
