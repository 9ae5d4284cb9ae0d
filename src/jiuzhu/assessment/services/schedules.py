"""An approved plan as a schedule: each service item is ``per_month`` occurrences a month for
``months`` months from the plan's start (``planning.schedule``). The ``plans.schedule`` job
(``assessment/jobs.py``) places the order of each occurrence a few days ahead
(``settings.PLAN_WINDOW_DAYS``, from tomorrow), so providers and dispatch see only what is due.

Idempotent: an occurrence is a ``PlanOccurrence`` row, at most one per item and date, so running
the job twice places nothing twice. An occurrence the household cannot order (a limit reached,
no longer eligible) is kept with the reason in ``skipped`` and shown on the plan page.

Pausing, changing or ending a plan touches the future only (:func:`cancel_future`): occurrences
after today whose order is still waiting are cancelled and forgotten (so a changed or resumed
schedule may place them again); past occurrences and orders a provider has taken stay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.assessment.models import Plan, PlanItem, PlanOccurrence, PlanStatus
from jiuzhu.assessment.planning import due_between
from jiuzhu.assessment.selectors.schedules import item_ends_on, item_schedule
from jiuzhu.core.errors import DomainError
from jiuzhu.core.models import User
from jiuzhu.orders.models import Channel, OrderStatus
from jiuzhu.orders.services.placing import order_create
from jiuzhu.orders.services.transitions import order_cancel

#: The hour of the day an occurrence is asked for, by the item's unit (meals at lunch).
HOUR_BY_UNIT = {"meal": 11}
DEFAULT_HOUR = 9


def window_days() -> int:
    return int(getattr(settings, "PLAN_WINDOW_DAYS", 7))


def _preferred_time(item: PlanItem, day: dt.date) -> dt.datetime:
    hour = HOUR_BY_UNIT.get(item.service_item.unit, DEFAULT_HOUR)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _place(item: PlanItem, day: dt.date, quantity: int) -> PlanOccurrence | None:
    """Create the occurrence and its order, or nothing when it exists already. One
    transaction: an unexpected failure leaves neither behind (the next run tries again)."""
    plan = item.plan
    actor = plan.approved_by
    # The only caller, occurrences_generate, selects items of plans with approved_by set.
    assert actor is not None
    with transaction.atomic():
        try:
            with transaction.atomic():
                occurrence = PlanOccurrence.objects.create(item=item, on=day, quantity=quantity)
        except IntegrityError:
            return None  # placed already (by an earlier or a concurrent run)
        try:
            with transaction.atomic():
                order = order_create(
                    actor=actor,
                    household=plan.household,
                    item=item.service_item,
                    quantity=quantity,
                    preferred_time=_preferred_time(item, day),
                    note=_("Plan #%(plan)d: %(n)d a month until %(end)s")
                    % {"plan": plan.pk, "n": item.per_month, "end": item_ends_on(item)},
                    channel=Channel.PLAN,
                    source="plan_item",
                    source_id=item.pk,
                )
        except DomainError as error:
            occurrence.skipped = error.message[:300]
            occurrence.save(update_fields=["skipped"])
            return occurrence
        occurrence.order = order
        occurrence.save(update_fields=["order"])
        return occurrence


def occurrences_generate(
    *, plan: Plan | None = None, today: dt.date | None = None
) -> dict[str, int]:
    """Place the occurrences due from tomorrow to ``window_days()`` ahead, for one plan or
    every approved plan. Returns counts: placed (ordered), skipped (not orderable)."""
    today = today or timezone.localdate()
    first, last = today + dt.timedelta(days=1), today + dt.timedelta(days=window_days())
    plans = Plan.objects.filter(status=PlanStatus.APPROVED, starts_on__lte=last)
    if plan is not None:
        plans = plans.filter(pk=plan.pk)
    placed = skipped = 0
    items = (
        PlanItem.objects.filter(plan__in=plans, plan__approved_by__isnull=False)
        .select_related("plan__household", "plan__approved_by", "service_item")
        .order_by("plan_id", "id")
    )
    # What is placed already in the window, in one query (not one per item).
    existing = set(
        PlanOccurrence.objects.filter(
            item__plan__in=plans, on__gte=first, on__lte=last
        ).values_list("item_id", "on")
    )
    for item in items.iterator(chunk_size=2000):
        for day, quantity in due_between(item_schedule(item), first, last):
            if (item.pk, day) in existing:
                continue
            occurrence = _place(item, day, quantity)
            if occurrence is None:
                continue
            if occurrence.order_id:
                placed += 1
            else:
                skipped += 1
    return {"placed": placed, "skipped": skipped}


def cancel_future(
    *,
    plan: Plan,
    actor: User,
    reason: str,
    items: Iterable[PlanItem] | None = None,
    today: dt.date | None = None,
) -> int:
    """Cancel the waiting orders of occurrences after today and forget those occurrences (and
    unplaced ones); returns how many orders were cancelled."""
    today = today or timezone.localdate()
    occurrences = PlanOccurrence.objects.filter(item__plan=plan, on__gt=today).select_related(
        "order"
    )
    if items is not None:
        occurrences = occurrences.filter(item__in=list(items))
    cancelled = 0
    for occurrence in occurrences:
        order = occurrence.order
        if order is None:
            occurrence.delete()
        elif order.status == OrderStatus.WAITING:
            order_cancel(actor=actor, order=order, reason=reason)
            occurrence.delete()
            cancelled += 1
    return cancelled
