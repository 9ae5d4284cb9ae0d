"""``jiuzhu manage dibao_line`` — show the dibao lines, or set one for a district."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.core.errors import DomainError
from jiuzhu.core.models import Area, DibaoLine
from jiuzhu.core.services.dibao import dibao_line_set


class Command(BaseCommand):
    help = "List dibao lines, or set one: dibao_line DISTRICT_CODE AMOUNT --from YYYY-MM-DD"

    def add_arguments(self, parser):
        parser.add_argument("district", nargs="?")
        parser.add_argument("amount", nargs="?")
        parser.add_argument("--from", dest="effective_from", default=None)
        parser.add_argument("--note", default="")

    def handle(self, *args, district=None, amount=None, effective_from=None, note="", **opts):
        if district is None:
            for line in DibaoLine.objects.select_related("district").order_by(
                "district__code", "-effective_from"
            ):
                self.stdout.write(
                    f"{line.district.code} {line.district.name}  {line.monthly_amount}  "
                    f"from {line.effective_from}  {line.note}"
                )
            return
        try:
            area = Area.objects.get(code=district)
            value = Decimal(amount or "")
            start = dt.date.fromisoformat(effective_from) if effective_from else dt.date.today()
        except Area.DoesNotExist:
            raise CommandError(f"no area with code {district}") from None
        except (InvalidOperation, ValueError) as error:
            raise CommandError(f"bad amount or date: {error}") from None
        try:
            line = dibao_line_set(
                district=area, monthly_amount=value, effective_from=start, note=note
            )
        except DomainError as error:
            raise CommandError(f"{error.message} {error.extra}") from None
        self.stdout.write(f"{area.name}: {line.monthly_amount} from {line.effective_from}")
