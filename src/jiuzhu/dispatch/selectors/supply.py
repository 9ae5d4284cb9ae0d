"""The supply gap: where the district must buy more service.

One row per (street, service item) with demand in the period (the last ``days`` days, today
included):

- **demand** — orders placed for the item by households of the street in the period, cancelled
  ones left out;
- **capacity** — what the providers able to take those orders can deliver in the period: each
  active provider that offers the item and serves the household (its street or its community)
  contributes its daily capacity × ``days``, split over everything it serves in proportion to
  demand: provider *p* gives the row ``capacity_p × days × d_p(row) ÷ D_p``, where ``d_p(row)``
  is the row's orders that *p* could take and ``D_p`` all orders in the period that *p* could
  take (in every area, not only the user's — a provider's day is shared with other districts);
- **unmet** — the row's orders placed in the period that are still waiting for a provider now;
- **shortfall** — demand − capacity when positive (rounded up): the service to buy.

Rows with a shortfall come first (largest first), then by unmet orders.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Any

from django.utils import timezone

from jiuzhu.core.models import User
from jiuzhu.core.scoping import visible
from jiuzhu.orders.models import Order, OrderStatus, Provider

PERIODS = (7, 30, 90)


def supply_gap(
    *,
    user: User,
    days: int = 7,
    district: int | None = None,
    street: int | None = None,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    now = now or timezone.now()
    since = timezone.localdate(now) - dt.timedelta(days=days - 1)
    period = Order.objects.filter(created_at__date__gte=since).exclude(status=OrderStatus.CANCELLED)
    mine = visible(user, period)
    if district:
        mine = mine.filter(household__district_id=district)
    if street:
        mine = mine.filter(household__street_id=street)
    rows: dict[tuple[int, int], dict[str, Any]] = {}
    # (street, item) → community → orders, for the user's rows.
    by_community: dict[tuple[int, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for street_id, street_name, item_id, item_name, community_id, status in mine.values_list(
        "household__street_id",
        "household__street__name",
        "item_id",
        "item__name",
        "household__community_id",
        "status",
    ):
        key = (street_id, item_id)
        row = rows.setdefault(
            key,
            {
                "street_id": street_id,
                "street": street_name,
                "item_id": item_id,
                "item": item_name,
                "demand": 0,
                "unmet": 0,
                "capacity": 0.0,
                "providers": 0,
            },
        )
        row["demand"] += 1
        row["unmet"] += status == OrderStatus.WAITING
        by_community[key][community_id] += 1
    if not rows:
        return []
    providers = list(
        Provider.objects.filter(active=True, items__in={item for _, item in rows})
        .distinct()
        .prefetch_related("items", "streets", "communities")
    )
    # Everything each provider could take in the period, in every area (counts only).
    totals: dict[tuple[int, int, int], int] = defaultdict(int)
    for street_id, community_id, item_id in period.values_list(
        "household__street_id", "household__community_id", "item_id"
    ):
        totals[(street_id, community_id, item_id)] += 1
    for provider in providers:
        items = {i.pk for i in provider.items.all()}
        streets = {a.pk for a in provider.streets.all()}
        communities = {a.pk for a in provider.communities.all()}
        served = sum(
            n
            for (s, c, i), n in totals.items()
            if i in items and (s in streets or c in communities)
        )
        if not served:
            continue
        for (street_id, item_id), row in rows.items():
            if item_id not in items:
                continue
            mine_here = sum(
                n
                for community_id, n in by_community[(street_id, item_id)].items()
                if street_id in streets or community_id in communities
            )
            if not mine_here:
                continue
            row["providers"] += 1
            row["capacity"] += provider.daily_capacity * days * mine_here / served
    for row in rows.values():
        row["capacity"] = round(row["capacity"], 1)
        row["shortfall"] = max(0, math.ceil(row["demand"] - row["capacity"] - 1e-9))
    return sorted(
        rows.values(),
        key=lambda r: (-r["shortfall"], -r["unmet"], r["street"], r["item"]),
    )
