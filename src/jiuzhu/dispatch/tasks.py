"""The dispatch centre's task lists for the workspace (see ``jiuzhu.core.worklist``): orders
past their SLA deadline, open escalations, hotline tickets to handle, call-backs due and tickets
past their response deadline. Every list is a scoped selector of this app."""

from __future__ import annotations

from django.db.models import Case, F, Q, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from jiuzhu.catalog.forms import local_name
from jiuzhu.core.models import Role
from jiuzhu.core.scoping import visible
from jiuzhu.core.worklist import TaskRow, register_task_source
from jiuzhu.dispatch.models import Escalation, Ticket, TicketStatus
from jiuzhu.dispatch.policy import ESCALATION_RESOLVERS, TICKET_HANDLERS
from jiuzhu.dispatch.selectors.escalations import escalation_list
from jiuzhu.dispatch.selectors.tickets import TicketFilters, ticket_list
from jiuzhu.orders.models import Order, OrderStatus

OPEN_ORDERS = (
    OrderStatus.WAITING,
    OrderStatus.ACCEPTED,
    OrderStatus.ASSIGNED,
    OrderStatus.IN_SERVICE,
)


def orders_past_deadline(user):
    """Open orders of the user's area past their SLA deadline (to accept while waiting, to
    complete after): the district manager's "overdue orders", the caseworker's "stuck"."""
    return (
        visible(user, Order.objects.filter(status__in=OPEN_ORDERS, sla__isnull=False))
        .annotate(
            deadline=Case(
                When(status=OrderStatus.WAITING, then=F("sla__accept_by")),
                default=F("sla__complete_by"),
            )
        )
        .filter(deadline__lt=timezone.now())
        .select_related("item", "household__community")
    )


def _mine_or_nobodys(user) -> Q:
    return Q(assignee=user) | Q(assignee__isnull=True)


def tickets_to_handle(user):
    return ticket_list(user=user).filter(
        _mine_or_nobodys(user), status__in=[TicketStatus.RECEIVED, TicketStatus.ASSIGNED]
    )


def callbacks_due(user):
    return ticket_list(user=user).filter(_mine_or_nobodys(user), status=TicketStatus.HANDLED)


def tickets_overdue(user):
    return ticket_list(user=user, filters=TicketFilters(overdue=True))


def _order_row(order: Order) -> TaskRow:
    return TaskRow(
        title=f"{local_name(order.item)} · {order.number}",
        detail=f"{order.household.community.name} · {order.get_status_display()}",
        url=reverse("dispatch:order_dispatch", args=[order.pk]),
    )


def _escalation_row(escalation: Escalation) -> TaskRow:
    order = escalation.order
    return TaskRow(
        title=f"{local_name(order.item)} · {order.number}",
        detail=f"{order.household.community.name} · {escalation.get_reason_display()}",
        url=reverse("orders:order_detail", args=[order.pk]),
    )


def _ticket_row(ticket: Ticket) -> TaskRow:
    return TaskRow(
        title=f"{ticket.number} · {ticket.get_kind_display()}",
        detail=f"{ticket.get_status_display()} · {ticket.description[:60]}",
        url=reverse("dispatch:ticket_detail", args=[ticket.pk]),
    )


register_task_source(
    "orders_overdue",
    gettext_lazy("Orders past their deadline"),
    None,
    orders_past_deadline,
    {Role.DISTRICT_MANAGER, Role.STREET_CASEWORKER},
    describe=_order_row,
    due_field="deadline",
    help=gettext_lazy(
        "Open orders not accepted or not completed in time: offer, re-offer or chase."
    ),
    full_list="dispatch:backlog",
    order=20,
)
register_task_source(
    "escalations",
    gettext_lazy("Escalations"),
    None,
    lambda user: escalation_list(user=user),
    ESCALATION_RESOLVERS,
    describe=_escalation_row,
    due_field="created_at",
    flags_overdue=False,
    help=gettext_lazy("Orders escalated to you, oldest first."),
    full_list="dispatch:escalations",
    order=21,
)
register_task_source(
    "tickets_to_handle",
    gettext_lazy("Hotline tickets to handle"),
    None,
    tickets_to_handle,
    TICKET_HANDLERS,
    describe=_ticket_row,
    due_field="respond_by",
    help=gettext_lazy("Tickets assigned to you or to nobody yet, by their response deadline."),
    full_list="dispatch:ticket_list",
    order=22,
)
register_task_source(
    "callbacks_due",
    gettext_lazy("Call-backs due"),
    None,
    callbacks_due,
    {Role.HOTLINE_OPERATOR},
    describe=_ticket_row,
    due_field="respond_by",
    help=gettext_lazy("Handled tickets whose caller is waiting to be called back or visited."),
    full_list="dispatch:ticket_list",
    order=23,
)
register_task_source(
    "tickets_overdue",
    gettext_lazy("Tickets past their deadline"),
    None,
    tickets_overdue,
    {Role.DISTRICT_MANAGER},
    describe=_ticket_row,
    due_field="respond_by",
    help=gettext_lazy("Tickets of your district not closed by their response deadline."),
    full_list="dispatch:ticket_list",
    order=24,
)
