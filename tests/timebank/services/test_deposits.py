"""A completed volunteer task deposits its hours once confirmed: by the household (through the
delivery confirmation), its community worker or the provider; never silently."""

import datetime as dt

import pytest
from django.utils import timezone

from jiuzhu.core.errors import Conflict, PermissionDenied
from jiuzhu.core.models import Notification
from jiuzhu.orders.services.evidence import delivery_confirm
from jiuzhu.timebank.models import Account, Deposit, DepositStatus, Entry
from jiuzhu.timebank.selectors.accounts import ledger_verify, own_account
from jiuzhu.timebank.services.deposits import (
    deposit_confirm,
    deposit_confirm_for_order,
    deposit_open_for_order,
    deposits_escalate,
)

pytestmark = pytest.mark.django_db


def test_a_completed_task_opens_a_pending_deposit_and_nothing_is_posted(completed, actors):
    order = completed(minutes=90)
    deposit = Deposit.objects.get(order=order)
    assert deposit.status == DepositStatus.PENDING
    assert deposit.minutes == 90
    assert deposit.account.holder == actors["volunteer"]
    assert deposit.account.balance_minutes == 0
    assert not Entry.objects.exists()


def test_the_households_confirmation_deposits_the_hours_one_for_one(
    completed, market, actors, inline
):
    order = completed(minutes=90)
    inline(delivery_confirm, actor=market["beneficiary"], order=order)
    account = own_account(user=actors["volunteer"])
    assert account.balance_minutes == 90
    assert account.earned_minutes == 90
    deposit = Deposit.objects.get(order=order)
    assert deposit.status == DepositStatus.CONFIRMED
    assert deposit.confirmed_by == market["beneficiary"]
    assert ledger_verify().ok


def test_handlers_are_idempotent(completed, market, actors, inline):
    order = completed(minutes=60)
    inline(delivery_confirm, actor=market["beneficiary"], order=order)
    assert deposit_open_for_order(order_id=order.pk).status == DepositStatus.CONFIRMED
    deposit_confirm_for_order(order_id=order.pk, confirmed_by=market["beneficiary"].pk)
    assert own_account(user=actors["volunteer"]).balance_minutes == 60
    assert Deposit.objects.count() == 1


def test_staff_work_earns_no_deposit(market, actors, inline):
    from jiuzhu.orders.services.evidence import order_check_in, order_check_out
    from jiuzhu.orders.services.orders import order_accept, order_create

    order = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    order = order_accept(actor=market["staff_a"], order=order)
    order = order_check_in(actor=market["staff_a"], order=order)
    inline(
        order_check_out, actor=market["staff_a"], order=order, summary="送餐", duration_minutes=30
    )
    assert not Deposit.objects.exists()


def test_the_provider_may_confirm_and_a_second_confirmation_conflicts(completed, market):
    order = completed(minutes=45)
    deposit = Deposit.objects.get(order=order)
    deposit_confirm(actor=market["staff_a"], deposit=deposit)
    with pytest.raises(Conflict):
        deposit_confirm(actor=market["staff_a"], deposit=Deposit.objects.get(pk=deposit.pk))
    assert Account.objects.get(pk=deposit.account_id).balance_minutes == 45


def test_another_provider_or_the_volunteer_may_not_confirm(completed, market, actors):
    deposit = Deposit.objects.get(order=completed())
    with pytest.raises(PermissionDenied):
        deposit_confirm(actor=market["staff_b"], deposit=deposit)
    with pytest.raises(PermissionDenied):
        deposit_confirm(actor=actors["volunteer"], deposit=deposit)


def test_an_unconfirmed_deposit_goes_to_the_provider_after_the_set_time(
    completed, market, settings
):
    settings.JIUZHU_TIMEBANK_CONFIRM_HOURS = 72
    deposit = Deposit.objects.get(order=completed())
    assert deposits_escalate(now=timezone.now() + dt.timedelta(hours=71)) == 0
    assert deposits_escalate(now=timezone.now() + dt.timedelta(hours=73)) == 1
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.ESCALATED
    assert Notification.objects.filter(
        user=market["staff_a"], title__contains=deposit.title
    ).exists()
    assert deposit.account.balance_minutes == 0  # never deposited silently
    deposit_confirm(actor=market["staff_a"], deposit=deposit)
    assert Account.objects.get(pk=deposit.account_id).balance_minutes == deposit.minutes


def test_a_group_activity_deposits_each_volunteers_own_hours_at_once(funded, actors):
    from jiuzhu.core.errors import ValidationFailed
    from jiuzhu.timebank.services.deposits import group_activity_deposit

    staff = actors["provider_staff"]
    a, b, stranger = funded(0), funded(0), funded(0)
    for account in (a, b):
        account.holder.organisation = staff.organisation
        account.holder.save()
    activity = group_activity_deposit(
        actor=staff, title="重阳节敬老活动", participants=[(a.pk, 120), (b.pk, 90)]
    )
    deposits = list(activity.deposits.order_by("account_id"))
    assert [(d.account_id, d.minutes, d.status) for d in deposits] == [
        (a.pk, 120, DepositStatus.CONFIRMED),
        (b.pk, 90, DepositStatus.CONFIRMED),
    ]
    assert [Account.objects.get(pk=pk).balance_minutes for pk in (a.pk, b.pk)] == [120, 90]
    with pytest.raises(ValidationFailed) as twice:
        group_activity_deposit(actor=staff, title="x", participants=[(a.pk, 60), (a.pk, 60)])
    assert "participants" in twice.value.fields
    # A volunteer of another organisation is not the staff's to record: all or none.
    with pytest.raises(ValidationFailed) as foreign:
        group_activity_deposit(actor=staff, title="x", participants=[(a.pk, 60), (stranger.pk, 60)])
    assert str(stranger.pk) in foreign.value.fields["participants"][0]
    assert Account.objects.get(pk=a.pk).balance_minutes == 120
    with pytest.raises(PermissionDenied):
        group_activity_deposit(actor=actors["volunteer"], title="x", participants=[(a.pk, 60)])
    assert ledger_verify().ok
