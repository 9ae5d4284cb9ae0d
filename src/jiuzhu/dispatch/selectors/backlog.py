"""The dispatcher's backlog: every open order of the user's area in one list that reaches all
its rows (filtered, most pressing first), and for each order nobody has taken yet the reason why.

Why a waiting order is still waiting, checked in this order (the first that applies):

1. ``offered`` — it is offered to a provider, which has until ``respond_by`` to answer;
2. ``outside_area`` — no active provider serves the household's street or community at all;
3. ``no_item`` — providers serve the street, but none of them offers this item there;
4. ``declined`` — every provider that could take it declined it or let an offer expire;
5. ``no_capacity`` — the providers that could take it have used up today's capacity
   (daily capacity − orders accepted today − live offers);
6. ``pending`` — a provider could take it and has room: the dispatch cycle offers it once it is
   urgent or half of its time to accept has passed (``offer_from``), or the provider accepts
   it from its inbox before that.

The provider facts (who serves where, offers what, has how much room today) are read once per
call for all active providers; the reasons are then worked out in memory, so classifying every
waiting order of a district costs a handful of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, TextChoices
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise
from jiuzhu.core.models import User
from jiuzhu.core.scoping import visible
from jiuzhu.dispatch.models import DispatchOffer, Escalation, OfferStatus
from jiuzhu.dispatch.selectors import deadlines
from jiuzhu.dispatch.selectors.open_orders import OpenOrder, open_orders
from jiuzhu.orders.models import Order, OrderDecline, OrderStatus, Provider
from jiuzhu.orders.selectors.provider_facts import accepted_on_subquery, per_provider

OPEN = [OrderStatus.WAITING, OrderStatus.ACCEPTED, OrderStatus.ASSIGNED, OrderStatus.IN_SERVICE]


class WaitingReason(TextChoices):
    OFFERED = "offered", _("Offered to a provider, waiting for its answer")
    OUTSIDE_AREA = "outside_area", _("Outside every service area")
    NO_ITEM = "no_item", _("No provider offers this item in this street")
    DECLINED = "declined", _("Declined by every eligible provider")
    NO_CAPACITY = "no_capacity", _("Capacity used up today")
    PENDING = "pending", _("A provider has room: to be offered")


class BacklogList(TextChoices):
    OPEN = "open", _("All open orders")
    WAITING = "waiting", _("Not yet taken")
    OVERDUE = "overdue", _("Overdue")
    AT_RISK = "at_risk", _("At risk")
    ESCALATED = "escalated", _("Escalated")


@dataclass
class ProviderFact:
    id: int
    name: str
    items: set[int]
    streets: set[int]
    communities: set[int]
    capacity: int
    capacity_left: int

    def serves(self, street_id: int, community_id: int) -> bool:
        return street_id in self.streets or community_id in self.communities


@dataclass
class Why:
    """Why one waiting order is waiting, with what the dispatcher needs to act on it."""

    code: str
    label: str | _StrPromise  # a choice's lazy label, translated when shown
    providers: list[str] = field(default_factory=list)  # offered to / declined by
    until: dt.datetime | None = None  # offer answer due, or when the cycle offers it

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": str(self.label),
            "providers": self.providers,
            "until": self.until,
        }


def provider_facts(*, now: dt.datetime | None = None) -> list[ProviderFact]:
    """Every active provider: where it serves, what it offers and its room left today
    (daily capacity − orders accepted today − live offers, never below 0; "accepted today" as
    ``orders.selectors.provider_facts`` counts it — cancelled acceptances free their place)."""
    today = timezone.localdate(now or timezone.now())
    providers = (
        Provider.objects.filter(active=True)
        .annotate(
            accepted_today=accepted_on_subquery(today),
            live_offers=per_provider(DispatchOffer.objects.filter(status=OfferStatus.OFFERED)),
        )
        .order_by("organisation__name", "pk")
        .values_list("pk", "organisation__name", "daily_capacity", "accepted_today", "live_offers")
    )
    # Who serves where and offers what, read as plain pairs from the link tables: a city's
    # hundreds of providers link to thousands of items and areas, and building each linked
    # row as a model took 40 ms of every board poll.
    links: dict[str, dict[int, set[int]]] = {}
    for name in ("items", "streets", "communities"):
        through = getattr(Provider, name).through
        target = getattr(Provider, name).field.m2m_reverse_name()
        pairs = through.objects.filter(provider__active=True).values_list("provider_id", target)
        links[name] = defaultdict(set)
        for provider_id, linked in pairs:
            links[name][provider_id].add(linked)
    return [
        ProviderFact(
            id=pk,
            name=name,
            items=links["items"][pk],
            streets=links["streets"][pk],
            communities=links["communities"][pk],
            capacity=capacity,
            capacity_left=max(0, capacity - accepted_today - live_offers),
        )
        for pk, name, capacity, accepted_today, live_offers in providers
    ]


def _offer_from(order: Order) -> dt.datetime | None:
    sla = getattr(order, "sla", None)
    if sla is None:
        return None
    if sla.urgent:
        return order.created_at
    return order.created_at + (sla.accept_by - order.created_at) / 2


def _classify(
    facts: list[ProviderFact], street: int, community: int, item: int, said_no: set[int]
) -> tuple[str, list[ProviderFact]]:
    """Why an order of ``item`` for a household of (street, community) that is not on offer
    waits (reasons 2 to 6 above), and the providers the reason names: those that declined, those
    without room, or those with room."""
    serving = [f for f in facts if f.serves(street, community)]
    if not serving:
        return WaitingReason.OUTSIDE_AREA, []
    eligible = [f for f in serving if item in f.items]
    if not eligible:
        return WaitingReason.NO_ITEM, []
    remaining = [f for f in eligible if f.id not in said_no]
    if not remaining:
        return WaitingReason.DECLINED, eligible
    with_room = [f for f in remaining if f.capacity_left > 0]
    if not with_room:
        return WaitingReason.NO_CAPACITY, remaining
    return WaitingReason.PENDING, with_room


def _offers_and_refusals(
    of_orders: Q,
) -> tuple[dict[int, DispatchOffer], dict[int, set[int]]]:
    """The live offer of each order that ``of_orders`` (a filter on offers and declines)
    selects, and the providers that refused it (declined it, or let an offer expire)."""
    live = {
        offer.order_id: offer
        for offer in DispatchOffer.objects.filter(of_orders, status=OfferStatus.OFFERED)
    }
    refused: dict[int, set[int]] = {}
    for refusals in (
        OrderDecline.objects.filter(of_orders),
        DispatchOffer.objects.filter(
            of_orders, status__in=[OfferStatus.DECLINED, OfferStatus.EXPIRED]
        ),
    ):
        for order_id, provider_id in refusals.values_list("order_id", "provider_id"):
            refused.setdefault(order_id, set()).add(provider_id)
    return live, refused


def count_reasons(
    waiting: Iterable[tuple[int, int, int, int]], facts: list[ProviderFact]
) -> dict[str, int]:
    """How many of the ``waiting`` orders, each given as (order id, street, community, item),
    wait for each reason, as ``waiting_reasons`` classifies them one by one.

    The orders are read once by the caller (the board reads them with its other figures).
    The offers and refusals are read for every waiting order of the city: those are few, and
    reading them by the orders' ids would read the user's orders again. An order nobody
    refused is classified by its place and item alone, once per place and item."""
    live, refused = _offers_and_refusals(Q(order__status=OrderStatus.WAITING))
    counts: Counter[str] = Counter()
    by_place: dict[tuple[int, int, int], str] = {}
    for order_id, street, community, item in waiting:
        if order_id in live:
            counts[WaitingReason.OFFERED] += 1
            continue
        said_no = refused.get(order_id)
        if said_no:
            counts[_classify(facts, street, community, item, said_no)[0]] += 1
            continue
        place = (street, community, item)
        if place not in by_place:
            by_place[place] = _classify(facts, street, community, item, set())[0]
        counts[by_place[place]] += 1
    return {code: counts.get(code, 0) for code in WaitingReason.values}


def waiting_reasons(
    orders: list[Order], *, now: dt.datetime | None = None, facts: list[ProviderFact] | None = None
) -> dict[int, Why]:
    """Why each waiting order in ``orders`` is waiting (orders in other states are skipped).

    ``orders`` need ``household`` (street and community ids) and, for ``pending``, ``sla``."""
    now = now or timezone.now()
    waiting = [o for o in orders if o.status == OrderStatus.WAITING]
    if not waiting:
        return {}
    facts = facts if facts is not None else provider_facts(now=now)
    names = {f.id: f.name for f in facts}
    live, refused = _offers_and_refusals(Q(order_id__in=[o.pk for o in waiting]))
    reasons: dict[int, Why] = {}
    for order in waiting:
        offer = live.get(order.pk)
        if offer is not None:
            reasons[order.pk] = Why(
                WaitingReason.OFFERED,
                WaitingReason.OFFERED.label,
                providers=[names.get(offer.provider_id, "")],
                until=offer.respond_by,
            )
            continue
        code, who = _classify(
            facts,
            order.household.street_id,
            order.household.community_id,
            order.item_id,
            refused.get(order.pk, set()),
        )
        reasons[order.pk] = Why(
            code,
            WaitingReason(code).label,
            providers=[f.name for f in who],
            until=_offer_from(order) if code == WaitingReason.PENDING else None,
        )
    return reasons


# ---------------------------------------------------------------- the backlog list


@dataclass(frozen=True)
class BacklogFilters:
    list: str = BacklogList.OPEN
    district: int | None = None
    street: int | None = None
    item: int | None = None
    reason: str = ""
    q: str = ""


def deadline_state(order: Order, now: dt.datetime) -> tuple[dt.datetime | None, str]:
    """The deadline that applies now (accept by while waiting, complete by once taken) and
    whether the order is ``overdue``, ``at_risk`` (last quarter of the window or last hour) or
    ``ok``."""
    sla = getattr(order, "sla", None)
    if sla is None:
        return None, "ok"
    deadline = deadlines.applies(order.status, sla.accept_by, sla.complete_by)
    return deadline, deadlines.state(order.created_at, deadline, now)


def backlog_queryset(*, user: User, filters: BacklogFilters) -> QuerySet[Order]:
    """Open orders the user sees, narrowed by the filters that the database can apply."""
    orders = visible(user, Order.objects.filter(status__in=OPEN)).select_related(
        "sla", "item", "household__street", "household__community", "provider__organisation"
    )
    if filters.list == BacklogList.WAITING or filters.reason:
        orders = orders.filter(status=OrderStatus.WAITING)
    if filters.list == BacklogList.ESCALATED:
        orders = orders.filter(
            pk__in=Escalation.objects.filter(resolved_at__isnull=True).values("order_id")
        )
    if filters.district:
        orders = orders.filter(household__district_id=filters.district)
    if filters.street:
        orders = orders.filter(household__street_id=filters.street)
    if filters.item:
        orders = orders.filter(item_id=filters.item)
    if filters.q.strip():
        orders = orders.filter(number__icontains=filters.q.strip())
    return orders


class ListedOrders(Sequence[Order]):
    """The backlog's orders in their order, read from the database a slice at a time (a page,
    or a chunk of the export): ``len`` and slicing, as Django's paginator uses them."""

    CHUNK = 500

    def __init__(self, ids: list[int], orders: QuerySet[Order]) -> None:
        self.ids = ids
        self._orders = orders

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> Order: ...

    @overload
    def __getitem__(self, index: slice) -> list[Order]: ...

    def __getitem__(self, index: int | slice) -> Order | list[Order]:
        if isinstance(index, slice):
            chosen = self.ids[index]
            found = self._orders.in_bulk(chosen)
            return [found[pk] for pk in chosen if pk in found]
        return self[index : index + 1 or None][0]

    def __iter__(self) -> Iterator[Order]:
        for start in range(0, len(self.ids), self.CHUNK):
            yield from self[start : start + self.CHUNK]


