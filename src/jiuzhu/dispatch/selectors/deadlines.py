"""When an open order is late or at risk: the one rule, in Python for one order and as SQL
expressions for counting many (the board counts a city's open orders in the database).

The deadline that applies is the SLA's accept-by while the order waits and its complete-by once
taken. An order is overdue from its deadline on, and at risk before that in the last quarter of
the time it was given (from creation to the deadline), and at least in its last hour."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, F, Q, QuerySet, Value, When

from jiuzhu.orders.models import Order, OrderStatus

#: An open order is at risk in the last quarter of the time it was given, and at least in
#: its last hour.
RISK_SHARE = 4
RISK_FLOOR = dt.timedelta(hours=1)


def with_deadline(orders: QuerySet[Order], now: dt.datetime) -> QuerySet[Order]:
    """Open orders with the deadline they are held to now (accepting while waiting, completing
    after) and, for the at-risk rule, the time left and the time given, as SQL expressions:
    the database counts hundreds of thousands of open orders instead of Python reading them
    (a city's board; bench/RESULTS.md). Durations are exact (intervals on PostgreSQL,
    microseconds on SQLite)."""
    deadline = Case(
        When(status=OrderStatus.WAITING, then=F("sla__accept_by")),
        default=F("sla__complete_by"),
    )
    # Instants minus instants: Django makes them durations on both databases.
    return orders.alias(
        deadline=deadline, left=F("deadline") - Value(now), given=F("deadline") - F("created_at")
    )


def overdue(now: dt.datetime) -> Q:
    return Q(deadline__lte=now)


def at_risk(now: dt.datetime) -> Q:
    """Not yet late, and within the last quarter of the time given or its last hour."""
    in_last_hour = Q(left__lte=RISK_FLOOR)
    in_last_quarter = Q(given__gte=F("left") * RISK_SHARE)
    return Q(deadline__gt=now) & (in_last_hour | in_last_quarter)


def risk_margin(start: dt.datetime, deadline: dt.datetime) -> dt.timedelta:
    """How long before ``deadline`` an order created at ``start`` is at risk."""
    return max((deadline - start) / RISK_SHARE, RISK_FLOOR)
