"""What a dispatcher does to an order nobody has taken: offer it to a chosen provider (with a
reason), re-offer it to the next best provider, or escalate it — one at a time or in bulk.

All three go through the offer model and the escalation model; none moves the order's state
itself. An offer is an invitation the provider answers from its inbox (accepting runs the order
state machine's ``accept``, with its capacity check); the dispatcher cannot accept for a
provider. Every step is audited, in the same transaction as the change; the provider's staff or
the district's managers are told after commit.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditAction, Role, User
from jiuzhu.core.scoping import visible
from jiuzhu.core.services.notifications import notify
from jiuzhu.dispatch import policy
from jiuzhu.dispatch.models import (
    DispatchOffer,
    Escalation,
    EscalationReason,
    OfferStatus,
)
from jiuzhu.dispatch.selectors.backlog import eligible_providers_for
from jiuzhu.dispatch.services.cycle import (
    escalate,
    plan_dispatch,
    providers_with_capacity,
    respond_by,
)
from jiuzhu.orders.models import Order, OrderStatus, Provider

BULK_ACTIONS = ("offer", "reoffer", "escalate")
BULK_MAX = 200


def _check(actor: User, order: Order, require: Callable[[User], None]) -> Order:
    require(actor)
    found = (
        visible(actor, Order.objects.all())
        .select_related("household", "item", "sla")
        .filter(pk=order.pk)
        .first()
    )
    if found is None:
        raise PermissionDenied(_("This order is outside your area."))
    checked: Order = found
    return checked


def _require_waiting(order: Order) -> None:
    if order.status != OrderStatus.WAITING:
        raise Conflict(
            "wrong_state",
            _("This order is %(status)s; only waiting orders are offered.")
            % {"status": OrderStatus(order.status).label},
            order_status=order.status,
        )


def _withdraw_live(order: Order, now: dt.datetime) -> DispatchOffer | None:
    live = DispatchOffer.objects.filter(order=order, status=OfferStatus.OFFERED).first()
    if live is not None:
        DispatchOffer.objects.filter(pk=live.pk, status=OfferStatus.OFFERED).update(
            status=OfferStatus.WITHDRAWN, closed_at=now
        )
    return live


def _tell_provider(provider: Provider, order: Order, due: dt.datetime) -> None:
    staff = User.objects.filter(
        organisation_id=provider.organisation_id, role=Role.PROVIDER_STAFF, is_active=True
    )
    notify(
        users=staff,
        title=_("The dispatch centre offers you an order: %(item)s") % {"item": order.item.name},
        body=_("Accept by %(time)s") % {"time": timezone.localtime(due).strftime("%H:%M")},
        url=reverse("orders:order_detail", args=[order.pk]),
        sms=True,
    )


@transaction.atomic
def order_offer_to(
    *, actor: User, order: Order, provider: Provider, reason: str, now: dt.datetime | None = None
) -> DispatchOffer:
    """Offer a waiting order to the provider the dispatcher chose, saying why; a live offer
    to another provider is withdrawn. The provider must serve the household's street or
    community, offer the item, not have declined the order, and have room today."""
    order = _check(actor, order, policy.require_dispatcher)
    _require_waiting(order)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Say why you choose this provider.")]})
    now = now or timezone.now()
    candidate = next(
        (p for p in eligible_providers_for(order, now=now) if p["id"] == provider.pk), None
    )
    if candidate is None:
        raise ValidationFailed(
            {"provider": [_("This provider does not offer this item in this area.")]}
        )
    if candidate["said_no"]:
        raise ValidationFailed(
            {"provider": [_("This provider has declined this order or let its offer expire.")]}
        )
    live = DispatchOffer.objects.filter(order=order, status=OfferStatus.OFFERED).first()
    if live is not None and live.provider_id == provider.pk:
        raise Conflict("already_offered", _("The order is already offered to this provider."))
    if candidate["capacity_left"] <= 0:
        raise ValidationFailed({"provider": [_("This provider has no capacity left today.")]})
    _withdraw_live(order, now)
    due = respond_by(order, now)
    offer = DispatchOffer.objects.create(
        order=order,
        provider=provider,
        respond_by=due,
        why={"manual": True, "reason": reason[:300], "by": actor.get_username()},
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=offer,
        # The reason is kept on the offer; the audit trail holds no free text.
        detail={"order": order.number, "provider": provider.pk, "manual": True},
    )
    transaction.on_commit(lambda: _tell_provider(provider, order, due))
    return offer


@transaction.atomic
def order_reoffer(
    *, actor: User, order: Order, now: dt.datetime | None = None
) -> DispatchOffer | None:
    """Offer a waiting order again at once to the best eligible provider (the assignment
    engine's choice), other than one whose live offer this withdraws. Returns the new offer,
    or ``None`` when no provider can take it (then nothing changes)."""
    order = _check(actor, order, policy.require_dispatcher)
    _require_waiting(order)
    now = now or timezone.now()
    live = DispatchOffer.objects.filter(order=order, status=OfferStatus.OFFERED).first()
    excluded = {(order.pk, live.provider_id)} if live else set()
    decision = plan_dispatch(
        orders=[order], providers=providers_with_capacity(now=now), also_excluded=excluded
    )[0]
    provider = decision["provider"]
    if provider is None:
        return None
    _withdraw_live(order, now)
    due = respond_by(order, now)
    offer = DispatchOffer.objects.create(
        order=order, provider=provider, respond_by=due, why={**decision["why"], "reoffer": True}
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=offer,
        detail={"order": order.number, "provider": provider.pk, "reoffer": True},
    )
    transaction.on_commit(lambda: _tell_provider(provider, order, due))
    return offer


@transaction.atomic
def order_escalate(*, actor: User, order: Order, note: str) -> Escalation:
    """Escalate an open order to the district's managers, saying why."""
    order = _check(actor, order, policy.require_escalator)
    if order.status in (OrderStatus.COMPLETED, OrderStatus.CANCELLED):
        raise Conflict(
            "wrong_state",
            _("This order is %(status)s; there is nothing to escalate.")
            % {"status": OrderStatus(order.status).label},
            order_status=order.status,
        )
    note = note.strip()
    if not note:
        raise ValidationFailed({"note": [_("Say why you escalate the order.")]})
    if not escalate(order=order, reason=EscalationReason.BY_DISPATCHER):
        raise Conflict("already_escalated", _("This order is already escalated by a dispatcher."))
    escalation = Escalation.objects.get(
        order=order, reason=EscalationReason.BY_DISPATCHER, resolved_at__isnull=True
    )
    Escalation.objects.filter(pk=escalation.pk).update(raised_by=actor, raised_note=note[:300])
    escalation.refresh_from_db()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=escalation,
        detail={"order": order.number, "reason": EscalationReason.BY_DISPATCHER},
    )
    return escalation


