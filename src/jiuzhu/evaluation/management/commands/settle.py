"""``jiuzhu settle --period YYYY-MM [--district CODE]`` — draft the period's settlement
statements of every running project (idempotent: running it twice changes nothing)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.models import Area, AreaLevel
from jiuzhu.evaluation.services.statements import statements_draft_period


class Command(BaseCommand):
    help = "Draft the settlement statements of a period (YYYY-MM) for every running project."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--district", default="", help="district code, e.g. 320113")

    def handle(self, *args, period: str, district: str = "", **options):
        if district and not Area.objects.filter(code=district, level=AreaLevel.DISTRICT).exists():
            raise CommandError(f"no district with code {district}")
        try:
            counts = statements_draft_period(period=period, district_code=district)
        except ValidationFailed:
            raise CommandError("give the period as YYYY-MM") from None
        self.stdout.write(
            f"{counts['projects']} projects: {counts['written']} statements drafted or "
            f"refreshed, {counts['unchanged']} unchanged"
        )
