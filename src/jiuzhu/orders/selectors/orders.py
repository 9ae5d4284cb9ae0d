"""Reading orders and providers; every queryset goes through ``core.scoping.visible``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from jiuzhu.core.errors import NotFound
from jiuzhu.core.models import User
from jiuzhu.core.scoping import visible
from jiuzhu.orders.models import Order, OrderStatus, Provider
from jiuzhu.orders.scopes import open_to_provider, provider_of

SORTS = {"new": "-created_at", "old": "created_at", "status": "status", "item": "item__name"}


@dataclass(frozen=True)
class OrderFilters:
    status: str = ""
    item: int | None = None
    provider: int | None = None
    household: int | None = None
    street: int | None = None
    channel: str = ""
    q: str = ""
    sort: str = "new"


def order_list(*, user: User, filters: OrderFilters | None = None) -> QuerySet[Order]:
    filters = filters or OrderFilters()
    orders = visible(user, Order.objects.all()).select_related(
        "item", "provider__organisation", "household__community", "assignee"
    )
    if filters.status in OrderStatus.values:
        orders = orders.filter(status=filters.status)
    for field in ("item", "provider", "household"):
        value = getattr(filters, field)
        if value:
            orders = orders.filter(**{f"{field}_id": value})
    if filters.street:
        orders = orders.filter(household__street_id=filters.street)
    if filters.channel:
        orders = orders.filter(channel=filters.channel)
    if filters.q.strip():
        orders = orders.filter(number__icontains=filters.q.strip())
    return orders.order_by(SORTS.get(filters.sort, SORTS["new"]), "-id")


def order_get_for(*, user: User, order_id: int) -> Order:
    """The order, if ``user`` may see it; else ``NotFound`` (the same for "does not exist")."""
    order = (
        visible(user, Order.objects.all())
        .select_related(
            "item", "provider__organisation", "household__community", "assignee", "placed_by"
        )
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound("order")
    return order


def order_visible(*, user: User, order_id: int) -> bool:
    return visible(user, Order.objects.filter(pk=order_id)).exists()


def provider_inbox(*, user: User) -> QuerySet[Order]:
    """Waiting orders the user's provider could accept, oldest first."""
    provider = provider_of(user)
    if provider is None:
        return Order.objects.none()
    return (
        open_to_provider(Order.objects.all(), provider)
        .select_related("item", "household__community")
        .order_by("created_at", "id")
    )


def provider_list(
    *,
    user: User,
    q: str = "",
    active: bool | None = None,
    supply_type: str = "",
    street: int | None = None,
) -> QuerySet[Provider]:
    """The provider directory; ``street`` keeps providers serving that street or one of its
    communities."""
    providers = visible(user, Provider.objects.all()).select_related("organisation", "base")
    if q.strip():
        providers = providers.filter(organisation__name__icontains=q.strip())
    if active is not None:
        providers = providers.filter(active=active)
    if supply_type:
        providers = providers.filter(supply_type=supply_type)
    if street:
        providers = providers.filter(Q(streets=street) | Q(communities__parent=street)).distinct()
    return providers.order_by("organisation__name")


def provider_get_for(*, user: User, provider_id: int) -> Provider:
    """The provider, if ``user`` may see it; else ``NotFound``."""
    provider = (
        visible(user, Provider.objects.all())
        .select_related("organisation", "base")
        .filter(pk=provider_id)
        .first()
    )
    if provider is None:
        raise NotFound("provider")
    return provider
