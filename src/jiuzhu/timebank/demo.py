"""The time bank's demo step: the demo volunteers' accounts, deposits for the tasks they
completed (most confirmed, some waiting), a few months of earlier service, a transfer to a
family member's account, a donation to the pool and a redemption."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from jiuzhu.core.demo import DemoContext, demo_step
from jiuzhu.core.models import Role, User
from jiuzhu.core.scoping import visible
from jiuzhu.orders.models import Order, OrderStatus
from jiuzhu.orders.scopes import provider_of
from jiuzhu.registry.models import Household
from jiuzhu.timebank.models import Account, Deposit, DepositStatus, Movement
from jiuzhu.timebank.services.counter import counter_redeem
from jiuzhu.timebank.services.deposits import (
    deposit_confirm,
    deposit_open_for_order,
    group_activity_deposit,
)
from jiuzhu.timebank.services.ledger import (
    account_for_volunteer,
    account_open,
    post_deposit,
    transfer_make,
)
from jiuzhu.timebank.services.pool import pool_grant

EARLIER_SERVICE = ("社区助老活动", "陪同就医", "上门助洁", "助餐送餐", "读报聊天", "理发助浴")


@demo_step(99, "time bank")
def time_bank(context: DemoContext) -> None:
    volunteers = list(User.objects.filter(role=Role.VOLUNTEER, is_demo=True).order_by("pk"))
    if not volunteers or Movement.objects.exists():
        return
    rng = random.Random(context.seed)
    volunteer = volunteers[0]
    today = timezone.localdate()
    born = today.replace(year=today.year - 62, day=1)
    account = account_for_volunteer(volunteer=volunteer, birth_date=born)
    # The account may have opened with the volunteer's first task (no birth date known then).
    Account.objects.filter(pk=account.pk, birth_date__isnull=True).update(birth_date=born)
    account.refresh_from_db()
    done = Order.objects.filter(
        status=OrderStatus.COMPLETED, assignee__role=Role.VOLUNTEER
    ).order_by("pk")
    for order in done:
        deposit = deposit_open_for_order(order_id=order.pk)
        if deposit is None or deposit.status != DepositStatus.PENDING or rng.random() < 0.25:
            continue
        staff = User.objects.filter(
            role=Role.PROVIDER_STAFF, organisation_id=order.provider.organisation_id
        ).first()
        if staff is not None:
            deposit_confirm(actor=staff, deposit=Deposit.objects.get(pk=deposit.pk))
    now = timezone.now()
    for days_ago in range(120, 0, -9):
        post_deposit(
            account=account,
            minutes=rng.choice((60, 90, 120, 150)),
            note=rng.choice(EARLIER_SERVICE),
            actor=None,
            at=now - dt.timedelta(days=days_ago, hours=rng.randint(0, 8)),
        )
    relative = User.objects.filter(username="demo_volunteer_family").first()
    if relative is None:
        relative = User.objects.create(
            username="demo_volunteer_family",
            role=Role.VOLUNTEER,
            display_name="冯晓东的母亲（志愿者家属）",
            is_demo=True,
            is_active=False,
        )
        relative.set_unusable_password()
        relative.save(update_fields=["password"])
    family = account_for_volunteer(
        volunteer=relative, birth_date=today.replace(year=today.year - 86, day=1)
    )
    transfer_make(
        actor=volunteer,
        source=account,
        kind="transfer",
        minutes=120,
        target_id=family.pk,
        relation="parent",
        note="转给母亲",
    )
    transfer_make(actor=volunteer, source=account, kind="donation", minutes=60, note="捐给公益池")
    transfer_make(
        actor=volunteer, source=account, kind="redemption", minutes=60, note="兑换上门助洁"
    )
    _staff_side(volunteer=volunteer, account=account, today=today)
    context.say(f"time bank: {Movement.objects.count()} movements")


def _staff_side(*, volunteer: User, account: Account, today: dt.date) -> None:
    """A group activity, a household's account with hours from the pool (an elderly person
    living alone first) and a redemption at the demo provider's counter."""
    manager = User.objects.filter(username="city_admin").first()
    if manager is not None:
        group_activity_deposit(
            actor=manager,
            title="重阳节社区敬老活动",
            category="探访关爱",
            held_on=today - dt.timedelta(days=3),
            participants=[(account.pk, 150)],
        )
        households = visible(manager, Household.objects.filter(status="active")).order_by("pk")
        alone = households.filter(member_count=1, groups__contains="|elderly|").first()
        if alone is not None:
            granted = account_open(actor=manager, kind="household", household_id=alone.pk)
            pool_grant(actor=manager, requests=[(granted.pk, 60)], note="为独居老人发放")
    staff = User.objects.filter(username="provider_staff").first()
    if staff is not None and provider_of(staff) is not None:
        counter_redeem(actor=staff, account_id=account.pk, minutes=30, service="上门助浴")
