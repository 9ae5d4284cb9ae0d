"""Boxes that later capabilities add to the household page (assessment and plan, orders …).

The household page loads each registered box with htmx from the capability's own URL, which
takes the household id and does its own scoping, so the registry renders them without importing
the capabilities.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HouseholdPanel:
    url_name: str  # takes one argument: the household id
    title: str
    order: int = 50


_panels: dict[str, HouseholdPanel] = {}


def register_household_panel(panel: HouseholdPanel) -> None:
    _panels[panel.url_name] = panel


def household_panels() -> list[HouseholdPanel]:
    return sorted(_panels.values(), key=lambda panel: (panel.order, panel.url_name))
