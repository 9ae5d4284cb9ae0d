"""Formatting for the dashboard's tables."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def pct(value: float | None, digits: int = 1) -> str:
    """0.1234 → "12.3%"; None → "–"."""
    if value is None or value == "":
        return "–"
    return f"{100 * float(value):.{digits}f}%"


@register.filter
def num(value: float | None, digits: int = 0) -> str:
    """A count or amount without a spurious ".0"; None → "–"."""
    if value is None or value == "":
        return "–"
    return f"{float(value):,.{digits}f}"


@register.filter
def signed(value: float | None, digits: int = 4) -> str:
    if value is None:
        return "–"
    return f"{float(value):+.{digits}f}"
