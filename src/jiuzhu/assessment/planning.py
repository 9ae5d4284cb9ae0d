"""开 — turning an assessment's result into a draft plan (一户一策). Pure: plain data in and out.

Service items: for each identified need, in order of priority (needs behind deprivations first,
then the household's own wishes, then the typical needs of its primary group), the eligible
catalogue item that meets it — preferring items that meet more of the household's needs, then the
cheaper — unless an item already chosen meets it. Frequency and duration follow the urgency tag
(``INTENSITY``), capped by the item's monthly limit.

Material assistance: recommended from deprivations and the baseline by ``material_kinds``; each
recommendation starts as "recommended" and the caseworker records the referral.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jiuzhu.catalog.eligibility import ItemRule

#: (times per month, months) by urgency tag.
INTENSITY = {
    "urgent": (8, 3),
    "safety_net": (4, 6),
    "care": (2, 6),
    "watch": (1, 3),
}

#: Which deprivation (default framework indicator codes) suggests which statutory assistance.
MATERIAL_BY_INDICATOR = {
    "medical_burden": "medical",
    "untreated_condition": "medical",
    "education_burden": "education",
    "child_out_of_school": "education",
    "unsafe_housing": "housing",
    "living_area": "housing",
    "no_employed_member": "employment",
    "lacks_skills": "employment",
}


@dataclass(frozen=True)
class PricedItem(ItemRule):
    """An eligible item with its price, so the cheaper of two equal items is chosen."""

    price: float = 0.0


@dataclass(frozen=True)
class PlannedItem:
    item_code: str
    need_code: str
    per_month: int
    months: int
    urgent: bool


def choose_items(
    *, needs: Sequence[str], items: Sequence[PricedItem], urgency_tag: str
) -> list[PlannedItem]:
    """One item per need not yet met, from items the household is eligible for."""
    wanted = set(needs)
    per_month, months = INTENSITY.get(urgency_tag, INTENSITY["watch"])
    chosen: list[PlannedItem] = []
    met: set[str] = set()
    for need in needs:
        if need in met:
            continue
        candidates = [item for item in items if need in item.needs]
        if not candidates:
            continue
        best = min(
            candidates,
            key=lambda item: (-len(item.needs & wanted), item.price, item.code),
        )
        if any(planned.item_code == best.code for planned in chosen):
            met.add(need)
            continue
        limit = best.max_per_month or per_month
        chosen.append(
            PlannedItem(
                item_code=best.code,
                need_code=need,
                per_month=max(1, min(per_month, limit)),
                months=months,
                urgent=urgency_tag == "urgent",
            )
        )
        met |= best.needs & wanted
    return chosen


def material_kinds(
    *,
    deprived: Sequence[str],
    urgency_tag: str,
    tier: str,
    income_ratio: float | None,
    sole_vulnerable_without_support: bool,
) -> list[tuple[str, str]]:
    """(kind, reason) pairs, in the order of the statutory list. Reasons are short codes the
    page translates."""
    kinds: dict[str, str] = {}
    if income_ratio is not None and income_ratio < 1 and tier not in ("dibao", "tekun"):
        kinds["dibao"] = "income_below_dibao_line"
    if sole_vulnerable_without_support and tier != "tekun":
        kinds["tekun"] = "no_support_no_income"
    for code in deprived:
        kind = MATERIAL_BY_INDICATOR.get(code)
        if kind and kind not in kinds:
            kinds[kind] = code
    if urgency_tag == "urgent":
        kinds.setdefault("temporary", "urgent")
    order = [
        "dibao",
        "tekun",
        "disaster",
        "medical",
        "education",
        "housing",
        "employment",
        "temporary",
    ]
    return [(kind, kinds[kind]) for kind in order if kind in kinds]
