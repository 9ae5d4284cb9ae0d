"""The assessment's demo steps: the default catalogue and framework, then — on the first run —
submitted assessments for a sample of households, made through the real services so the demo
shows tags, plans, a due queue and analytics."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from jiuzhu.assessment.models import (
    Assessment,
    AssessmentDue,
    AssessmentReason,
    DataType,
    Indicator,
    PlanStatus,
)
from jiuzhu.assessment.services.assessments import (
    assessment_save,
    assessment_start,
    assessment_submit,
)
from jiuzhu.assessment.services.defaults import framework_load_default
from jiuzhu.assessment.services.plans import plan_approve
from jiuzhu.catalog.services import catalogue_load_defaults
from jiuzhu.core.demo import DemoContext, demo_step
from jiuzhu.core.models import Role, User
from jiuzhu.registry.models import Household, HouseholdAssignment

#: Chance that the demo answers "deprived" where the registry cannot tell.
DEPRIVED_SHARE = {True: 0.05, False: 0.3}  # critical: rarely


@demo_step(40, "catalogue and framework")
def configuration(context: DemoContext) -> None:
    catalogue_load_defaults()
    framework = framework_load_default()
    context.say(f"Indicator framework: {framework} ({framework.status}).")


def demo_answers(indicators: list[Indicator], prefilled: dict, rng: random.Random) -> dict:
    """Pre-filled answers as the registry gave them; the rest drawn at random."""
    answers: dict[str, object] = {}
    for indicator in indicators:
        if prefilled.get(indicator.code) is not None:
            value = prefilled[indicator.code]
            answers[indicator.code] = int(value) if isinstance(value, bool) else value
        elif indicator.data_type == DataType.NUMBER:
            answers[indicator.code] = round(rng.uniform(6, 40), 1)
        else:
            deprived = rng.random() < DEPRIVED_SHARE[indicator.critical]
            answers[indicator.code] = 1 if deprived else 0
    return answers


@demo_step(90, "assessments")
def assessments(context: DemoContext) -> None:
    if Assessment.objects.exists():
        return
    assessor = User.objects.filter(role=Role.ASSESSOR, is_demo=True).first()
    caseworker = User.objects.filter(role=Role.STREET_CASEWORKER, is_demo=True).first()
    if assessor is None:
        return
    rng = random.Random(context.seed)
    assigned = list(
        HouseholdAssignment.objects.filter(assignee=assessor, active=True).values_list(
            "household_id", flat=True
        )
    )
    others = list(
        Household.objects.exclude(pk__in=assigned).values_list("pk", flat=True).order_by("pk")
    )
    sample = rng.sample(others, k=min(len(others), max(20, context.households // 8)))
    # Half of the assessor's own households stay unassessed, so the queue has work in it.
    chosen = assigned[: len(assigned) // 2] + sample
    context.say(f"Assessing {len(chosen)} demo households…")
    for household in Household.objects.filter(pk__in=chosen).select_related("community"):
        assessment = assessment_start(actor=assessor, household=household)
        indicators = list(Indicator.objects.filter(dimension__framework=assessment.framework))
        answers = demo_answers(indicators, assessment.answers, rng)
        assessment = assessment_save(actor=assessor, assessment=assessment, answers=answers)
        assessment_submit(actor=assessor, assessment=assessment)
        plan = assessment.plan
        if (
            caseworker is not None
            and household.street_id == caseworker.area_id
            and plan.status == PlanStatus.DRAFT
            and rng.random() < 0.6
        ):
            plan_approve(actor=caseworker, plan=plan)
    _queue_the_rest(rng)


def _queue_the_rest(rng: random.Random) -> None:
    """Every household not yet assessed is due, some of them overdue (dates within ±60 days)."""
    today = timezone.localdate()
    pending = Household.objects.exclude(pk__in=AssessmentDue.objects.values("household_id"))
    AssessmentDue.objects.bulk_create(
        [
            AssessmentDue(
                household_id=pk,
                reason=AssessmentReason.NEW,
                due_on=today + dt.timedelta(days=rng.randint(-60, 60)),
            )
            for pk in pending.values_list("pk", flat=True)
        ],
        batch_size=2_000,
    )
