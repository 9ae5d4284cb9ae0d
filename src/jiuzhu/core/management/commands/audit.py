"""``jiuzhu audit verify|seal|checkpoint``: check and seal the tamper-evident audit chain."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.core.audit_chain import checkpoint, seal, verify
from jiuzhu.core.models import AuditSeal


class Command(BaseCommand):
    help = (
        "Verify the audit chain (exit 1 on any altered, inserted or deleted record), "
        "seal it, or export a signed checkpoint."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("verify", help="recompute every MAC and the chain")
        check.add_argument(
            "--checkpoints",
            type=Path,
            help="a JSON-lines file of exported checkpoints that must still be in the trail",
        )
        sub.add_parser("seal", help="seal the entries older than the lag now")
        export = sub.add_parser("checkpoint", help="print (or write) the newest seal, signed")
        export.add_argument("--out", type=Path)

    def handle(self, *args: object, **options: object) -> None:
        action = options["action"]
        if action == "seal":
            new_seal = seal()
            self.stdout.write(
                f"sealed up to entry {new_seal.upto_id} (seal {new_seal.sequence})"
                if new_seal
                else "nothing to seal"
            )
            return
        if action == "checkpoint":
            newest = AuditSeal.objects.order_by("-sequence").first()
            if newest is None:
                raise CommandError("no seal yet: run `jiuzhu audit seal` first")
            line = json.dumps(checkpoint(newest))
            out = options.get("out")
            if isinstance(out, Path):
                with out.open("a", encoding="utf-8") as archive:
                    archive.write(line + "\n")
                self.stdout.write(f"checkpoint {newest.sequence} appended to {out}")
            else:
                self.stdout.write(line)
            return
        checkpoints = []
        path = options.get("checkpoints")
        if isinstance(path, Path):
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
                checkpoints = [json.loads(line) for line in lines if line.strip()]
            except (OSError, ValueError) as error:
                raise CommandError(f"cannot read checkpoints from {path}: {error}") from None
        report = verify(checkpoints=checkpoints)
        summary = (
            f"{report.entries} entries, {report.seals} seals, "
            f"{report.unsealed} not yet sealed (covered by their MAC)"
        )
        if report.ok:
            self.stdout.write(f"audit trail intact: {summary}")
            return
        for problem in report.problems:
            self.stderr.write(problem)
        raise CommandError(f"audit trail NOT intact ({len(report.problems)} problems): {summary}")