@dataclass
class Backlog:
    """The filtered backlog, most pressing first: slice ``orders`` for a page and ask ``rows``
    for what to show of it. ``reason_counts`` counts the listed waiting orders by reason. Only
    the ids, deadlines and places of the open orders are read whole (tens of thousands in a
    city); the rows shown are read a page at a time."""

    orders: ListedOrders
    reason_counts: dict[str, int]
    now: dt.datetime

    def __len__(self) -> int:
        return len(self.orders)

    def rows(self, orders: Iterable[Order]) -> list[dict[str, Any]]:
        """``backlog_row`` of each of ``orders`` (a page of ``self.orders``)."""
        listed = list(orders)
        reasons = waiting_reasons(listed, now=self.now)
        return [backlog_row(order, reasons.get(order.pk), self.now) for order in listed]


def _most_pressing_first(order: OpenOrder) -> tuple[bool, dt.datetime, dt.datetime, int]:
    """Earliest deadline first (the most overdue first), orders without one last, then by when
    they were placed."""
    return order.due is None, order.due or order.created, order.created, order.pk


def backlog(
    *, user: User, filters: BacklogFilters | None = None, now: dt.datetime | None = None
) -> Backlog:
    """All open orders of the user's area matching ``filters``: overdue first (most late
    first), then at risk and the rest by their deadline (orders without one last), then by
    when they were placed. One read of the open orders gives the list, its order and the
    reasons counted; the database filters by place, item, number and reason."""
    filters = filters or BacklogFilters()
    now = now or timezone.now()
    orders = backlog_queryset(user=user, filters=filters)
    facts = provider_facts(now=now)
    if filters.reason:
        orders = _with_reason(orders, filters.reason, facts)
    listed = open_orders(orders)
    if filters.list in (BacklogList.OVERDUE, BacklogList.AT_RISK):
        listed = [order for order in listed if order.state(now) == filters.list]
    listed.sort(key=_most_pressing_first)
    waiting = [order.place() for order in listed if order.status == OrderStatus.WAITING]
    return Backlog(
        orders=ListedOrders([order.pk for order in listed], orders),
        reason_counts=count_reasons(waiting, facts),
        now=now,
    )


