"""The cloud supermarket's task lists for the workspace (see ``jiuzhu.core.worklist``): orders
the provider may accept, soonest deadline first, and the visits assigned to the signed-in
worker or volunteer, by time."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from jiuzhu.catalog.forms import local_name
from jiuzhu.core.worklist import TaskRow, register_task_source
from jiuzhu.orders import policy
from jiuzhu.orders.models import Order, OrderStatus
from jiuzhu.orders.selectors.inbox import provider_inbox_filtered
from jiuzhu.orders.selectors.orders import order_list

#: An assigned visit is still to be made while it is one of these.
VISIT_STATUSES = (OrderStatus.ACCEPTED, OrderStatus.ASSIGNED, OrderStatus.IN_SERVICE)


def _order_row(order: Order) -> TaskRow:
    # Provider staff see where, not who: the community and the order number.
    return TaskRow(
        title=f"{local_name(order.item)} × {order.quantity}",
        detail=" · ".join(part for part in (order.household.community.name, order.number) if part),
        url=reverse("orders:order_detail", args=[order.pk]),
    )


def my_visits(user):
    return (
        order_list(user=user)
        .filter(assignee=user, status__in=VISIT_STATUSES)
        .select_related("household__community")
    )


register_task_source(
    "orders_to_accept",
    gettext_lazy("Orders to accept"),
    None,
    lambda user: provider_inbox_filtered(user=user),
    policy.PROVIDER_ROLES,
    describe=_order_row,
    due_field="deadline",
    help=gettext_lazy("Waiting orders your organisation can take, the nearest deadline first."),
    full_list="orders:inbox",
    order=30,
)
register_task_source(
    "my_visits",
    gettext_lazy("My visits"),
    None,
    my_visits,
    policy.TASK_ROLES,
    describe=_order_row,
    due_field="preferred_time",
    help=gettext_lazy("Services assigned to you, by the time the household asked for."),
    full_list="orders:tasks",
    order=31,
)
