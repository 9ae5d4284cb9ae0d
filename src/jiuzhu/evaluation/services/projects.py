"""Purchased-service projects and their spot checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core import audit
from jiuzhu.core.errors import PermissionDenied, ValidationFailed
from jiuzhu.core.models import Area, AuditAction, User
from jiuzhu.evaluation import policy
from jiuzhu.evaluation.engine.quality import KPIS
from jiuzhu.evaluation.models import PeriodKind, Project, ProjectItem, SettlementRule, SpotCheck
from jiuzhu.evaluation.services.statements import require_district_of
from jiuzhu.orders.models import Order, Provider

ItemRow = tuple[ServiceItem, Decimal, int]


def _validate(
    *,
    name: str,
    cycle_years: int,
    period_kind: str,
    budget: Decimal,
    kpi_weights: Mapping[str, float],
    rows: list[ItemRow],
) -> dict[str, list[str]]:
    """The rules a project's terms follow, on creation and on every edit."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the project a name.")]
    if cycle_years < 1 or cycle_years > 5:
        errors["cycle_years"] = [_("A project runs one to five years.")]
    if period_kind not in PeriodKind.values:
        errors["period_kind"] = [_("Choose monthly or quarterly.")]
    unknown = set(kpi_weights) - set(KPIS)
    if (
        unknown
        or any(float(w) < 0 for w in kpi_weights.values())
        or not any(float(w) > 0 for w in kpi_weights.values())
    ):
        errors["kpi_weights"] = [
            _("Give non-negative weights to known KPIs, at least one above 0.")
        ]
    if budget < 0:
        errors["budget"] = [_("The budget cannot be negative.")]
    if not rows:
        errors["items"] = [_("A project buys at least one service item.")]
    elif len({item.pk for item, _price, _target in rows}) != len(rows):
        errors["items"] = [_("List each service item once.")]
    elif any(price < 0 or target < 0 for _item, price, target in rows):
        errors["items"] = [_("Unit prices and volume targets cannot be negative.")]
    return errors


def _require_manager_of(actor: User, district: Area) -> None:
    policy.require_project_manager(actor)
    if actor.area_id != district.pk:
        raise PermissionDenied(_("This project belongs to another district."))


@transaction.atomic
def project_create(
    *,
    actor: User,
    code: str,
    name: str,
    provider: Provider,
    district: Area,
    starts_on: dt.date,
    cycle_years: int,
    period_kind: str,
    budget: Decimal,
    kpi_weights: Mapping[str, float],
    items: Iterable[ItemRow],
) -> Project:
    """A purchase contract, made by a manager of its district: one year, or two years and
    more; items with unit prices and volume targets per period; KPI weights over
    ``engine.quality.KPIS``."""
    _require_manager_of(actor, district)
    rows = list(items)
    errors = _validate(
        name=name,
        cycle_years=cycle_years,
        period_kind=period_kind,
        budget=budget,
        kpi_weights=kpi_weights,
        rows=rows,
    )
    code = code.strip()
    if not code:
        errors["code"] = [_("Give the contract number.")]
    elif Project.objects.filter(code=code).exists():
        errors["code"] = [_("This contract number is already used.")]
    if errors:
        raise ValidationFailed(errors)
    project = Project.objects.create(
        code=code,
        name=name.strip(),
        provider=provider,
        district=district,
        starts_on=starts_on,
        ends_on=starts_on.replace(year=starts_on.year + cycle_years),
        cycle_years=cycle_years,
        period_kind=period_kind,
        budget=budget,
        kpi_weights={k: float(v) for k, v in kpi_weights.items()},
        created_by=actor,
    )
    for item, price, target in rows:
        ProjectItem.objects.create(
            project=project, item=item, unit_price=price, volume_target=target
        )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=project)
    return project


def _terms(project: Project) -> dict[str, Any]:
    return {
        "name": project.name,
        "cycle_years": project.cycle_years,
        "budget": str(project.budget),
        "kpi_weights": project.kpi_weights,
        "items": sorted(
            [pi.item_id, str(pi.unit_price), pi.volume_target] for pi in project.items.all()
        ),
    }


