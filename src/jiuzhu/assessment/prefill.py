"""摸 — answers the system can give before the visit, from what the registry already knows.

Each pre-fill is a named function of a :class:`Baseline` (plain data), so the assessor sees a
suggested answer and confirms or corrects it on the visit. A pre-fill returns None when the
registry cannot tell (the assessor must answer)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from jiuzhu.registry.groups import age_on


@dataclass(frozen=True)
class MemberBaseline:
    age: int
    relation: str
    disability_grade: int | None
    disability_type: str
    illness: str
    employment: str
    schooling: str
    has_guardian: bool


@dataclass(frozen=True)
class Baseline:
    """The household as the registry describes it on the day the assessment starts."""

    monthly_income: float
    medical_spending_12m: float
    education_spending_12m: float
    dibao_line: float | None
    tier: str
    groups: list[str]
    members: list[MemberBaseline] = field(default_factory=list)
    assistance: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Baseline:
        members = [MemberBaseline(**m) for m in data.get("members", [])]
        return cls(**{**data, "members": members})


def baseline_of(
    household, members, *, dibao_line: Decimal | None, on: dt.date, assistance: list[str]
) -> Baseline:
    return Baseline(
        monthly_income=float(household.monthly_income),
        medical_spending_12m=float(household.medical_spending_12m),
        education_spending_12m=float(household.education_spending_12m),
        dibao_line=float(dibao_line) if dibao_line else None,
        tier=household.tier,
        groups=household.group_list,
        members=[
            MemberBaseline(
                age=age_on(m.birth_date, on),
                relation=m.relation,
                disability_grade=m.disability_grade,
                disability_type=m.disability_type,
                illness=m.illness,
                employment=m.employment,
                schooling=m.schooling,
                has_guardian=m.guardian_id is not None,
            )
            for m in members
        ],
        assistance=assistance,
    )


def income_ratio(b: Baseline) -> float | None:
    """Monthly per-capita income as a multiple of the district's dibao line."""
    if not b.members or not b.dibao_line:
        return None
    return round(b.monthly_income / len(b.members) / b.dibao_line, 3)


def _able(m: MemberBaseline) -> bool:
    return 16 <= m.age <= 59 and m.disability_grade not in (1, 2) and m.illness != "serious"


def able_to_work(b: Baseline) -> bool:
    """Whether any member could use employment services: working age (16–59), no grade 1–2
    disability, no serious illness, not recorded as unable to work."""
    return any(_able(m) and m.employment != "unable" for m in b.members)


def _no_employed_member(b: Baseline) -> bool | None:
    """Able working-age members exist and none of them works."""
    able = [m for m in b.members if _able(m)]
    if not able:
        return False
    return not any(m.employment in ("employed", "flexible") for m in able)


def _annual_income(b: Baseline) -> float:
    return b.monthly_income * 12


def _medical_burden(b: Baseline) -> float | None:
    """Out-of-pocket medical spending over the last 12 months as a share of annual income."""
    income = _annual_income(b)
    if income <= 0:
        return 1.0 if b.medical_spending_12m > 0 else 0.0
    return round(b.medical_spending_12m / income, 3)


def _education_burden(b: Baseline) -> float | None:
    income = _annual_income(b)
    if income <= 0:
        return 1.0 if b.education_spending_12m > 0 else 0.0
    return round(b.education_spending_12m / income, 3)


def _child_out_of_school(b: Baseline) -> bool:
    return any(6 <= m.age <= 15 and m.schooling == "not_enrolled" for m in b.members)


def _minor_without_guardian(b: Baseline) -> bool | None:
    """A minor with no recorded guardian and no adult head or spouse in the household."""
    minors = [m for m in b.members if m.age < 18]
    if not minors:
        return False
    parents = [m for m in b.members if m.relation in ("head", "spouse") and m.age >= 18]
    if parents:
        return None  # the registry cannot tell whether guardianship is effective: ask
    return not all(m.has_guardian for m in minors)


PREFILLS: dict[str, Callable[[Baseline], object]] = {
    "income_ratio": income_ratio,
    "no_employed_member": _no_employed_member,
    "medical_burden": _medical_burden,
    "education_burden": _education_burden,
    "child_out_of_school": _child_out_of_school,
    "minor_without_guardian": _minor_without_guardian,
}


def prefilled_answers(indicators, baseline: Baseline) -> dict[str, object]:
    """Suggested answers for the indicators that name a pre-fill source."""
    answers: dict[str, object] = {}
    for indicator in indicators:
        if indicator.prefill in PREFILLS:
            value = PREFILLS[indicator.prefill](baseline)
            if value is not None:
                answers[indicator.code] = value
    return answers
