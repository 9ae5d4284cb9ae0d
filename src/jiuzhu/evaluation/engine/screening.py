"""Screening arithmetic: a review's weighted score, an application's score over its reviews, and
the ranked shortlist. Pure (no Django): exact decimals, tested with hypothesis.

* A review's total is the weighted mean of its criterion scores (each 0–100):
  ``Σ weight × score / Σ weight``, rounded half-up to two decimals. Weights need not sum to 100;
  a district that sets 2, 3, 2, 1, 2 gets the same totals as one that sets 20, 30, 20, 10, 20.
* An application's score is the plain mean of its reviews' totals (every reviewer counts the
  same), rounded half-up to two decimals; without reviews it has none.
* Ranking is by score, highest first; equal scores share a rank and the next rank skips
  (competition ranking: 1, 2, 2, 4); applications without a score come last, unranked.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
CENT = Decimal("0.01")
MAX_SCORE = 100


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def review_total(scores: Mapping[str, int], weights: Mapping[str, int]) -> Decimal:
    """The weighted mean of ``scores`` by ``weights`` (same keys; at least one weight above 0)."""
    if set(scores) != set(weights):
        raise ValueError("scores and weights must name the same criteria")
    total_weight = sum(weights.values())
    if total_weight <= 0 or any(w < 0 for w in weights.values()):
        raise ValueError("weights must be non-negative and not all zero")
    if any(not 0 <= s <= MAX_SCORE for s in scores.values()):
        raise ValueError("scores are between 0 and 100")
    weighted = sum(Decimal(weights[c]) * Decimal(scores[c]) for c in scores)
    return _round(weighted / Decimal(total_weight))


def application_score(totals: Sequence[Decimal]) -> Decimal | None:
    """The mean of the reviews' totals, or None without reviews."""
    if not totals:
        return None
    return _round(sum(totals, Decimal(0)) / Decimal(len(totals)))


@dataclass(frozen=True)
class Ranked(Generic[K]):
    key: K
    score: Decimal | None
    rank: int | None


def rank(scores: Sequence[tuple[K, Decimal | None]]) -> list[Ranked[K]]:
    """Competition ranking, highest score first; input order breaks ties in the listing (not in
    the rank); unscored entries last with no rank."""
    scored = sorted(
        ((key, score) for key, score in scores if score is not None),
        key=lambda pair: -pair[1],  # type: ignore[operator]
    )
    ranked: list[Ranked[K]] = []
    previous: Decimal | None = None
    current = 0
    for position, (key, score) in enumerate(scored, start=1):
        if score != previous:
            current, previous = position, score
        ranked.append(Ranked(key=key, score=score, rank=current))
    ranked += [Ranked(key=key, score=None, rank=None) for key, score in scores if score is None]
    return ranked