@dataclass
class BulkResult:
    done: int = 0
    skipped: Counter[str] = field(
        default_factory=Counter
    )  # why (a message) → orders left as they were


def orders_bulk(
    *,
    actor: User,
    action: str,
    orders: list[Order],
    provider: Provider | None = None,
    reason: str = "",
) -> BulkResult:
    """Apply one action to many orders, each in its own transaction (one refusal does not undo
    the others); say how many were done and why the rest were not."""
    if action not in BULK_ACTIONS:
        raise ValidationFailed({"action": [_("Choose offer, re-offer or escalate.")]})
    if not orders:
        raise ValidationFailed({"orders": [_("Choose at least one order.")]})
    if len(orders) > BULK_MAX:
        raise ValidationFailed(
            {"orders": [_("Choose at most %(n)d orders at a time.") % {"n": BULK_MAX}]}
        )
    if action == "offer" and provider is None:
        raise ValidationFailed({"provider": [_("Choose the provider.")]})
    if action in ("offer", "escalate") and not reason.strip():
        raise ValidationFailed({"reason": [_("Say why.")]})
    result = BulkResult()
    for order in orders:
        try:
            if action == "offer":
                assert provider is not None  # checked above
                order_offer_to(actor=actor, order=order, provider=provider, reason=reason)
            elif action == "reoffer":
                if order_reoffer(actor=actor, order=order) is None:
                    result.skipped[_("No provider can take it now.")] += 1
                    continue
            else:
                order_escalate(actor=actor, order=order, note=reason)
        except DomainError as error:
            result.skipped[_message(error)] += 1
            continue
        result.done += 1
    return result


def _message(error: DomainError) -> str:
    fields = error.extra.get("fields")
    if fields:
        return " ".join(str(m) for messages in fields.values() for m in messages)
    return error.message
