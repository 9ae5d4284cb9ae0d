"""Task cards for the field (issue 10, item 7): the visits assigned to a provider worker or a
volunteer, by scheduled time and then by distance from the worker's provider.

Distance uses only coordinates the platform holds: the provider's base (``Provider.latitude`` /
``longitude``; 0/0 means "not recorded") and the household's community
(``Area.latitude`` / ``longitude``). Addresses are never geocoded here. Without both ends —
volunteers have no provider — the list is by time alone. The database orders by a flat
(equirectangular) approximation, exact enough to rank visits a few kilometres apart; the card
shows the great-circle distance (``services.evidence.distance_m``).
"""

from __future__ import annotations

import math
from decimal import Decimal

from django.db.models import F, FloatField, QuerySet, Value
from django.db.models.functions import Cast

from jiuzhu.core.models import Role, User
from jiuzhu.orders.models import Order, OrderStatus, Provider
from jiuzhu.orders.scopes import provider_of
from jiuzhu.orders.selectors.orders import order_list
from jiuzhu.orders.services.evidence import distance_m

#: A visit still to be made (or being made).
OPEN_VISITS = (OrderStatus.ACCEPTED, OrderStatus.ASSIGNED, OrderStatus.IN_SERVICE)


def origin_of(user: User) -> tuple[float, float] | None:
    """Where the worker sets out from: their provider's recorded position, if any."""
    if user.role != Role.PROVIDER_STAFF:
        return None
    provider: Provider | None = provider_of(user)
    if provider is None:
        return None
    lat, lon = provider.latitude, provider.longitude
    if lat is None or lon is None or (lat == Decimal(0) and lon == Decimal(0)):
        return None
    return float(lat), float(lon)


def field_tasks(*, user: User, done: bool = False) -> QuerySet[Order]:
    """The user's own visits: open ones by scheduled time (unscheduled last), then nearest
    first; with ``done``, the completed ones, latest first."""
    orders = order_list(user=user).filter(assignee=user)
    if done:
        return orders.filter(status=OrderStatus.COMPLETED).order_by("-completed_at", "-pk")
    orders = orders.filter(status__in=OPEN_VISITS)
    origin = origin_of(user)
    if origin is None:
        return orders.order_by(F("preferred_time").asc(nulls_last=True), "created_at", "pk")
    lat0, lon0 = origin
    scale = math.cos(math.radians(lat0))
    lat = Cast("household__community__latitude", FloatField())
    lon = Cast("household__community__longitude", FloatField())
    dy = lat - Value(lat0)
    dx = (lon - Value(lon0)) * Value(scale)
    return orders.annotate(spread=dx * dx + dy * dy).order_by(
        F("preferred_time").asc(nulls_last=True),
        F("spread").asc(nulls_last=True),
        "created_at",
        "pk",
    )


def distance_km(origin: tuple[float, float] | None, order: Order) -> float | None:
    """The great-circle distance from ``origin`` to the order's community, in km (one decimal)."""
    community = order.household.community
    if origin is None or community.latitude is None or community.longitude is None:
        return None
    metres = distance_m(origin[0], origin[1], float(community.latitude), float(community.longitude))
    return round(metres / 1000, 1)
