"""Alkire–Foster measures: H, A, M0, headcounts, contributions, bands, subgroups, distribution.

Everything is a handful of vectorised passes over the households (counts, dot products and
np.bincount per subgroup). Unweighted results are ratios of integers that are exact below 2**53,
so they are the correctly rounded values (e.g. M0 == 0.35 exactly in the hand-worked tests).
With sample weights s_i every mean is s-weighted and population shares are weighted; n and poor
stay row counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from .errors import DataError
from .evaluate import SEVERE_CUTOFF, VULNERABLE_CUTOFF, Evaluation
from .groups import factorize
from .values import ColumnLike
from .weights import FractionLike, WeightScale, parse_cutoff, parse_fraction


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


def compute_measures(
    data: Evaluation | np.ndarray,
    weights: Sequence[FractionLike] | None = None,
    k: FractionLike | None = None,
    groups: ColumnLike | None = None,
    sample_weights: ColumnLike | None = None,
    *,
    indicator_names: Sequence[str] | None = None,
    dimensions: Mapping[str, Sequence[str]] | None = None,
    missing: np.ndarray | None = None,
) -> Measures:
    """All measures from an Evaluation (weights, k and names from its framework unless given)
    or from a raw 0/1 deprivation matrix (weights and k required; NaN cells count as missing)."""
    if isinstance(data, Evaluation):
        fw = data.framework
        g0, miss = data.g0, data.missing
        names = [i.name for i in fw.indicators]
        dims = {d.name: [i.name for i in d.indicators] for d in fw.dimensions}
        flags: np.ndarray | None = np.array(fw.critical_flags, dtype=bool)
        cutoff = data.k if k is None else parse_cutoff(k, "k", DataError)
        scale = fw.scale if weights is None else _scale(weights, len(names))
        name: str | None = fw.name
    else:
        g0, miss = _raw_matrix(data, missing)
        if weights is None or k is None:
            raise DataError("weights and k are required with a raw deprivation matrix")
        names = list(indicator_names or [f"i{j + 1}" for j in range(g0.shape[1])])
        if len(names) != g0.shape[1]:
            raise DataError(f"{len(names)} indicator names for {g0.shape[1]} columns")
        dims = {key: list(v) for key, v in (dimensions or {}).items()}
        flags, cutoff, name = None, parse_cutoff(k, "k", DataError), None
        scale = _scale(weights, g0.shape[1])
    return _measures(g0, miss, scale, cutoff, names, dims, flags, groups, sample_weights, name)


def _scale(weights: Sequence[FractionLike], d: int) -> WeightScale:
    ws = [parse_fraction(w, f"weight {j + 1}", DataError) for j, w in enumerate(weights)]
    if len(ws) != d:
        raise DataError(f"{len(ws)} weights for {d} indicators")
    if any(w <= 0 for w in ws) or sum(ws) != 1:
        raise DataError(f"weights must be positive and sum to 1, got {[str(w) for w in ws]}")
    return WeightScale.from_weights(ws)


def _raw_matrix(data: np.ndarray, missing: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    arr = np.asarray(data)
    if arr.ndim != 2:
        raise DataError(f"deprivation matrix must be 2-D, got shape {arr.shape}")
    miss = np.isnan(arr) if arr.dtype.kind == "f" else np.zeros(arr.shape, dtype=bool)
    if missing is not None:
        miss = miss | np.asarray(missing, dtype=bool)
    if arr.dtype.kind != "b":
        bad = ~miss & (arr != 0) & (arr != 1)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise DataError(
                f"deprivation matrix row {i + 1}, column {j + 1}: {arr[i, j]!r} is not 0/1"
            )
    return (arr == 1) & ~miss, miss


def _sample_weights(values: ColumnLike, n: int) -> np.ndarray:
    try:
        s = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError("sample weights must be numbers") from None
    if s.shape != (n,):
        raise DataError(f"sample weights must have one value per household ({n}), got {s.shape}")
    bad = ~np.isfinite(s) | (s < 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(f"sample weight in row {i + 1} must be a finite number >= 0, got {s[i]!r}")
    return s


def _measures(
    g0_all: np.ndarray,
    miss_all: np.ndarray,
    scale: WeightScale,
    k: Fraction,
    names: list[str],
    dims: dict[str, list[str]],
    flags: np.ndarray | None,
    groups: ColumnLike | None,
    sample_weights: ColumnLike | None,
    framework: str | None,
) -> Measures:
    n_all = g0_all.shape[0]
    missing = {nm: int(c) for nm, c in zip(names, miss_all.sum(axis=0).tolist(), strict=True)}
    complete = ~miss_all.any(axis=1)
    all_complete = bool(complete.all())
    g0 = g0_all if all_complete else g0_all[complete]
    s = None if sample_weights is None else _sample_weights(sample_weights, n_all)
    if s is not None and not all_complete:
        s = s[complete]
    stats = _Totals(scale, g0, s, k)
    indicators = tuple(
        IndicatorMeasures(
            name=nm,
            dimension=next((d for d, members in dims.items() if nm in members), None),
            weight=scale.weights[j],
            critical=bool(flags[j]) if flags is not None else False,
            missing=missing[nm],
            uncensored_headcount=stats.ratio(stats.mass(g0[:, j])),
            censored_headcount=stats.ratio(stats.mass(g0[:, j] & stats.poor)),
            contribution=stats.share_of_m0(stats.contribution_numerator(j)),
        )
        for j, nm in enumerate(names)
    )
    index = {nm: j for j, nm in enumerate(names)}
    dimensions = tuple(
        DimensionMeasures(
            name=d,
            weight=sum((scale.weights[index[m]] for m in members), Fraction(0)),
            contribution=stats.share_of_m0(
                sum(stats.contribution_numerator(index[m]) for m in members)
            ),
        )
        for d, members in dims.items()
    )
    critical = None
    if flags is not None:
        crit = g0[:, flags].any(axis=1) if flags.any() else np.zeros(g0.shape[0], dtype=bool)
        critical = stats.ratio(stats.mass(crit))
    group_measures = None
    if groups is not None:
        codes, labels = factorize(groups)
        if len(codes) != n_all:
            raise DataError(f"groups must have one value per household ({n_all}), got {len(codes)}")
        group_measures = stats.groups(codes if all_complete else codes[complete], labels)
    return Measures(
        framework=framework,
        k=k,
        n=int(g0.shape[0]),
        poor=stats.q,
        excluded=int(n_all - g0.shape[0]),
        missing=missing,
        H=stats.ratio(stats.poor_mass),
        A=stats.A,
        M0=stats.M0,
        vulnerable=stats.ratio(stats.mass(stats.vulnerable)),
        severe=stats.ratio(stats.mass(stats.severe)),
        critical=critical,
        indicators=indicators,
        dimensions=dimensions,
        groups=group_measures,
        distribution=stats.distribution(),
        denominator=scale.denominator,
        weighted=s is not None,
    )


class _Totals:
    """Scaled scores, poverty masks and weighted totals shared by all the measures."""

    def __init__(self, scale: WeightScale, g0: np.ndarray, s: np.ndarray | None, k: Fraction):
        self.scale, self.g0, self.s = scale, g0, s
        self.scaled = scale.scaled_scores(g0)
        self.poor = scale.at_least(self.scaled, k)
        self.q = int(np.count_nonzero(self.poor))
        self.vulnerable = scale.at_least(self.scaled, VULNERABLE_CUTOFF) & ~self.poor
        self.severe = scale.at_least(self.scaled, SEVERE_CUTOFF)
        self.total = self.mass(np.ones(g0.shape[0], dtype=bool))
        self.poor_mass = self.mass(self.poor)
        weighted = self.scaled if s is None else self.scaled * s
        self.censored_sum = float(np.sum(weighted, where=self.poor, dtype=np.float64))
        # One division of (near-)exact integers each, so unweighted results are correctly rounded.
        self.A = self.censored_sum / (self.poor_mass * scale.unit) if self.poor_mass else 0.0
        self.M0 = self.censored_sum / (self.total * scale.unit) if self.total else 0.0

    def mass(self, mask: np.ndarray) -> float:
        """Number of rows in mask, or their total sample weight."""
        if self.s is None:
            return int(np.count_nonzero(mask))
        return float(np.sum(self.s, where=mask))

    def ratio(self, mass: float) -> float:
        """mass / total population (0 for an empty population)."""
        return mass / self.total if self.total else 0.0

    def contribution_numerator(self, j: int) -> float:
        """W_j * censored mass of indicator j, on the same scale as censored_sum."""
        w = self.scale.integer_weights[j] if self.scale.exact else self.scale.float_weights[j]
        mass = self.mass(self.g0[:, j] & self.poor)
        return int(w) * mass if self.scale.exact and self.s is None else float(w) * mass

    def share_of_m0(self, numerator: float) -> float:
        """A part of the censored score sum as a share of it (0 when M0 = 0)."""
        return numerator / self.censored_sum if self.censored_sum else 0.0

    def groups(self, codes: np.ndarray, labels: list[str]) -> tuple[GroupMeasures, ...]:
        """Subgroup decomposition with np.bincount: one pass per quantity, no loop over rows."""
        size = len(labels)
        rows = np.bincount(codes, minlength=size)
        poor_rows = np.bincount(codes[self.poor], minlength=size)
        s = self.s if self.s is not None else None
        pop = rows.astype(np.float64) if s is None else np.bincount(codes, s, size)
        poor_w = self.poor if s is None else self.poor * s
        poor_mass = np.bincount(codes, poor_w.astype(np.float64), size)
        csum_w = np.where(self.poor, self.scaled if s is None else self.scaled * s, 0)
        csum = np.bincount(codes, csum_w.astype(np.float64), size)
        unit = self.scale.unit
        out = []
        for g, label in enumerate(labels):
            p, c, pm = float(pop[g]), float(csum[g]), float(poor_mass[g])
            out.append(
                GroupMeasures(
                    label=label,
                    n=int(rows[g]),
                    poor=int(poor_rows[g]),
                    population_share=self.ratio(p),
                    H=pm / p if p else 0.0,
                    A=c / (pm * unit) if pm else 0.0,
                    M0=c / (p * unit) if p else 0.0,
                    contribution=self.share_of_m0(c),
                )
            )
        return tuple(out)

    def distribution(self) -> tuple[ScoreCount, ...]:
        """Households per distinct score (exact Fractions when the denominator is in use)."""
        keys = self.scaled if self.scale.exact else np.round(self.scaled, 9)
        uniq, inverse = np.unique(keys, return_inverse=True)
        counts = np.bincount(inverse, minlength=len(uniq))
        mass = (
            counts.astype(np.float64) if self.s is None else np.bincount(inverse, self.s, len(uniq))
        )
        unit = self.scale.unit
        return tuple(
            ScoreCount(
                score=Fraction(int(u), unit) if self.scale.exact else float(u),
                n=int(c),
                share=self.ratio(float(m)),
            )
            for u, c, m in zip(uniq.tolist(), counts.tolist(), mass.tolist(), strict=True)
        )
