"""Reads of a running plan's schedule: when each item runs and what the next days hold (the plan
page, the household box and the household's "my services" page). The plan itself was already
looked up through ``core.scoping.visible`` by the caller."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from jiuzhu.assessment.models import Plan, PlanItem, PlanStatus
from jiuzhu.assessment.planning import due_between, ends_on, schedule


def item_schedule(item: PlanItem) -> list[tuple[dt.date, int]]:
    if item.plan.starts_on is None:
        return []
    return schedule(start=item.plan.starts_on, months=item.months, per_month=item.per_month)


def item_ends_on(item: PlanItem) -> dt.date | None:
    if item.plan.starts_on is None:
        return None
    return ends_on(start=item.plan.starts_on, months=item.months)


def upcoming(plan: Plan, *, today: dt.date | None = None, days: int = 14) -> list[dict[str, Any]]:
    """What the household can expect in the next ``days`` days, by date: the placed order (with
    its status) or, beyond the window, the scheduled date."""
    today = today or timezone.localdate()
    if plan.status != PlanStatus.APPROVED or plan.starts_on is None:
        return []
    last = today + dt.timedelta(days=days)
    rows: list[dict[str, Any]] = []
    for item in plan.items.select_related("service_item"):
        occurrences = item.occurrences.select_related("order__provider__organisation")
        placed = {o.on: o for o in occurrences.filter(on__gte=today)}
        for day, quantity in due_between(item_schedule(item), today, last):
            occurrence = placed.get(day)
            rows.append(
                {
                    "on": day,
                    "item": item,
                    "quantity": quantity,
                    "order": occurrence.order if occurrence else None,
                    "skipped": occurrence.skipped if occurrence else "",
                }
            )
    rows.sort(key=lambda row: (row["on"], row["item"].pk))
    return rows
