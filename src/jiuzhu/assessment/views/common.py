"""What the assessment pages share: the plain view models the templates show (labels in the
active language). Who may do what is ``assessment/policy.py``; look-ups are the selectors'
``*_get_for``, which raise ``NotFound``."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jiuzhu.assessment import engine
from jiuzhu.assessment.forms import answer_field_name
from jiuzhu.assessment.frameworks import engine_framework
from jiuzhu.assessment.models import (
    DataType,
    Indicator,
    IndicatorFramework,
)
from jiuzhu.assessment.prefill import PREFILLS, Baseline
from jiuzhu.catalog.models import Need
from jiuzhu.registry.models import (
    DisabilityType,
    Employment,
    Group,
    Illness,
    Relation,
    Schooling,
    Tier,
    UrgencyTag,
)

# ---------------------------------------------------------------- labels


def english() -> bool:
    return (get_language() or "").startswith("en")


def localized(chinese: str, english_text: str = "") -> str:
    """Data in Chinese with an optional English version: English when the page is English."""
    return english_text if english_text and english() else chinese


def indicator_label(indicator: Indicator) -> str:
    return localized(indicator.question, indicator.question_en)


def need_label(need: Need) -> str:
    return localized(need.name, need.name_en)


def tag_label(tag: str) -> str:
    return str(UrgencyTag(tag).label) if tag in UrgencyTag.values else ""


def group_labels(codes) -> list[str]:
    labels = dict(Group.choices)
    if isinstance(codes, str):
        codes = [code for code in codes.split("|") if code]
    return [str(labels.get(code, code)) for code in codes]


def fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}" if value.denominator != 1 else str(value)


def number_text(value: Any) -> str:
    """A stored number as a person writes it (0.75, 1500), never 1.5E+3."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    try:
        number = Decimal(str(value)).normalize()
    except ArithmeticError:
        return str(value)
    return format(number, "f")


# ---------------------------------------------------------------- 摸: the baseline


def baseline_view(data: dict) -> dict[str, Any]:
    """The baseline the assessment started from, with readable labels."""
    if not data:
        return {}
    baseline = Baseline.from_dict(data)
    labels = {
        "relation": dict(Relation.choices),
        "disability": dict(DisabilityType.choices),
        "illness": dict(Illness.choices),
        "employment": dict(Employment.choices),
        "schooling": dict(Schooling.choices),
    }
    members = [
        {
            "age": m.age,
            "relation": labels["relation"].get(m.relation, m.relation),
            "disability": labels["disability"].get(m.disability_type, "")
            if m.disability_type
            else "",
            "disability_grade": m.disability_grade,
            "illness": labels["illness"].get(m.illness, "") if m.illness else "",
            "employment": labels["employment"].get(m.employment, m.employment),
            "schooling": labels["schooling"].get(m.schooling, "") if m.schooling else "",
        }
        for m in baseline.members
    ]
    per_capita = baseline.monthly_income / len(baseline.members) if baseline.members else None
    return {
        "monthly_income": baseline.monthly_income,
        "per_capita": per_capita,
        "income_ratio": PREFILLS["income_ratio"](baseline),
        "medical_spending_12m": baseline.medical_spending_12m,
        "education_spending_12m": baseline.education_spending_12m,
        "dibao_line": baseline.dibao_line,
        "tier": dict(Tier.choices).get(baseline.tier, baseline.tier),
        "groups": group_labels(baseline.groups),
        "members": members,
        "assistance": baseline.assistance,
    }


# ---------------------------------------------------------------- 评: questions and answers


def _same_answer(data_type: str, value: Any, suggested: Any) -> bool:
    if value is None or suggested is None:
        return False
    if data_type == DataType.BOOLEAN:
        return bool(value) == bool(suggested)
    try:
        return float(value) == float(suggested)
    except (TypeError, ValueError):
        return str(value) == str(suggested)


def answer_text(data_type: str, value: Any) -> str:
    """The form value of a stored answer: "1"/"0" for yes/no, a plain number, or the option."""
    if value is None:
        return ""
    if data_type == DataType.BOOLEAN:
        return "1" if value in (True, 1, "1", "true", "yes") else "0"
    if data_type == DataType.NUMBER:
        return number_text(value)
    return str(value)


