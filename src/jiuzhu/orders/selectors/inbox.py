"""The provider's inbox for real volumes: waiting orders the provider could take, searchable
(order number, service, community), filtered by item, street, urgency and due time, sorted by
deadline (default) or newest first, paginated by the view.

Deadlines belong to the dispatch centre, which comes after this app: it registers an annotator
(:func:`register_deadline`) that gives each order a ``deadline`` (its acceptance deadline).
Without one, an order's deadline is its preferred time, if any.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from jiuzhu.catalog.models import SlaClass
from jiuzhu.core.models import User
from jiuzhu.orders.models import Order
from jiuzhu.orders.scopes import open_to_provider, provider_of
from jiuzhu.registry.models import UrgencyTag

INBOX_SORTS = ("deadline", "new", "old")
DUE_CHOICES = ("overdue", "2h", "today")
URGENCY_CHOICES = ("urgent", "tagged")

_deadline: list[Callable[[QuerySet], QuerySet]] = []


def register_deadline(annotate: Callable[[QuerySet], QuerySet]) -> None:
    """A later app says how to annotate orders with ``deadline`` (one annotator; the last
    registration wins)."""
    _deadline[:] = [annotate]


def with_deadline(orders: QuerySet) -> QuerySet:
    if _deadline:
        return _deadline[0](orders)
    return orders.annotate(deadline=F("preferred_time"))


@dataclass(frozen=True)
class InboxFilters:
    q: str = ""
    item: int | None = None
    street: int | None = None
    urgency: str = ""  # "urgent": urgent item or household; "tagged": any urgency tag
    due: str = ""  # "overdue", "2h" (within two hours), "today"
    sort: str = "deadline"


def provider_inbox_filtered(
    *, user: User, filters: InboxFilters | None = None, now: dt.datetime | None = None
) -> QuerySet[Order]:
    filters = filters or InboxFilters()
    provider = provider_of(user)
    if provider is None:
        return Order.objects.none()
    now = now or timezone.now()
    orders = with_deadline(
        open_to_provider(Order.objects.all(), provider).select_related(
            "item", "household__community", "household__street"
        )
    )
    q = filters.q.strip()
    if q:
        orders = orders.filter(
            Q(number__icontains=q)
            | Q(item__name__icontains=q)
            | Q(household__community__name__icontains=q)
        )
    if filters.item:
        orders = orders.filter(item_id=filters.item)
    if filters.street:
        orders = orders.filter(household__street_id=filters.street)
    if filters.urgency == "urgent":
        orders = orders.filter(
            Q(item__sla_class=SlaClass.URGENT) | Q(household__urgency_tag=UrgencyTag.URGENT)
        )
    elif filters.urgency == "tagged":
        orders = orders.exclude(household__urgency_tag="")
    if filters.due == "overdue":
        orders = orders.filter(deadline__lte=now)
    elif filters.due == "2h":
        orders = orders.filter(deadline__gt=now, deadline__lte=now + dt.timedelta(hours=2))
    elif filters.due == "today":
        end = timezone.localtime(now).replace(hour=23, minute=59, second=59)
        orders = orders.filter(deadline__lte=end)
    if filters.sort == "new":
        return orders.order_by("-created_at", "-id")
    if filters.sort == "old":
        return orders.order_by("created_at", "id")
    return orders.order_by(F("deadline").asc(nulls_last=True), "created_at", "id")
