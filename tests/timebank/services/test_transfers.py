"""Transfers to family, donations to the pool and redemptions for services: every rule at its
boundary, and every refusal names its rule."""

import datetime as dt

import pytest
from django.db import DatabaseError, transaction

from jiuzhu.core.errors import DomainError, PermissionDenied
from jiuzhu.core.models import AuditEntry, AuditResult
from jiuzhu.timebank.models import Account, AccountKind, Entry, MovementStatus
from jiuzhu.timebank.selectors.accounts import ledger_verify
from jiuzhu.timebank.services.ledger import (
    account_open,
    post_deposit,
    system_account,
    transfer_make,
)

pytestmark = pytest.mark.django_db
CAP = 1500 * 60


def _refused(rule, **kwargs):
    with pytest.raises(DomainError) as refused:
        transfer_make(**kwargs)
    assert refused.value.code == rule
    assert refused.value.status == 422
    return refused.value


def test_a_transfer_to_a_spouse_moves_the_hours_and_posts_on_the_state_machine(funded):
    giver, spouse = funded(600), funded(0)
    movement = transfer_make(
        actor=giver.holder,
        source=giver,
        kind="transfer",
        minutes=120,
        target_id=spouse.pk,
        relation="spouse",
    )
    assert movement.status == MovementStatus.POSTED
    giver.refresh_from_db()
    spouse.refresh_from_db()
    assert (giver.balance_minutes, spouse.balance_minutes) == (480, 120)
    assert ledger_verify().ok


def test_a_transfer_to_a_non_relative_names_the_rule_and_is_audited(funded):
    giver, friend = funded(600), funded(0)
    error = _refused(
        "not_family",
        actor=giver.holder,
        source=giver,
        kind="transfer",
        minutes=60,
        target_id=friend.pk,
        relation="other",
    )
    assert "spouse" in error.message
    assert AuditEntry.objects.filter(
        result=AuditResult.DENIED, detail__refused="not_family"
    ).exists()


def test_no_balance_goes_negative(funded):
    giver = funded(60)
    _refused("insufficient_balance", actor=giver.holder, source=giver, kind="donation", minutes=61)
    transfer_make(actor=giver.holder, source=giver, kind="donation", minutes=60)
    giver.refresh_from_db()
    assert giver.balance_minutes == 0
    assert system_account(AccountKind.POOL).balance_minutes == 60


def test_only_the_holder_moves_hours(funded):
    giver, other = funded(60), funded(60)
    with pytest.raises(PermissionDenied):
        transfer_make(actor=other.holder, source=giver, kind="donation", minutes=10)


def test_the_cap_is_exactly_1500_hours_beyond_it_hours_go_to_the_pool(funded):
    full = funded(CAP - 60)
    post_deposit(account=full, minutes=60, note="x", actor=None)
    full.refresh_from_db()
    assert full.balance_minutes == CAP
    pool = system_account(AccountKind.POOL)
    assert pool.balance_minutes == 0
    post_deposit(account=full, minutes=30, note="x", actor=None)
    full.refresh_from_db()
    pool.refresh_from_db()
    assert (full.balance_minutes, pool.balance_minutes) == (CAP, 30)
    assert full.earned_minutes == CAP + 30


def test_a_group_account_can_only_donate(funded, actors):
    leader = funded(0)
    group = account_open(
        actor=actors["city_admin"], kind="group", holder=leader.holder, name="仙林志愿队"
    )
    post_deposit(account=group, minutes=300, note="活动", actor=None)
    group.refresh_from_db()
    _refused(
        "group_donates_only",
        actor=leader.holder,
        source=group,
        kind="transfer",
        minutes=60,
        target_id=leader.pk,
        relation="spouse",
    )
    _refused(
        "group_donates_only",
        actor=leader.holder,
        source=group,
        kind="redemption",
        minutes=60,
        relation="self",
    )
    transfer_make(actor=leader.holder, source=group, kind="donation", minutes=60)


@pytest.mark.parametrize(("age", "allowed"), [(59, False), (60, True)])
def test_the_holder_redeems_at_60(funded, age, allowed):
    account = funded(120, age=age)
    if allowed:
        transfer_make(actor=account.holder, source=account, kind="redemption", minutes=60)
        account.refresh_from_db()
        assert account.balance_minutes == 60
    else:
        _refused("under_60", actor=account.holder, source=account, kind="redemption", minutes=60)


@pytest.mark.parametrize(("age", "allowed"), [(59, False), (60, True)])
def test_a_relative_aged_59_or_60(funded, age, allowed):
    account = funded(120, age=35)
    today = dt.date.today()
    born = today.replace(year=today.year - age)
    kwargs = {
        "actor": account.holder,
        "source": account,
        "kind": "redemption",
        "minutes": 60,
        "relation": "parent",
        "beneficiary_birth_date": born,
    }
    if allowed:
        transfer_make(**kwargs)
    else:
        _refused("under_60", **kwargs)


def test_a_sibling_is_not_a_direct_relative(funded):
    account = funded(120, age=35)
    _refused(
        "not_family",
        actor=account.holder,
        source=account,
        kind="redemption",
        minutes=60,
        relation="sibling",
        beneficiary_birth_date=dt.date(1940, 1, 1),
    )


def test_entries_are_append_only_in_the_database(funded):
    funded(60)
    entry = Entry.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(minutes=120)
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).delete()
    assert Entry.objects.get(pk=entry.pk).minutes == entry.minutes


def test_the_bank_sums_to_zero(funded):
    funded(100)
    funded(250)
    assert sum(Account.objects.values_list("balance_minutes", flat=True)) == 0
