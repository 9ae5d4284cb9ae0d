"""SLA clocks: when an order must be accepted and completed.

Deadlines are wall-clock hours from the order's creation (nights and holidays count: people in
hardship need help on Sundays too). A preferred time moves only the completion deadline: the
service cannot be due before the household wants it, so

    complete_by = max(created + complete_hours, preferred_time + PREFERRED_WINDOW)

with PREFERRED_WINDOW = 4 hours (the visit may start at the preferred time and still be
finished and recorded that day). Acceptance is about responsiveness and is never moved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

PREFERRED_WINDOW = dt.timedelta(hours=4)

#: (urgency tag or "", SLA class or "") → (accept hours, complete hours); the most specific wins.
DEFAULTS: dict[tuple[str, str], tuple[Decimal, Decimal]] = {
    ("urgent", ""): (Decimal(2), Decimal(24)),
    ("", "urgent"): (Decimal(2), Decimal(24)),
    ("", "scheduled"): (Decimal(24), Decimal(168)),
    ("", ""): (Decimal(24), Decimal(72)),
}


@dataclass(frozen=True)
class Deadlines:
    accept_by: dt.datetime
    complete_by: dt.datetime
    accept_hours: Decimal
    complete_hours: Decimal


def choose(
    policies: dict[tuple[str, str], tuple[Decimal, Decimal]], *, urgency_tag: str, sla_class: str
) -> tuple[Decimal, Decimal]:
    """The most specific policy: tag+class, tag, class, default; then the built-in defaults."""
    for table in (policies, DEFAULTS):
        for key in ((urgency_tag, sla_class), (urgency_tag, ""), ("", sla_class), ("", "")):
            if key in table:
                return table[key]
    raise LookupError("no default SLA")  # DEFAULTS always has ("", "")


def deadlines(
    *,
    created: dt.datetime,
    accept_hours: Decimal,
    complete_hours: Decimal,
    preferred_time: dt.datetime | None = None,
) -> Deadlines:
    accept_by = created + dt.timedelta(hours=float(accept_hours))
    complete_by = created + dt.timedelta(hours=float(complete_hours))
    if preferred_time is not None:
        complete_by = max(complete_by, preferred_time + PREFERRED_WINDOW)
    return Deadlines(accept_by, complete_by, accept_hours, complete_hours)


def at_risk(*, now: dt.datetime, start: dt.datetime, deadline: dt.datetime) -> bool:
    """Within the last quarter of the window (or the last hour, whichever is longer), not yet
    past it."""
    window = deadline - start
    margin = max(window / 4, dt.timedelta(hours=1))
    return deadline - margin <= now < deadline
