"""How the dispatch centre reacts to the cloud supermarket's events (after commit)."""

from __future__ import annotations

from django.utils import timezone

from jiuzhu.core.events import DomainEvent, on
from jiuzhu.dispatch.models import DispatchOffer, Escalation, OfferStatus
from jiuzhu.dispatch.services.sla import order_sla_fix
from jiuzhu.dispatch.services.tickets import ticket_open
from jiuzhu.orders.events import (
    ORDER_ACCEPTED,
    ORDER_CANCELLED,
    ORDER_COMPLAINED,
    ORDER_COMPLETED,
    ORDER_CREATED,
    ORDER_DECLINED,
)
from jiuzhu.orders.models import Complaint, Order


@on(ORDER_CREATED)
def fix_deadlines(event: DomainEvent) -> None:
    order = Order.objects.select_related("household", "item").get(pk=event.payload["order_id"])
    order_sla_fix(order=order)


def _close_offers(order_id: int, *, accepted_by: int | None = None) -> None:
    now = timezone.now()
    live = DispatchOffer.objects.filter(order_id=order_id, status=OfferStatus.OFFERED)
    if accepted_by is not None:
        live.filter(provider_id=accepted_by).update(status=OfferStatus.ACCEPTED, closed_at=now)
    live.update(status=OfferStatus.WITHDRAWN, closed_at=now)


@on(ORDER_ACCEPTED)
def offer_accepted(event: DomainEvent) -> None:
    _close_offers(event.payload["order_id"], accepted_by=event.payload.get("provider_id"))
    Escalation.objects.filter(
        order_id=event.payload["order_id"],
        resolved_at__isnull=True,
        reason__in=["accept_overdue", "no_provider", "no_capacity"],
    ).update(resolved_at=timezone.now(), note="accepted")


@on(ORDER_DECLINED)
def offer_declined(event: DomainEvent) -> None:
    DispatchOffer.objects.filter(
        order_id=event.payload["order_id"],
        provider_id=event.payload["provider_id"],
        status=OfferStatus.OFFERED,
    ).update(status=OfferStatus.DECLINED, closed_at=timezone.now())


@on(ORDER_CANCELLED)
@on(ORDER_COMPLETED)
def order_closed(event: DomainEvent) -> None:
    _close_offers(event.payload["order_id"])
    Escalation.objects.filter(order_id=event.payload["order_id"], resolved_at__isnull=True).update(
        resolved_at=timezone.now(), note=event.name
    )


@on(ORDER_COMPLAINED)
def complaint_becomes_ticket(event: DomainEvent) -> None:
    complaint = Complaint.objects.select_related("order__household", "by").get(
        pk=event.payload["complaint_id"]
    )
    ticket_open(
        actor=None,
        kind="complaint",
        description=complaint.text,
        district=complaint.order.household.district,
        order=complaint.order,
        complaint=complaint,
        caller_name=str(complaint.by or ""),
    )
