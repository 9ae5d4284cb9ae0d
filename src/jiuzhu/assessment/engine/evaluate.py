"""From raw household data to deprivations and scores: the batch path and the one-household path.

Missing data: a household missing any indicator is left out of the measures (listwise exclusion,
as OPHI does) and is never treated as "not deprived". The batch path marks it incomplete; the
one-household path says which indicators are missing and whether the answer is already decided.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .errors import DataError
from .framework import Framework
from .patterns import any_columns
from .values import ColumnLike, Place, as_column
from .weights import FractionLike, WeightScale, parse_cutoff

VULNERABLE_CUTOFF = Fraction(1, 5)
SEVERE_CUTOFF = Fraction(1, 2)


@dataclass(frozen=True)
class Evaluation:
    """Deprivations and scores of n households under one framework.

    `integer_scores` are S_i = sum of the integer weights of the *observed* deprivations (float
    scores in the tolerance fallback); `scores` are S_i / D, NaN for incomplete households.
    `poor` is False for incomplete households: they are excluded, not classified.
    """

    framework: Framework
    k: Fraction
    g0: np.ndarray
    missing: np.ndarray
    integer_scores: np.ndarray
    scores: np.ndarray
    complete: np.ndarray
    poor: np.ndarray
    critical: np.ndarray

    @property
    def n(self) -> int:
        """Number of households evaluated (complete or not)."""
        return int(self.g0.shape[0])

    @property
    def scale(self) -> WeightScale:
        """The framework's weights on their integer denominator."""
        return self.framework.scale


def evaluate(
    framework: Framework,
    columns: Mapping[str, ColumnLike],
    k: FractionLike | None = None,
    *,
    row_offset: int = 0,
) -> Evaluation:
    """Apply every indicator's rule to its column and score the households (vectorised).

    `row_offset` is the number of rows before these (when scoring a long table in chunks), so
    that a message names the row of the whole table."""
    return _evaluate(framework, columns, k, with_rows=True, row_offset=row_offset)


def require_columns(framework: Framework, names: Sequence[str]) -> None:
    """A DataError naming the first indicator whose column is not among `names`."""
    present = set(names)
    for ind in framework.indicators:
        if ind.column not in present:
            known = ", ".join(repr(c) for c in list(names)[:30]) or "none"
            raise DataError(
                f"indicator '{ind.name}' needs column '{ind.column}', which is not in the data "
                f"(columns: {known})"
            )


def _evaluate(
    framework: Framework,
    columns: Mapping[str, ColumnLike],
    k: FractionLike | None,
    with_rows: bool,
    row_offset: int,
) -> Evaluation:
    cutoff = framework.k if k is None else parse_cutoff(k, "poverty cutoff", DataError)
    g0, missing = _deprivations(framework, columns, with_rows, row_offset)
    return evaluation_from_g0(framework, g0, missing, cutoff)


