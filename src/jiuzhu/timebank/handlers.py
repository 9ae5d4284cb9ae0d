"""How the time bank reacts to the cloud supermarket's events: a completed volunteer task opens
a deposit; the household's confirmation of the delivery deposits it."""

from __future__ import annotations

from jiuzhu.core.events import DomainEvent, on
from jiuzhu.orders.events import ORDER_COMPLETED, ORDER_CONFIRMED
from jiuzhu.timebank.services.deposits import deposit_confirm_for_order, deposit_open_for_order


@on(ORDER_COMPLETED)
def open_deposit(event: DomainEvent) -> None:
    deposit_open_for_order(order_id=event.payload["order_id"])


@on(ORDER_CONFIRMED)
def confirm_deposit(event: DomainEvent) -> None:
    deposit_confirm_for_order(
        order_id=event.payload["order_id"], confirmed_by=event.payload.get("confirmed_by")
    )
