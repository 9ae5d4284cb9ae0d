"""The household's own home (issue 10, item 5): what is coming and when, what was delivered, and
the plan as the help the household will get. Plain data only: no urgency tag, group, score or
income figure ever reaches this page (the household is not shown how the office classifies it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import F

from jiuzhu.assessment.models import LIVE_PLAN_STATUSES, Plan
from jiuzhu.assessment.selectors.queue import plans_of
from jiuzhu.assessment.selectors.schedules import item_ends_on
from jiuzhu.core.models import User
from jiuzhu.orders.models import Order, OrderStatus
from jiuzhu.orders.selectors.orders import order_list
from jiuzhu.registry.models import Household

#: Orders the household is still waiting for (a provider will come, or is there now).
COMING = (OrderStatus.WAITING, OrderStatus.ACCEPTED, OrderStatus.ASSIGNED, OrderStatus.IN_SERVICE)
#: How many coming and delivered services the home lists (the rest are under "My orders").
SHOWN = 5


@dataclass
class BeneficiaryHome:
    household: Household
    coming: list[Order] = field(default_factory=list)
    delivered: list[Order] = field(default_factory=list)
    plan: Plan | None = None
    help: list[dict[str, Any]] = field(default_factory=list)


def beneficiary_home(*, user: User, household: Household) -> BeneficiaryHome:
    """The coming services (soonest first; orders without a time last), the latest delivered
    ones, and the live plan's services with how often and until when."""
    orders = order_list(user=user).filter(household=household)
    coming = list(
        orders.filter(status__in=COMING).order_by(
            F("preferred_time").asc(nulls_last=True), "created_at", "pk"
        )[:SHOWN]
    )
    delivered = list(
        orders.filter(status=OrderStatus.COMPLETED)
        .select_related("rating")
        .order_by("-completed_at", "-pk")[:SHOWN]
    )
    plan = (
        plans_of(user=user, household=household)
        .filter(status__in=LIVE_PLAN_STATUSES)
        .select_related("approved_by")
        .first()
    )
    help_rows = []
    if plan is not None:
        help_rows = [
            {"item": item, "ends_on": item_ends_on(item)}
            for item in plan.items.select_related("service_item").order_by("id")
        ]
    return BeneficiaryHome(
        household=household, coming=coming, delivered=delivered, plan=plan, help=help_rows
    )