def deprivations(
    framework: Framework, columns: Mapping[str, ColumnLike], *, row_offset: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Only the rules: (g0, missing), n x d column-major, g0 False wherever missing.

    For callers that reduce the rows to sums themselves (the measures of a streamed table):
    the per-household scores `evaluate` also computes would be work thrown away."""
    return _deprivations(framework, columns, True, row_offset)


def _deprivations(
    framework: Framework,
    columns: Mapping[str, ColumnLike],
    with_rows: bool,
    row_offset: int,
) -> tuple[np.ndarray, np.ndarray]:
    indicators = framework.indicators
    require_columns(framework, list(columns))
    arrays = {}
    for ind in indicators:
        arrays[ind.column] = as_column(columns[ind.column])
    lengths = {len(a) for a in arrays.values()}
    if len(lengths) > 1:
        raise DataError(f"columns have different lengths: {sorted(lengths)}")
    n = lengths.pop()
    g0 = np.empty((n, len(indicators)), dtype=bool, order="F")
    missing = np.empty((n, len(indicators)), dtype=bool, order="F")
    for j, ind in enumerate(indicators):
        place = Place(f"indicator '{ind.name}' (column '{ind.column}')", with_rows, row_offset)
        g0[:, j], missing[:, j] = ind.rule.apply(arrays[ind.column], place)
    return g0, missing


def evaluation_from_g0(
    framework: Framework,
    g0: np.ndarray,
    missing: np.ndarray | None = None,
    k: Fraction | None = None,
) -> Evaluation:
    """Score an already-known deprivation matrix (e.g. deprivations stored in the database)."""
    g0 = np.asarray(g0, dtype=bool)
    if g0.ndim != 2 or g0.shape[1] != len(framework.indicators):
        raise DataError(
            f"deprivation matrix must have {len(framework.indicators)} columns, got {g0.shape}"
        )
    missing = np.zeros(g0.shape, dtype=bool) if missing is None else np.asarray(missing, bool)
    incomplete = any_columns(missing)
    if incomplete.any():
        g0 = g0 & ~missing
    scale = framework.scale
    scaled = scale.scaled_scores(g0)
    complete = ~incomplete
    cutoff = framework.k if k is None else k
    scores = scale.to_float(scaled)
    scores[incomplete] = np.nan
    critical = any_columns(g0[:, np.array(framework.critical_flags, dtype=bool)])
    return Evaluation(
        framework=framework,
        k=cutoff,
        g0=g0,
        missing=missing,
        integer_scores=scaled,
        scores=scores,
        complete=complete,
        poor=complete & scale.at_least(scaled, cutoff),
        critical=critical,
    )


def critical_households(evaluation: Evaluation) -> np.ndarray:
    """Which households are deprived in at least one critical indicator (missing rows included)."""
    return evaluation.critical


@dataclass(frozen=True)
class HouseholdScore:
    """One household's result, exact. With missing answers `score` counts observed deprivations
    only, and poor/vulnerable/severe are None unless the missing answers cannot change them."""

    deprived: tuple[str, ...]
    missing: tuple[str, ...]
    critical_deprivations: tuple[str, ...]
    score: Fraction
    max_score: Fraction
    k: Fraction
    poor: bool | None
    vulnerable: bool | None
    severe: bool | None

    @property
    def score_float(self) -> float:
        """The score as a float, for display."""
        return float(self.score)

    @property
    def complete(self) -> bool:
        """True when every indicator was answered."""
        return not self.missing

    @property
    def critical(self) -> bool:
        """True when any critical indicator is deprived."""
        return bool(self.critical_deprivations)


def score_household(
    framework: Framework, answers: Mapping[str, object], k: FractionLike | None = None
) -> HouseholdScore:
    """Score one household from its answers keyed by column; an absent key is a missing answer."""
    cutoff = framework.k if k is None else parse_cutoff(k, "poverty cutoff", DataError)
    columns = {i.column: [answers.get(i.column)] for i in framework.indicators}
    ev = _evaluate(framework, columns, cutoff, with_rows=False, row_offset=0)
    inds = framework.indicators
    deprived = tuple(i.name for j, i in enumerate(inds) if ev.g0[0, j])
    missing = tuple(i.name for j, i in enumerate(inds) if ev.missing[0, j])
    low = sum((i.weight for j, i in enumerate(inds) if ev.g0[0, j]), Fraction(0))
    high = low + sum((i.weight for j, i in enumerate(inds) if ev.missing[0, j]), Fraction(0))
    return HouseholdScore(
        deprived=deprived,
        missing=missing,
        critical_deprivations=tuple(
            i.name for j, i in enumerate(inds) if ev.g0[0, j] and i.critical
        ),
        score=low,
        max_score=high,
        k=cutoff,
        poor=_decided(low >= cutoff, high >= cutoff),
        vulnerable=_decided(
            low >= VULNERABLE_CUTOFF and high < cutoff,
            high >= VULNERABLE_CUTOFF and low < cutoff,
        ),
        severe=_decided(low >= SEVERE_CUTOFF, high >= SEVERE_CUTOFF),
    )


def _decided(certain: bool, possible: bool) -> bool | None:
    """True if certain whatever the missing answers are, False if impossible, else None."""
    if certain:
        return True
    return False if not possible else None
