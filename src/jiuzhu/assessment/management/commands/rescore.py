"""``jiuzhu rescore [--version V]`` — rescore every household's newest answers, with progress."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.assessment.models import IndicatorFramework
from jiuzhu.assessment.services.frameworks import published_framework
from jiuzhu.assessment.services.rescore import rescore


def progress_bar(done: int, total: int, started: float, stream=sys.stderr) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    rate = done / max(time.monotonic() - started, 1e-9)
    stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}  {rate:,.0f}/s")
    stream.flush()


class Command(BaseCommand):
    help = "Rescore every household's newest submitted assessment under a framework version."

    def add_arguments(self, parser):
        # `jiuzhu rescore --version V` arrives here as --framework-version (Django's commands
        # keep --version for themselves).
        parser.add_argument(
            "--framework-version",
            dest="framework_version",
            type=int,
            default=None,
            help="framework version (default: the published one)",
        )
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, framework_version=None, batch=2000, **options):
        if framework_version is None:
            framework = published_framework()
            if framework is None:
                raise CommandError("no published framework; give --version")
        else:
            framework = IndicatorFramework.objects.filter(version=framework_version).first()
            if framework is None:
                raise CommandError(f"no framework version {framework_version}")
        started = time.monotonic()
        count = rescore(
            framework=framework,
            batch=max(1, batch),
            progress=lambda done, total: progress_bar(done, total, started, self.stderr._out),
        )
        self.stderr.write("")
        self.stdout.write(
            f"rescored {count} households under v{framework.version} "
            f"in {time.monotonic() - started:.1f}s"
        )
