"""Result types of the measures, and their JSON shape (the CLI's `--format json`)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any


@dataclass(frozen=True)
class IndicatorMeasures:
    """Per-indicator results; headcounts are ratios, contribution is a share of M0."""

    name: str
    dimension: str | None
    weight: Fraction
    critical: bool
    missing: int
    uncensored_headcount: float
    censored_headcount: float
    contribution: float


@dataclass(frozen=True)
class DimensionMeasures:
    """A dimension's weight and contribution (sum over its indicators)."""

    name: str
    weight: Fraction
    contribution: float


@dataclass(frozen=True)
class GroupMeasures:
    """One subgroup: M0 = sum over groups of population_share * M0_l; contributions sum to 1."""

    label: str
    n: int
    poor: int
    population_share: float
    H: float
    A: float
    M0: float
    contribution: float


@dataclass(frozen=True)
class ScoreCount:
    """How many households (and what weighted share) have exactly this score."""

    score: Fraction | float
    n: int
    share: float


@dataclass(frozen=True)
class Measures:
    """The full set of measures for one run; `to_dict()` is the CLI's JSON shape."""

    framework: str | None
    k: Fraction
    n: int
    poor: int
    excluded: int
    missing: dict[str, int]
    H: float
    A: float
    M0: float
    vulnerable: float
    severe: float
    critical: float | None
    indicators: tuple[IndicatorMeasures, ...]
    dimensions: tuple[DimensionMeasures, ...]
    groups: tuple[GroupMeasures, ...] | None
    distribution: tuple[ScoreCount, ...]
    denominator: int | None
    weighted: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (see docs/assessment-engine.md for the shape)."""
        out: dict[str, Any] = {
            "framework": self.framework,
            "k": float(self.k),
            "k_exact": str(self.k),
            "n": self.n,
            "poor": self.poor,
            "excluded": self.excluded,
            "missing": dict(self.missing),
            "H": self.H,
            "A": self.A,
            "M0": self.M0,
            "vulnerable": self.vulnerable,
            "severe": self.severe,
            "critical": self.critical,
            "weighted": self.weighted,
            "exact": self.denominator is not None,
            "denominator": self.denominator,
            "indicators": {i.name: _indicator_dict(i) for i in self.indicators},
            "dimensions": {
                d.name: {"weight": float(d.weight), "contribution": d.contribution}
                for d in self.dimensions
            },
            "distribution": [
                {"score": float(c.score), "score_exact": str(c.score), "n": c.n, "share": c.share}
                for c in self.distribution
            ],
        }
        if self.groups is not None:
            out["groups"] = {
                g.label: {
                    "n": g.n,
                    "poor": g.poor,
                    "population_share": g.population_share,
                    "H": g.H,
                    "A": g.A,
                    "M0": g.M0,
                    "contribution": g.contribution,
                }
                for g in self.groups
            }
        return out


def _indicator_dict(i: IndicatorMeasures) -> dict[str, Any]:
    return {
        "dimension": i.dimension,
        "weight": float(i.weight),
        "critical": i.critical,
        "missing": i.missing,
        "uncensored_headcount": i.uncensored_headcount,
        "censored_headcount": i.censored_headcount,
        "contribution": i.contribution,
    }
