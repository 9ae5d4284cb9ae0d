"""``jiuzhu snapshot [--month YYYY-MM]``: take a month's snapshot of the dashboards' figures."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from jiuzhu.analytics.services.snapshots import figures_refresh, previous_month, snapshot_take


class Command(BaseCommand):
    help = (
        "Take the monthly snapshot of every area's dashboard figures (default: last month). "
        "Figures already taken for the month are kept as they were; only missing ones are "
        "written. Also refreshes the current figures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="YYYY-MM (default: the month before this one)")

    def handle(self, *args: object, **options: object) -> None:
        raw = options.get("month")
        if raw:
            try:
                month = dt.datetime.strptime(str(raw), "%Y-%m").date()
            except ValueError:
                raise CommandError(f"--month must be YYYY-MM, not {raw!r}") from None
        else:
            month = previous_month(timezone.localdate())
        try:
            written = snapshot_take(month=month)
        except ValueError as error:
            raise CommandError(str(error)) from None
        current = figures_refresh()
        self.stdout.write(
            f"snapshot {month:%Y-%m}: {written} figures written (existing ones kept); "
            f"{current} current figures refreshed"
        )
