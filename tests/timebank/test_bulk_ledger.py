"""The scale generator's time-bank ledger (``jiuzhu demo-data --ledger N``) at a tiny size:
balanced double entry that the ledger's own verification accepts, running balances in time
order, deposits counted by the street served on the dashboards."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from jiuzhu.analytics.models import CurrentFigure
from jiuzhu.analytics.services.snapshots import figures_refresh
from jiuzhu.registry.models import Household
from jiuzhu.timebank.demo_bulk import volunteer_count
from jiuzhu.timebank.engine.ledger import FAMILY_RELATIONS
from jiuzhu.timebank.models import Account, Deposit, Entry, Movement
from jiuzhu.timebank.selectors.accounts import ledger_verify

pytestmark = pytest.mark.django_db


def generate(ledger: int, seed: int = 4) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "demo_data",
        "--households=30",
        f"--ledger={ledger}",
        f"--seed={seed}",
        "--streets=320113001000",
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def entries_by_account() -> dict[int, list[Entry]]:
    by_account: dict[int, list[Entry]] = defaultdict(list)
    for entry in Entry.objects.order_by("at", "id"):
        by_account[entry.account_id].append(entry)
    return by_account


def test_demo_data_fills_a_consistent_ledger(actors):
    out, err = generate(1200)
    assert "Created 1,200 time-bank movements" in out
    assert "1,200 / 1,200 time-bank movements" in err  # progress
    assert ledger_verify().ok
    console = io.StringIO()
    call_command("timebank", "verify", stdout=console)
    assert "time bank consistent" in console.getvalue()

    now = timezone.now()
    volunteers = Account.objects.filter(kind="individual")
    assert volunteers.count() == volunteer_count(1200)
    assert not volunteers.exclude(holder=None).exists()
    movements = {m.pk: m for m in Movement.objects.select_related("source", "target")}
    assert len(movements) == 1200
    assert {m.status for m in movements.values()} == {"posted"}
    kinds = defaultdict(int)
    for movement in movements.values():
        kinds[movement.kind] += 1
    assert kinds["deposit"] > 900 and kinds["transfer"] > 0 and kinds["donation"] > 0
    # Every movement's entries sum to zero, at the movement's time, never ahead of now.
    sums: dict[int, int] = defaultdict(int)
    for entry in Entry.objects.all():
        movement = movements[entry.movement_id]
        sums[entry.movement_id] += entry.minutes
        assert entry.at == movement.posted_at == movement.created_at <= now
    assert set(sums) == set(movements) and not any(sums.values())
    for movement in movements.values():
        if movement.kind == "deposit":
            assert movement.source.kind == "issuer" and movement.target.kind == "individual"
        elif movement.kind == "transfer":
            assert movement.target.kind == "individual" and movement.target != movement.source
            assert movement.relation in FAMILY_RELATIONS
        else:
            assert movement.target.kind == "pool"
    # Each account's entries, in time order, carry its running balance; none below zero but
    # the issuer's; the stored balance is the last one (and the sum).
    by_account = entries_by_account()
    for account in Account.objects.all():
        running = 0
        for entry in by_account[account.pk]:
            running += entry.minutes
            assert entry.balance_after == running
            assert running >= 0 or account.kind == "issuer"
        assert account.balance_minutes == running
        ids = [entry.pk for entry in by_account[account.pk]]
        assert ids == sorted(ids)  # written in time order
    # Deposits: confirmed, one per deposit movement, in the street of the volunteer's district.
    deposits = list(Deposit.objects.select_related("movement", "street", "account"))
    assert len(deposits) == kinds["deposit"]
    streets = set(Household.objects.values_list("street_id", flat=True))
    earned: dict[int, int] = defaultdict(int)
    for deposit in deposits:
        assert deposit.status == "confirmed" and deposit.confirmed_by is not None
        assert deposit.movement.kind == "deposit"
        assert deposit.movement.target_id == deposit.account_id
        assert deposit.movement.minutes == deposit.minutes
        assert deposit.created_at < deposit.confirmed_at == deposit.movement.posted_at <= now
        assert deposit.street_id in streets
        assert deposit.street.parent_id == deposit.account.district_id
        earned[deposit.account_id] += deposit.minutes
    for account in volunteers:
        assert account.earned_minutes == earned[account.pk]
        assert account.created_at < min(
            (e.at for e in by_account[account.pk]), default=now
        ) and account.created_at < min(
            (d.created_at for d in deposits if d.account_id == account.pk), default=now
        )
    times = sorted(m.posted_at for m in movements.values())
    assert (times[-1] - times[0]).days > 300  # spread over the year

    # The dashboards count the confirmed minutes by the street served.
    figures_refresh(slow=False)
    street = deposits[0].street
    start = timezone.localdate() - dt.timedelta(days=29)
    minutes = sum(
        d.minutes
        for d in deposits
        if d.street == street and timezone.localdate(d.confirmed_at) >= start
    )
    figure = CurrentFigure.objects.get(area=street, key="p30.timebank.minutes")
    assert figure.value == minutes > 0


def test_the_cap_sends_the_overflow_to_the_pool_and_a_second_run_continues(settings, actors):
    settings.JIUZHU_TIMEBANK_CAP_HOURS = 2  # 120 minutes: most deposits overflow
    generate(300)
    generate(200, seed=5)
    assert ledger_verify().ok
    assert Movement.objects.count() == 500
    overflowed = Movement.objects.filter(kind="deposit", entries__account__kind="pool")
    assert overflowed.exists()
    assert not Account.objects.filter(kind="individual", balance_minutes__gt=120).exists()
    pool = Account.objects.get(kind="pool")
    assert (
        pool.balance_minutes == Entry.objects.filter(account=pool).aggregate(s=Sum("minutes"))["s"]
    )
    # Earned counts what the volunteer gave, the overflow too (as post_deposit does).
    for account in Account.objects.filter(kind="individual"):
        given = Deposit.objects.filter(account=account).aggregate(s=Sum("minutes"))["s"] or 0
        assert account.earned_minutes == given
    issuer = Account.objects.get(kind="issuer")
    assert issuer.balance_minutes == -Deposit.objects.aggregate(s=Sum("minutes"))["s"]


def test_no_ledger_unless_asked(actors):
    out, _ = generate(0)
    assert "ledger" not in out
    assert not Movement.objects.exists() and not Account.objects.exists()
