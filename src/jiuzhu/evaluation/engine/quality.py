"""The quality score of a purchased-service project for one period: a weighted mean of KPIs.

Plain data in, plain data out (numpy, no Django), so that the settlement engine, the pages and
the tests share one formula.

**Formula.** Each KPI has a weight ``w_k`` (≥ 0, as the project sets them) and a figure
``x_k`` in ``[0, 1]`` (1 is best) or ``None`` when the period gives no data for it (no ratings
given, no spot check made …). The score is

    score = 100 × Σ w_k·x_k / Σ w_k       over the KPIs that have a figure

so a KPI without data drops out and the others keep their proportions (its weight is not
counted as zero, which would punish a provider for a household that did not rate). When no KPI
has a figure, or the weights of those that do sum to zero, the score is ``None``: the period
cannot be judged: settlement then applies no adjustment and marks the statement unscored, for
the district manager to see before approving (see ``settlement.py``).

The score is rounded to two decimals, half up, **before** any tier is looked up, so that a tier
boundary (60, 80, 90) is decided on the number the statement shows.

**Figures** (computed by ``evaluation/selectors/quality.py`` from ``dispatch.selectors.monitoring``
and ``orders`` facts, never recomputed here), all over **the project's own orders** (its
provider, its items, households of its district) in the period — never the provider's
platform-wide figures:

- ``acceptance`` — acceptance rate (accepted ÷ answered asks);
- ``timeliness`` — on-time completion rate;
- ``rating`` — (average rating − 1) ÷ 4, so 1 star is 0 and 5 stars is 1;
- ``complaints`` — 1 − min(1, complaint rate): *upheld* complaints about the project's orders
  completed in the period ÷ those orders (a complaint not yet decided, or not upheld, does not
  count);
- ``confirmed`` — confirmed deliveries ÷ completed orders;
- ``evidence`` — 1 − flagged ÷ completed orders with evidence (short visits, household disputes);
- ``spot_checks`` — mean spot-check score ÷ 100.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

#: The KPIs a project may weigh, in display order.
KPIS: tuple[str, ...] = (
    "acceptance",
    "timeliness",
    "rating",
    "complaints",
    "confirmed",
    "evidence",
    "spot_checks",
)

CENT = Decimal("0.01")


@dataclass(frozen=True)
class KpiPart:
    """One KPI's share of the score: its figure, its weight and the points it contributes
    (``100 × w·x / Σw`` over the KPIs with figures; 0 and ``used=False`` without a figure)."""

    kpi: str
    figure: float | None
    weight: float
    points: float
    used: bool


@dataclass(frozen=True)
class QualityScore:
    score: Decimal | None
    parts: tuple[KpiPart, ...]


def rating_figure(average: float | None) -> float | None:
    """An average star rating (1–5) as a figure in [0, 1]."""
    if average is None:
        return None
    return min(1.0, max(0.0, (average - 1.0) / 4.0))


def complaint_figure(rate: float | None) -> float | None:
    if rate is None:
        return None
    return 1.0 - min(1.0, max(0.0, rate))


def share(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def quality_score(
    weights: Mapping[str, float], figures: Mapping[str, float | None]
) -> QualityScore:
    """The weighted score of ``figures`` under ``weights`` (see the module's formula).

    KPIs not in ``weights`` are ignored; a figure outside [0, 1] is clipped, one that is not a
    number (NaN) counts as 0, the worst; a negative weight is an error (``ValueError``)."""
    names = [kpi for kpi in KPIS if kpi in weights] + sorted(set(weights) - set(KPIS))
    w = np.array([float(weights[name]) for name in names], dtype=float)
    if (w < 0).any() or not np.isfinite(w).all():
        raise ValueError("weights must be finite and non-negative")
    raw = [figures.get(name) for name in names]
    present = np.array([value is not None for value in raw], dtype=bool)
    x = np.array([0.0 if value is None else float(value) for value in raw], dtype=float)
    x = np.clip(np.nan_to_num(x, nan=0.0), 0.0, 1.0)
    total_weight = float(w[present].sum()) if present.any() else 0.0
    if total_weight <= 0:
        parts = tuple(
            KpiPart(name, raw[i], float(w[i]), 0.0, False) for i, name in enumerate(names)
        )
        return QualityScore(None, parts)
    points = np.where(present, 100.0 * w * x / total_weight, 0.0)
    score = Decimal(repr(float(points.sum()))).quantize(CENT, rounding=ROUND_HALF_UP)
    score = min(Decimal(100), max(Decimal(0), score))
    parts = tuple(
        KpiPart(
            name,
            None if raw[i] is None else float(x[i]),
            float(w[i]),
            float(points[i]),
            bool(present[i]),
        )
        for i, name in enumerate(names)
    )
    return QualityScore(score, parts)
