"""Fixing an order's deadlines when it is created, and editing the policies."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.models import Area, AuditAction, User
from jiuzhu.dispatch import policy as dispatch_policy
from jiuzhu.dispatch import sla
from jiuzhu.dispatch.models import OrderSla, SlaPolicy
from jiuzhu.orders.models import Order


def policies_for(district_id: int) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    return {
        (p.urgency_tag, p.sla_class): (p.accept_hours, p.complete_hours)
        for p in SlaPolicy.objects.filter(district_id=district_id)
    }


def order_sla_fix(*, order: Order) -> OrderSla:
    """The order's deadlines from its district's policies at creation (idempotent)."""
    existing = OrderSla.objects.filter(order=order).first()
    if existing is not None:
        return existing
    household = order.household
    accept_hours, complete_hours = sla.choose(
        policies_for(household.district_id),
        urgency_tag=household.urgency_tag,
        sla_class=order.item.sla_class,
    )
    due = sla.deadlines(
        created=order.created_at,
        accept_hours=accept_hours,
        complete_hours=complete_hours,
        preferred_time=order.preferred_time,
    )
    return OrderSla.objects.create(
        order=order,
        accept_by=due.accept_by,
        complete_by=due.complete_by,
        accept_hours=accept_hours,
        complete_hours=complete_hours,
        urgent=household.urgency_tag == "urgent" or order.item.sla_class == "urgent",
    )


@transaction.atomic
def sla_policy_set(
    *,
    actor: User,
    district: Area,
    urgency_tag: str,
    sla_class: str,
    accept_hours: Decimal,
    complete_hours: Decimal,
) -> SlaPolicy:
    """District managers set their district's policies (orders already placed keep theirs)."""
    dispatch_policy.require_sla_editor(actor, district)
    errors: dict[str, list[str]] = {}
    if accept_hours <= 0:
        errors["accept_hours"] = [_("Must be more than 0 hours.")]
    if complete_hours < accept_hours:
        errors["complete_hours"] = [_("Completion cannot be due before acceptance.")]
    if errors:
        raise ValidationFailed(errors)
    policy, _created = SlaPolicy.objects.update_or_create(
        district=district,
        urgency_tag=urgency_tag,
        sla_class=sla_class,
        defaults={"accept_hours": accept_hours, "complete_hours": complete_hours},
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=policy,
        detail={"accept_hours": str(accept_hours), "complete_hours": str(complete_hours)},
    )
    return policy
