"""A controlled clock for tests: ``clock.set(...)`` moves ``django.utils.timezone.now`` (and so
``localdate``, ``auto_now`` fields and every service) to a chosen moment in Asia/Shanghai."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self) -> None:
        self.now = timezone.now()

    def set(self, year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
        self.now = dt.datetime(year, month, day, hour, tzinfo=SHANGHAI).astimezone(dt.UTC)
        return self.now

    def today(self) -> dt.date:
        return self.now.astimezone(SHANGHAI).date()


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c
