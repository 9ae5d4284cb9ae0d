"""The time bank's settings, with Nanjing's defaults (``JIUZHU_TIMEBANK_*`` in settings)."""

from __future__ import annotations

from django.conf import settings

from jiuzhu.timebank.engine.ledger import DEFAULT_STAR_HOURS, MINUTES_PER_HOUR


def cap_minutes() -> int:
    """Storage cap: beyond it deposits go to the donation pool (default 1,500 hours)."""
    return int(getattr(settings, "JIUZHU_TIMEBANK_CAP_HOURS", 1500)) * MINUTES_PER_HOUR


def star_hours() -> tuple[int, ...]:
    """Hours earned for each star (default 100, 300, 600, 1,000, 1,500)."""
    return tuple(getattr(settings, "JIUZHU_TIMEBANK_STAR_HOURS", DEFAULT_STAR_HOURS))


def confirm_hours() -> int:
    """Hours a deposit waits for the household before it goes to the provider (default 72)."""
    return int(getattr(settings, "JIUZHU_TIMEBANK_CONFIRM_HOURS", 72))
