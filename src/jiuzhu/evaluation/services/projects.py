"""Purchased-service projects and their spot checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core import audit
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.models import Area, AuditAction, User
from jiuzhu.evaluation.engine.quality import KPIS
from jiuzhu.evaluation.models import PeriodKind, Project, ProjectItem, SpotCheck
from jiuzhu.evaluation.services.statements import require_district_of
from jiuzhu.orders.models import Order, Provider


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
    items: Iterable[tuple[ServiceItem, Decimal, int]],
) -> Project:
    """A purchase contract: one year, or two years and more; items with unit prices and volume
    targets per period; KPI weights over ``engine.quality.KPIS``."""
    errors: dict[str, list[str]] = {}
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
    rows = list(items)
    if not rows:
        errors["items"] = [_("A project buys at least one service item.")]
    if Project.objects.filter(code=code).exists():
        errors["code"] = [_("This contract number is already used.")]
    if errors:
        raise ValidationFailed(errors)
    project = Project.objects.create(
        code=code,
        name=name,
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
