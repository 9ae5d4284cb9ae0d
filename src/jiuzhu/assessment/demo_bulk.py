"""Bulk demo assessments for ``jiuzhu demo-data --assessments N`` (issue 15 item 3): one
submitted assessment for each of the first N generated households, with random answers under the
published framework, scored by the engine in one vectorised pass and stored with
``bulk_create`` the way a submission stores them (score, deprivations, urgency tag)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
from django.utils import timezone

from jiuzhu.core.demo import BulkContext, bulk_actor, bulk_step
from jiuzhu.core.models import Role

BATCH = 5_000
ASSESSOR = "bulk_demo_assessor"


def random_answers(spec, n: int, rng: np.random.Generator) -> dict[str, list]:
    """Answers by indicator column: yes/no with a 25% "yes", numbers spread around the
    cutoffs, and about 1 answer in 200 left blank (such households stay incomplete)."""
    columns: dict[str, list] = {}
    for indicator in spec.indicators:
        rule = indicator.rule
        if rule.op == "true":
            values = (rng.random(n) < 0.25).astype(np.int64)
        else:
            centre = rule.number if rule.number is not None else 1.0
            values = np.round(rng.uniform(0, 2.5 * max(centre, 0.1), n), 3)
        column: list = values.tolist()
        for i in np.flatnonzero(rng.random(n) < 0.005).tolist():
            column[i] = None
        columns[indicator.column] = column
    return columns


@bulk_step(30, "assessments")
def bulk_assessments(context: BulkContext) -> int:
    wanted = context.sizes.get("assessments", 0)
    if not wanted:
        return 0
    from jiuzhu.assessment import engine
    from jiuzhu.assessment.frameworks import engine_framework, urgency_tag_for
    from jiuzhu.assessment.models import Assessment, IndicatorFramework
    from jiuzhu.assessment.services.defaults import framework_load_default
    from jiuzhu.catalog.models import Need
    from jiuzhu.catalog.services import catalogue_load_defaults
    from jiuzhu.registry.models import Household

    if not Need.objects.exists():
        catalogue_load_defaults()  # the default framework refers to the catalogue's needs
    framework = (
        IndicatorFramework.objects.filter(status="published").order_by("-version").first()
        or framework_load_default()
    )
    assessor = bulk_actor(ASSESSOR, Role.ASSESSOR)
    ids = list(
        Household.objects.filter(pk__range=(context.first_household_id, context.last_household_id))
        .order_by("id")
        .values_list("id", flat=True)[:wanted]
    )
    spec = engine_framework(framework)
    rng = np.random.default_rng(context.seed)
    columns = random_answers(spec, len(ids), rng)
    evaluation = engine.evaluate(spec, columns)
    names = [indicator.name for indicator in spec.indicators]
    denominator = spec.scale.denominator
    now = timezone.now()
    batch: list[Assessment] = []
    done = 0
    for i, household_id in enumerate(ids):
        score = Fraction(int(evaluation.integer_scores[i]), denominator)
        complete = bool(evaluation.complete[i])
        batch.append(
            Assessment(
                household_id=household_id,
                framework=framework,
                assessor=assessor,
                reason="scheduled",
                status="submitted",
                answers={column: values[i] for column, values in columns.items()},
                submitted_at=now - dt.timedelta(minutes=i % 500_000),
                score=round(float(score), 6),
                score_exact=f"{score.numerator}/{score.denominator}",
                poor=bool(evaluation.poor[i]) if complete else None,
                deprived=[name for j, name in enumerate(names) if evaluation.g0[i, j]],
                missing=[name for j, name in enumerate(names) if evaluation.missing[i, j]],
                urgency_tag=urgency_tag_for(
                    score=score, critical=bool(evaluation.critical[i]), framework=framework
                )
                if complete
                else "",
            )
        )
        if len(batch) == BATCH:
            Assessment.objects.bulk_create(batch)
            done += len(batch)
            batch = []
            context.progress("assessments", done, len(ids))
    Assessment.objects.bulk_create(batch)
    done += len(batch)
    context.progress("assessments", done, len(ids))
    return done
