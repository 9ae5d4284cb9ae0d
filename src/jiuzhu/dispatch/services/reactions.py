"""How the dispatch centre reacts to the cloud supermarket's events: the named services that
``dispatch/handlers.py`` calls when an outbox delivery runs (core/outbox.py).

Each one is idempotent — a delivery that is retried, or an event handled again after a crash,
changes nothing the second time — and audits what it changed, once, as the system (no actor),
naming the event that caused it. When nothing changed it writes nothing, not even an audit entry.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db import transaction
from django.utils import timezone

from jiuzhu.core import audit
from jiuzhu.core.models import AuditAction
from jiuzhu.dispatch.models import DispatchOffer, Escalation, OfferStatus, OrderSla, Ticket
from jiuzhu.dispatch.services.sla import order_sla_fix
from jiuzhu.dispatch.services.tickets import ticket_open
from jiuzhu.orders.models import Complaint, Order

#: Who the audit trail names for changes made by event handlers.
SYSTEM = "system"
#: Escalations an acceptance settles: the order has a provider now.
SETTLED_BY_ACCEPTANCE = ("accept_overdue", "no_provider", "no_capacity")


def _record(*, order_id: int, event: str, **changes: int) -> None:
    audit.record(
        actor=None,
        actor_label=SYSTEM,
        action=AuditAction.UPDATE,
        object_type="orders.order",
        object_id=order_id,
        detail={"event": event, **changes},
    )


@transaction.atomic
def order_deadlines_fix(*, order_id: int) -> OrderSla:
    """A new order gets its SLA deadlines (once: the first call decides them)."""
    existing = OrderSla.objects.filter(order_id=order_id).first()
    if existing is not None:
        return existing
    order = Order.objects.select_related("household", "item").get(pk=order_id)
    deadlines = order_sla_fix(order=order)
    audit.record(
        actor=None,
        actor_label=SYSTEM,
        action=AuditAction.CREATE,
        obj=deadlines,
        detail={"event": "order.created", "order": order_id},
    )
    return deadlines


@transaction.atomic
def order_offers_close(
    *, order_id: int, event: str, accepted_by: int | None = None
) -> dict[str, int]:
    """Close the order's live offers: the accepting provider's as accepted, the rest withdrawn."""
    now = timezone.now()
    live = DispatchOffer.objects.filter(order_id=order_id, status=OfferStatus.OFFERED)
    accepted = 0
    if accepted_by is not None:
        accepted = live.filter(provider_id=accepted_by).update(
            status=OfferStatus.ACCEPTED, closed_at=now
        )
    withdrawn = live.update(status=OfferStatus.WITHDRAWN, closed_at=now)
    if accepted or withdrawn:
        _record(
            order_id=order_id, event=event, offers_accepted=accepted, offers_withdrawn=withdrawn
        )
    return {"accepted": accepted, "withdrawn": withdrawn}


@transaction.atomic
def order_escalations_settle(
    *, order_id: int, event: str, note: str, reasons: Collection[str] | None = None
) -> int:
    """Resolve the order's open escalations (only those for ``reasons`` when given)."""
    open_ = Escalation.objects.filter(order_id=order_id, resolved_at__isnull=True)
    if reasons is not None:
        open_ = open_.filter(reason__in=list(reasons))
    settled = open_.update(resolved_at=timezone.now(), note=note[:300])
    if settled:
        _record(order_id=order_id, event=event, escalations_resolved=settled)
    return settled


@transaction.atomic
def offer_decline_record(*, order_id: int, provider_id: int) -> int:
    """The provider who declined the order has its live offer closed as declined."""
    declined = DispatchOffer.objects.filter(
        order_id=order_id, provider_id=provider_id, status=OfferStatus.OFFERED
    ).update(status=OfferStatus.DECLINED, closed_at=timezone.now())
    if declined:
        _record(order_id=order_id, event="order.declined", offers_declined=declined)
    return declined


@transaction.atomic
def complaint_ticket_open(*, complaint_id: int) -> Ticket:
    """A complaint becomes a hotline ticket (one per complaint; ``ticket_open`` audits it)."""
    existing = Ticket.objects.filter(complaint_id=complaint_id).first()
    if existing is not None:
        return existing
    complaint = Complaint.objects.select_related("order__household", "order__provider", "by").get(
        pk=complaint_id
    )
    return ticket_open(
        actor=None,
        kind="complaint",
        description=complaint.text,
        district=complaint.order.household.district,
        order=complaint.order,
        complaint=complaint,
        caller_name=str(complaint.by or ""),
    )
