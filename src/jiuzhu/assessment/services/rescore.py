"""Rescoring stored answers under a framework version, in batches, with the engine's vectorised
path: to compare a draft with the published version before publishing, and for
``jiuzhu rescore``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction

from jiuzhu.assessment import engine
from jiuzhu.assessment.frameworks import engine_framework, urgency_tag_for
from jiuzhu.assessment.models import (
    Assessment,
    AssessmentStatus,
    IndicatorFramework,
    Rescore,
)

BATCH = 2_000


def latest_submitted() -> Iterator[int]:
    """The id of each household's newest submitted assessment."""
    seen: set[int] = set()
    rows = (
        Assessment.objects.filter(status=AssessmentStatus.SUBMITTED)
        .order_by("household_id", "-submitted_at", "-id")
        .values_list("household_id", "id")
    )
    for household_id, assessment_id in rows.iterator(chunk_size=10_000):
        if household_id not in seen:
            seen.add(household_id)
            yield assessment_id


def rescore(
    *,
    framework: IndicatorFramework,
    progress: Callable[[int, int], None] | None = None,
    batch: int = BATCH,
) -> int:
    """Score every household's newest submitted answers under ``framework``; returns the count.
    Answers the framework asks about but the assessment lacks count as missing (the household is
    incomplete and not classified), never as "not deprived"."""
    spec = engine_framework(framework)
    ids = list(latest_submitted())
    scale = spec.scale
    done = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        rows = list(Assessment.objects.filter(pk__in=chunk).values_list("id", "answers"))
        columns = {
            ind.column: [answers.get(ind.column) for _, answers in rows] for ind in spec.indicators
        }
        evaluation = engine.evaluate(spec, columns)
        names = [ind.name for ind in spec.indicators]
        results = []
        for i, (assessment_id, _) in enumerate(rows):
            if scale.exact:
                score = Fraction(int(evaluation.integer_scores[i]), scale.denominator)
            else:
                score = Fraction(float(evaluation.integer_scores[i])).limit_denominator(10**9)
            complete = bool(evaluation.complete[i])
            results.append(
                Rescore(
                    assessment_id=assessment_id,
                    framework=framework,
                    score_exact=f"{score.numerator}/{score.denominator}",
                    score=(Decimal(score.numerator) / Decimal(score.denominator)).quantize(
                        Decimal("0.000001")
                    ),
                    poor=bool(evaluation.poor[i]) if complete else None,
                    deprived=[n for j, n in enumerate(names) if evaluation.g0[i, j]],
                    urgency_tag=urgency_tag_for(
                        score=score, critical=bool(evaluation.critical[i]), framework=framework
                    )
                    if complete
                    else "",
                )
            )
        with transaction.atomic():
            Rescore.objects.filter(framework=framework, assessment_id__in=chunk).delete()
            Rescore.objects.bulk_create(results, batch_size=1_000)
        done += len(rows)
        if progress:
            progress(done, len(ids))
    return done


def compare(*, draft: IndicatorFramework, published: IndicatorFramework) -> dict[str, Any]:
    """How tags would move: counts of (tag under the assessment's own scoring, tag under the
    draft), and the poor counts under each, over the rescored households."""
    moves: dict[tuple[str, str], int] = {}
    poor_before = poor_after = 0
    rows = Rescore.objects.filter(framework=draft).values_list(
        "assessment__urgency_tag", "urgency_tag", "assessment__poor", "poor"
    )
    for before, after, was_poor, is_poor in rows.iterator(chunk_size=10_000):
        moves[(before, after)] = moves.get((before, after), 0) + 1
        poor_before += bool(was_poor)
        poor_after += bool(is_poor)
    return {
        "moves": moves,
        "poor_before": poor_before,
        "poor_after": poor_after,
        "count": sum(moves.values()),
    }
