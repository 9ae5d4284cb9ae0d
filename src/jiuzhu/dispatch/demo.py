"""The dispatch centre's demo step: age a third of the open demo orders (and their deadlines)
by a few hours to a few days, so the live board has orders at risk and overdue to show."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import F

from jiuzhu.core.demo import DemoContext, demo_step
from jiuzhu.dispatch.models import DispatchRun, OrderSla
from jiuzhu.orders.models import Order, OrderStatus


@demo_step(97, "dispatch")
def age_orders(context: DemoContext) -> None:
    if DispatchRun.objects.exists():  # the worker has run: this is not the first start
        return
    rng = random.Random(context.seed)
    open_orders = list(
        Order.objects.filter(
            status__in=[OrderStatus.WAITING, OrderStatus.ACCEPTED, OrderStatus.ASSIGNED],
            sla__isnull=False,
        ).values_list("pk", flat=True)
    )
    for pk in rng.sample(open_orders, k=len(open_orders) // 3):
        shift = dt.timedelta(hours=rng.choice([6, 14, 20, 23, 30, 60, 80]))
        Order.objects.filter(pk=pk).update(created_at=F("created_at") - shift)
        OrderSla.objects.filter(order_id=pk).update(
            accept_by=F("accept_by") - shift, complete_by=F("complete_by") - shift
        )
    DispatchRun.objects.create(considered=0)  # marks the demo as aged
