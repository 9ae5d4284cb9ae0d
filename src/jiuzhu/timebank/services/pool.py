"""Grants from the donation pool to households' accounts: elderly people living alone first.

A manager asks the pool for hours for several households' accounts at once. Each household is
ranked from the registry's members (current members only): an elderly person (60 or older)
living alone — the household's only current member — first, then households with an elderly
member, then the others; within a rank, in the order asked. The pure rule is
``engine/pool.allocate``; this service reads the facts, locks the pool, and posts one ``grant``
movement per household that receives hours, all in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.models import User
from jiuzhu.core.scoping import visible
from jiuzhu.registry.models import Member
from jiuzhu.timebank import config, policy
from jiuzhu.timebank.engine import ledger
from jiuzhu.timebank.engine import pool as pool_rules
from jiuzhu.timebank.models import Account, AccountKind, Movement, MovementKind
from jiuzhu.timebank.services.ledger import TRANSFER_FLOW, _post, age_on, system_account

MAX_REQUESTS = 200


@dataclass(frozen=True)
class Granted:
    account: Account
    requested: int
    granted: int
    rank: int
    movement: Movement | None


def household_facts(accounts: Sequence[Account]) -> dict[int, tuple[bool, bool]]:
    """(has an elderly member, an elderly person living alone) by account id, from the
    registry's current members."""
    today = timezone.localdate()
    ages: dict[int, list[int]] = {}
    for household_id, born in Member.objects.filter(
        household_id__in=[a.household_id for a in accounts], is_active=True
    ).values_list("household_id", "birth_date"):
        ages.setdefault(household_id, []).append(age_on(born, today))
    facts = {}
    for account in accounts:
        member_ages = ages.get(account.household_id or 0, [])
        elderly = any(a >= ledger.REDEEM_AGE for a in member_ages)
        facts[account.pk] = (elderly, elderly and len(member_ages) == 1)
    return facts


@transaction.atomic
def pool_grant(
    *, actor: User, requests: Sequence[tuple[int, int]], note: str = ""
) -> list[Granted]:
    """Grant ``(account id, minutes)`` requests from the pool in priority order; returns every
    request with what it received (0 when the pool ran out before it)."""
    policy.require_pool_granter(actor)
    ids = [account_id for account_id, _minutes in requests]
    errors: dict[str, list[str]] = {}
    if not requests or len(requests) > MAX_REQUESTS:
        errors["requests"] = [_("Choose from 1 to 200 households' accounts.")]
    elif len(set(ids)) != len(ids):
        errors["requests"] = [_("Each household's account is asked for once.")]
    if any(not isinstance(m, int) or not 1 <= m <= config.cap_minutes() for _i, m in requests):
        errors["minutes"] = [_("Give the minutes, from 1 to the storage cap.")]
    accounts = {
        a.pk: a
        for a in visible(actor, Account.objects.filter(kind=AccountKind.HOUSEHOLD, pk__in=ids))
    }
    if not errors and len(accounts) != len(ids):
        errors["requests"] = [_("Only households' accounts in your area receive pool hours.")]
    if errors:
        raise ValidationFailed(errors)
    pool = system_account(AccountKind.POOL)
    available = Account.objects.select_for_update().get(pk=pool.pk).balance_minutes
    facts = household_facts(list(accounts.values()))
    plan = pool_rules.allocate(
        available,
        [
            pool_rules.PoolRequest(
                key=str(account_id),
                minutes=minutes,
                elderly=facts[account_id][0],
                living_alone=facts[account_id][1],
                seq=seq,
            )
            for seq, (account_id, minutes) in enumerate(requests)
        ],
    )
    out = []
    for grant in plan:
        account = accounts[int(grant.key)]
        movement = None
        if grant.granted:
            movement = _grant(
                actor=actor, pool=pool, account=account, minutes=grant.granted, note=note
            )
        out.append(Granted(account, grant.requested, grant.granted, grant.rank, movement))
    return out


def _grant(*, actor: User, pool: Account, account: Account, minutes: int, note: str) -> Movement:
    movement = Movement.objects.create(
        kind=MovementKind.GRANT,
        source=pool,
        target=account,
        minutes=minutes,
        note=(note.strip() or str(_("Donated hours for an elderly person")))[:200],
        created_by=actor,
    )

    def postings(locked: dict[int, Account]) -> list[ledger.Posting]:
        return [ledger.Posting(str(pool.pk), -minutes), ledger.Posting(str(account.pk), minutes)]

    _post(movement=movement, account_ids=[pool.pk, account.pk], postings_for=postings)
    return TRANSFER_FLOW.apply(
        obj=movement,
        action="post_grant",
        actor=actor,
        changes={"posted_at": timezone.now()},
        payload={"movement_id": movement.pk, "kind": MovementKind.GRANT, "minutes": minutes},
    )
