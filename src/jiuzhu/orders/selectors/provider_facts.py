"""Facts about providers, each computed in one place: which providers may take an order, how many
orders a provider accepted on a day and how much capacity it has left, and its ratings over a
period. Ordering, the provider inbox and scoping, automatic dispatch, the dispatch board and
monitoring all use these.

Decisions (docs/orders.md):

- **Eligible** for an order: the provider is active, offers the order's item, serves the
  household's street or its community, and has not declined this order.
- **Accepted on a day**: orders whose ``accepted_at`` falls on that (local) day and that are not
  cancelled. A cancelled acceptance does not consume capacity: the visit it reserved will not
  take place, so the provider can take another order in its place.
- **Capacity left on a day** = ``daily_capacity`` − accepted that day (never below zero). The
  dispatch centre further subtracts the offers it has outstanding with the provider.
- **Ratings over a period**: ratings *given* in ``[since, until)`` (``Rating.at``), over every
  order the provider held; without bounds, all ratings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Avg, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from jiuzhu.core.dates import day_bounds
from jiuzhu.orders.models import Order, OrderDecline, OrderStatus, Provider, Rating

# ---------------------------------------------------------------- eligibility


def eligible_for_order(order: Order) -> Q:
    """A ``Provider`` condition: active, offers the item, serves the street or community of the
    order's household, and has not declined the order."""
    household = order.household
    # cast: django-stubs types ``Q & Exists`` as Combinable; Django returns a Q (a stub gap).
    return cast(
        Q,
        Q(active=True)
        & Q(items=order.item_id)
        & (Q(streets=household.street_id) | Q(communities=household.community_id))
        & ~Exists(OrderDecline.objects.filter(order_id=order.pk, provider_id=OuterRef("pk"))),
    )


def eligible_providers(order: Order) -> QuerySet[Provider]:
    """The providers that may take ``order`` now (see :func:`eligible_for_order`)."""
    return (
        Provider.objects.filter(
            pk__in=Provider.objects.filter(eligible_for_order(order)).values("pk")
        )
        .select_related("organisation")
        .order_by("pk")
    )


def is_eligible(provider: Provider, order: Order) -> bool:
    return Provider.objects.filter(eligible_for_order(order), pk=provider.pk).exists()


def open_to_provider(provider: Provider) -> Q:
    """An ``Order`` condition: waiting orders ``provider`` could take (the same rule as
    :func:`eligible_for_order`, seen from the provider's side)."""
    if not provider.active:
        return Q(pk__in=[])
    # cast: django-stubs types ``Q & Exists`` as Combinable; Django returns a Q (a stub gap).
    return cast(
        Q,
        Q(status=OrderStatus.WAITING)
        & Q(item__in=provider.items.all())
        & (
            Q(household__street__in=provider.streets.all())
            | Q(household__community__in=provider.communities.all())
        )
        & ~Exists(OrderDecline.objects.filter(order_id=OuterRef("pk"), provider_id=provider.pk)),
    )


# ---------------------------------------------------------------- acceptances and capacity


def accepted_on_condition(day: dt.date, *, prefix: str = "") -> Q:
    """Orders accepted on ``day`` (a local day) that still count (not cancelled); ``prefix``
    reaches the order through a relation (e.g. ``"orders__"`` from ``Provider``). A range of
    instants rather than the date of each: an index on (provider, accepted_at) answers it."""
    start, end = day_bounds(day)
    return Q(**{f"{prefix}accepted_at__gte": start, f"{prefix}accepted_at__lt": end}) & ~Q(
        **{f"{prefix}status": OrderStatus.CANCELLED}
    )


def per_provider(rows: QuerySet[Any]) -> Coalesce:
    """An annotation for ``Provider`` querysets: how many of ``rows`` (any model with a
    ``provider`` field) are the provider's. A subquery, so several combine without multiplying
    rows, as joining a provider's orders and offers at once does (minutes at a million orders)."""
    counted = (
        rows.filter(provider_id=OuterRef("pk"))
        .order_by()
        .values("provider_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def accepted_on_subquery(day: dt.date) -> Coalesce:
    """An annotation for ``Provider`` querysets: orders accepted on ``day``."""
    return per_provider(Order.objects.filter(accepted_on_condition(day)))


def accepted_on(provider: Provider, day: dt.date | None = None) -> int:
    day = day or timezone.localdate()
    return Order.objects.filter(accepted_on_condition(day), provider=provider).count()


def capacity_left(provider: Provider, day: dt.date | None = None) -> int:
    return max(0, provider.daily_capacity - accepted_on(provider, day))


# ---------------------------------------------------------------- ratings


@dataclass(frozen=True)
class RatingSummary:
    average: float | None
    count: int


def _rating_period(since: dt.datetime | None, until: dt.datetime | None, prefix: str = "") -> Q:
    condition = Q()
    if since is not None:
        condition &= Q(**{f"{prefix}at__gte": since})
    if until is not None:
        condition &= Q(**{f"{prefix}at__lt": until})
    return condition


def rating_summary(
    provider: Provider, *, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> RatingSummary:
    found = Rating.objects.filter(_rating_period(since, until), order__provider=provider).aggregate(
        average=Avg("score"), count=Count("id")
    )
    average = found["average"]
    return RatingSummary(
        average=float(average) if average is not None else None, count=found["count"]
    )


def rating_average_subquery(
    *, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> Subquery:
    """An annotation for ``Provider`` querysets: the average score given in the period (NULL
    without ratings)."""
    averaged = (
        Rating.objects.filter(_rating_period(since, until), order__provider_id=OuterRef("pk"))
        .order_by()
        .values("order__provider_id")
        .annotate(average=Avg("score"))
        .values("average")
    )
    return Subquery(averaged)


def rating_averages(
    provider_ids: list[int],
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    orders: QuerySet[Order] | None = None,
) -> dict[int, RatingSummary]:
    """Average and count for many providers at once (providers without ratings are absent);
    ``orders`` restricts the ratings to those orders (one purchased-service project's)."""
    ratings = Rating.objects.filter(
        _rating_period(since, until), order__provider_id__in=provider_ids
    )
    if orders is not None:
        ratings = ratings.filter(order__in=orders.values("pk"))
    rows = ratings.values_list("order__provider_id").annotate(
        average=Avg("score"), count=Count("id")
    )
    return {pid: RatingSummary(float(avg), n) for pid, avg, n in rows}


# ---------------------------------------------------------------- orders held


def held_orders_subquery(condition: Q, *, among: QuerySet[Order] | None = None) -> Coalesce:
    """An annotation for ``Provider`` querysets: how many of the provider's orders (``among``,
    by default all) meet ``condition`` — a subquery, so several combine without multiplying
    rows. Later capabilities pass conditions on their own relations (the dispatch centre's
    deadlines: "open past its completion deadline", "completed on time")."""
    base = among if among is not None else Order.objects.all()
    counted = (
        base.filter(condition, provider_id=OuterRef("pk"))
        .order_by()
        .values("provider_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
