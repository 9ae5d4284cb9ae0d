"""Exporting the staff order list: the role check (a refusal is audited as denied, like the
registry's), the size limit, and the workbook with its audit entry."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jiuzhu.core.models import User
from jiuzhu.core.services.exports import (
    Sheet,
    export_audited,
    export_refused,
    export_size_check,
)
from jiuzhu.orders import policy
from jiuzhu.orders.models import Channel, Order, OrderStatus
from jiuzhu.orders.selectors.orders import OrderFilters, order_list


def _filters_detail(filters: OrderFilters) -> dict[str, Any]:
    return {key: value for key, value in dataclasses.asdict(filters).items() if value}


def _export_rows(orders: QuerySet[Order]) -> Iterator[list[Any]]:
    for order in orders.iterator(chunk_size=500):
        rating = getattr(order, "rating", None)
        yield [
            order.number,
            order.created_at,
            order.household_id,
            order.household.street.name,
            order.household.community.name,
            order.item.name,
            order.quantity,
            order.item.get_unit_display(),
            str(OrderStatus(order.status).label),
            str(Channel(order.channel).label) if order.channel in Channel.values else "",
            order.provider.organisation.name if order.provider is not None else "",
            str(order.assignee) if order.assignee_id else "",
            order.preferred_time,
            order.accepted_at,
            order.completed_at,
            order.cancelled_at,
            rating.score if rating else None,
        ]


def order_export(*, actor: User, filters: OrderFilters) -> IO[bytes]:
    """The orders ``actor`` may see that match ``filters``, as an Excel workbook."""
    if not policy.can_list(actor):
        raise export_refused(
            actor=actor,
            object_type="orders.order",
            message=_("Your role may not export orders."),
            detail={"filters": _filters_detail(filters)},
        )
    orders = order_list(user=actor, filters=filters).select_related("household__street", "rating")
    export_size_check(
        count=orders.count(),
        message=_(
            "The export would hold %(count)d orders; narrow the filters to at most %(limit)d."
        ),
    )
    sheet = Sheet(
        title=_("Orders"),
        headers=[
            _("Order number"),
            _("Placed at"),
            _("Household"),
            _("Street"),
            _("Community"),
            _("Service"),
            _("Quantity"),
            _("Unit"),
            _("Status"),
            _("Placed"),
            _("Provider"),
            _("Worker"),
            _("Preferred time"),
            _("Accepted at"),
            _("Completed at"),
            _("Cancelled at"),
            _("Rating"),
        ],
        rows=_export_rows(orders),
        widths=(20, 18, 10, 14, 16, 16, 8, 8, 14, 16, 24, 14, 18, 18, 18, 18, 8),
    )
    return export_audited(
        actor=actor,
        sheets=[sheet],
        object_type="orders.order",
        detail={"filters": _filters_detail(filters)},
    )
