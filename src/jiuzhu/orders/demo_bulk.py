"""Bulk demo orders for ``jiuzhu demo-data --orders N`` (issue 15 item 3): providers serving
every street of the generated households, then N orders spread over the last year and over the
lifecycle (waiting, accepted, assigned, in service, completed — half of those rated —
and cancelled), stored with ``bulk_create`` in large batches.

This is a benchmark and demo path, not the service path: no events or notifications per order;
the dispatch centre's own bulk step writes their deadlines (``dispatch/demo_bulk.py``)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone
from stdnum.cn import uscc as uscc_number

from jiuzhu.core.demo import BulkContext, bulk_actor, bulk_step, dated
from jiuzhu.core.models import Area, Organisation, OrganisationKind, Role

BATCH = 10_000
YEAR_SECONDS = 365 * 24 * 3600
PROVIDERS_PER_STREET = 3
OPERATOR = "bulk_demo_operator"
#: (status, share of orders) by how old an order is: (at most so many days old, shares). An
#: order stays open for days, not months (an accept window is a day; escalation and the
#: hotline follow), so only recent orders are open: with orders spread evenly over a year,
#: about 0.5 % are open, as in a running service. Open orders of every age (the earlier
#: generator's 12 % over a whole year) made a board of 72,000 orders overdue by months.
LIFECYCLE_BY_AGE = [
    (
        2,
        [
            ("waiting", 0.25),
            ("accepted", 0.15),
            ("assigned", 0.10),
            ("in_service", 0.15),
            ("completed", 0.27),
            ("cancelled", 0.08),
        ],
    ),
    (
        7,
        [
            ("waiting", 0.02),
            ("accepted", 0.02),
            ("assigned", 0.02),
            ("in_service", 0.04),
            ("completed", 0.82),
            ("cancelled", 0.08),
        ],
    ),
    (366, [("completed", 0.92), ("cancelled", 0.08)]),
]


def lifecycle_status(rng: random.Random, age: dt.timedelta) -> str:
    """An order's status drawn by its age (``LIFECYCLE_BY_AGE``)."""
    shares = next(
        (shares for days, shares in LIFECYCLE_BY_AGE if age <= dt.timedelta(days=days)),
        LIFECYCLE_BY_AGE[-1][1],
    )
    statuses = [status for status, _ in shares]
    return rng.choices(statuses, [share for _, share in shares])[0]


def order_age(rng: random.Random, index: int, count: int) -> dt.timedelta:
    """How old the ``index``-th of ``count`` generated orders is: spread evenly over the last
    year, oldest first, so that ids follow time as they do in the running service (the open
    orders, all recent, then sit together at the end of the table instead of scattered over
    every page of it, which made the board's benchmark pessimistic)."""
    slot = (count - index - rng.random()) / count
    return dt.timedelta(seconds=YEAR_SECONDS * slot)


def _timeline(
    rng: random.Random, status: str, taken: bool, age: dt.timedelta
) -> tuple[dt.timedelta | None, ...]:
    """When an order of ``age`` was accepted, started, completed and cancelled, as times after
    its creation: each step after the one before, and all squeezed into the time the order has
    had when they would lie ahead of now (a recent completed order was quick)."""
    accept = dt.timedelta(minutes=rng.randint(5, 240)) if taken else None
    start = (
        dt.timedelta(hours=rng.randint(1, 48)) if status in ("in_service", "completed") else None
    )
    finish = dt.timedelta(minutes=rng.randint(30, 180)) if status == "completed" else None
    cancel = dt.timedelta(hours=rng.randint(1, 72)) if status == "cancelled" else None
    steps = [step for step in (accept, start, finish) if step is not None]
    total = max(sum(steps, dt.timedelta()), cancel or dt.timedelta())
    fit = min(1.0, 0.99 * age / total) if total else 1.0
    accepted = accept * fit if accept is not None else None
    started = accepted + start * fit if accepted is not None and start is not None else None
    completed = started + finish * fit if started is not None and finish is not None else None
    return accepted, started, completed, cancel * fit if cancel is not None else None


def bulk_uscc(street_code: str, street_id: int, k: int) -> str:
    """A valid 18-character unified social credit code for bulk provider ``k`` of a street."""
    body = f"91{street_code[:6]}BK{street_id % 10_000:04d}{k % 1000:03d}"
    return body + uscc_number.calc_check_digit(body)


