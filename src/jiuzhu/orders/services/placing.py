"""Placing orders: who may order for which household, eligibility and ordering limits, and the
order's first event, chain entry and audit record. What happens to an order afterwards is in
``transitions.py``."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.catalog.eligibility import ineligibility
from jiuzhu.catalog.models import ServiceItem
from jiuzhu.catalog.selectors import item_rule
from jiuzhu.core import audit, events
from jiuzhu.core.errors import DomainError, PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditAction, Role, User
from jiuzhu.core.services.notifications import notify
from jiuzhu.orders import policy
from jiuzhu.orders.events import ORDER_CREATED
from jiuzhu.orders.models import Channel, Order, OrderEvent, OrderStatus
from jiuzhu.orders.selectors.provider_facts import eligible_providers
from jiuzhu.orders.services.common import order_url, provider_staff
from jiuzhu.registry.models import Household, HouseholdStatus
from jiuzhu.registry.services.chain import chain_add

CHANNEL_BY_ROLE: dict[str, str] = {
    Role.BENEFICIARY: Channel.SELF,
    Role.COMMUNITY_WORKER: Channel.COMMUNITY,
    Role.HOTLINE_OPERATOR: Channel.HOTLINE,
    Role.STREET_CASEWORKER: Channel.COMMUNITY,
}


def _number(order_id: int, on: dt.date) -> str:
    return f"JZ{on:%Y%m%d}{order_id:07d}"


def used_in_period(household: Household, item: ServiceItem, start: dt.date, end: dt.date) -> int:
    """Units of ``item`` the household has ordered (not cancelled) between two dates."""
    total = (
        Order.objects.filter(
            household=household,
            item=item,
            created_at__date__gte=start,
            created_at__date__lt=end,
        )
        .exclude(status=OrderStatus.CANCELLED)
        .aggregate(n=Sum("quantity"))["n"]
    )
    return total or 0


def check_can_order(*, household: Household, item: ServiceItem, quantity: int, on: dt.date) -> None:
    """Eligibility (groups, tier, urgency tag) and frequency limits; a clear message each."""
    if household.status != HouseholdStatus.ACTIVE:
        raise DomainError("household_exited", _("This household no longer receives assistance."))
    reasons = ineligibility(
        item_rule(item),
        groups=household.group_list,
        tier=household.tier,
        urgency_tag=household.urgency_tag,
    )
    if reasons:
        raise DomainError(
            "not_eligible",
            _("This service is not available to this household."),
            reasons=reasons,
        )
    week_start = on - dt.timedelta(days=on.weekday())
    month_start = on.replace(day=1)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    if item.max_per_week is not None:
        used = used_in_period(household, item, week_start, week_start + dt.timedelta(days=7))
        if used + quantity > item.max_per_week:
            raise DomainError(
                "limit_reached",
                _("The limit is %(n)d per week and %(used)d are already ordered this week.")
                % {"n": item.max_per_week, "used": used},
                period="week",
                limit=item.max_per_week,
                used=used,
            )
    if item.max_per_month is not None:
        used = used_in_period(household, item, month_start, next_month)
        if used + quantity > item.max_per_month:
            raise DomainError(
                "limit_reached",
                _("The limit is %(n)d per month and %(used)d are already ordered this month.")
                % {"n": item.max_per_month, "used": used},
                period="month",
                limit=item.max_per_month,
                used=used,
            )


@transaction.atomic
def order_create(
    *,
    actor: User,
    household: Household,
    item: ServiceItem,
    quantity: int = 1,
    preferred_time: dt.datetime | None = None,
    note: str = "",
    channel: str | None = None,
    source: str = "",
    source_id: str | int = "",
) -> Order:
    """Place an order for a household the actor may see (their own, for a beneficiary)."""
    if channel != Channel.PLAN:
        policy.require_ordering_role(actor)
    if not policy.may_order_for(actor, household):
        raise PermissionDenied(_("You may not order for this household."))
    if not item.active:
        raise DomainError("not_eligible", _("This service is not offered at the moment."))
    if quantity < 1 or quantity > 20:
        raise ValidationFailed({"quantity": [_("Order between 1 and 20.")]})
    now = timezone.now()
    if preferred_time is not None and preferred_time < now - dt.timedelta(minutes=5):
        raise ValidationFailed({"preferred_time": [_("The preferred time is in the past.")]})
    # Lock the household (serialising limit checks) and read its current groups and tag.
    household = (
        Household.objects.select_for_update().select_related("community").get(pk=household.pk)
    )
    check_can_order(household=household, item=item, quantity=quantity, on=timezone.localdate())
    order = Order.objects.create(
        number=f"T{uuid.uuid4().hex[:23]}",  # replaced by the real number below
        household=household,
        item=item,
        quantity=quantity,
        preferred_time=preferred_time,
        note=note.strip(),
        channel=channel or CHANNEL_BY_ROLE.get(actor.role, Channel.COMMUNITY),
        placed_by=actor,
        source=source,
        source_id=str(source_id),
    )
    order.number = _number(order.pk, timezone.localdate())
    order.save(update_fields=["number"])
    OrderEvent.objects.create(
        order=order, action="create", to_status=OrderStatus.WAITING, actor=actor
    )
    chain_add(
        household=household,
        source="order",
        source_id=order.pk,
        title=_("Ordered: %(item)s") % {"item": item.name},
        detail=order.get_channel_display(),
        url=order_url(order),
        actor=actor,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=order)
    providers = eligible_providers(order)
    notify(
        users=[user for provider in providers for user in provider_staff(provider)],
        title=_("New order in your area: %(item)s") % {"item": item.name},
        body=f"{household.community.name} {order.number}",
        url=order_url(order),
    )
    events.publish(ORDER_CREATED, order_id=order.pk, household_id=household.pk)
    return order
