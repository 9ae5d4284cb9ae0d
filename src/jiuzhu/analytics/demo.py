"""The dashboards' demo step: last month's and this month's snapshots and the current
figures, so the dashboards have figures and a trend to show from the first sign-in."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiuzhu.analytics.models import MonthlySnapshot
from jiuzhu.analytics.services.snapshots import figures_refresh, previous_month, snapshot_take
from jiuzhu.core.demo import DemoContext, demo_step


@demo_step(120, "dashboards")
def dashboards(context: DemoContext) -> None:
    if MonthlySnapshot.objects.exists():
        return
    now = timezone.now()
    today = timezone.localdate(now)
    snapshot_take(month=previous_month(today), now=now - dt.timedelta(days=today.day))
    snapshot_take(month=today, now=now)
    figures_refresh(now=now)
