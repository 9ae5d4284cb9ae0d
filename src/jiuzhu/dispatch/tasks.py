"""The dispatch centre's task lists for the workspace (see ``jiuzhu.core.worklist``): orders
past their SLA deadline, open escalations, hotline tickets to handle, call-backs due and tickets
past their response deadline. Every list is a scoped selector of this app."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, F, OuterRef, Q, Subquery, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from jiuzhu.catalog.forms import local_name
from jiuzhu.core.models import Role
from jiuzhu.core.scoping import visible
from jiuzhu.core.worklist import TaskRow, register_task_source
from jiuzhu.dispatch.models import Escalation, Ticket, TicketStatus
from jiuzhu.dispatch.policy import ESCALATION_RESOLVERS, TICKET_HANDLERS
from jiuzhu.dispatch.selectors.escalations import escalation_list
from jiuzhu.dispatch.selectors.monitoring import providers_in_scope
from jiuzhu.dispatch.selectors.tickets import TicketFilters, ticket_list
from jiuzhu.orders.models import Order, OrderStatus, Provider
from jiuzhu.orders.selectors.provider_facts import held_orders_subquery

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


#: "Falling behind": a provider with an order open past its completion deadline, or one that
#: completed fewer than ``ON_TIME_FLOOR`` of its orders on time over ``ON_TIME_DAYS`` days (once
#: it had at least ``ON_TIME_MIN`` orders with a deadline in that window, so one late order of
#: two does not brand a small provider). The on-time figure is the monitoring page's
#: definition (``selectors/monitoring.py``), over orders completed in the window.
ON_TIME_DAYS = 30
ON_TIME_FLOOR = 0.8
ON_TIME_MIN = 5
HELD_OPEN = (OrderStatus.ACCEPTED, OrderStatus.ASSIGNED, OrderStatus.IN_SERVICE)


def providers_falling_behind(user):
    """Providers serving the user's district with orders of that district open past their
    completion deadline or a low on-time rate; the one late the longest first (``late_since``,
    the oldest missed deadline)."""
    now = timezone.now()
    orders = visible(user, Order.objects.filter(sla__isnull=False))
    late = Q(status__in=HELD_OPEN, sla__complete_by__lt=now)
    recent = Q(
        status=OrderStatus.COMPLETED, completed_at__gte=now - dt.timedelta(days=ON_TIME_DAYS)
    )
    oldest_late = (
        orders.filter(late, provider_id=OuterRef("pk"))
        .order_by("sla__complete_by")
        .values("sla__complete_by")[:1]
    )
    return (
        Provider.objects.filter(pk__in=providers_in_scope(user).values("pk"))
        .annotate(
            late_orders=held_orders_subquery(late, among=orders),
            recent_due=held_orders_subquery(recent, among=orders),
            recent_on_time=held_orders_subquery(
                recent & Q(completed_at__lte=F("sla__complete_by")), among=orders
            ),
            late_since=Subquery(oldest_late),
        )
        .filter(
            Q(late_orders__gt=0)
            | Q(recent_due__gte=ON_TIME_MIN, recent_on_time__lt=F("recent_due") * ON_TIME_FLOOR)
        )
        .select_related("organisation")
    )


def _provider_row(provider: Provider) -> TaskRow:
    parts = []
    if provider.late_orders:
        parts.append(
            gettext("%(n)d orders past their completion deadline") % {"n": provider.late_orders}
        )
    if provider.recent_due:
        pct = round(100 * provider.recent_on_time / provider.recent_due)
        parts.append(
            gettext("on time %(pct)d%% over %(days)d days") % {"pct": pct, "days": ON_TIME_DAYS}
        )
    return TaskRow(
        title=provider.organisation.name,
        detail=" · ".join(parts),
        url=reverse("dispatch:monitoring"),
    )


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
register_task_source(
    "providers_behind",
    gettext_lazy("Providers falling behind"),
    None,
    providers_falling_behind,
    {Role.DISTRICT_MANAGER},
    describe=_provider_row,
    due_field="late_since",
    help=gettext_lazy(
        "Providers with orders open past their completion deadline, or completing fewer than "
        "four in five orders on time over 30 days; the one late the longest first."
    ),
    full_list="dispatch:monitoring",
    order=25,
)
