"""The live dispatch board's figures: open orders by state, at risk and overdue, per-provider
load and capacity left, per-street counts. Everything is scoped through the user's orders, so a
street caseworker's board is their street's."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from jiuzhu.core.models import AreaLevel, User
from jiuzhu.core.scoping import visible
from jiuzhu.core.selectors.areas import areas_within
from jiuzhu.dispatch.models import DispatchOffer, Escalation, OfferStatus
from jiuzhu.orders.models import Order, OrderStatus, Provider
from jiuzhu.orders.selectors.provider_facts import accepted_on_subquery

OPEN = [OrderStatus.WAITING, OrderStatus.ACCEPTED, OrderStatus.ASSIGNED, OrderStatus.IN_SERVICE]
ACTIVE = [OrderStatus.ACCEPTED, OrderStatus.ASSIGNED, OrderStatus.IN_SERVICE]


def _risk_margin(start: dt.datetime, deadline: dt.datetime) -> dt.timedelta:
    return max((deadline - start) / 4, dt.timedelta(hours=1))


def board_figures(
    *,
    user: User,
    street: int | None = None,
    now: dt.datetime | None = None,
    limit: int = 30,
    district: int | None = None,
) -> dict[str, Any]:
    now = now or timezone.now()
    orders = visible(user, Order.objects.filter(status__in=OPEN)).select_related(
        "sla",
        "item",
        "household__street",
        "household__community",
        "household__district",
        "provider__organisation",
    )
    if district:
        orders = orders.filter(household__district_id=district)
    if street:
        orders = orders.filter(household__street_id=street)
    by_status: Counter[str] = Counter()
    streets: dict[str, dict[str, int]] = defaultdict(
        lambda: {"open": 0, "at_risk": 0, "overdue": 0}
    )
    districts: dict[str, dict[str, int]] = defaultdict(
        lambda: {"open": 0, "at_risk": 0, "overdue": 0, "waiting": 0}
    )
    at_risk, overdue = [], []
    for order in orders.order_by("created_at"):
        by_status[order.status] += 1
        row = streets[order.household.street.name]
        row["open"] += 1
        drow = districts[order.household.district.name]
        drow["open"] += 1
        drow["waiting"] += order.status == OrderStatus.WAITING
        sla = getattr(order, "sla", None)
        if sla is None:
            continue
        deadline = sla.accept_by if order.status == OrderStatus.WAITING else sla.complete_by
        if now >= deadline:
            overdue.append((order, deadline))
            row["overdue"] += 1
            drow["overdue"] += 1
        elif deadline - _risk_margin(order.created_at, deadline) <= now:
            at_risk.append((order, deadline))
            row["at_risk"] += 1
            drow["at_risk"] += 1
    order_ids = orders.values("pk")
    today = timezone.localdate()
    # Which providers the board shows (those holding or offered the user's open orders) is
    # decided first; their figures then count all their orders, not only those open ones.
    shown = (
        Provider.objects.filter(active=True)
        .filter(Q(orders__in=order_ids) | Q(offers__order__in=order_ids))
        .values("pk")
    )
    providers = (
        Provider.objects.filter(pk__in=shown)
        .annotate(
            load=Count("orders", filter=Q(orders__status__in=ACTIVE), distinct=True),
            accepted_today=accepted_on_subquery(today),
            live_offers=Count(
                "offers", filter=Q(offers__status=OfferStatus.OFFERED), distinct=True
            ),
        )
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return {
        "now": now,
        "by_status": {status: by_status.get(status, 0) for status in OPEN},
        "open": sum(by_status.values()),
        "at_risk_count": len(at_risk),
        "overdue_count": len(overdue),
        "at_risk": [_row(o, d, now) for o, d in at_risk[:limit]],
        "overdue": [_row(o, d, now) for o, d in overdue[:limit]],
        "streets": [{"street": name, **counts} for name, counts in sorted(streets.items())],
        "districts": _district_rows(user, districts, district, street),
        "providers": [
            {
                "id": p.pk,
                "name": p.organisation.name,
                "load": p.load,
                "capacity": p.daily_capacity,
                "accepted_today": p.accepted_today,
                "capacity_left": max(0, p.daily_capacity - p.accepted_today - p.live_offers),
                "live_offers": p.live_offers,
            }
            for p in providers
        ],
        "escalations": visible(user, Escalation.objects.filter(resolved_at__isnull=True))
        .filter(order__in=order_ids)
        .count(),
        "live_offers": visible(user, DispatchOffer.objects.filter(status=OfferStatus.OFFERED))
        .filter(order__in=order_ids)
        .count(),
    }


def _district_rows(
    user: User, counted: dict[str, dict[str, int]], district: int | None, street: int | None
) -> list[dict[str, Any]]:
    """One row per district of a city user's area (those without open orders too)."""
    rows = dict(counted)
    if user.area is not None and user.area.level == AreaLevel.CITY and not (district or street):
        for name in areas_within(user, AreaLevel.DISTRICT).values_list("name", flat=True):
            rows.setdefault(name, {"open": 0, "at_risk": 0, "overdue": 0, "waiting": 0})
    return [{"district": name, **counts} for name, counts in sorted(rows.items())]


def _row(order: Order, deadline: dt.datetime, now: dt.datetime) -> dict[str, Any]:
    """What the board lists: no names or identity numbers, only the order and where."""
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "item": order.item.name,
        "street": order.household.street.name,
        "community": order.household.community.name,
        "provider": order.provider.organisation.name if order.provider is not None else "",
        "deadline": deadline,
        "minutes_left": int((deadline - now).total_seconds() // 60),
    }
