"""``jiuzhu figures [--live-only]``: refresh the dashboards' current figures now (what the
periodic jobs do), e.g. after an import or before a meeting."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from jiuzhu.analytics.services.snapshots import figures_refresh


class Command(BaseCommand):
    help = (
        "Refresh the figures the dashboards read: stocks, flows and provider ranking over "
        "30, 90 and 365 days, and (unless --live-only) the poverty measures and the supply gap."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--live-only",
            action="store_true",
            help="leave the poverty measures and the supply gap as the last full refresh left them",
        )

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        written = figures_refresh(slow=not options["live_only"])
        self.stdout.write(
            f"{written} current figures refreshed in {time.perf_counter() - started:.1f} s"
        )
