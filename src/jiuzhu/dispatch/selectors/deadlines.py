"""When an open order is late or at risk: the one rule (``state``), applied to one order or to
each of a city's open orders as the board and the backlog read them (``open_orders``).

The deadline that applies is the SLA's accept-by while the order waits and its complete-by once
taken. An order is overdue from its deadline on, and at risk before that in the last quarter of
the time it was given (from creation to the deadline), and at least in its last hour."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, F, QuerySet, When

from jiuzhu.orders.models import Order, OrderStatus

#: An open order is at risk in the last quarter of the time it was given, and at least in
#: its last hour.
RISK_SHARE = 4
RISK_FLOOR = dt.timedelta(hours=1)


def with_deadline(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Open orders with the deadline they are held to now (accepting while waiting, completing
    after) as the alias ``deadline``: read with each open order in one query
    (``open_orders``), instead of one lookup of its deadlines per order."""
    deadline = Case(
        When(status=OrderStatus.WAITING, then=F("sla__accept_by")),
        default=F("sla__complete_by"),
    )
    return orders.alias(deadline=deadline)


def risk_margin(start: dt.datetime, deadline: dt.datetime) -> dt.timedelta:
    """How long before ``deadline`` an order created at ``start`` is at risk."""
    return max((deadline - start) / RISK_SHARE, RISK_FLOOR)


def state(created: dt.datetime, deadline: dt.datetime | None, now: dt.datetime) -> str:
    """``overdue``, ``at_risk`` or ``ok``: the rule of ``overdue`` and ``at_risk`` above for one
    order created at ``created`` and held to ``deadline`` (``ok`` without one)."""
    if deadline is None:
        return "ok"
    if now >= deadline:
        return "overdue"
    if deadline - risk_margin(created, deadline) <= now:
        return "at_risk"
    return "ok"
