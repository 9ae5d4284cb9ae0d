"""Two transfers from one account at the same moment, on PostgreSQL with real parallel
connections: when the balance covers only one, exactly one wins and the other is refused by the
rule; when it covers both, both post. None lost, none doubled."""

from __future__ import annotations

import pytest

from jiuzhu.core.errors import DomainError
from jiuzhu.timebank.models import Account, AccountKind, Entry, Movement
from jiuzhu.timebank.selectors.accounts import ledger_verify
from jiuzhu.timebank.services.ledger import system_account, transfer_make
from parallel import in_parallel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _donate(account_id: int, minutes: int):
    account = Account.objects.select_related("holder").get(pk=account_id)
    return transfer_make(actor=account.holder, source=account, kind="donation", minutes=minutes)


def _redeem(account_id: int, minutes: int):
    account = Account.objects.select_related("holder").get(pk=account_id)
    return transfer_make(actor=account.holder, source=account, kind="redemption", minutes=minutes)


@pytest.mark.parametrize("round_", range(5))
def test_two_transfers_when_the_balance_covers_one_exactly_one_wins(postgres_only, funded, round_):
    for kind in (AccountKind.ISSUER, AccountKind.POOL, AccountKind.REDEEMED):
        system_account(kind)
    account = funded(100, age=70)
    results = in_parallel(lambda: _donate(account.pk, 60), lambda: _redeem(account.pk, 60))
    wins = [value for kind, value in results if kind == "ok"]
    losses = [value for kind, value in results if kind == "error"]
    assert len(wins) == 1 and len(losses) == 1, results
    assert isinstance(losses[0], DomainError) and losses[0].code == "insufficient_balance"
    account.refresh_from_db()
    assert account.balance_minutes == 40
    assert Entry.objects.filter(account=account, minutes=-60).count() == 1
    assert ledger_verify().ok


def test_two_transfers_that_both_fit_both_post(postgres_only, funded):
    for kind in (AccountKind.ISSUER, AccountKind.POOL, AccountKind.REDEEMED):
        system_account(kind)
    account = funded(120, age=70)
    results = in_parallel(lambda: _donate(account.pk, 60), lambda: _donate(account.pk, 60))
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    account.refresh_from_db()
    assert account.balance_minutes == 0
    assert Movement.objects.filter(kind="donation").count() == 2
    assert system_account(AccountKind.POOL).balance_minutes == 120
    assert ledger_verify().ok
