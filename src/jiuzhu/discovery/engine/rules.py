"""Early-warning rules (预警规则) evaluated on plain data.

A rule is data (:class:`RuleSpec`: kind, thresholds, grade, verification deadline, the
indicator it moves), configured and versioned by the city; this module only knows how each
*kind* reads a person's or a household's department records. Each hit carries its explanation:
which record, which rule and version, the value, the threshold and the indicator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

GRADES = ("red", "orange", "yellow", "blue")  # 分级预警: most to least urgent


@dataclass(frozen=True)
class RuleSpec:
    code: str
    version: int
    kind: str
    params: dict[str, Any]
    grade: str
    verify_days: int
    indicator: str


class Fact(NamedTuple):
    """One department record of one person, with what the registry knows of that person (a
    named tuple: an import builds one per record, hundreds of thousands)."""

    record_id: int
    source: str
    on: dt.date
    values: dict[str, Any]
    relation: str = ""  # the person's relation to the head ("" for a potential case)
    birth_date: dt.date | None = None
    employed: bool = False


@dataclass(frozen=True)
class Subject:
    """A registered household (tier, monthly income) or a potential case (tier "")."""

    tier: str = ""
    monthly_income: Decimal = Decimal(0)
    earners: int = 0  # members in work


@dataclass(frozen=True)
class Hit:
    rule: str
    version: int
    record_id: int
    value: str
    threshold: str
    indicator: str
    grade: str
    detail: dict[str, Any] = field(default_factory=dict)

    def explanation(self, source: str) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "version": self.version,
            "record": self.record_id,
            "source": source,
            "value": self.value,
            "threshold": self.threshold,
            "indicator": self.indicator,
            **self.detail,
        }


def _months_before(day: dt.date, months: int) -> dt.date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _age_on(birth: dt.date | None, on: dt.date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _recent(facts: Sequence[Fact], source: str, today: dt.date, days: int) -> list[Fact]:
    since = today - dt.timedelta(days=days)
    return [f for f in facts if f.source == source and since <= f.on <= today]


def _hit(rule: RuleSpec, fact: Fact, value: object, threshold: object, **detail: Any) -> Hit:
    return Hit(
        rule.code,
        rule.version,
        fact.record_id,
        str(value),
        str(threshold),
        rule.indicator,
        rule.grade,
        detail,
    )


def medical_out_of_pocket(
    rule: RuleSpec, facts: Sequence[Fact], subject: Subject, today: dt.date
) -> list[Hit]:
    """Out-of-pocket medical costs over ``months`` (12) at or above ``amount`` yuan, or at or
    above ``share`` of the household's income over the same months (when it has one)."""
    months = int(rule.params.get("months", 12))
    since = _months_before(today, months)
    costs = [f for f in facts if f.source == "medical" and since <= f.on <= today]
    if not costs:
        return []
    total = sum((Decimal(f.values["out_of_pocket"]) for f in costs), Decimal(0))
    amount = Decimal(str(rule.params.get("amount", "20000")))
    threshold = amount
    basis = "amount"
    share = rule.params.get("share")
    if share is not None and subject.monthly_income > 0:
        by_share = (Decimal(str(share)) * subject.monthly_income * months).quantize(Decimal("0.01"))
        if by_share < threshold:
            threshold, basis = by_share, "share"
    if total < threshold:
        return []
    latest = max(costs, key=lambda f: (f.on, f.record_id))
    return [_hit(rule, latest, total, threshold, basis=basis, records=len(costs))]


def long_unemployment(
    rule: RuleSpec, facts: Sequence[Fact], subject: Subject, today: dt.date
) -> list[Hit]:
    """Registered unemployed for ``months`` (6) or more, not ended, in a household of one of
    ``tiers`` (near-dibao)."""
    if subject.tier not in rule.params.get("tiers", ["near_dibao"]):
        return []
    months = int(rule.params.get("months", 6))
    cutoff = _months_before(today, months)
    return [
        _hit(rule, f, f.on.isoformat(), cutoff.isoformat())
        for f in facts
        if f.source == "unemployment" and f.on <= cutoff and not f.values.get("ended_on")
    ]


