"""Writing indicator frameworks: import, clone into a draft, edit a draft, publish.

A published framework never changes: assessments keep the version they used, so editing always
starts a new draft (``framework_clone``). Publishing retires the previous published version.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.assessment import engine, policy
from jiuzhu.assessment.frameworks import engine_framework, framework_as_dict
from jiuzhu.assessment.models import (
    DataType,
    Dimension,
    FrameworkStatus,
    Indicator,
    IndicatorFramework,
)
from jiuzhu.assessment.prefill import PREFILLS
from jiuzhu.catalog.models import Need
from jiuzhu.core import audit
from jiuzhu.core.errors import Conflict, ValidationFailed
from jiuzhu.core.models import AuditAction, User
from jiuzhu.registry.models import UrgencyTag


def _require_draft(framework: IndicatorFramework) -> None:
    if framework.status != FrameworkStatus.DRAFT:
        raise Conflict(
            "framework_not_draft",
            _("Published frameworks cannot change; start a new draft from this one."),
        )


def _thresholds(data: dict[str, Any]) -> dict[str, str]:
    raw = data.get("urgency_thresholds") or {}
    values = {
        "urgent_at": str(raw.get(UrgencyTag.URGENT.value, "1/2")),
        "safety_net_at": str(raw.get(UrgencyTag.SAFETY_NET.value, data["poverty_cutoff"])),
        "care_at": str(raw.get(UrgencyTag.CARE.value, "1/5")),
    }
    check_thresholds(**values)
    return values


def check_thresholds(*, urgent_at: str, safety_net_at: str, care_at: str) -> None:
    """Each threshold a fraction in (0, 1], and care ≤ safety net ≤ urgent."""
    parsed: dict[str, Fraction] = {}
    errors: dict[str, list[str]] = {}
    for name, value in (
        ("urgent_at", urgent_at),
        ("safety_net_at", safety_net_at),
        ("care_at", care_at),
    ):
        try:
            parsed[name] = engine.parse_cutoff(value, name)
        except engine.EngineError:
            errors[name] = [_("Write a number between 0 and 1, or a fraction such as 1/3.")]
    if not errors and not parsed["care_at"] <= parsed["safety_net_at"] <= parsed["urgent_at"]:
        errors["urgent_at"] = [
            _("Thresholds must rise: needs care ≤ safety net ≤ urgent intervention.")
        ]
    if errors:
        raise ValidationFailed(errors)


def _platform_errors(data: dict[str, Any]) -> list[str]:
    """What the engine does not check: answer types, pre-fill sources, need codes."""
    problems = []
    known_needs = set(Need.objects.values_list("code", flat=True))
    for dimension in data.get("dimensions", []):
        for indicator in dimension.get("indicators", []):
            name = indicator.get("name")
            data_type = indicator.get("data_type", DataType.BOOLEAN)
            if data_type not in DataType.values:
                problems.append(f"{name}: data_type must be one of {', '.join(DataType.values)}")
            prefill = indicator.get("prefill")
            if prefill and prefill not in PREFILLS:
                problems.append(f"{name}: unknown prefill {prefill!r}")
            unknown = set(indicator.get("needs", [])) - known_needs
            if unknown:
                problems.append(f"{name}: unknown needs {', '.join(sorted(unknown))}")
    return problems


@transaction.atomic
def framework_import(
    *, data: dict[str, Any], actor: User | None, publish: bool = False
) -> IndicatorFramework:
    """Create a new draft version from file data (the format of ``framework_as_dict``)."""
    policy.require_framework_editor(actor)
    try:
        spec = engine.framework_from_dict(data)
    except engine.EngineError as error:
        raise ValidationFailed({"file": [str(error)]}) from None
    problems = _platform_errors(data)
    if problems:
        raise ValidationFailed({"file": problems})
    thresholds = _thresholds(data)
    version = (IndicatorFramework.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    framework = IndicatorFramework.objects.create(
        name=spec.name,
        version=version,
        poverty_cutoff=str(data["poverty_cutoff"]),
        created_by=actor,
        notes=str(data.get("description", "")),
        **thresholds,
    )
    needs_by_code = {need.code: need for need in Need.objects.all()}
    for d_position, raw_dimension in enumerate(data["dimensions"]):
        dimension = Dimension.objects.create(
            framework=framework,
            code=raw_dimension["name"],
            name=raw_dimension.get("label") or raw_dimension["name"],
            name_en=raw_dimension.get("english", ""),
            weight=str(raw_dimension.get("weight") or ""),
            position=d_position,
        )
        for i_position, raw in enumerate(raw_dimension["indicators"]):
            indicator = Indicator.objects.create(
                dimension=dimension,
                code=raw["name"],
                question=raw.get("label") or raw["name"],
                question_en=raw.get("english", ""),
                help_text=raw.get("description", ""),
                data_type=raw.get("data_type", DataType.BOOLEAN),
                choices=raw.get("choices", []),
                deprived_if=str(raw["deprived_if"]),
                weight=str(raw.get("weight") or ""),
                critical=bool(raw.get("critical", False)),
                prefill=raw.get("prefill", ""),
                position=i_position,
            )
            indicator.needs.set([needs_by_code[code] for code in raw.get("needs", [])])
    audit.record(actor=actor, actor_label="cli", action=AuditAction.CREATE, obj=framework)
    if publish:
        framework = framework_publish(framework=framework, actor=actor)
    return framework


def framework_clone(*, source: IndicatorFramework, actor: User | None) -> IndicatorFramework:
    """A new draft with the same content, to edit."""
    return framework_import(data=framework_as_dict(source), actor=actor)


def framework_problems(framework: IndicatorFramework) -> list[str]:
    """Why the framework cannot be published (empty when it can)."""
    data = framework_as_dict(framework)
    try:
        engine_framework(framework)
    except engine.EngineError as error:
        return [str(error)]
    return _platform_errors(data)


@transaction.atomic
def framework_publish(*, framework: IndicatorFramework, actor: User | None) -> IndicatorFramework:
    policy.require_framework_editor(actor)
    framework = IndicatorFramework.objects.select_for_update().get(pk=framework.pk)
    _require_draft(framework)
    problems = framework_problems(framework)
    if problems:
        raise ValidationFailed({"framework": problems})
    IndicatorFramework.objects.filter(status=FrameworkStatus.PUBLISHED).update(
        status=FrameworkStatus.RETIRED
    )
    framework.status = FrameworkStatus.PUBLISHED
    framework.published_at = timezone.now()
    framework.save(update_fields=["status", "published_at"])
    audit.record(
        actor=actor,
        actor_label="cli",
        action=AuditAction.UPDATE,
        obj=framework,
        detail={"published": True},
    )
    return framework


@transaction.atomic
def framework_update(
    *, framework: IndicatorFramework, actor: User, **fields: str
) -> IndicatorFramework:
    """Change a draft's name, cutoff, tag thresholds or notes."""
    policy.require_framework_editor(actor)
    _require_draft(framework)
    allowed = {"name", "poverty_cutoff", "urgent_at", "safety_net_at", "care_at", "notes"}
    values = {key: value for key, value in fields.items() if key in allowed}
    if "poverty_cutoff" in values:
        try:
            engine.parse_cutoff(values["poverty_cutoff"], "poverty_cutoff")
        except engine.EngineError:
            raise ValidationFailed(
                {"poverty_cutoff": [_("Write a number between 0 and 1, or a fraction.")]}
            ) from None
    check_thresholds(
        urgent_at=values.get("urgent_at", framework.urgent_at),
        safety_net_at=values.get("safety_net_at", framework.safety_net_at),
        care_at=values.get("care_at", framework.care_at),
    )
    for key, value in values.items():
        setattr(framework, key, value)
    framework.save()
    audit.record(
        actor=actor, action=AuditAction.UPDATE, obj=framework, detail={"fields": sorted(values)}
    )
    return framework


