"""``jiuzhu demo-accounts``: create or refresh the demo accounts and print them."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.core.services.areas import load_default_areas
from jiuzhu.registry.demo import DEMO_REFUSED, demo_allowed
from jiuzhu.registry.demo.accounts import (
    NotADemoAccount,
    demo_accounts_refresh,
    format_accounts_table,
)


class Command(BaseCommand):
    help = "Create or refresh one demo account per role (shared demo password) and list them."

    def handle(self, *args, **options) -> None:
        if not demo_allowed():
            raise CommandError(DEMO_REFUSED)
        load_default_areas()
        try:
            rows = demo_accounts_refresh()
        except NotADemoAccount as error:
            raise CommandError(str(error)) from None
        self.stdout.write(format_accounts_table(rows))
