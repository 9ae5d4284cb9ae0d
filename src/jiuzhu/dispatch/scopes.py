"""Tickets: hotline operators and district managers their district's, city administrators all,
street caseworkers those about their street's households or assigned to them. Offers,
escalations and SLA rows are visible with their order."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jiuzhu.core.models import AreaLevel, Role, User
from jiuzhu.core.scoping import grant, visible
from jiuzhu.dispatch.models import DispatchOffer, Escalation, OrderSla, Ticket
from jiuzhu.orders.models import Order


def _tickets(queryset: QuerySet, user: User) -> QuerySet:
    area = user.area
    if area is None:
        return queryset.none()
    if area.level == AreaLevel.CITY:
        return queryset
    if area.level == AreaLevel.DISTRICT:
        return queryset.filter(district=area)
    if area.level == AreaLevel.STREET:
        return queryset.filter(Q(household__street=area) | Q(assignee=user))
    return queryset.filter(assignee=user)


grant(
    Ticket,
    [Role.HOTLINE_OPERATOR, Role.DISTRICT_MANAGER, Role.CITY_ADMIN, Role.STREET_CASEWORKER],
    _tickets,
)


def _with_order(queryset: QuerySet, user: User) -> QuerySet:
    return queryset.filter(order__in=visible(user, Order.objects.all()))


for _model in (DispatchOffer, Escalation, OrderSla):
    grant(
        _model,
        [
            Role.DISTRICT_MANAGER,
            Role.CITY_ADMIN,
            Role.STREET_CASEWORKER,
            Role.HOTLINE_OPERATOR,
            Role.PROVIDER_STAFF,
        ],
        _with_order,
    )
