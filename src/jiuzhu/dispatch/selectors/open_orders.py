"""The user's open orders as plain rows, read once: the board and the backlog derive every
figure from one read of them (each figure read them again before: three reads took about a
second at a million households, each open order costing lookups of its household and its
deadlines; bench/RESULTS.md)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db.models import F, QuerySet

from jiuzhu.dispatch.selectors import deadlines
from jiuzhu.orders.models import Order


class OpenOrder(NamedTuple):
    pk: int
    status: str
    district: int
    street: int
    community: int
    item: int
    provider: int | None
    created: dt.datetime
    #: The deadline that applies now (``deadlines.with_deadline``); None without deadlines.
    due: dt.datetime | None

    def state(self, now: dt.datetime) -> str:
        """``overdue``, ``at_risk`` or ``ok`` at ``now`` (``deadlines.state``)."""
        return deadlines.state(self.created, self.due, now)

    def place(self) -> tuple[int, int, int, int]:
        """(id, street, community, item): what ``count_reasons`` needs of a waiting order."""
        return self.pk, self.street, self.community, self.item


def open_orders(orders: QuerySet[Order]) -> list[OpenOrder]:
    """Each of ``orders`` (the user's open orders, filtered) as an ``OpenOrder``."""
    rows = (
        deadlines.with_deadline(orders.order_by())
        .annotate(due=F("deadline"))
        .values_list(
            "pk",
            "status",
            "household__district_id",
            "household__street_id",
            "household__community_id",
            "item_id",
            "provider_id",
            "created_at",
            "due",
        )
    )
    return [OpenOrder(*row) for row in rows]
