"""Population totals over cells: the arithmetic behind every Alkire–Foster measure."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .cells import MAX_CELLS, Cells
from .evaluate import SEVERE_CUTOFF, VULNERABLE_CUTOFF
from .results import GroupMeasures, ScoreCount
from .weights import WeightScale


class Totals:
    """Scores, poverty masks and population totals over the cells, shared by every measure.

    Unweighted masses are integers; sums of mass * S are taken in float64, exact below 2**53, so
    each measure is one division of exact integers and hence correctly rounded.
    """

    def __init__(self, scale: WeightScale, cells: Cells, k: Fraction) -> None:
        self.scale, self.cells = scale, cells
        self.scaled = scale.scaled_scores(cells.g0)
        self.poor = scale.at_least(self.scaled, k)
        self.q = int((cells.rows * self.poor).sum())
        self.vulnerable = scale.at_least(self.scaled, VULNERABLE_CUTOFF) & ~self.poor
        self.severe = scale.at_least(self.scaled, SEVERE_CUTOFF)
        self.total = self.mass(None)
        self.poor_mass = self.mass(self.poor)
        self.fmass = cells.mass.astype(np.float64)
        self.censored = np.where(self.poor, self.scaled, 0).astype(np.float64)
        self.censored_sum = float(np.sum(self.fmass * self.censored))
        self.censored_mass = [
            self.mass(cells.g0[:, j] & self.poor) for j in range(cells.g0.shape[1])
        ]
        unit = scale.unit
        self.A = self.censored_sum / (self.poor_mass * unit) if self.poor_mass else 0.0
        self.M0 = self.censored_sum / (self.total * unit) if self.total else 0.0

    def mass(self, mask: np.ndarray | None) -> float:
        """Households in mask (an int), or their total sample weight (a float)."""
        cells = self.cells
        if mask is None:
            total = cells.mass.sum()
        elif cells.per_row and not cells.weighted:
            total = np.count_nonzero(mask)
        else:
            total = (cells.mass * mask).sum()  # much faster than np.sum(where=mask)
        return float(total) if cells.weighted else int(total)

    def ratio(self, mass: float) -> float:
        """mass / total population (0 for an empty population)."""
        return mass / self.total if self.total else 0.0

    def contribution_numerator(self, j: int) -> float:
        """W_j times the censored mass of indicator j, on the scale of censored_sum."""
        if self.scale.exact:
            return int(self.scale.integer_weights[j]) * self.censored_mass[j]
        return float(self.scale.float_weights[j]) * self.censored_mass[j]

    def share_of_m0(self, numerator: float) -> float:
        """A part of the censored score sum as a share of it (0 when M0 = 0)."""
        return numerator / self.censored_sum if self.censored_sum else 0.0

    def groups(self, labels: list[str]) -> tuple[GroupMeasures, ...]:
        """Subgroup decomposition: one np.bincount per quantity over the cells."""
        size, code = len(labels), self.cells.group
        rows = np.bincount(code, weights=self.cells.rows, minlength=size)
        poor_rows = np.bincount(code, weights=self.cells.rows * self.poor, minlength=size)
        pop = np.bincount(code, weights=self.fmass, minlength=size)
        poor_mass = np.bincount(code, weights=self.fmass * self.poor, minlength=size)
        csum = np.bincount(code, weights=self.fmass * self.censored, minlength=size)
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
        unit = self.scale.unit
        if self.scale.exact and unit <= MAX_CELLS:  # scores are integers 0..D: count directly
            rows = np.bincount(self.scaled, weights=self.cells.rows, minlength=unit + 1)
            present = np.flatnonzero(rows)
            uniq, counts = present, rows[present]
            mass = np.bincount(self.scaled, weights=self.fmass, minlength=unit + 1)[present]
        else:
            keys = self.scaled if self.scale.exact else np.round(self.scaled, 9)
            uniq, inverse = np.unique(keys, return_inverse=True)
            counts = np.bincount(inverse, weights=self.cells.rows, minlength=len(uniq))
            mass = np.bincount(inverse, weights=self.fmass, minlength=len(uniq))
        return tuple(
            ScoreCount(
                score=Fraction(int(u), unit) if self.scale.exact else float(u),
                n=int(c),
                share=self.ratio(float(m)),
            )
            for u, c, m in zip(uniq.tolist(), counts.tolist(), mass.tolist(), strict=True)
        )
