"""Exact weights: parsing, nested allocation, and scores on a common integer denominator.

Why integers: a score is a sum of weights and the identification step asks `c_i >= k`. In binary
floating point 0.20 + 0.15 + 0.10 is not 0.45, so a household whose score *is* k could be missed.
Every weight is turned into an exact Fraction from the text the analyst wrote ("0.15" -> 3/20,
"1/3" -> 1/3), all weights are put over their least common denominator D, and scores become
integers S_i = sum_j W_j g0[i,j] with W_j = w_j D. Then `c_i >= k` is exactly `S_i >= ceil(k D)`.
If D would exceed MAX_DENOMINATOR (weights with huge, unrelated denominators) int64 could
overflow, so the engine falls back to floats compared with a documented tolerance of 1e-9.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from .errors import EngineError, FrameworkError
from .patterns import MAX_PATTERN_BITS, all_patterns, pattern_codes

MAX_DENOMINATOR = 2**40
FLOAT_TOLERANCE = 1e-9
SUM_TOLERANCE = Fraction(1, 10**6)

FractionLike = Fraction | int | float | str | Decimal
_SLASH = re.compile(r"\s*/\s*")


def parse_fraction(
    value: object, where: str, error: type[EngineError] = FrameworkError
) -> Fraction:
    """Read a weight or cutoff exactly: numbers via their shortest decimal text, or "a/b" text.

    A float such as 0.15 (what YAML and JSON produce) is read through `repr`, i.e. as the decimal
    the author typed, so 0.15 becomes 3/20 rather than the binary approximation.
    """
    if isinstance(value, bool) or value is None:
        raise error(f'{where}: expected a number or a fraction like "1/3", got {value!r}')
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int | np.integer):
        return Fraction(int(value))
    try:
        if isinstance(value, float | np.floating):
            return Fraction(repr(float(value)))
        if isinstance(value, Decimal):
            return Fraction(value)
        if isinstance(value, str):
            return Fraction(_SLASH.sub("/", value.strip()))
    except (ValueError, ZeroDivisionError, OverflowError):
        pass
    raise error(f'{where}: expected a number or a fraction like "1/3", got {value!r}')


def parse_cutoff(value: object, where: str, error: type[EngineError] = FrameworkError) -> Fraction:
    """Parse the poverty cutoff k, which must lie in (0, 1]."""
    k = parse_fraction(value, where, error)
    if not 0 < k <= 1:
        raise error(f"{where}: the poverty cutoff must be in (0, 1], got {value!r}")
    return k


@dataclass(frozen=True)
class IndicatorWeightSpec:
    """A declared indicator weight (None when the framework leaves it to nesting)."""

    name: str
    weight: Fraction | None


@dataclass(frozen=True)
class DimensionWeightSpec:
    """A declared dimension weight and its indicators, as read from the framework."""

    name: str
    weight: Fraction | None
    indicators: tuple[IndicatorWeightSpec, ...]


def allocate_weights(dims: Sequence[DimensionWeightSpec]) -> list[list[Fraction]]:
    """Turn declared weights into final indicator weights that sum to exactly 1.

    Either every indicator has a weight, or none has and dimensions share the total (equally, or
    by their own `weight`; dimensions without one share the remainder equally), each split equally
    among its indicators. Sums within 1e-6 of 1 are accepted and then normalised exactly, so that
    k = 1 still means "deprived in everything".
    """
    inds = [i for d in dims for i in d.indicators]
    given = [i for i in inds if i.weight is not None]
    if given and len(given) < len(inds):
        bare = next(i for i in inds if i.weight is None)
        raise FrameworkError(
            f"indicator '{given[0].name}' has a weight but indicator '{bare.name}' has none: "
            "give every indicator a weight, or none and let dimensions share equally"
        )
    if given:
        return _explicit_indicator_weights(dims)
    dim_weights = _dimension_shares(dims)
    return [
        [dw / len(d.indicators)] * len(d.indicators)
        for d, dw in zip(dims, dim_weights, strict=True)
    ]


def _given(weight: Fraction | None) -> Fraction:
    """An indicator weight the caller has checked is given (all or none are)."""
    if weight is None:
        raise FrameworkError("an indicator weight is missing")
    return weight


def _explicit_indicator_weights(dims: Sequence[DimensionWeightSpec]) -> list[list[Fraction]]:
    total = sum((_given(i.weight) for d in dims for i in d.indicators), Fraction(0))
    if abs(total - 1) > SUM_TOLERANCE:
        raise FrameworkError(f"indicator weights sum to {float(total):.10g}, not 1")
    for d in dims:
        own = sum((_given(i.weight) for i in d.indicators), Fraction(0))
        if d.weight is not None and abs(d.weight - own) > SUM_TOLERANCE:
            raise FrameworkError(
                f"dimension '{d.name}': weight {float(d.weight):.10g} differs from the sum of its "
                f"indicator weights {float(own):.10g}"
            )
    return [[_given(i.weight) / total for i in d.indicators] for d in dims]


def _dimension_shares(dims: Sequence[DimensionWeightSpec]) -> list[Fraction]:
    declared = [d.weight for d in dims if d.weight is not None]
    if len(declared) == len(dims):
        total = sum(declared, Fraction(0))
        if abs(total - 1) > SUM_TOLERANCE:
            raise FrameworkError(f"dimension weights sum to {float(total):.10g}, not 1")
        return [w / total for w in declared]
    taken = sum(declared, Fraction(0))
    rest = [d.name for d in dims if d.weight is None]
    if taken >= 1:
        raise FrameworkError(
            f"dimension weights given sum to {float(taken):.10g}, leaving nothing for "
            f"dimension(s) {', '.join(repr(n) for n in rest)}"
        )
    share = (1 - taken) / len(rest)
    return [d.weight if d.weight is not None else share for d in dims]


def scores_by_pattern(n: int, d: int) -> bool:
    """Score the 2**d patterns once and look each row's up, rather than sum every row: worth it
    when rows outnumber the patterns four to one, and possible while a pattern fits the key."""
    return d <= MAX_PATTERN_BITS and n > 4 * 2**d


@dataclass(frozen=True)
class WeightScale:
    """Weights on a common integer denominator, with the comparisons done on integers.

    `denominator` is None in the float fallback; then "scaled" scores are plain float scores and
    a cutoff t is met when c >= t - FLOAT_TOLERANCE.
    """

    weights: tuple[Fraction, ...]
    denominator: int | None
    integer_weights: np.ndarray
    float_weights: np.ndarray

    @classmethod
    def from_weights(cls, weights: Sequence[Fraction]) -> WeightScale:
        """Build the scale; the denominator is the LCM of the weights' denominators."""
        ws = tuple(weights)
        lcm = math.lcm(*(w.denominator for w in ws))  # math.lcm() of nothing is 1
        floats = np.array([float(w) for w in ws], dtype=np.float64)
        if lcm > MAX_DENOMINATOR:
            return cls(ws, None, np.zeros(0, dtype=np.int64), floats)
        ints = np.array([int(w * lcm) for w in ws], dtype=np.int64)
        return cls(ws, lcm, ints, floats)

    @property
    def exact(self) -> bool:
        """True when scores are compared exactly (integer denominator in use)."""
        return self.denominator is not None

    @property
    def unit(self) -> int:
        """Scaled score of a score of 1 (D, or 1 in the float fallback)."""
        return self.denominator or 1

    def scaled_scores(self, g0: np.ndarray) -> np.ndarray:
        """Integer scores S_i (int64), or float scores in the fallback, from a bool matrix.

        For many rows and few indicators the score of each of the 2**d patterns is computed
        once and looked up per row.
        """
        n, d = g0.shape
        if scores_by_pattern(n, d):
            table = self._direct(all_patterns(d))
            return np.take(table, pattern_codes(g0))
        return self._direct(g0)

    def _direct(self, g0: np.ndarray) -> np.ndarray:
        weights = self.integer_weights if self.exact else self.float_weights
        out = np.zeros(g0.shape[0], dtype=weights.dtype)
        for j in range(g0.shape[1]):
            out += g0[:, j] * weights[j]
        return out

    def threshold(self, cutoff: Fraction) -> int | float:
        """The scaled value a score must reach: ceil(cutoff * D) exactly, or cutoff - 1e-9."""
        if self.denominator is not None:
            return math.ceil(cutoff * self.denominator)
        return float(cutoff) - FLOAT_TOLERANCE

    def at_least(self, scaled: np.ndarray, cutoff: Fraction) -> np.ndarray:
        """Boolean mask of scores >= cutoff, exact on the integer denominator."""
        return scaled >= self.threshold(cutoff)

    def to_float(self, scaled: np.ndarray) -> np.ndarray:
        """Float scores c_i = S_i / D for reporting."""
        return scaled / self.unit
