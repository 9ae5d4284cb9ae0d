"""``jiuzhu timebank verify``: recompute every balance from the ledger's entries."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.timebank.models import Account
from jiuzhu.timebank.selectors.accounts import ledger_verify


class Command(BaseCommand):
    help = (
        "Verify the time bank: replay every entry, check each account's chain of balances, "
        "that no balance is negative, that every movement and the bank sum to zero, and that "
        "the stored balances equal the replayed ones (exit 1 naming the first offending account)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="recompute every balance from the entries")

    def handle(self, *args: object, **options: object) -> None:
        result = ledger_verify()
        if result.ok:
            self.stdout.write(
                f"time bank consistent: {len(result.balances)} accounts with entries, "
                "the bank sums to zero, no balance negative"
            )
            return
        label = ""
        if result.account:
            account = Account.objects.filter(pk=int(result.account)).first()
            label = (
                f"account {result.account} ({account})" if account else f"account {result.account}"
            )
        detail = (
            f" (bank total {result.total} minutes)" if result.problem == "bank_not_zero" else ""
        )
        raise CommandError(f"time bank NOT consistent: {result.problem} {label}{detail}".strip())
