"""Deposits: a completed volunteer task earns its hours (one hour for one hour, whatever the
service), deposited once the household (or its community worker) or the provider confirms.

``order.completed`` opens the deposit (``deposit_open_for_order``), the household's
confirmation of the delivery (``order.confirmed``) confirms it, and a deposit still unconfirmed
after ``JIUZHU_TIMEBANK_CONFIRM_HOURS`` goes to the provider's staff, with a notification: never
deposited silently. Each service is idempotent (a retried event changes nothing) and audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.errors import PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditAction, Role, User
from jiuzhu.core.scoping import visible
from jiuzhu.core.services.notifications import notify
from jiuzhu.core.transitions import Action, StateMachine
from jiuzhu.orders.models import Order, OrderStatus
from jiuzhu.timebank import config, policy
from jiuzhu.timebank.events import DEPOSIT_CONFIRMED
from jiuzhu.timebank.models import Account, AccountKind, Deposit, DepositStatus, GroupActivity
from jiuzhu.timebank.services.ledger import SYSTEM, account_for_volunteer, post_deposit

DEPOSIT_FLOW: StateMachine[Deposit] = StateMachine(
    name="deposit",
    model=Deposit,
    actions={
        "confirm": Action(
            frozenset({DepositStatus.PENDING, DepositStatus.ESCALATED}),
            DepositStatus.CONFIRMED,
            policy.CONFIRMING_ROLES,
            DEPOSIT_CONFIRMED,
        ),
    },
    audit_type="timebank.deposit",
)


@transaction.atomic
def deposit_open_for_order(*, order_id: int) -> Deposit | None:
    """The deposit a completed order earns its volunteer (once; none for staff's work)."""
    existing = Deposit.objects.filter(order_id=order_id).first()
    if existing is not None:
        return existing
    order = (
        Order.objects.select_related("assignee", "item__category", "household", "delivery")
        .filter(pk=order_id)
        .first()
    )
    if order is None or order.status != OrderStatus.COMPLETED:
        return None
    volunteer = order.assignee
    if volunteer is None or volunteer.role != Role.VOLUNTEER:
        return None
    delivery = getattr(order, "delivery", None)
    minutes = delivery.duration_minutes if delivery is not None else 0
    if minutes <= 0:
        return None
    account = account_for_volunteer(volunteer=volunteer)
    try:
        with transaction.atomic():
            deposit = Deposit.objects.create(
                account=account,
                order=order,
                title=order.item.name[:120],
                category=order.item.category.name[:64],
                street_id=order.household.street_id,
                minutes=minutes,
            )
    except IntegrityError:
        return Deposit.objects.get(order_id=order_id)
    audit.record(
        actor=None,
        actor_label=SYSTEM,
        action=AuditAction.CREATE,
        obj=deposit,
        detail={"event": "order.completed", "order": order_id, "minutes": minutes},
    )
    return deposit


def may_confirm(user: User, deposit: Deposit) -> bool:
    if not policy.can_confirm(user) or deposit.status == DepositStatus.CONFIRMED:
        return False
    if deposit.order_id is None:
        return False
    return visible(user, Order.objects.filter(pk=deposit.order_id)).exists()


def confirmable_ids(user: User, deposits: Sequence[Deposit]) -> set[int]:
    """Of ``deposits``, those ``user`` may confirm now (one query for the page)."""
    if not policy.can_confirm(user):
        return set()
    open_ = [d for d in deposits if d.status != DepositStatus.CONFIRMED and d.order_id]
    seen = set(
        visible(user, Order.objects.filter(pk__in=[d.order_id for d in open_])).values_list(
            "pk", flat=True
        )
    )
    return {d.pk for d in open_ if d.order_id in seen}


@transaction.atomic
def deposit_confirm(*, actor: User, deposit: Deposit) -> Deposit:
    """The household, its community worker or the provider confirms: the hours are posted."""
    DEPOSIT_FLOW.require("confirm", obj=deposit, actor=actor)
    if (
        deposit.order_id is None
        or not visible(actor, Order.objects.filter(pk=deposit.order_id)).exists()
    ):
        raise PermissionDenied(_("You may not confirm this task."))
    deposit = DEPOSIT_FLOW.apply(
        obj=deposit,
        action="confirm",
        actor=actor,
        changes={"confirmed_at": timezone.now(), "confirmed_by": actor},
        payload={"deposit_id": deposit.pk, "account_id": deposit.account_id},
    )
    movement = post_deposit(
        account=deposit.account, minutes=deposit.minutes, note=deposit.title, actor=actor
    )
    Deposit.objects.filter(pk=deposit.pk).update(movement=movement)
    deposit.refresh_from_db()
    return deposit


@transaction.atomic
def deposit_confirm_for_order(*, order_id: int, confirmed_by: int | None) -> Deposit | None:
    """The household confirmed the order's delivery (``order.confirmed``): confirm its deposit
    as them. Idempotent: a confirmed deposit, or none, is left alone."""
    deposit = deposit_open_for_order(order_id=order_id)
    if deposit is None or deposit.status == DepositStatus.CONFIRMED:
        return deposit
    actor = User.objects.filter(pk=confirmed_by).first() if confirmed_by else None
    if actor is None or not policy.can_confirm(actor):
        return deposit
    return deposit_confirm(actor=actor, deposit=deposit)


@transaction.atomic
def deposits_escalate(*, now: dt.datetime | None = None) -> int:
    """Deposits the household left unconfirmed too long go to the provider's staff."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=config.confirm_hours())
    due = list(
        Deposit.objects.filter(status=DepositStatus.PENDING, created_at__lte=cutoff)
        .select_related("order__provider")
        .order_by("id")[:500]
    )
    moved = 0
    for deposit in due:
        updated = Deposit.objects.filter(pk=deposit.pk, status=DepositStatus.PENDING).update(
            status=DepositStatus.ESCALATED, escalated_at=now
        )
        if not updated:
            continue
        moved += 1
        audit.record(
            actor=None,
            actor_label=SYSTEM,
            action=AuditAction.UPDATE,
            obj=deposit,
            detail={"transition": "escalate", "from": "pending", "to": "escalated"},
        )
        provider = deposit.order.provider if deposit.order_id and deposit.order else None
        if provider is not None:
            notify(
                users=User.objects.filter(
                    role=Role.PROVIDER_STAFF, organisation_id=provider.organisation_id
                ),
                title=_("Confirm a volunteer's hours: %(service)s") % {"service": deposit.title},
                body=_("The household has not confirmed; please confirm the task took place."),
                url="/timebank/deposits/",
            )
    return moved


def activity_candidates(*, user: User) -> QuerySet[Account]:
    """The volunteers' individual accounts ``user`` may record in a group activity: a provider's
    staff, the volunteers of their organisation; managers, the accounts they see."""
    queryset = Account.objects.filter(kind=AccountKind.INDIVIDUAL).select_related("holder")
    if not policy.can_record_activity(user):
        return queryset.none()
    if user.role == Role.PROVIDER_STAFF:
        if not user.organisation_id:
            return queryset.none()
        return queryset.filter(holder__organisation_id=user.organisation_id).order_by("name", "id")
    return visible(user, queryset).order_by("name", "id")


@transaction.atomic
def group_activity_deposit(
    *,
    actor: User,
    title: str,
    participants: Sequence[tuple[int, int]],
    held_on: dt.date | None = None,
    category: str = "",
) -> GroupActivity:
    """A group activity the actor organised (and so confirms): one activity, many volunteers,
    each with their own minutes, deposited in one transaction — all or none.
    ``participants`` are (individual account id, minutes) pairs."""
    policy.require_activity_recorder(actor)
    today = timezone.localdate()
    held_on = held_on or today
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Name the activity.")]
    if held_on > today or held_on < today - dt.timedelta(days=366):
        errors["held_on"] = [_("The activity took place within the last year, not in the future.")]
    ids = [account_id for account_id, _minutes in participants]
    if not participants:
        errors["participants"] = [_("Give at least one volunteer's hours.")]
    elif len(set(ids)) != len(ids):
        errors["participants"] = [_("Each volunteer takes part once.")]
    elif len(participants) > 500:
        errors["participants"] = [_("At most 500 volunteers in one activity.")]
    if any(not isinstance(m, int) or not 1 <= m <= 24 * 60 for _i, m in participants):
        errors["minutes"] = [_("Give each volunteer's time in minutes (1 to 1440).")]
    accounts = {a.pk: a for a in activity_candidates(user=actor).filter(pk__in=ids)}
    if "participants" not in errors and len(accounts) != len(set(ids)):
        errors["participants"] = [
            _("Only your volunteers' individual accounts take part (accounts %(ids)s are not).")
            % {"ids": ", ".join(str(i) for i in ids if i not in accounts)}
        ]
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    activity = GroupActivity.objects.create(
        title=title.strip()[:120],
        category=category.strip()[:64],
        held_on=held_on,
        organisation_id=actor.organisation_id,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=activity,
        detail={"participants": len(participants), "minutes": sum(m for _i, m in participants)},
    )
    for account_id, minutes in participants:
        account = accounts[account_id]
        movement = post_deposit(account=account, minutes=minutes, note=activity.title, actor=actor)
        deposit = Deposit.objects.create(
            account=account,
            activity=activity,
            title=activity.title,
            category=activity.category,
            minutes=minutes,
            status=DepositStatus.CONFIRMED,
            movement=movement,
            confirmed_at=now,
            confirmed_by=actor,
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=deposit,
            detail={"group_activity": activity.pk, "minutes": minutes},
        )
    return activity