def severe_disability(
    rule: RuleSpec, facts: Sequence[Fact], subject: Subject, today: dt.date
) -> list[Hit]:
    """A disability of grade ``max_grade`` (2) or more severe certified within ``days`` (90)."""
    worst = int(rule.params.get("max_grade", 2))
    return [
        _hit(rule, f, f.values["grade"], worst)
        for f in _recent(facts, "disability", today, int(rule.params.get("days", 90)))
        if int(f.values["grade"]) <= worst
    ]


def main_earner_death(
    rule: RuleSpec, facts: Sequence[Fact], subject: Subject, today: dt.date
) -> list[Hit]:
    """The death, within ``days`` (90), of the head of household or of a member in work in a
    household with at most one earner."""
    hits = []
    for f in _recent(facts, "death", today, int(rule.params.get("days", 90))):
        if f.relation == "head" or (f.employed and subject.earners <= 1):
            hits.append(_hit(rule, f, f.relation or "-", "head/earner"))
    return hits


def disaster_damage(
    rule: RuleSpec, facts: Sequence[Fact], subject: Subject, today: dt.date
) -> list[Hit]:
    """Disaster damage of at least ``min_loss`` yuan (0) within ``days`` (90)."""
    least = Decimal(str(rule.params.get("min_loss", "0")))
    return [
        _hit(rule, f, f.values["loss"], least)
        for f in _recent(facts, "disaster", today, int(rule.params.get("days", 90)))
        if Decimal(f.values["loss"]) >= least
    ]


def school_leaving(
    rule: RuleSpec, facts: Sequence[Fact], subject: Subject, today: dt.date
) -> list[Hit]:
    """A child under ``max_age`` (18) who left school within ``days`` (180)."""
    limit = int(rule.params.get("max_age", 18))
    hits = []
    for f in _recent(facts, "school", today, int(rule.params.get("days", 180))):
        age = _age_on(f.birth_date, f.on)
        if age is not None and age < limit:
            hits.append(_hit(rule, f, age, limit))
    return hits


def serious_illness(
    rule: RuleSpec, facts: Sequence[Fact], subject: Subject, today: dt.date
) -> list[Hit]:
    """A serious illness (大病) diagnosed within ``days`` (180)."""
    yes = {"是", "Y", "YES", "1", "TRUE", "大病"}
    return [
        _hit(rule, f, f.values["serious"], "是")
        for f in _recent(facts, "illness", today, int(rule.params.get("days", 180)))
        if str(f.values.get("serious", "")).strip().upper() in yes
    ]


def unsafe_housing(
    rule: RuleSpec, facts: Sequence[Fact], subject: Subject, today: dt.date
) -> list[Hit]:
    """A dwelling rated at one of ``levels`` (C, D) within ``days`` (365)."""
    levels = rule.params.get("levels", ["C", "D"])
    return [
        _hit(rule, f, f.values["level"], "/".join(levels))
        for f in _recent(facts, "housing", today, int(rule.params.get("days", 365)))
        if f.values["level"] in levels
    ]


Kind = Callable[[RuleSpec, Sequence[Fact], Subject, dt.date], list[Hit]]
KINDS: dict[str, Kind] = {
    "medical_out_of_pocket": medical_out_of_pocket,
    "long_unemployment": long_unemployment,
    "severe_disability": severe_disability,
    "main_earner_death": main_earner_death,
    "disaster_damage": disaster_damage,
    "school_leaving": school_leaving,
    "serious_illness": serious_illness,
    "unsafe_housing": unsafe_housing,
}
#: The source each kind reads (a new record of that source re-evaluates the rule).
KIND_SOURCE = {
    "medical_out_of_pocket": "medical",
    "long_unemployment": "unemployment",
    "severe_disability": "disability",
    "main_earner_death": "death",
    "disaster_damage": "disaster",
    "school_leaving": "school",
    "serious_illness": "illness",
    "unsafe_housing": "housing",
}


def evaluate(
    rules: Sequence[RuleSpec], facts: Sequence[Fact], subject: Subject, today: dt.date
) -> list[Hit]:
    """Every hit of every rule on one subject's facts."""
    hits: list[Hit] = []
    for rule in rules:
        hits += KINDS[rule.kind](rule, facts, subject, today)
    return hits
