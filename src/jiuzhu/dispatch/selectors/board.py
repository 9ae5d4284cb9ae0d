"""The live dispatch board's figures: open orders by state, at risk and overdue, per-provider
load and capacity left, per-street counts. Everything is scoped through the user's orders, so a
street caseworker's board is their street's."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Case, Count, F, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from jiuzhu.core.models import AreaLevel, User
from jiuzhu.core.scoping import visible
from jiuzhu.core.selectors.areas import areas_within
from jiuzhu.dispatch.models import DispatchOffer, Escalation, OfferStatus
from jiuzhu.dispatch.selectors import deadlines
from jiuzhu.orders.models import Order, OrderStatus, Provider
from jiuzhu.orders.selectors.provider_facts import accepted_on_subquery, per_provider

OPEN = [OrderStatus.WAITING, OrderStatus.ACCEPTED, OrderStatus.ASSIGNED, OrderStatus.IN_SERVICE]
ACTIVE = [OrderStatus.ACCEPTED, OrderStatus.ASSIGNED, OrderStatus.IN_SERVICE]


def _pressing(
    orders: QuerySet[Order], now: dt.datetime, limit: int
) -> dict[str, list[tuple[Order, dt.datetime]]]:
    """The ``limit`` most pressing overdue and at-risk orders (earliest deadline first), each
    with its deadline, in one query: a window ranks each state's orders by deadline, so the
    open orders are read once for both lists (each list read them again before)."""
    state = Case(
        When(deadlines.overdue(now), then=Value("overdue")),
        default=Value("at_risk"),
    )
    ranked = (
        orders.filter(deadlines.overdue(now) | deadlines.at_risk(now))
        .annotate(
            due=F("deadline"),
            state=state,
            rank=Window(RowNumber(), partition_by=[state], order_by=[F("deadline"), F("pk")]),
        )
        .filter(rank__lte=limit)
        .select_related(
            "item", "household__street", "household__community", "provider__organisation"
        )
        .order_by("deadline", "pk")
    )
    listed: dict[str, list[tuple[Order, dt.datetime]]] = {"overdue": [], "at_risk": []}
    for order in ranked:
        listed[order.state].append((order, order.due))  # type: ignore[attr-defined]
    return listed


def board_figures(
    *,
    user: User,
    street: int | None = None,
    now: dt.datetime | None = None,
    limit: int = 30,
    district: int | None = None,
) -> dict[str, Any]:
    now = now or timezone.now()
    orders = visible(user, Order.objects.filter(status__in=OPEN))
    if district:
        orders = orders.filter(household__district_id=district)
    if street:
        orders = orders.filter(household__street_id=street)
    timed = deadlines.with_deadline(orders.order_by(), now)
    by_status: Counter[str] = Counter()
    streets: dict[str, dict[str, int]] = defaultdict(
        lambda: {"open": 0, "at_risk": 0, "overdue": 0}
    )
    districts: dict[str, dict[str, int]] = defaultdict(
        lambda: {"open": 0, "at_risk": 0, "overdue": 0, "waiting": 0}
    )
    holders: set[int] = set()
    counted = timed.values(
        "status", "household__street__name", "household__district__name", "provider_id"
    )
    for row in counted.annotate(
        n=Count("pk"),
        late=Count("pk", filter=deadlines.overdue(now)),
        risky=Count("pk", filter=deadlines.at_risk(now)),
    ):
        by_status[row["status"]] += row["n"]
        if row["provider_id"] is not None:
            holders.add(row["provider_id"])
        for place in (
            streets[row["household__street__name"]],
            districts[row["household__district__name"]],
        ):
            place["open"] += row["n"]
            place["overdue"] += row["late"]
            place["at_risk"] += row["risky"]
        if row["status"] == OrderStatus.WAITING:
            districts[row["household__district__name"]]["waiting"] += row["n"]
    pressing = _pressing(timed, now, limit)
    order_ids = orders.values("pk")
    # Which providers the board shows (those holding or offered the user's open orders) is
    # decided first: the holders came with the counts above, the offered are read from the
    # offers (reading the open orders once more cost 0.4 s at a million households). Their
    # figures then count all their orders, not only those open ones. Each figure is its own
    # subquery per provider: joining orders and offers at once multiplied a city's rows
    # (minutes at a million orders; bench/RESULTS.md).
    offered = DispatchOffer.objects.filter(order__in=order_ids).values_list(
        "provider_id", flat=True
    )
    shown = Provider.objects.filter(active=True, pk__in=holders | set(offered.distinct()))
    providers = (
        shown.annotate(
            load=per_provider(Order.objects.filter(status__in=ACTIVE)),
            accepted_today=accepted_on_subquery(timezone.localdate(now)),
            live_offers=per_provider(DispatchOffer.objects.filter(status=OfferStatus.OFFERED)),
        )
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return {
        "now": now,
        "by_status": {status: by_status.get(status, 0) for status in OPEN},
        "open": sum(by_status.values()),
        "at_risk_count": sum(row["at_risk"] for row in streets.values()),
        "overdue_count": sum(row["overdue"] for row in streets.values()),
        "at_risk": [_row(o, due, now) for o, due in pressing["at_risk"]],
        "overdue": [_row(o, due, now) for o, due in pressing["overdue"]],
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
