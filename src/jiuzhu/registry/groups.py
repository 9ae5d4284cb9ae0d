"""Six-group membership (分群), computed from a household's members.

One documented function that the registry uses on every member change and the assessment reuses
when it scores. Pure: it takes plain facts, not models, so it can run on millions of rows.

Rules (a household may fall in several groups; ages on the reference date):
- elderly: a member aged 60 or over.
- disability: a member with a recorded disability.
- minors: a member under 18.
- serious_illness: a member with a serious illness (a chronic illness alone does not count).
- unemployed: a member aged 16 to 59, able to work (no grade 1–2 disability, no serious
  illness), recorded as unemployed.
- single_parent: a child under 18 of the head lives in the household, and exactly one of head and
  spouse is a current member (no spouse recorded).

The primary group is the first that applies in this order, most specific and most acute first:
serious illness, disability, single parent, minors, elderly, unemployed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

GROUP_ORDER = (
    "serious_illness",
    "disability",
    "single_parent",
    "minors",
    "elderly",
    "unemployed",
)


@dataclass(frozen=True)
class MemberFacts:
    birth_date: dt.date
    relation: str
    disability_type: str = ""
    disability_grade: int | None = None
    illness: str = ""
    employment: str = ""


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Completed years on ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def classify(members: Iterable[MemberFacts], *, on: dt.date) -> tuple[list[str], str]:
    """The groups a household belongs to, in ``GROUP_ORDER``, and its primary group ('' if
    none)."""
    members = list(members)
    ages = [age_on(m.birth_date, on) for m in members]
    found: set[str] = set()
    if any(a >= 60 for a in ages):
        found.add("elderly")
    if any(m.disability_type for m in members):
        found.add("disability")
    if any(a < 18 for a in ages):
        found.add("minors")
    if any(m.illness == "serious" for m in members):
        found.add("serious_illness")
    for member, age in zip(members, ages, strict=True):
        able = not (member.disability_grade in (1, 2) or member.illness == "serious")
        if 16 <= age <= 59 and able and member.employment == "unemployed":
            found.add("unemployed")
    has_minor_child = any(
        m.relation == "child" and a < 18 for m, a in zip(members, ages, strict=True)
    )
    parents = sum(1 for m in members if m.relation in ("head", "spouse"))
    if has_minor_child and parents == 1:
        found.add("single_parent")
    ordered = [g for g in GROUP_ORDER if g in found]
    return ordered, (ordered[0] if ordered else "")


def encode_groups(groups: Iterable[str]) -> str:
    """The stored form: codes between bars (``|elderly|minors|``), empty when none."""
    groups = list(groups)
    return "|" + "|".join(groups) + "|" if groups else ""
