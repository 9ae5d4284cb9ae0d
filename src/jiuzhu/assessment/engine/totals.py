"""Sufficient statistics: the sums over households that every Alkire–Foster measure is a ratio of.

Given the weights and k, every measure (H, A, M0, headcounts, contributions, bands, subgroups,
the score distribution) is a ratio of sums over households of something that depends only on the
household's subgroup, deprivation row and sample weight. `Stats` holds those sums; two Stats of
disjoint sets of households add up to the Stats of their union. That is what lets the engine
stream a table far larger than memory (stream.py): one Stats per row group, added, then the same
final arithmetic as for a table held whole.

Unweighted sums are integer counts held in float64, exact below 2**53; sums of mass * S likewise,
so each unweighted measure is one division of exact integers and hence correctly rounded, however
the households were split. Weighted sums are float sums whose order depends on the split (results
then agree to rounding, ~1e-15 relative).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .cells import MAX_CELLS, Cells
from .evaluate import SEVERE_CUTOFF, VULNERABLE_CUTOFF
from .patterns import any_columns
from .results import GroupMeasures, ScoreCount
from .weights import WeightScale


@dataclass
class Stats:
    """Sums over the households seen so far (masses are row counts, or sample-weight sums).

    Group arrays are indexed by group code (length 1 and ignored without a decomposition);
    `score_keys` are the distinct scaled scores (integers, or floats rounded to 1e-9 in the
    float fallback) with the rows and mass at each.
    """

    weighted: bool
    n_all: int
    missing: np.ndarray
    rows: int
    q: int
    total: float
    poor_mass: float
    censored_sum: float
    vulnerable: float
    severe: float
    critical: float
    uncensored: np.ndarray
    censored: np.ndarray
    group_rows: np.ndarray
    group_poor_rows: np.ndarray
    group_mass: np.ndarray
    group_poor_mass: np.ndarray
    group_csum: np.ndarray
    score_keys: np.ndarray
    score_rows: np.ndarray
    score_mass: np.ndarray

    GROUP_FIELDS = ("group_rows", "group_poor_rows", "group_mass", "group_poor_mass", "group_csum")

    def regroup(self, mapping: np.ndarray, size: int) -> Stats:
        """The same sums with group code g renumbered mapping[g] among `size` groups."""
        out = {
            # Without groups the arrays hold one (empty) slot that mapping does not cover.
            name: np.bincount(mapping, weights=getattr(self, name)[: len(mapping)], minlength=size)
            for name in self.GROUP_FIELDS
        }
        return _replace(self, **out)

    def __add__(self, other: Stats) -> Stats:
        """Statistics of the union of two disjoint sets of households (same group numbering)."""
        if self.weighted != other.weighted:
            raise ValueError("cannot add weighted and unweighted statistics")
        size = max(len(self.group_rows), len(other.group_rows))
        keys = np.concatenate([self.score_keys, other.score_keys])
        uniq, inverse = np.unique(keys, return_inverse=True)
        merged = {
            name: _padded(getattr(self, name), size) + _padded(getattr(other, name), size)
            for name in self.GROUP_FIELDS
        }
        scalars = (
            "n_all",
            "rows",
            "q",
            "total",
            "poor_mass",
            "censored_sum",
            "vulnerable",
            "severe",
            "critical",
        )
        return _replace(
            self,
            **{name: getattr(self, name) + getattr(other, name) for name in scalars},
            missing=self.missing + other.missing,
            uncensored=self.uncensored + other.uncensored,
            censored=self.censored + other.censored,
            **merged,
            score_keys=uniq,
            score_rows=np.bincount(
                inverse,
                weights=np.concatenate([self.score_rows, other.score_rows]),
                minlength=len(uniq),
            ),
            score_mass=np.bincount(
                inverse,
                weights=np.concatenate([self.score_mass, other.score_mass]),
                minlength=len(uniq),
            ),
        )


def _padded(values: np.ndarray, size: int) -> np.ndarray:
    return np.pad(values, (0, size - len(values))) if len(values) < size else values


def _replace(stats: Stats, **changes: object) -> Stats:
    fields = {name: getattr(stats, name) for name in Stats.__dataclass_fields__}
    fields.update(changes)
    return Stats(**fields)  # type: ignore[arg-type]


def stats_from_cells(
    scale: WeightScale,
    cells: Cells,
    k: Fraction,
    n_groups: int,
    flags: np.ndarray | None,
    n_all: int,
    missing: np.ndarray,
) -> Stats:
    """Sum everything the measures need over cells (or rows, when cells.per_row)."""
    scaled = scale.scaled_scores(cells.g0)
    poor = scale.at_least(scaled, k)
    fmass = cells.mass.astype(np.float64)
    frows = cells.rows.astype(np.float64)
    censored = np.where(poor, scaled, 0).astype(np.float64)
    d = cells.g0.shape[1]

    def mass(mask: np.ndarray | None) -> float:
        if mask is None:
            return float(cells.mass.sum())
        if cells.per_row and not cells.weighted:
            return float(np.count_nonzero(mask))
        return float((cells.mass * mask).sum())  # much faster than np.sum(where=mask)

    size, code = max(n_groups, 1), cells.group
    critical = 0.0
    if flags is not None and flags.any():
        critical = mass(any_columns(cells.g0[:, flags]))
    if scale.exact and scale.unit <= MAX_CELLS:  # scores are integers 0..D: count directly
        counts = np.bincount(scaled, weights=frows, minlength=scale.unit + 1)
        keys = np.flatnonzero(counts)
        score_rows = counts[keys]
        score_mass = np.bincount(scaled, weights=fmass, minlength=scale.unit + 1)[keys]
    else:
        rounded = scaled if scale.exact else np.round(scaled, 9)
        # Indexed rather than unpacked: mypy 1.19 crashes unpacking numpy's overloaded tuple.
        unique = np.unique(rounded, return_inverse=True)
        keys, inverse = unique[0], unique[1]
        score_rows = np.bincount(inverse, weights=frows, minlength=len(keys))
        score_mass = np.bincount(inverse, weights=fmass, minlength=len(keys))
    return Stats(
        weighted=cells.weighted,
        n_all=n_all,
        missing=np.asarray(missing, dtype=np.int64),
        rows=int(cells.rows.sum()),
        q=int((cells.rows * poor).sum()),
        total=mass(None),
        poor_mass=mass(poor),
        censored_sum=float(np.sum(fmass * censored)),
        vulnerable=mass(scale.at_least(scaled, VULNERABLE_CUTOFF) & ~poor),
        severe=mass(scale.at_least(scaled, SEVERE_CUTOFF)),
        critical=critical,
        uncensored=np.array([mass(cells.g0[:, j]) for j in range(d)], dtype=np.float64),
        censored=np.array([mass(cells.g0[:, j] & poor) for j in range(d)], dtype=np.float64),
        group_rows=np.bincount(code, weights=frows, minlength=size),
        group_poor_rows=np.bincount(code, weights=frows * poor, minlength=size),
        group_mass=np.bincount(code, weights=fmass, minlength=size),
        group_poor_mass=np.bincount(code, weights=fmass * poor, minlength=size),
        group_csum=np.bincount(code, weights=fmass * censored, minlength=size),
        score_keys=keys,
        score_rows=score_rows,
        score_mass=score_mass,
    )


class Totals:
    """The measures as ratios of the sufficient statistics."""

    def __init__(self, scale: WeightScale, stats: Stats) -> None:
        self.scale, self.stats = scale, stats
        unit = scale.unit
        self.q = stats.q
        self.total = stats.total
        self.poor_mass = stats.poor_mass
        self.censored_sum = stats.censored_sum
        self.A = self.censored_sum / (self.poor_mass * unit) if self.poor_mass else 0.0
        self.M0 = self.censored_sum / (self.total * unit) if self.total else 0.0

    def ratio(self, mass: float) -> float:
        """mass / total population (0 for an empty population)."""
        return mass / self.total if self.total else 0.0

    def contribution_numerator(self, j: int) -> float:
        """W_j times the censored mass of indicator j, on the scale of censored_sum."""
        if self.scale.exact:
            return float(int(self.scale.integer_weights[j]) * self.stats.censored[j])
        return float(self.scale.float_weights[j] * self.stats.censored[j])

    def share_of_m0(self, numerator: float) -> float:
        """A part of the censored score sum as a share of it (0 when M0 = 0)."""
        return numerator / self.censored_sum if self.censored_sum else 0.0

    def groups(self, labels: list[str]) -> tuple[GroupMeasures, ...]:
        """Subgroup decomposition from the per-group sums."""
        s, unit = self.stats, self.scale.unit
        out = []
        for g, label in enumerate(labels):
            p, c, pm = float(s.group_mass[g]), float(s.group_csum[g]), float(s.group_poor_mass[g])
            out.append(
                GroupMeasures(
                    label=label,
                    n=int(s.group_rows[g]),
                    poor=int(s.group_poor_rows[g]),
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
        s, unit = self.stats, self.scale.unit
        return tuple(
            ScoreCount(
                score=Fraction(int(u), unit) if self.scale.exact else float(u),
                n=int(c),
                share=self.ratio(float(m)),
            )
            for u, c, m in zip(
                s.score_keys.tolist(), s.score_rows.tolist(), s.score_mass.tolist(), strict=True
            )
            if c or m
        )
