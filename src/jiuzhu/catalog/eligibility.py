"""Who may receive which service item, and which needs a set of items meets. Pure: plain data in,
plain data out, no ORM, so orders, plans and the assessment can call it on any number of rows.

Rules (docs/catalogue.md, "Eligibility and limits"):

- An item restricts by up to three lists: groups, tiers and urgency tags. **An empty list means
  any**: the item does not restrict on that dimension.
- A household qualifies when, for every non-empty list, it matches: *at least one* of its groups
  is in the item's groups; its tier is in the item's tiers; its urgency tag is in the item's
  urgency tags. A household with no group (or no tier, or no tag) does not match a non-empty
  list.
- Inactive items qualify for nobody.
- Frequency limits are per household and per item: at most ``max_per_week`` units in a calendar
  week (Monday–Sunday) and ``max_per_month`` in a calendar month; ``None`` means no limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar


@dataclass(frozen=True)
class ItemRule:
    """What eligibility needs to know about one service item."""

    code: str
    groups: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    urgency_tags: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()
    active: bool = True
    max_per_week: int | None = None
    max_per_month: int | None = None
    id: int | None = field(default=None, compare=False)


Rule = TypeVar("Rule", bound=ItemRule)

#: Reasons :func:`ineligibility` may give, in this order.
INACTIVE, GROUP, TIER, URGENCY = "inactive", "group", "tier", "urgency"


def ineligibility(
    item: ItemRule, *, groups: Iterable[str], tier: str = "", urgency_tag: str = ""
) -> list[str]:
    """Why a household may not receive ``item`` (empty list: it may)."""
    reasons = []
    if not item.active:
        reasons.append(INACTIVE)
    if item.groups and not (item.groups & set(groups)):
        reasons.append(GROUP)
    if item.tiers and tier not in item.tiers:
        reasons.append(TIER)
    if item.urgency_tags and urgency_tag not in item.urgency_tags:
        reasons.append(URGENCY)
    return reasons


def is_eligible(
    item: ItemRule, *, groups: Iterable[str], tier: str = "", urgency_tag: str = ""
) -> bool:
    return not ineligibility(item, groups=groups, tier=tier, urgency_tag=urgency_tag)


def eligible_items(
    items: Iterable[Rule], *, groups: Iterable[str], tier: str = "", urgency_tag: str = ""
) -> list[Rule]:
    """The items a household with these groups, tier and urgency tag may receive, in the
    order given."""
    groups = frozenset(groups)
    return [
        item
        for item in items
        if is_eligible(item, groups=groups, tier=tier or "", urgency_tag=urgency_tag or "")
    ]


def needs_met_by(items: Iterable[ItemRule]) -> set[str]:
    """The need codes at least one of ``items`` meets."""
    met: set[str] = set()
    for item in items:
        met |= item.needs
    return met


def unmet_needs(needs: Iterable[str], items: Iterable[ItemRule]) -> set[str]:
    """The needs in ``needs`` that none of ``items`` meets (gaps in a plan)."""
    return set(needs) - needs_met_by(items)


def items_meeting(needs: Iterable[str], items: Iterable[Rule]) -> dict[str, list[Rule]]:
    """For each need code, the items that meet it (in the order given); needs no item meets
    map to an empty list."""
    wanted = list(dict.fromkeys(needs))
    found: dict[str, list[Rule]] = {need: [] for need in wanted}
    for item in items:
        for need in item.needs:
            if need in found:
                found[need].append(item)
    return found


def frequency_allows(
    item: ItemRule, *, used_this_week: int, used_this_month: int, quantity: int = 1
) -> bool:
    """Whether ``quantity`` more units stay within the item's weekly and monthly limits, given
    the units the household already has this week and this month."""
    if quantity < 1:
        return False
    if item.max_per_week is not None and used_this_week + quantity > item.max_per_week:
        return False
    return not (item.max_per_month is not None and used_this_month + quantity > item.max_per_month)


def rule(
    code: str,
    *,
    groups: Sequence[str] = (),
    tiers: Sequence[str] = (),
    urgency_tags: Sequence[str] = (),
    needs: Sequence[str] = (),
    active: bool = True,
    max_per_week: int | None = None,
    max_per_month: int | None = None,
    id: int | None = None,  # noqa: A002
) -> ItemRule:
    """Build an :class:`ItemRule` from any sequences (convenience for callers and tests)."""
    return ItemRule(
        code=code,
        groups=frozenset(groups),
        tiers=frozenset(tiers),
        urgency_tags=frozenset(urgency_tags),
        needs=frozenset(needs),
        active=active,
        max_per_week=max_per_week,
        max_per_month=max_per_month,
        id=id,
    )