def backlog_row(order: Order, why: Why | None, now: dt.datetime) -> dict[str, Any]:
    """What the backlog shows and exports for one order: no names or identity numbers."""
    deadline, state = deadline_state(order, now)
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "status_label": OrderStatus(order.status).label,
        "item": order.item.name,
        "district_id": order.household.district_id,
        "street": order.household.street.name,
        "community": order.household.community.name,
        "provider": order.provider.organisation.name if order.provider is not None else "",
        "created_at": order.created_at,
        "deadline": deadline,
        "state": state,
        "minutes_left": int((deadline - now).total_seconds() // 60) if deadline else None,
        "why": why,
    }


# The reason of an order that is not on offer and that nobody refused depends only on its
# street, community and item: such orders are counted and filtered by those three in the
# database, each group classified once; the few a provider refused are classified one by one.
PLACE = ("household__street_id", "household__community_id", "item_id")


def _on_offer() -> Exists:
    return Exists(DispatchOffer.objects.filter(order=OuterRef("pk"), status=OfferStatus.OFFERED))


def _refused() -> Q:
    declined = Exists(OrderDecline.objects.filter(order=OuterRef("pk")))
    let_go = Exists(
        DispatchOffer.objects.filter(
            order=OuterRef("pk"), status__in=[OfferStatus.DECLINED, OfferStatus.EXPIRED]
        )
    )
    return Q(declined) | Q(let_go)


