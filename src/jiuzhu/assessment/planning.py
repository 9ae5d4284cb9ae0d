"""开 — turning an assessment's result into a draft plan (一户一策), and an approved plan into a
schedule. Pure: plain data in and out, no Django.

Service items (:func:`choose_items`), the rules a caseworker would follow:

1. **Which needs.** First the needs behind the indicators in which the household is deprived
   (reason: that indicator), then the needs the household asked for at 问 (reason: its wish),
   then, for each of its groups, the group's *signature* need (``GROUP_NEEDS``: the typical need
   the source names for that group, e.g. rehabilitation for disability) — but only when no
   deprivation or wish already points to a need in the same need category.
2. **Capability.** Employment needs (``EMPLOYMENT_NEEDS``) are dropped when no member is able to
   work; so is every item that meets one.
3. **One item per need, never two for the same need.** For each need not yet met, the eligible
   item that meets it and meets no need already met by a chosen item (so never both 助餐 and
   邻里小饭桌), preferring items that meet more of the household's needs, then items with fewer
   needs the household does not have (the more specific), then the cheaper, then by code.
4. **How often.** Duration follows the urgency tag (``MONTHS``: urgent 3 months — it is
   re-assessed after a quarter —, safety net and care 6, watch 3); frequency follows the item
   (``per_month``): meals 20 / 20 / 12 / 8 a month by tag (urgent / safety net / care / watch),
   sessions and hours 4 / 4 / 2 / 2; once a month for a monthly or course item, a one-off
   consultation (``ONCE_NEEDS``: policy, legal aid, benefit applications) and an on-call
   (urgent-SLA) item such as 助急 or 心理干预 (a standing arrangement — further calls are ordered
   when needed); never above the item's monthly limit or four times its weekly limit.

Every planned item carries its reason (``reason_kind`` and ``reason_code``).

Schedules (:func:`schedule`): an approved item for ``months`` months from the plan's start date,
``per_month`` times in each plan month (the month from a start date to the same day of the next
calendar month; a 31st falls back to the month's last day), spread evenly over the days of that
month; several on one day become one occurrence with that quantity.

Material assistance: recommended from deprivations and the baseline by ``material_kinds``; each
recommendation starts as "recommended" and the caseworker records the referral.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from jiuzhu.catalog.eligibility import ItemRule

#: Plan duration in months by urgency tag (urgent plans are re-assessed after a quarter).
MONTHS = {"urgent": 3, "safety_net": 6, "care": 6, "watch": 3}
#: Sessions or hours a month by urgency tag.
SESSIONS = {"urgent": 4, "safety_net": 4, "care": 2, "watch": 2}
#: Meals a month by urgency tag (20 ≈ a weekday lunch).
MEALS = {"urgent": 20, "safety_net": 20, "care": 12, "watch": 8}
#: Units delivered once however urgent the household is.
ONCE_UNITS = frozenset({"month", "course"})
#: Needs met by a one-off consultation (an item meeting only these is planned once a month).
ONCE_NEEDS = frozenset({"benefit_access", "policy_explanation", "legal_aid"})

#: The signature need of each of the six groups (docs/assessment.md, from the source's
#: "typical needs": ~85 % of elderly need daily care, ~90 % of disabled people rehabilitation,
#: ~68 % of minors growth companionship, the unemployed job training, serious illness
#: medical-resource linkage, single parents emotional comfort).
GROUP_NEEDS = {
    "elderly": ("meals",),
    "disability": ("rehabilitation",),
    "minors": ("growth_companionship",),
    "serious_illness": ("medical_access",),
    "unemployed": ("skills_training",),
    "single_parent": ("emotional_support",),
}
#: Needs only a member able to work can use.
EMPLOYMENT_NEEDS = frozenset({"job_guidance", "skills_training", "job_placement"})

#: Why an item is in a plan.
DEPRIVATION, WISH, GROUP, CASEWORKER = "deprivation", "wish", "group", "caseworker"

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
    """An eligible item with its price (the cheaper of two equal items is chosen), unit and
    service level (for the frequency)."""

    price: float = 0.0
    unit: str = "session"
    sla: str = "standard"


@dataclass(frozen=True)
class NeedReason:
    """A need and why it was identified: ``kind`` is deprivation (``code`` = indicator code),
    wish (``code`` = the need) or group (``code`` = the group)."""

    need: str
    kind: str
    code: str


@dataclass(frozen=True)
class PlannedItem:
    item_code: str
    need_code: str
    per_month: int
    months: int
    urgent: bool
    reason_kind: str = DEPRIVATION
    reason_code: str = ""


def identified_needs(
    *,
    deprived: Sequence[tuple[str, Sequence[str]]],
    wished: Sequence[str],
    groups: Sequence[str],
    category_of: Mapping[str, str],
    able_to_work: bool,
) -> list[NeedReason]:
    """The household's needs with their reasons, in priority order, without repeats (rule 1–2).
    ``deprived`` is (indicator code, its needs) for each deprivation, in framework order."""
    ordered: list[NeedReason] = []
    seen: set[str] = set()

    def add(need: str, kind: str, code: str) -> None:
        if need in seen or (need in EMPLOYMENT_NEEDS and not able_to_work):
            return
        seen.add(need)
        ordered.append(NeedReason(need=need, kind=kind, code=code))

    for indicator, needs in deprived:
        for need in needs:
            add(need, DEPRIVATION, indicator)
    for need in wished:
        add(need, WISH, need)
    covered = {category_of.get(reason.need, reason.need) for reason in ordered}
    for group in groups:
        for need in GROUP_NEEDS.get(group, ()):
            if category_of.get(need, need) not in covered:
                add(need, GROUP, group)
    return ordered


def per_month(item: PricedItem, urgency_tag: str) -> int:
    """How many times a month (rule 4)."""
    tag = urgency_tag if urgency_tag in SESSIONS else "watch"
    if item.sla == "urgent" or item.unit in ONCE_UNITS or item.needs <= ONCE_NEEDS:
        times = 1
    elif item.unit == "meal":
        times = MEALS[tag]
    else:
        times = SESSIONS[tag]
    if item.max_per_month:
        times = min(times, item.max_per_month)
    if item.max_per_week:
        times = min(times, item.max_per_week * 4)
    return max(1, times)


def choose_items(
    *,
    needs: Sequence[NeedReason],
    items: Sequence[PricedItem],
    urgency_tag: str,
    able_to_work: bool = True,
) -> list[PlannedItem]:
    """One item per need not yet met, from items the household is eligible for (rules 2–4)."""
    wanted = {reason.need for reason in needs}
    months = MONTHS.get(urgency_tag, MONTHS["watch"])
    usable = [item for item in items if able_to_work or not (item.needs & EMPLOYMENT_NEEDS)]
    chosen: list[PlannedItem] = []
    met: set[str] = set()
    for reason in needs:
        if reason.need in met:
            continue
        candidates = [
            item for item in usable if reason.need in item.needs and not (item.needs & met)
        ]
        if not candidates:
            continue
        best = min(
            candidates,
            key=lambda item: (
                -len(item.needs & wanted),
                len(item.needs - wanted),
                item.price,
                item.code,
            ),
        )
        chosen.append(
            PlannedItem(
                item_code=best.code,
                need_code=reason.need,
                per_month=per_month(best, urgency_tag),
                months=months,
                urgent=urgency_tag == "urgent",
                reason_kind=reason.kind,
                reason_code=reason.code,
            )
        )
        met |= best.needs
    return chosen


def overlapping_needs(item_needs: Iterable[str], planned: Iterable[Iterable[str]]) -> set[str]:
    """Needs of a new item already met by items in the plan (the caseworker is told)."""
    met = {need for needs in planned for need in needs}
    return set(item_needs) & met


# ---------------------------------------------------------------- schedules


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (the month's last day if it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule(*, start: dt.date, months: int, per_month: int) -> list[tuple[dt.date, int]]:
    """(date, quantity) of every occurrence, in date order."""
    out: dict[dt.date, int] = {}
    for m in range(months):
        begin, end = add_months(start, m), add_months(start, m + 1)
        days = (end - begin).days
        for i in range(per_month):
            day = begin + dt.timedelta(days=i * days // per_month)
            out[day] = out.get(day, 0) + 1
    return sorted(out.items())


def due_between(
    occurrences: Sequence[tuple[dt.date, int]], first: dt.date, last: dt.date
) -> list[tuple[dt.date, int]]:
    """The occurrences from ``first`` to ``last`` inclusive (the rolling window)."""
    return [(day, n) for day, n in occurrences if first <= day <= last]


def ends_on(*, start: dt.date, months: int) -> dt.date:
    """The last day of a schedule."""
    return add_months(start, months) - dt.timedelta(days=1)


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
