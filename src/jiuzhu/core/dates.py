"""Local days as instants: where a day begins in the deployment's time zone (Asia/Shanghai by
default), so a filter on "the day" is a range of instants an index can answer."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of ``day`` in the current time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of ``day`` and of the next day: ``[start, end)`` is the day."""
    return day_start(day), day_start(day + dt.timedelta(days=1))