def _refused_reasons(
    waiting: QuerySet[Order], facts: list[ProviderFact]
) -> Iterator[tuple[int, str]]:
    """(order id, reason) of each waiting order not on offer that some provider refused."""
    refused_orders = waiting.filter(~_on_offer()).filter(_refused())
    refused: dict[int, set[int]] = {}
    for refusals in (
        OrderDecline.objects.filter(order__in=refused_orders.values("pk")),
        DispatchOffer.objects.filter(
            order__in=refused_orders.values("pk"),
            status__in=[OfferStatus.DECLINED, OfferStatus.EXPIRED],
        ),
    ):
        for order_id, provider_id in refusals.values_list("order_id", "provider_id"):
            refused.setdefault(order_id, set()).add(provider_id)
    for order_id, street, community, item in refused_orders.values_list("pk", *PLACE):
        yield order_id, _classify(facts, street, community, item, refused.get(order_id, set()))[0]


def _plain_groups(
    waiting: QuerySet[Order], facts: list[ProviderFact]
) -> Iterator[tuple[tuple[int, int, int], int, str]]:
    """((street, community, item), orders, reason) of the waiting orders not on offer that
    nobody refused, grouped by place and item."""
    plain = waiting.filter(~_on_offer()).exclude(_refused())
    for row in plain.values(*PLACE).annotate(n=Count("pk")):
        street, community, item = (row[key] for key in PLACE)
        yield (
            (street, community, item),
            row["n"],
            _classify(facts, street, community, item, set())[0],
        )


