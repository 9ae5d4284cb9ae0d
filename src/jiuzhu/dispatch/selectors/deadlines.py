"""When an open order is late or at risk: the one rule (``state``), applied to one order or to
each of a city's open orders as the board and the backlog read them (``open_orders``).

The deadline that applies is the SLA's accept-by while the order waits and its complete-by once
taken. An order is overdue from its deadline on, and at risk before that in the last quarter of
the time it was given (from creation to the deadline), and at least in its last hour."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from jiuzhu.orders.models import OrderStatus

T = TypeVar("T")

#: An open order is at risk in the last quarter of the time it was given, and at least in
#: its last hour.
RISK_SHARE = 4
RISK_FLOOR = dt.timedelta(hours=1)


def applies(status: str, accept_by: T, complete_by: T) -> T:
    """The deadline an order in ``status`` is held to: accepting while it waits, completing
    once taken."""
    return accept_by if status == OrderStatus.WAITING else complete_by


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
