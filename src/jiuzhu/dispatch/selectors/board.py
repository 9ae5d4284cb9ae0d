"""The live dispatch board's figures: open orders by state, at risk and overdue, per-provider
load and capacity left, per-street counts. Everything is scoped through the user's orders, so a
street caseworker's board is their street's."""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from jiuzhu.core.models import Area, AreaLevel, User
from jiuzhu.core.scoping import visible
from jiuzhu.core.selectors.areas import areas_within
from jiuzhu.dispatch.models import DispatchOffer, Escalation, OfferStatus
from jiuzhu.dispatch.selectors.backlog import OPEN, count_reasons, provider_facts
from jiuzhu.dispatch.selectors.open_orders import OpenOrder, open_orders
from jiuzhu.orders.models import Order, OrderStatus, Provider
from jiuzhu.orders.selectors.provider_facts import accepted_on_subquery, per_provider

ACTIVE = [OrderStatus.ACCEPTED, OrderStatus.ASSIGNED, OrderStatus.IN_SERVICE]


def _pressing(
    ranked: dict[str, list[tuple[dt.datetime, int]]], limit: int
) -> dict[str, list[tuple[Order, dt.datetime]]]:
    """The ``limit`` most pressing overdue and at-risk orders (earliest deadline first), each
    with its deadline, from (deadline, id) pairs of each state: only these are read in full."""
    chosen = {state: heapq.nsmallest(limit, pairs) for state, pairs in ranked.items()}
    ids = [pk for pairs in chosen.values() for _due, pk in pairs]
    orders = Order.objects.select_related(
        "item", "household__street", "household__community", "provider__organisation"
    ).in_bulk(ids)
    return {state: [(orders[pk], due) for due, pk in pairs] for state, pairs in chosen.items()}


@dataclass
class _Tally:
    """The board's figures, counted one open order at a time: each order adds one to its
    (district, street, status, state) group, and the counts by status, street and district
    are summed from the groups (a few hundred) at the end."""

    now: dt.datetime
    groups: Counter[tuple[int, int, str, str]] = field(default_factory=Counter)
    #: (deadline, id) of the overdue and of the at-risk orders, for the lists.
    ranked: dict[str, list[tuple[dt.datetime, int]]] = field(
        default_factory=lambda: {"overdue": [], "at_risk": []}
    )
    holders: set[int] = field(default_factory=set)
    #: (id, street, community, item) of the waiting orders, for their reasons.
    waiting: list[tuple[int, int, int, int]] = field(default_factory=list)

    def add(self, order: OpenOrder) -> None:
        state = order.state(self.now)
        self.groups[order.district, order.street, order.status, state] += 1
        if state != "ok":
            self.ranked[state].append((order.due, order.pk))  # type: ignore[arg-type]
        if order.provider is not None:
            self.holders.add(order.provider)
        if order.status == OrderStatus.WAITING:
            self.waiting.append(order.place())

    def by_status(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for (_district, _street, status, _state), n in self.groups.items():
            counts[status] += n
        return {status: counts[status] for status in OPEN}

    def by_place(self) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
        """The open, at-risk and overdue orders of each street and of each district (with
        the waiting ones), by name."""
        ids = {key[0] for key in self.groups} | {key[1] for key in self.groups}
        names = dict(Area.objects.filter(pk__in=ids).values_list("pk", "name"))
        streets: dict[str, dict[str, int]] = defaultdict(
            lambda: {"open": 0, "at_risk": 0, "overdue": 0}
        )
        districts: dict[str, dict[str, int]] = defaultdict(
            lambda: {"open": 0, "at_risk": 0, "overdue": 0, "waiting": 0}
        )
        for (district, street, status, state), n in self.groups.items():
            for place in (streets[names[street]], districts[names[district]]):
                place["open"] += n
                if state != "ok":
                    place[state] += n
            if status == OrderStatus.WAITING:
                districts[names[district]]["waiting"] += n
        return streets, districts


def board_figures(
    *,
    user: User,
    street: int | None = None,
    now: dt.datetime | None = None,
    limit: int = 30,
    district: int | None = None,
) -> dict[str, Any]:
    """Every figure of the board for ``user``'s open orders (of ``district`` or ``street``):
    counts by state, street and district, the ``limit`` most pressing overdue and at-risk
    orders, the providers holding or offered them, and why the waiting ones wait."""
    now = now or timezone.now()
    orders = visible(user, Order.objects.filter(status__in=OPEN))
    if district:
        orders = orders.filter(household__district_id=district)
    if street:
        orders = orders.filter(household__street_id=street)
    rows = open_orders(orders)
    tally = _Tally(now=now)
    for row in rows:
        tally.add(row)
    streets, districts = tally.by_place()
    pressing = _pressing(tally.ranked, limit)
    # Which providers the board shows (those holding or offered the user's open orders) is
    # decided first: the holders came with the open orders above, the offered are read from
    # the offers of the city's open orders (few). Their figures then count all their orders,
    # not only those open ones. Each figure is its own subquery per provider: joining orders
    # and offers at once multiplied a city's rows (minutes at a million orders;
    # bench/RESULTS.md).
    open_ids = {row.pk for row in rows}
    offers = [
        (provider, status)
        for order_id, provider, status in DispatchOffer.objects.filter(
            order__status__in=OPEN
        ).values_list("order_id", "provider_id", "status")
        if order_id in open_ids
    ]
    escalated = visible(user, Escalation.objects.filter(resolved_at__isnull=True)).values_list(
        "order_id", flat=True
    )
    shown = Provider.objects.filter(
        active=True, pk__in=tally.holders | {provider for provider, _status in offers}
    )
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
        "by_status": tally.by_status(),
        "open": len(rows),
        "at_risk_count": len(tally.ranked["at_risk"]),
        "overdue_count": len(tally.ranked["overdue"]),
        "at_risk": [_row(o, due, now) for o, due in pressing["at_risk"]],
        "overdue": [_row(o, due, now) for o, due in pressing["overdue"]],
        "streets": [{"street": name, **counts} for name, counts in sorted(streets.items())],
        "districts": _district_rows(user, districts, district, street),
        "waiting_reasons": count_reasons(tally.waiting, provider_facts(now=now)),
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
        "escalations": sum(1 for order_id in escalated if order_id in open_ids),
        "live_offers": sum(1 for _provider, status in offers if status == OfferStatus.OFFERED),
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