def _reason_counts(waiting: QuerySet[Order], facts: list[ProviderFact]) -> dict[str, int]:
    """``count_reasons`` of the waiting orders ``waiting`` selects, read once."""
    return count_reasons(waiting.values_list("pk", *PLACE), facts)


def _with_reason(
    orders: QuerySet[Order], reason: str, facts: list[ProviderFact]
) -> QuerySet[Order]:
    """The waiting orders among ``orders`` that wait for ``reason``."""
    waiting = orders.filter(status=OrderStatus.WAITING)
    if reason == WaitingReason.OFFERED:
        return waiting.filter(_on_offer())
    unordered = waiting.select_related(None).order_by()
    communities: dict[tuple[int, int], list[int]] = defaultdict(list)
    for (street, community, item), _n, code in _plain_groups(unordered, facts):
        if code == reason:
            communities[(street, item)].append(community)
    plain = Q(pk__in=[])
    for (street, item), within in communities.items():
        plain |= Q(household__street_id=street, item_id=item, household__community_id__in=within)
    refused = [order_id for order_id, code in _refused_reasons(unordered, facts) if code == reason]
    return waiting.filter(~_on_offer()).filter((plain & ~_refused()) | Q(pk__in=refused))


def waiting_reason_counts(
    *, user: User, street: int | None = None, district: int | None = None, now=None
) -> dict[str, int]:
    """How many of the user's waiting orders wait for each reason (for "dispatch now"'s
    report), counted as ``waiting_reasons`` would classify them one by one (``count_reasons``:
    one read of the orders' places, each place classified once)."""
    now = now or timezone.now()
    waiting = (
        backlog_queryset(
            user=user,
            filters=BacklogFilters(list=BacklogList.WAITING, street=street, district=district),
        )
        .select_related(None)
        .order_by()
    )
    return _reason_counts(waiting, provider_facts(now=now))


def eligible_providers_for(order: Order, *, now=None) -> list[dict[str, Any]]:
    """The providers a dispatcher may offer ``order`` to (serve the household's street or
    community and offer the item), each with its room left today and whether it already
    declined the order or let an offer for it expire."""
    facts = provider_facts(now=now)
    household = order.household
    said_no = set(
        OrderDecline.objects.filter(order=order).values_list("provider_id", flat=True)
    ) | set(
        DispatchOffer.objects.filter(
            order=order, status__in=[OfferStatus.DECLINED, OfferStatus.EXPIRED]
        ).values_list("provider_id", flat=True)
    )
    return [
        {
            "id": f.id,
            "name": f.name,
            "capacity": f.capacity,
            "capacity_left": f.capacity_left,
            "said_no": f.id in said_no,
        }
        for f in facts
        if f.serves(household.street_id, household.community_id) and order.item_id in f.items
    ]