def _providers(streets: list[int], items: list) -> dict[int, list[int]]:
    """Provider ids serving each street, creating the bulk demo providers that are missing."""
    from jiuzhu.orders.models import Provider, SupplyType

    serving: dict[int, list[int]] = {}
    areas = {area.pk: area for area in Area.objects.filter(pk__in=streets)}
    for street_id in streets:
        street = areas[street_id]
        base = Area.objects.filter(parent_id=street_id).order_by("code").first() or street
        ids = []
        for k in range(PROVIDERS_PER_STREET):
            name = f"{street.name}综合为老服务站{k + 1}号"
            organisation, _ = Organisation.objects.get_or_create(
                name=name, defaults={"kind": OrganisationKind.PROVIDER}
            )
            provider = Provider.objects.filter(organisation=organisation).first()
            if provider is None:
                provider = Provider.objects.create(
                    organisation=organisation,
                    supply_type=SupplyType.GOVERNMENT_PURCHASE,
                    uscc=bulk_uscc(street.code, street_id, k),
                    base=base,
                    latitude=32.1,
                    longitude=118.8,
                    daily_capacity=200,
                    contact_name="服务站站长",
                    contact_phone="025-84000000",
                )
                provider.streets.set([street])
                provider.items.set(items)
            ids.append(provider.pk)
        serving[street_id] = ids
    return serving


@bulk_step(40, "orders")
def bulk_orders(context: BulkContext) -> int:
    wanted = context.sizes.get("orders", 0)
    if not wanted:
        return 0
    from jiuzhu.catalog.models import ServiceItem
    from jiuzhu.catalog.services import catalogue_load_defaults
    from jiuzhu.orders.models import Channel, Order, Rating
    from jiuzhu.registry.models import Household

    if not ServiceItem.objects.filter(active=True).exists():
        catalogue_load_defaults()
    items = list(ServiceItem.objects.filter(active=True).order_by("id"))
    item_ids = [item.pk for item in items]
    operator = bulk_actor(OPERATOR, Role.HOTLINE_OPERATOR)
    households = list(
        Household.objects.filter(
            pk__range=(context.first_household_id, context.last_household_id)
        ).values_list("id", "street_id")
    )
    if not households:
        return 0
    serving = _providers(sorted({street for _, street in households}), items)
    rng = random.Random(f"orders-{context.seed}")
    channels = [Channel.HOTLINE, Channel.COMMUNITY, Channel.SELF]
    now = timezone.now()
    first_number = Order.objects.count() + 1
    done = 0
    with dated(Order, "created_at", "updated_at"):
        while done < wanted:
            size = min(BATCH, wanted - done)
            orders, rated = [], []
            for _ in range(size):
                household_id, street_id = households[rng.randrange(len(households))]
                age = order_age(rng, done + len(orders), wanted)
                created = now - age
                status = lifecycle_status(rng, age)
                taken = status not in ("waiting", "cancelled") or (
                    status == "cancelled" and rng.random() < 0.3
                )
                accepted, started, completed, cancelled = _timeline(rng, status, taken, age)
                accepted, started, completed, cancelled = (
                    created + step if step is not None else None
                    for step in (accepted, started, completed, cancelled)
                )
                order = Order(
                    number=f"BK{context.seed % 100:02d}{first_number + done + len(orders):012d}",
                    household_id=household_id,
                    item_id=rng.choice(item_ids),
                    quantity=1,
                    status=status,
                    channel=rng.choice(channels),
                    placed_by=operator,
                    provider_id=rng.choice(serving[street_id]) if taken else None,
                    created_at=created,
                    updated_at=completed or cancelled or started or accepted or created,
                    accepted_at=accepted,
                    assigned_at=accepted if status == "assigned" else None,
                    started_at=started,
                    completed_at=completed,
                    cancelled_at=cancelled,
                    cancel_reason="家庭取消" if cancelled else "",
                )
                orders.append(order)
                if status == "completed" and rng.random() < 0.5:
                    rated.append(order)
            Order.objects.bulk_create(orders)
            with dated(Rating, "at"):
                Rating.objects.bulk_create(
                    Rating(
                        order_id=order.pk,
                        score=rng.choices([5, 4, 3, 2, 1], [60, 25, 8, 4, 3])[0],
                        by=operator,
                        at=min(order.completed_at + dt.timedelta(hours=2), now),
                    )
                    for order in rated
                )
            done += size
            context.progress("orders", done, wanted)
    return done
