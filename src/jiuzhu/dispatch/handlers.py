"""How the dispatch centre reacts to the cloud supermarket's events (delivered from the outbox
after the order's change commits; see core/outbox.py). Each handler only reads the payload and
calls a named, idempotent, audited service in ``dispatch/services/reactions.py``."""

from __future__ import annotations

from jiuzhu.core.events import DomainEvent, on
from jiuzhu.dispatch.services.reactions import (
    SETTLED_BY_ACCEPTANCE,
    complaint_ticket_open,
    offer_decline_record,
    order_deadlines_fix,
    order_escalations_settle,
    order_offers_close,
)
from jiuzhu.orders.events import (
    ORDER_ACCEPTED,
    ORDER_CANCELLED,
    ORDER_COMPLAINED,
    ORDER_COMPLETED,
    ORDER_CREATED,
    ORDER_DECLINED,
)


@on(ORDER_CREATED)
def fix_deadlines(event: DomainEvent) -> None:
    order_deadlines_fix(order_id=event.payload["order_id"])


@on(ORDER_ACCEPTED)
def offer_accepted(event: DomainEvent) -> None:
    order_id = event.payload["order_id"]
    order_offers_close(
        order_id=order_id, event=event.name, accepted_by=event.payload.get("provider_id")
    )
    order_escalations_settle(
        order_id=order_id, event=event.name, note="accepted", reasons=SETTLED_BY_ACCEPTANCE
    )


@on(ORDER_DECLINED)
def offer_declined(event: DomainEvent) -> None:
    offer_decline_record(
        order_id=event.payload["order_id"], provider_id=event.payload["provider_id"]
    )


@on(ORDER_CANCELLED)
@on(ORDER_COMPLETED)
def order_closed(event: DomainEvent) -> None:
    order_offers_close(order_id=event.payload["order_id"], event=event.name)
    order_escalations_settle(order_id=event.payload["order_id"], event=event.name, note=event.name)


@on(ORDER_COMPLAINED)
def complaint_becomes_ticket(event: DomainEvent) -> None:
    complaint_ticket_open(complaint_id=event.payload["complaint_id"])
