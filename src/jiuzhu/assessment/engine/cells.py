"""Households grouped into cells of identical (subgroup, deprivation pattern).

Every Alkire–Foster measure is a sum over households of something that depends only on the
household's subgroup and deprivation row (and its sample weight, which just adds up). So the
engine first collapses n households into at most G * 2**d cells with one np.bincount, then does
all the arithmetic on the cells. When that table would be large (many indicators or subgroups)
each household is its own cell and the same arithmetic runs on the rows directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .patterns import MAX_PATTERN_BITS, pattern_codes, pattern_matrix

MAX_CELLS = 2**22


@dataclass(frozen=True)
class Cells:
    """m cells: their deprivation rows, subgroup code, household count and population mass."""

    g0: np.ndarray
    group: np.ndarray
    rows: np.ndarray
    mass: np.ndarray
    per_row: bool = False

    @property
    def weighted(self) -> bool:
        """True when mass is a sum of sample weights rather than a row count."""
        return self.mass.dtype.kind == "f"


def build_cells(
    g0: np.ndarray,
    codes: np.ndarray | None,
    n_groups: int,
    sample_weights: np.ndarray | None,
    compress: bool | None = None,
) -> Cells:
    """Collapse households into cells (compress=None decides by size; False keeps rows)."""
    n, d = g0.shape
    size = max(n_groups, 1) * 2**d if d <= MAX_PATTERN_BITS else MAX_CELLS + 1
    if compress is None:
        compress = size <= min(MAX_CELLS, max(16 * n, 4096))
    if not compress or size > MAX_CELLS:
        rows = np.ones(n, dtype=np.int64)
        group = np.zeros(n, dtype=np.intp) if codes is None else codes.astype(np.intp, copy=False)
        mass = rows if sample_weights is None else sample_weights
        return Cells(g0=g0, group=group, rows=rows, mass=mass, per_row=True)
    key = pattern_codes(g0).astype(np.intp)
    if codes is not None:
        key += codes.astype(np.intp) << d
    counts = np.bincount(key, minlength=size)
    present = np.flatnonzero(counts)
    rows = counts[present].astype(np.int64)
    if sample_weights is None:
        mass = rows
    else:
        mass = np.bincount(key, weights=sample_weights, minlength=size)[present]
    return Cells(
        g0=pattern_matrix(present & (2**d - 1), d),
        group=present >> d,
        rows=rows,
        mass=mass,
    )
