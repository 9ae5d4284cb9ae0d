"""Reading hotline tickets and what a ticket links to; every queryset through ``visible``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from jiuzhu.core.errors import NotFound
from jiuzhu.core.models import AreaLevel, Role, User
from jiuzhu.core.scoping import visible
from jiuzhu.dispatch.models import Ticket, TicketKind, TicketStatus
from jiuzhu.dispatch.policy import TICKET_HANDLERS
from jiuzhu.orders.models import Order


@dataclass(frozen=True)
class TicketFilters:
    status: str = ""
    kind: str = ""
    overdue: bool = False
    q: str = ""
    household: int | None = None
    order: int | None = None


def overdue_q(now: dt.datetime) -> Q:
    """Past its response deadline and not closed."""
    return Q(respond_by__lt=now) & ~Q(status=TicketStatus.CLOSED)


def ticket_list(
    *, user: User, filters: TicketFilters | None = None, now: dt.datetime | None = None
) -> QuerySet[Ticket]:
    filters = filters or TicketFilters()
    tickets = visible(user, Ticket.objects.all()).select_related(
        "household__street", "order", "provider__organisation", "assignee"
    )
    if filters.status in TicketStatus.values:
        tickets = tickets.filter(status=filters.status)
    if filters.kind in TicketKind.values:
        tickets = tickets.filter(kind=filters.kind)
    if filters.overdue:
        tickets = tickets.filter(overdue_q(now or timezone.now()))
    if filters.household:
        tickets = tickets.filter(household_id=filters.household)
    if filters.order:
        tickets = tickets.filter(order_id=filters.order)
    q = filters.q.strip()
    if q:
        tickets = tickets.filter(
            Q(number__icontains=q) | Q(caller_name__contains=q) | Q(order__number__icontains=q)
        )
    return tickets.order_by("-created_at", "-id")


def ticket_get_for(*, user: User, ticket_id: int) -> Ticket:
    """The ticket, if ``user`` may see it; else ``NotFound`` (the same for "does not exist")."""
    ticket = (
        visible(user, Ticket.objects.all())
        .select_related(
            "district",
            "household__street",
            "household__community",
            "order__item",
            "provider__organisation",
            "complaint",
            "assignee",
            "created_by",
        )
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFound("ticket")
    return ticket


def ticket_assignees(*, ticket: Ticket) -> QuerySet[User]:
    """Who a ticket can be given to: the district's hotline operators and managers, and the
    caseworkers of its streets."""
    return (
        User.objects.filter(is_active=True, role__in=TICKET_HANDLERS)
        .filter(
            Q(area=ticket.district, role__in=[Role.HOTLINE_OPERATOR, Role.DISTRICT_MANAGER])
            | Q(
                area__parent=ticket.district,
                area__level=AreaLevel.STREET,
                role=Role.STREET_CASEWORKER,
            )
        )
        .select_related("area")
        .order_by("role", "username")
    )


def order_by_number(*, user: User, number: str) -> Order | None:
    number = number.strip()
    if not number:
        return None
    return (
        visible(user, Order.objects.filter(number__iexact=number))
        .select_related("household", "provider")
        .first()
    )
