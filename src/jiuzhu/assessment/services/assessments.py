"""评·摸·问 — starting, saving and submitting an assessment.

Submitting scores the answers with the engine under the assessment's own framework version,
writes the household's urgency tag back to the registry, resolves the re-assessment queue,
schedules the next periodic assessment and drafts the plan (开) — in one transaction.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.assessment import engine, planning, policy
from jiuzhu.assessment.frameworks import engine_framework, urgency_tag_for
from jiuzhu.assessment.models import (
    Assessment,
    AssessmentReason,
    AssessmentStatus,
    DataType,
    Indicator,
    IndicatorFramework,
)
from jiuzhu.assessment.planning import NeedReason
from jiuzhu.assessment.prefill import Baseline, able_to_work, baseline_of, prefilled_answers
from jiuzhu.assessment.services.dues import dues_resolve, schedule_next
from jiuzhu.assessment.services.frameworks import published_framework
from jiuzhu.catalog.models import Need
from jiuzhu.core import audit
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditAction, Role, User
from jiuzhu.core.selectors.areas import district_of
from jiuzhu.core.services.dibao import dibao_line_for
from jiuzhu.registry.models import Household
from jiuzhu.registry.services.chain import chain_add
from jiuzhu.registry.services.households import household_set_urgency


def _indicators(framework: IndicatorFramework) -> list[Indicator]:
    return list(
        Indicator.objects.filter(dimension__framework=framework).select_related("dimension")
    )


def _assistance_received(household: Household) -> list[str]:
    """Titles on the assistance chain, newest first (what the household already gets)."""
    return list(household.chain.exclude(source="registry").values_list("title", flat=True)[:20])


@transaction.atomic
def assessment_start(
    *, actor: User, household: Household, reason: str = AssessmentReason.MANUAL
) -> Assessment:
    """Open a draft under the published framework, pre-filled from the registry (摸). The caller
    has already checked that the actor may see the household. An open draft is reused."""
    policy.require_assessor(actor)
    existing = Assessment.objects.filter(household=household, status=AssessmentStatus.DRAFT).first()
    if existing is not None:
        return existing
    framework = published_framework()
    if framework is None:
        raise Conflict("no_framework", _("No indicator framework is published yet."))
    today = timezone.localdate()
    district = district_of(household.community)
    line = dibao_line_for(district=district, on=today) if district else None
    baseline = baseline_of(
        household,
        household.members.filter(is_active=True),
        dibao_line=line.monthly_amount if line else None,
        on=today,
        assistance=_assistance_received(household),
    )
    assessment = Assessment.objects.create(
        household=household,
        framework=framework,
        assessor=actor,
        organisation=actor.organisation,
        reason=reason,
        baseline=baseline.as_dict(),
        answers=prefilled_answers(_indicators(framework), baseline),
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=assessment)
    return assessment


def clean_answers(framework: IndicatorFramework, raw: dict[str, Any]) -> dict[str, Any]:
    """Typed answers by indicator code: booleans as 1/0, numbers as floats, choices as text;
    blank means not answered (None). Unknown codes are ignored; bad values are field errors."""
    answers: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for indicator in _indicators(framework):
        if indicator.code not in raw:
            continue
        value = raw[indicator.code]
        if value is None or (isinstance(value, str) and not value.strip()):
            answers[indicator.code] = None
            continue
        if indicator.data_type == DataType.BOOLEAN:
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "是"}:
                answers[indicator.code] = 1
            elif text in {"0", "false", "no", "否"}:
                answers[indicator.code] = 0
            else:
                errors[indicator.code] = [_("Answer yes or no.")]
        elif indicator.data_type == DataType.NUMBER:
            try:
                number = float(Decimal(str(value).strip()))
            except ArithmeticError:
                errors[indicator.code] = [_("Enter a number.")]
                continue
            if number != number or number in (float("inf"), float("-inf")):
                errors[indicator.code] = [_("Enter a number.")]
            else:
                answers[indicator.code] = number
        else:
            if indicator.choices and str(value) not in [str(c) for c in indicator.choices]:
                errors[indicator.code] = [_("Choose one of the options.")]
            else:
                answers[indicator.code] = str(value)
    if errors:
        raise ValidationFailed(errors)
    return answers


def _editable(assessment: Assessment, actor: User) -> Assessment:
    policy.require_assessor(actor)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.DRAFT:
        raise Conflict("assessment_not_draft", _("This assessment has been submitted."))
    if actor.role == Role.ASSESSOR and assessment.assessor_id != actor.pk:
        raise PermissionDenied(_("Another assessor is filling this assessment."))
    return assessment


@transaction.atomic
def assessment_save(
    *,
    actor: User,
    assessment: Assessment,
    answers: dict[str, Any],
    wishes: str | None = None,
    wished_needs: list[Need] | None = None,
    revision: int | None = None,
) -> Assessment:
    """Save a draft (the phone page saves as the assessor goes). ``revision`` guards against a
    stale page overwriting newer answers: a mismatch is a conflict the page resolves."""
    assessment = _editable(assessment, actor)
    if revision is not None and revision != assessment.revision:
        raise Conflict(
            "stale_draft",
            _("This draft was changed elsewhere; reload to see the newest answers."),
            revision=assessment.revision,
        )
    assessment.answers = {**assessment.answers, **clean_answers(assessment.framework, answers)}
    if wishes is not None:
        assessment.wishes = wishes
    assessment.revision += 1
    assessment.save(update_fields=["answers", "wishes", "revision", "updated_at"])
    if wished_needs is not None:
        assessment.wished_needs.set(wished_needs)
    return assessment


def assessment_preview(assessment: Assessment) -> dict[str, Any]:
    """Score the current answers without saving (the page shows it as the assessor goes)."""
    spec = engine_framework(assessment.framework)
    result = engine.score_household(spec, _engine_answers(assessment.answers))
    tag = urgency_tag_for(
        score=result.score, critical=result.critical, framework=assessment.framework
    )
    return {"result": result, "urgency_tag": tag if not result.missing else ""}


def _engine_answers(answers: dict[str, Any]) -> dict[str, Any]:
    return {code: value for code, value in answers.items() if value is not None}


def identified_needs(*, assessment: Assessment, household: Household) -> list[NeedReason]:
    """The needs a plan should meet, each with its reason (``planning.identified_needs``):
    behind the deprivations, then the household's wishes, then its groups' signature needs."""
    indicators = {
        i.code: i
        for i in Indicator.objects.filter(dimension__framework=assessment.framework)
        .prefetch_related("needs__category")
        .order_by("dimension__position", "position", "id")
    }
    deprived = [
        (code, [n.code for n in sorted(indicators[code].needs.all(), key=_need_order)])
        for code in assessment.deprived
        if code in indicators
    ]
    wished = [
        need.code
        for need in assessment.wished_needs.select_related("category").order_by(
            "category__position", "position", "code"
        )
    ]
    groups = household.group_list
    if household.primary_group in groups:
        groups = [household.primary_group, *[g for g in groups if g != household.primary_group]]
    return planning.identified_needs(
        deprived=deprived,
        wished=wished,
        groups=groups,
        category_of=dict(Need.objects.values_list("code", "category__code")),
        able_to_work=able_to_work(Baseline.from_dict(assessment.baseline)),
    )


def _need_order(need: Need) -> tuple[Any, ...]:
    return (need.category.position, need.position, need.code)


@transaction.atomic
def assessment_submit(*, actor: User, assessment: Assessment) -> Assessment:
    """Score, tag, write back to the registry, resolve the queue and draft the plan."""
    from jiuzhu.assessment.services.plans import plan_draft

    assessment = _editable(assessment, actor)
    spec = engine_framework(assessment.framework)
    result = engine.score_household(spec, _engine_answers(assessment.answers))
    if result.missing:
        labels = {i.code: i.question for i in _indicators(assessment.framework)}
        raise ValidationFailed(
            {code: [_("Answer this question before submitting.")] for code in result.missing},
            message=_("%(n)d questions are not answered: %(names)s")
            % {
                "n": len(result.missing),
                "names": "、".join(labels.get(code, code) for code in result.missing),
            },
        )
    framework = assessment.framework
    tag = urgency_tag_for(score=result.score, critical=result.critical, framework=framework)
    household = assessment.household
    household_set_urgency(household=household, urgency_tag=tag, actor=actor)
    household.refresh_from_db()
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.score = Decimal(result.score.numerator) / Decimal(result.score.denominator)
    assessment.score = assessment.score.quantize(Decimal("0.000001"))
    assessment.score_exact = f"{result.score.numerator}/{result.score.denominator}"
    assessment.poor = result.poor
    assessment.deprived = list(result.deprived)
    assessment.missing = list(result.missing)
    assessment.critical = list(result.critical_deprivations)
    assessment.urgency_tag = tag
    assessment.groups = household.groups
    assessment.save()
    reasons = identified_needs(assessment=assessment, household=household)
    assessment.needs.set(Need.objects.filter(code__in=[r.need for r in reasons]))
    dues_resolve(household=household, assessment=assessment)
    schedule_next(household=household, urgency_tag=tag, after=timezone.localdate())
    chain_add(
        household=household,
        source="assessment",
        source_id=assessment.pk,
        title=_("Assessment submitted: %(tag)s (score %(score)s)")
        % {"tag": household.get_urgency_tag_display(), "score": f"{float(result.score):.3f}"},
        actor=actor,
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=assessment,
        detail={"submitted": True, "urgency_tag": tag},
    )
    plan_draft(assessment=assessment, reasons=reasons)
    return assessment