@transaction.atomic
def project_update(
    *,
    actor: User,
    project: Project,
    name: str,
    cycle_years: int,
    budget: Decimal,
    kpi_weights: Mapping[str, float],
    items: Iterable[ItemRow],
) -> Project:
    """Change a project's terms (name, cycle, budget, KPI weights, items and prices). The
    contract number, provider, district, start and period kind stay. Locked statements keep what
    they settled; drafts follow the new terms when next drafted. The audit entry holds the terms
    before and after."""
    _require_manager_of(actor, project.district)
    rows = list(items)
    errors = _validate(
        name=name,
        cycle_years=cycle_years,
        period_kind=project.period_kind,
        budget=budget,
        kpi_weights=kpi_weights,
        rows=rows,
    )
    if errors:
        raise ValidationFailed(errors)
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = _terms(project)
    Project.objects.filter(pk=project.pk).update(
        name=name.strip(),
        cycle_years=cycle_years,
        ends_on=project.starts_on.replace(year=project.starts_on.year + cycle_years),
        budget=budget,
        kpi_weights={k: float(v) for k, v in kpi_weights.items()},
    )
    kept = {item.pk for item, _price, _target in rows}
    project.items.exclude(item_id__in=kept).delete()
    for item, price, target in rows:
        ProjectItem.objects.update_or_create(
            project=project, item=item, defaults={"unit_price": price, "volume_target": target}
        )
    project.refresh_from_db()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=project,
        detail={"before": before, "after": _terms(project)},
    )
    return project


# ---------------------------------------------------------------- a district's tiers

#: At most this many tiers (the source's example has three).
TIERS_MAX = 6


def validate_tiers(rows: Sequence[tuple[Decimal, Decimal]]) -> list[str]:
    """The problems with ``rows`` of (minimum score, pay percent), in the reader's language."""
    problems: list[str] = []
    if not rows:
        return [_("Give at least one tier.")]
    if len(rows) > TIERS_MAX:
        problems.append(_("At most %(n)d tiers.") % {"n": TIERS_MAX})
    if any(not (0 <= minimum <= 100) for minimum, _percent in rows):
        problems.append(_("A tier's minimum score is from 0 to 100."))
    if any(not (0 <= percent <= 100) for _minimum, percent in rows):
        problems.append(_("A tier pays from 0 to 100 percent."))
    minimums = [minimum for minimum, _percent in rows]
    if len(set(minimums)) != len(minimums):
        problems.append(_("Two tiers cannot start at the same score."))
    ordered = sorted(rows, key=lambda row: row[0], reverse=True)
    if any(lower[1] > higher[1] for higher, lower in zip(ordered, ordered[1:], strict=False)):
        problems.append(_("A lower score cannot pay a higher percent than a higher score."))
    return problems


@transaction.atomic
def settlement_tiers_set(
    *, actor: User, district: Area, tiers: Sequence[tuple[Decimal, Decimal]]
) -> SettlementRule:
    """Set the district's quality tiers (minimum score → pay percent; below every minimum the
    payment is withheld). Statements already drafted keep the tiers they copied until they are
    drafted again; locked ones never change."""
    policy.require_tier_editor(actor)
    if actor.area_id != district.pk:
        raise PermissionDenied(_("This is another district's rule."))
    problems = validate_tiers(tiers)
    if problems:
        raise ValidationFailed({"tiers": problems})
    rows = [
        [format(minimum.normalize(), "f"), format(percent.normalize(), "f")]
        for minimum, percent in sorted(tiers, key=lambda row: row[0], reverse=True)
    ]
    rule = SettlementRule.objects.select_for_update().filter(district=district).first()
    before = rule.tiers if rule else None
    if rule is None:
        rule = SettlementRule.objects.create(district=district, tiers=rows)
    else:
        rule.tiers = rows
        rule.save(update_fields=["tiers", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE if before is not None else AuditAction.CREATE,
        obj=rule,
        detail={"before": before, "after": rows},
    )
    return rule


@transaction.atomic
def spot_check_record(
    *,
    actor: User,
    project: Project,
    checked_on: dt.date,
    method: str,
    orders: Iterable[Order],
    findings: str,
    score: int,
    photo: UploadedFile | None = None,
) -> SpotCheck:
    """A manager's spot check (抽查): the sampled orders must be the project's provider's."""
    require_district_of(actor, project)
    sampled = list(orders)
    errors: dict[str, list[str]] = {}
    if not 0 <= score <= 100:
        errors["score"] = [_("Give a score from 0 to 100.")]
    if not findings.strip():
        errors["findings"] = [_("Write what was found.")]
    if any(order.provider_id != project.provider_id for order in sampled):
        errors["orders"] = [_("Sample only orders this project's provider served.")]
    if errors:
        raise ValidationFailed(errors)
    check = SpotCheck.objects.create(
        project=project,
        checked_on=checked_on,
        method=method,
        findings=findings.strip(),
        score=score,
        photo=photo or "",
        by=actor,
    )
    check.orders.set(sampled)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=check, detail={"score": score})
    return check
