"""Between stored frameworks and the pure engine: building the engine's spec from the database,
and the file format (the engine's, plus the platform's own keys) for import and export."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from jiuzhu.assessment import engine
from jiuzhu.assessment.models import IndicatorFramework
from jiuzhu.registry.models import UrgencyTag


def framework_as_dict(framework: IndicatorFramework) -> dict[str, Any]:
    """The framework in the file format `jiuzhu mpi` reads, with the platform's extra keys
    (question type, choices, pre-fill source, needs, tag thresholds) that the engine ignores."""
    dimensions = []
    for dimension in framework.dimensions.prefetch_related("indicators__needs"):
        indicators = []
        for indicator in dimension.indicators.all():
            item: dict[str, Any] = {
                "name": indicator.code,
                "label": indicator.question,
                "deprived_if": indicator.deprived_if,
                "critical": indicator.critical,
                "data_type": indicator.data_type,
            }
            if indicator.weight:
                item["weight"] = indicator.weight
            if indicator.question_en:
                item["english"] = indicator.question_en
            if indicator.help_text:
                item["description"] = indicator.help_text
            if indicator.choices:
                item["choices"] = indicator.choices
            if indicator.prefill:
                item["prefill"] = indicator.prefill
            needs = sorted(need.code for need in indicator.needs.all())
            if needs:
                item["needs"] = needs
            indicators.append(item)
        entry: dict[str, Any] = {"name": dimension.code, "label": dimension.name}
        if dimension.name_en:
            entry["english"] = dimension.name_en
        if dimension.weight:
            entry["weight"] = dimension.weight
        entry["indicators"] = indicators
        dimensions.append(entry)
    return {
        "name": framework.name,
        "version": framework.version,
        "poverty_cutoff": framework.poverty_cutoff,
        "urgency_thresholds": {
            UrgencyTag.URGENT.value: framework.urgent_at,
            UrgencyTag.SAFETY_NET.value: framework.safety_net_at,
            UrgencyTag.CARE.value: framework.care_at,
        },
        "dimensions": dimensions,
    }


def engine_framework(framework: IndicatorFramework) -> engine.Framework:
    """The engine's validated spec; raises ``engine.FrameworkError`` when it is inconsistent."""
    return engine.framework_from_dict(framework_as_dict(framework))


def urgency_tag_for(*, score: Fraction, critical: bool, framework: IndicatorFramework) -> str:
    """The four urgency tags from the score (exact) and any critical deprivation:
    critical or score ≥ urgent threshold → urgent intervention; ≥ safety-net threshold → include
    in the safety net; ≥ care threshold → needs care; otherwise keep watching."""
    if critical or score >= engine.parse_fraction(framework.urgent_at, "urgent_at"):
        return UrgencyTag.URGENT
    if score >= engine.parse_fraction(framework.safety_net_at, "safety_net_at"):
        return UrgencyTag.SAFETY_NET
    if score >= engine.parse_fraction(framework.care_at, "care_at"):
        return UrgencyTag.CARE
    return UrgencyTag.WATCH