def questionnaire(
    *,
    dimensions,
    answers: dict[str, Any],
    baseline: dict,
    posted=None,
    errors: dict[str, list[str]] | None = None,
) -> list[dict[str, Any]]:
    """Dimensions with their questions as the form shows them: the current value (what was
    posted, else what is stored), whether it is the registry's suggestion, and any errors."""
    errors = errors or {}
    suggestions: dict[str, Any] = {}
    if baseline:
        known = Baseline.from_dict(baseline)
        for dimension in dimensions:
            for indicator in dimension.indicators.all():
                if indicator.prefill in PREFILLS:
                    suggestions[indicator.code] = PREFILLS[indicator.prefill](known)
    sections = []
    for dimension in dimensions:
        questions = []
        for indicator in dimension.indicators.all():
            name = answer_field_name(indicator.code)
            stored = answers.get(indicator.code)
            if posted is not None and name in posted:
                value = posted.get(name, "")
            else:
                value = answer_text(indicator.data_type, stored)
            questions.append(
                {
                    "code": indicator.code,
                    "name": name,
                    "label": indicator_label(indicator),
                    "help": indicator.help_text,
                    "type": indicator.data_type,
                    "choices": [str(choice) for choice in indicator.choices or []],
                    "value": value,
                    "critical": indicator.critical,
                    "prefilled": _same_answer(
                        indicator.data_type, stored, suggestions.get(indicator.code)
                    ),
                    "errors": errors.get(indicator.code, []) + errors.get(name, []),
                }
            )
        sections.append(
            {
                "code": dimension.code,
                "name": localized(dimension.name, dimension.name_en),
                "questions": questions,
                "answered": sum(1 for q in questions if q["value"] != ""),
            }
        )
    return sections


def need_groups(categories, checked: set[str]) -> list[dict[str, Any]]:
    """The needs list as checkbox groups (category → needs)."""
    groups = []
    for category in categories:
        needs = [
            {"code": need.code, "label": need_label(need), "checked": need.code in checked}
            for need in getattr(category, "visible_needs", category.needs.all())
            if need.active
        ]
        if needs:
            groups.append(
                {
                    "name": localized(category.name, category.name_en),
                    "needs": needs,
                    "checked": sum(1 for need in needs if need["checked"]),
                }
            )
    return groups


# ---------------------------------------------------------------- the live result


def percent_text(value: Fraction | Decimal | float) -> str:
    """A score as a percentage with one decimal (13/36 → "36.1%"); the exact fraction goes in
    the title beside it."""
    return f"{float(value) * 100:.1f}%"


def tag_explanation(
    *, tag: str, poor: bool | None, critical: list[str], labels: dict[str, str]
) -> str:
    """Why the urgency tag and the poor / not-poor result seem to disagree, or "" when they do
    not: a critical indicator alone makes a household urgent whatever its score."""
    if tag != "urgent" or poor is not False:
        return ""
    if critical:
        names = "、".join(labels.get(code, code) for code in critical)
        return _(
            "Urgent because of a critical indicator (%(names)s), although the score is below "
            "the poverty cutoff."
        ) % {"names": names}
    return _("Urgent by this framework's urgency threshold, although below the poverty cutoff.")


def dimension_progress(dimensions, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Answered questions per dimension, from the stored answers (the form's counters)."""
    rows = []
    for dimension in dimensions:
        codes = [indicator.code for indicator in dimension.indicators.all()]
        rows.append(
            {
                "code": dimension.code,
                "answered": sum(1 for code in codes if answers.get(code) is not None),
                "total": len(codes),
            }
        )
    return rows


def result_view(preview: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """The preview (``assessment_preview``) as the result panel shows it."""
    result = preview["result"]
    tag = preview["urgency_tag"]
    return {
        "score": result.score,
        "score_exact": fraction_text(result.score),
        "score_float": float(result.score),
        "score_percent": percent_text(result.score),
        "tag_note": tag_explanation(
            tag=tag,
            poor=result.poor,
            critical=list(result.critical_deprivations),
            labels=labels,
        ),
        "poor": result.poor,
        "tag": tag,
        "tag_label": tag_label(tag),
        "deprived": [
            {
                "code": code,
                "label": labels.get(code, code),
                "critical": code in result.critical_deprivations,
            }
            for code in result.deprived
        ],
        "missing": [{"code": code, "label": labels.get(code, code)} for code in result.missing],
        "missing_count": len(result.missing),
        "question_count": len(labels),
        "answered_count": max(0, len(labels) - len(result.missing)),
        "complete": not result.missing,
    }


def effective_weights(framework: IndicatorFramework) -> tuple[dict[str, Fraction], str]:
    """Each indicator's and dimension's weight as the engine computes it, and the engine's
    complaint when the framework is not consistent (then the weights are empty)."""
    try:
        spec = engine_framework(framework)
    except engine.EngineError as error:
        return {}, str(error)
    weights = {f"indicator:{i.name}": i.weight for i in spec.indicators}
    weights.update({f"dimension:{d.name}": d.weight for d in spec.dimensions})
    return weights, ""
