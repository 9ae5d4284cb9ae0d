"""Settlement periods: ``YYYY-MM`` (monthly projects) and ``YYYY-Qn`` (quarterly), as half-open
date ranges ``[start, end)``."""

from __future__ import annotations

import datetime as dt
import re

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def parse_month(text: str) -> tuple[int, int]:
    """``"2026-03"`` → ``(2026, 3)``; ``ValueError`` otherwise."""
    found = MONTH.match(text.strip())
    if not found:
        raise ValueError(text)
    return int(found.group(1)), int(found.group(2))


def _month_start(year: int, month: int) -> dt.date:
    return dt.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def period_for(kind: str, year: int, month: int) -> tuple[str, dt.date, dt.date]:
    """The period of kind ``"month"`` or ``"quarter"`` that contains ``year-month``."""
    if kind == "quarter":
        quarter = (month - 1) // 3 + 1
        first = 3 * (quarter - 1) + 1
        return f"{year}-Q{quarter}", _month_start(year, first), _month_start(year, first + 3)
    return f"{year}-{month:02d}", _month_start(year, month), _month_start(year, month + 1)


def bounds(label: str) -> tuple[dt.date, dt.date]:
    """The dates of a period label (either kind)."""
    found = QUARTER.match(label)
    if found:
        year, quarter = int(found.group(1)), int(found.group(2))
        _l, start, end = period_for("quarter", year, 3 * quarter)
        return start, end
    year, month = parse_month(label)
    _l, start, end = period_for("month", year, month)
    return start, end
