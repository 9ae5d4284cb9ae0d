"""Supply that meets demand in the demo.

A visitor's first look at the dispatch board should show a working supermarket: every item a
demo household can order has a provider in its street, providers can take the day's orders, and
only a handful of orders wait. Three pieces, each usable on its own (and tested on its own):

- :func:`cover_demo_streets` — every active catalogue item is offered in every street where demo
  households live: an uncovered (street, item) goes to the district's provider that already
  offers most items of the item's category (ties: fewest items, then oldest), which then also
  serves the street.
- :func:`demand_shares` and :func:`size_capacity` — each order placed today counts 1 ÷ (number of
  providers eligible for it) towards each eligible provider; a provider's daily capacity becomes
  ``ceil(share × margin)``, at least ``minimum``.
- :func:`providers_answer` — the providers' staff accept most waiting orders through the real
  services (and move some on to assigned, in service, completed), so the board starts calm;
  each provider keeps room for a few more orders today, for whoever tries the demo as its staff.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.errors import DomainError
from jiuzhu.core.models import Area, AreaLevel, Role, User
from jiuzhu.orders.models import Order, OrderStatus, Provider
from jiuzhu.orders.selectors.provider_facts import accepted_on
from jiuzhu.orders.services import transitions as services
from jiuzhu.registry.models import Household

#: What the providers do with the waiting orders they answer (the rest stay waiting).
ANSWERS = ("accepted", "assigned", "assigned", "in_service", "completed", "completed")


def demo_streets() -> list[Area]:
    """Streets where (active or not) demo households live."""
    ids = Household.objects.values("street_id").distinct()
    return list(Area.objects.filter(pk__in=ids, level=AreaLevel.STREET).order_by("code"))


def _serves(provider: Provider, street: Area) -> bool:
    return any(s.pk == street.pk for s in provider.streets.all()) or any(
        c.parent_id == street.pk for c in provider.communities.all()
    )


def cover_demo_streets() -> int:
    """Make every active item available in every demo street; return the pairs added."""
    items = list(ServiceItem.objects.filter(active=True).order_by("pk"))
    providers = list(
        Provider.objects.filter(active=True)
        .select_related("base__parent")
        .prefetch_related("items", "streets", "communities")
        .order_by("pk")
    )
    if not providers:
        return 0
    offered: dict[int, set[int]] = {p.pk: {i.pk for i in p.items.all()} for p in providers}
    category_of = {i.pk: i.category_id for i in items}
    added = 0
    for street in demo_streets():
        local = [p for p in providers if p.base.parent.parent_id == street.parent_id]
        if not local:
            continue
        serving = [p for p in providers if _serves(p, street)]
        for item in items:
            if any(item.pk in offered[p.pk] for p in serving):
                continue
            chosen = min(
                local,
                key=lambda p: (
                    -sum(1 for i in offered[p.pk] if category_of.get(i) == item.category_id),
                    len(offered[p.pk]),
                    p.pk,
                ),
            )
            chosen.items.add(item)
            offered[chosen.pk].add(item.pk)
            if chosen not in serving:
                chosen.streets.add(street)
                serving.append(chosen)
                chosen._prefetched_objects_cache.pop("streets", None)
            added += 1
    return added


def _eligible(order: Order, providers: list[Provider]) -> list[Provider]:
    household = order.household
    return [
        p
        for p in providers
        if order.item_id in p.offered
        and (household.street_id in p.street_ids or household.community_id in p.community_ids)
    ]


def _providers() -> list[Provider]:
    providers = list(
        Provider.objects.filter(active=True)
        .prefetch_related("items", "streets", "communities")
        .order_by("pk")
    )
    for p in providers:
        p.offered = {i.pk for i in p.items.all()}
        p.street_ids = {a.pk for a in p.streets.all()}
        p.community_ids = {a.pk for a in p.communities.all()}
    return providers


def demand_shares(*, day=None) -> dict[int, float]:
    """Each provider's share of the orders placed on ``day`` (today), cancelled ones left out:
    an order counts 1 ÷ (providers eligible for it) towards each of them."""
    day = day or timezone.localdate()
    providers = _providers()
    shares: dict[int, float] = defaultdict(float)
    orders = (
        Order.objects.filter(created_at__date=day)
        .exclude(status=OrderStatus.CANCELLED)
        .select_related("household")
    )
    for order in orders:
        eligible = _eligible(order, providers)
        for p in eligible:
            shares[p.pk] += 1 / len(eligible)
    return dict(shares)


def size_capacity(*, margin: float = 1.25, minimum: int = 10) -> dict[int, int]:
    """Set each active provider's daily capacity to its demand share × ``margin`` (rounded up,
    at least ``minimum``); return the new capacities."""
    shares = demand_shares()
    sized = {}
    for provider in Provider.objects.filter(active=True):
        capacity = max(minimum, math.ceil(shares.get(provider.pk, 0) * margin))
        if provider.daily_capacity != capacity:
            Provider.objects.filter(pk=provider.pk).update(daily_capacity=capacity)
        sized[provider.pk] = capacity
    return sized


def _staff(provider: Provider) -> User | None:
    return (
        User.objects.filter(
            organisation_id=provider.organisation_id, role=Role.PROVIDER_STAFF, is_active=True
        )
        .order_by("id")
        .first()
    )


def advance(order: Order, provider: Provider, outcome: str, rng: random.Random) -> Order:
    """Take ``order`` with ``provider``'s staff through the real services up to ``outcome``."""
    staff = _staff(provider)
    if staff is None:
        return order
    order = services.order_accept(actor=staff, order=order)
    if outcome == "accepted":
        return order
    volunteer = User.objects.filter(role=Role.VOLUNTEER, is_demo=True, is_active=True).first()
    worker = volunteer if (volunteer and rng.random() < 0.3) else staff
    order = services.order_assign(actor=staff, order=order, assignee=worker)
    if outcome == "assigned":
        return order
    order = services.order_start(actor=worker, order=order)
    if outcome == "in_service":
        return order
    return services.order_complete(
        actor=worker,
        order=order,
        summary="已按约完成服务",
        duration_minutes=rng.choice([30, 45, 60, 90]),
    )


def providers_answer(*, rng: random.Random, taken: float = 0.9, room: int = 5) -> int:
    """The providers answer the waiting orders: each is taken with probability ``taken`` by
    the eligible provider with the most room left today, and no provider is filled closer than
    ``room`` orders to its capacity — whoever opens the demo as provider staff (or a browser
    test) must still be able to accept today; return how many were taken."""
    providers = _providers()
    today = timezone.localdate()
    used = {p.pk: accepted_on(p, today) for p in providers}
    count = 0
    waiting = (
        Order.objects.filter(status=OrderStatus.WAITING)
        .exclude(declines__isnull=False)
        .select_related("household", "item")
        .order_by("created_at", "pk")
    )
    for order in waiting:
        if rng.random() >= taken:
            continue
        eligible = [p for p in _eligible(order, providers) if used[p.pk] + room < p.daily_capacity]
        if not eligible:
            continue
        provider = max(eligible, key=lambda p: (p.daily_capacity - used[p.pk], -p.pk))
        try:
            advance(order, provider, rng.choice(ANSWERS), rng)
        except DomainError:
            continue
        used[provider.pk] += 1
        count += 1
    return count


def eligible_providers_anywhere(street: Area, item: ServiceItem) -> bool:
    """Whether an active provider offers ``item`` in ``street`` (directly or in one of its
    communities) — the check the demo's coverage promises."""
    return (
        Provider.objects.filter(active=True, items=item)
        .filter(Q(streets=street) | Q(communities__parent=street))
        .exists()
    )
