"""Bulk demo time-bank ledger for ``jiuzhu demo-data --ledger N`` (issue 15 item 3): volunteers'
individual accounts in the streets of the households just generated, and N posted movements
spread over the last year, in time order: mostly confirmed deposits for the tasks they did
(``DEPOSIT_SHARE``), the rest transfers to a family member's account and donations to the pool,
from volunteers whose balance covers them. Stored with ``bulk_create`` in large batches.

The balances are computed here, in Python, by the ledger's own pure functions
(``engine/ledger.py``: ``deposit_postings``, ``transfer_postings``, ``apply_postings``,
``entries_for``), the ones ``services.ledger`` posts with; so every movement sums to zero, every
entry carries its account's running balance (its entries are written in time order), the cap
sends overflow to the pool, no balance but the issuer's goes below zero, and each account's
stored balance is its last entry's. ``jiuzhu timebank verify`` replays and checks all of it.

This is a benchmark and demo path, not the service path: no events, audit entries or
notifications. The accounts have no holder (no sign-in account is made for each volunteer), so
nobody moves their hours; managers see them by district, and the dashboards count the deposits
by the street served."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.utils import timezone

from jiuzhu.core.demo import BulkContext, bulk_actor, bulk_step, dated
from jiuzhu.core.models import Role
from jiuzhu.registry.models import Household
from jiuzhu.timebank import config
from jiuzhu.timebank.engine import ledger
from jiuzhu.timebank.models import (
    Account,
    AccountKind,
    Deposit,
    DepositStatus,
    Entry,
    Movement,
    MovementKind,
    MovementStatus,
)
from jiuzhu.timebank.services.ledger import system_account

BATCH = 10_000
#: One volunteer account for so many movements (1,000,000 movements: 25,000 volunteers).
MOVEMENTS_PER_VOLUNTEER = 40
CONFIRMER = "bulk_demo_community_worker"
#: Shares of the movements by kind; a transfer or donation drawn for a volunteer whose balance
#: does not cover the smallest one (half an hour) becomes a deposit.
DEPOSIT_SHARE = 0.86
TRANSFER_SHARE = 0.08
#: The services volunteers give (item, its category as the catalogue names them).
SERVICES = (
    ("助餐", "生活照料"),
    ("助洁", "生活照料"),
    ("助医", "生活照料"),
    ("助购", "生活照料"),
    ("助行", "生活照料"),
    ("助聊", "生活支持与保障"),
    ("助急", "生活支持与保障"),
    ("居家维修", "生活支持与保障"),
    ("探访关爱", "关爱陪伴"),
    ("情绪疏导", "心理服务"),
)
DEPOSIT_MINUTES = (30, 60, 60, 90, 120, 120, 150, 180)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红建国文辉鹏飞秀云"
RELATIONS = sorted(ledger.FAMILY_RELATIONS)


def volunteer_count(movements: int) -> int:
    """How many volunteer accounts carry ``movements`` (at least two, for transfers)."""
    return max(2, -(-movements // MOVEMENTS_PER_VOLUNTEER))


def _volunteers(
    rng: random.Random, households: list[tuple[int, int]], count: int, opened: dt.datetime
) -> list[tuple[Account, int]]:
    """``count`` individual accounts opened at ``opened``, each with the street it serves: a
    household's drawn at random (the account is in the household's district)."""
    today = timezone.localdate()
    accounts: list[tuple[Account, int]] = []
    for _ in range(count):
        district_id, street_id = households[rng.randrange(len(households))]
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
        account = Account(
            kind=AccountKind.INDIVIDUAL,
            name=name,
            birth_date=today - dt.timedelta(days=rng.randint(18 * 365, 75 * 365)),
            district_id=district_id,
            created_at=opened,
        )
        accounts.append((account, street_id))
    with dated(Account, "created_at"):
        Account.objects.bulk_create(account for account, _ in accounts)
    return accounts


@bulk_step(60, "time-bank movements")
def bulk_ledger(context: BulkContext) -> int:
    """N posted movements (``sizes["ledger"]``) with their entries; returns how many."""
    wanted = context.sizes.get("ledger", 0)
    if not wanted:
        return 0
    households = list(
        Household.objects.filter(
            pk__range=(context.first_household_id, context.last_household_id)
        ).values_list("district_id", "street_id")
    )
    if not households:
        return 0
    confirmer = bulk_actor(CONFIRMER, Role.COMMUNITY_WORKER)
    issuer = system_account(AccountKind.ISSUER)
    pool = system_account(AccountKind.POOL)
    # The bank's accounts continue from their stored balances; locked as the services do.
    stored = dict(
        Account.objects.select_for_update()
        .filter(pk__in=[issuer.pk, pool.pk])
        .values_list("pk", "balance_minutes")
    )
    rng = random.Random(f"ledger-{context.seed}")
    now = timezone.now()
    year = 365 * 24 * 3600
    opened = _volunteers(rng, households, volunteer_count(wanted), now - dt.timedelta(days=367))
    street_of = {account.pk: street_id for account, street_id in opened}
    volunteers = list(street_of)
    times = sorted(now - dt.timedelta(seconds=rng.randrange(60, year)) for _ in range(wanted))
    issuer_key, pool_key = str(issuer.pk), str(pool.pk)
    balances = {issuer_key: stored[issuer.pk], pool_key: stored[pool.pk]}
    balances.update((str(pk), 0) for pk in volunteers)
    earned: dict[int, int] = defaultdict(int)
    cap = config.cap_minutes()
    done = 0
    with dated(Movement, "created_at"), dated(Deposit, "created_at"):
        for start in range(0, wanted, BATCH):
            movements: list[Movement] = []
            entries: list[list[ledger.Entry]] = []
            deposits: list[tuple[int, Deposit]] = []  # (index of the movement, deposit)
            for at in times[start : start + BATCH]:
                # A volunteer drawn at random: deposited for a task, or (when the balance covers
                # it) moving hours to a family member's account or to the pool.
                draw = rng.random()
                volunteer = rng.choice(volunteers)
                balance = balances[str(volunteer)]
                if draw < DEPOSIT_SHARE or balance < 30:
                    minutes = rng.choice(DEPOSIT_MINUTES)
                    title, category = rng.choice(SERVICES)
                    postings = ledger.deposit_postings(
                        issuer=issuer_key,
                        account=str(volunteer),
                        pool=pool_key,
                        balance=balance,
                        minutes=minutes,
                        cap=cap,
                    )
                    movement = Movement(
                        kind=MovementKind.DEPOSIT,
                        source_id=issuer.pk,
                        target_id=volunteer,
                        note=title,
                        created_by_id=confirmer.pk,
                    )
                    deposits.append(
                        (
                            len(movements),
                            Deposit(
                                account_id=volunteer,
                                title=title,
                                category=category,
                                street_id=street_of[volunteer],
                                minutes=minutes,
                                status=DepositStatus.CONFIRMED,
                                created_at=at - dt.timedelta(minutes=rng.randint(30, 48 * 60)),
                                confirmed_at=at,
                                confirmed_by_id=confirmer.pk,
                            ),
                        )
                    )
                    earned[volunteer] += minutes  # as post_deposit counts: the overflow too
                else:
                    minutes = rng.randrange(30, min(balance, 600) + 1, 30)
                    if draw < DEPOSIT_SHARE + TRANSFER_SHARE:
                        target = rng.choice(volunteers)
                        while target == volunteer:
                            target = rng.choice(volunteers)
                        kind, target_id, relation = (
                            MovementKind.TRANSFER,
                            target,
                            rng.choice(RELATIONS),
                        )
                        note = "转给家人"
                    else:
                        kind, target_id, relation, note = (
                            MovementKind.DONATION,
                            pool.pk,
                            "",
                            "捐给公益池",
                        )
                    postings = ledger.transfer_postings(
                        source=str(volunteer),
                        target=str(target_id),
                        pool=pool_key,
                        minutes=minutes,
                        source_balance=balance,
                        target_balance=balances[str(target_id)],
                        cap=cap,
                    )
                    movement = Movement(
                        kind=kind,
                        source_id=volunteer,
                        target_id=target_id,
                        relation=relation,
                        note=note,
                    )
                # The running balances of the accounts touched, checked by the ledger's rules
                # (balanced, none but the issuer below zero) before they are taken.
                touched = {posting.account: balances[posting.account] for posting in postings}
                balances.update(
                    ledger.apply_postings(touched, postings, may_go_negative=[issuer_key])
                )
                movement.status = MovementStatus.POSTED
                movement.minutes = minutes
                movement.created_at = movement.posted_at = at
                movements.append(movement)
                entries.append(ledger.entries_for("", postings, touched))
            Movement.objects.bulk_create(movements)
            Entry.objects.bulk_create(
                Entry(
                    movement_id=movement.pk,
                    account_id=int(entry.account),
                    minutes=entry.minutes,
                    balance_after=entry.balance_after,
                    at=movement.posted_at,
                )
                for movement, rows in zip(movements, entries, strict=True)
                for entry in rows
            )
            for index, deposit in deposits:
                deposit.movement_id = movements[index].pk
            Deposit.objects.bulk_create(deposit for _, deposit in deposits)
            done += len(movements)
            context.progress("time-bank movements", done, wanted)
    accounts = [account for account, _ in opened]
    for account in accounts:
        account.balance_minutes = balances[str(account.pk)]
        account.earned_minutes = earned[account.pk]
    Account.objects.bulk_update(accounts, ["balance_minutes", "earned_minutes"], batch_size=1000)
    for pk in (issuer.pk, pool.pk):
        Account.objects.filter(pk=pk).update(balance_minutes=balances[str(pk)])
    return done
