"""Boxes that later capabilities add to the household page (assessment and plan, orders …).

The household page loads each registered box with htmx from the capability's own URL, which
takes the household id and does its own scoping, so the registry renders them without importing
the capabilities.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HouseholdPanel:
    url_name: str  # takes one argument: the household id
    title: str
    order: int = 50
    #: Who sees the box (default: everyone who sees the household).
    shown_to: Callable[[Any], bool] | None = None


_panels: dict[str, HouseholdPanel] = {}


def register_household_panel(panel: HouseholdPanel) -> None:
    _panels[panel.url_name] = panel


def household_panels(user: Any = None) -> list[HouseholdPanel]:
    """The boxes, in order; given a user, only those shown to them."""
    panels = sorted(_panels.values(), key=lambda panel: (panel.order, panel.url_name))
    if user is None:
        return panels
    return [panel for panel in panels if panel.shown_to is None or panel.shown_to(user)]