@transaction.atomic
def indicator_save(
    *,
    actor: User,
    dimension: Dimension,
    indicator: Indicator | None = None,
    needs: list[Need] | None = None,
    **fields: Any,
) -> Indicator:
    """Create or change an indicator of a draft. The rule is checked by the engine's parser."""
    policy.require_framework_editor(actor)
    _require_draft(dimension.framework)
    if "deprived_if" in fields:
        try:
            engine.parse_rule(fields["deprived_if"], "deprived_if")
        except engine.EngineError as error:
            raise ValidationFailed({"deprived_if": [str(error)]}) from None
    if fields.get("weight"):
        try:
            engine.parse_fraction(fields["weight"], "weight")
        except engine.EngineError as error:
            raise ValidationFailed({"weight": [str(error)]}) from None
    if fields.get("prefill") and fields["prefill"] not in PREFILLS:
        raise ValidationFailed({"prefill": [_("Unknown pre-fill source.")]})
    indicator = indicator or Indicator(dimension=dimension)
    for key, value in fields.items():
        setattr(indicator, key, value)
    indicator.full_clean(exclude=["needs"])
    indicator.save()
    if needs is not None:
        indicator.needs.set(needs)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=dimension.framework,
        detail={"indicator": indicator.code},
    )
    return indicator


@transaction.atomic
def indicator_delete(*, actor: User, indicator: Indicator) -> None:
    policy.require_framework_editor(actor)
    framework = indicator.dimension.framework
    _require_draft(framework)
    code = indicator.code
    indicator.delete()
    audit.record(actor=actor, action=AuditAction.DELETE, obj=framework, detail={"indicator": code})


def published_framework() -> IndicatorFramework | None:
    return IndicatorFramework.objects.filter(status=FrameworkStatus.PUBLISHED).first()
