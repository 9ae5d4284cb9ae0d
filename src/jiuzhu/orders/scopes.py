"""Who sees which orders and providers.

Orders: area roles by the household's area; beneficiaries their household's; provider staff the
waiting orders their provider could take (its service areas, items it offers, not declined) and
their provider's own orders; volunteers the orders assigned to them. Provider staff and
volunteers never see household records (members, health, income): the order page gives them
what delivery needs — the address, the phone and the head of household's name — and only while
they hold the order (minimum necessary, PIPL).
Providers (the directory) are visible to every signed-in user.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jiuzhu.core.models import Role, User
from jiuzhu.core.scoping import AREA_ROLES, by_area, everything, grant, visible
from jiuzhu.orders.models import Order, Provider
from jiuzhu.orders.selectors import provider_facts
from jiuzhu.registry.models import Household


def provider_of(user: User) -> Provider | None:
    if user.role != Role.PROVIDER_STAFF or not user.organisation_id:
        return None
    return Provider.objects.filter(organisation_id=user.organisation_id, active=True).first()


def open_to_provider(queryset: QuerySet, provider: Provider) -> QuerySet:
    """Waiting orders this provider could take (``provider_facts.open_to_provider``)."""
    return queryset.filter(provider_facts.open_to_provider(provider))


def _provider_orders(queryset: QuerySet, user: User) -> QuerySet:
    provider = provider_of(user)
    if provider is None:
        return queryset.none()
    return queryset.filter(
        Q(pk__in=open_to_provider(Order.objects.all(), provider).values("pk"))
        | Q(provider=provider)
    )


def _own_household_orders(queryset: QuerySet, user: User) -> QuerySet:
    return queryset.filter(household__in=visible(user, Household.objects.all()))


def _assigned(queryset: QuerySet, user: User) -> QuerySet:
    return queryset.filter(assignee=user)


grant(
    Order,
    AREA_ROLES,
    by_area(
        district="household__district_id",
        street="household__street_id",
        community="household__community_id",
    ),
)
grant(Order, [Role.BENEFICIARY], _own_household_orders)
grant(Order, [Role.PROVIDER_STAFF], _provider_orders)
grant(Order, [Role.VOLUNTEER], _assigned)


grant(Provider, list(Role.values), everything)
