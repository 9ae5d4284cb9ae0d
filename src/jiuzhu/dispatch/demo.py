"""The dispatch centre's demo step: age the open demo orders (and their deadlines) by a few
hours, so the live board shows a day in progress — most orders comfortably within their
deadlines, a handful at risk and one or two overdue to show what those look like — and let the
taken ones have been accepted a few minutes to over an hour after they were placed."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import F

from jiuzhu.core.demo import DemoContext, demo_step
from jiuzhu.dispatch.models import DispatchRun, OrderSla
from jiuzhu.orders.demo import supply
from jiuzhu.orders.models import Order, OrderStatus

#: Hours taken orders are moved back (well within the 72-hour completion window).
TAKEN_SHIFTS = (1, 2, 3, 5, 8, 12)
#: Minutes a provider took to accept a taken order (the demo accepts at once; monitoring's
#: "median time to accept" would otherwise read 0 minutes for everyone).
ACCEPT_WAITS = (4, 9, 15, 22, 35, 50, 80)
#: Waiting orders moved back so far that they are at risk (18–24 h of a 24-hour window) …
AT_RISK_SHIFT = 19
AT_RISK_WAITING = 4
#: … or overdue.
OVERDUE_SHIFT = 26
OVERDUE_WAITING = 2


def _shift(pk: int, hours: float) -> None:
    shift = dt.timedelta(hours=hours)
    Order.objects.filter(pk=pk).update(created_at=F("created_at") - shift)
    OrderSla.objects.filter(order_id=pk).update(
        accept_by=F("accept_by") - shift, complete_by=F("complete_by") - shift
    )


@demo_step(97, "dispatch")
def age_orders(context: DemoContext) -> None:
    if DispatchRun.objects.exists():  # the worker has run: this is not the first start
        return
    supply(context)  # the providers answer most of the day's orders (orders/demo.py)
    rng = random.Random(context.seed)
    taken = list(
        Order.objects.filter(
            status__in=[OrderStatus.ACCEPTED, OrderStatus.ASSIGNED, OrderStatus.IN_SERVICE],
            sla__isnull=False,
            sla__urgent=False,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in taken:
        shift = rng.choice(TAKEN_SHIFTS)
        _shift(pk, shift)
        wait = min(rng.choice(ACCEPT_WAITS), shift * 60 - 1)
        Order.objects.filter(pk=pk, accepted_at__isnull=False).update(
            accepted_at=F("accepted_at") - dt.timedelta(hours=shift, minutes=-wait)
        )
    waiting = list(
        Order.objects.filter(status=OrderStatus.WAITING, sla__isnull=False, sla__urgent=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen = rng.sample(waiting, k=min(len(waiting), AT_RISK_WAITING + OVERDUE_WAITING))
    for n, pk in enumerate(chosen):
        _shift(pk, OVERDUE_SHIFT if n < OVERDUE_WAITING else AT_RISK_SHIFT)
    DispatchRun.objects.create(considered=0)  # marks the demo as aged
