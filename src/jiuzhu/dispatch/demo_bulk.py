"""Deadlines for the bulk demo orders of ``jiuzhu demo-data --orders N`` (issue 15 item 3).

The bulk generator stores orders without events, so the ``ORDER_CREATED`` handler never fixes
their deadlines. Without them a year-old waiting order never shows as overdue: the board and
the backlog would read "0 overdue" beside tens of thousands of orders nobody took. This step
writes each new order's deadlines in bulk, from its district's policies, exactly as
``services.sla.order_sla_fix`` does for one order."""

from __future__ import annotations

from jiuzhu.core.demo import BulkContext, bulk_step
from jiuzhu.dispatch import sla
from jiuzhu.dispatch.models import OrderSla
from jiuzhu.dispatch.services.sla import policies_for
from jiuzhu.orders.models import Order

BATCH = 10_000


@bulk_step(45, "order deadlines")
def bulk_deadlines(context: BulkContext) -> int:
    """Deadlines for the orders of the new households that have none; returns how many."""
    if not context.sizes.get("orders", 0):
        return 0
    orders = (
        Order.objects.filter(
            household__pk__range=(context.first_household_id, context.last_household_id),
            sla__isnull=True,
        )
        .order_by("pk")
        .values_list(
            "pk",
            "created_at",
            "preferred_time",
            "household__district_id",
            "household__urgency_tag",
            "item__sla_class",
        )
    )
    total = orders.count()
    policies: dict[int, dict] = {}
    rows: list[OrderSla] = []
    done = 0
    for pk, created, preferred, district_id, urgency_tag, sla_class in orders.iterator(
        chunk_size=BATCH
    ):
        if district_id not in policies:
            policies[district_id] = policies_for(district_id)
        accept_hours, complete_hours = sla.choose(
            policies[district_id], urgency_tag=urgency_tag, sla_class=sla_class
        )
        due = sla.deadlines(
            created=created,
            accept_hours=accept_hours,
            complete_hours=complete_hours,
            preferred_time=preferred,
        )
        rows.append(
            OrderSla(
                order_id=pk,
                accept_by=due.accept_by,
                complete_by=due.complete_by,
                accept_hours=accept_hours,
                complete_hours=complete_hours,
                urgent=urgency_tag == "urgent" or sla_class == "urgent",
            )
        )
        if len(rows) == BATCH:
            OrderSla.objects.bulk_create(rows)
            done += len(rows)
            rows = []
            context.progress("order deadlines", done, total)
    OrderSla.objects.bulk_create(rows)
    done += len(rows)
    context.progress("order deadlines", done, total)
    return done
