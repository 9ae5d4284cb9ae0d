"""Projects and settlement under /api/v1: projects, spot checks, statements (``/settlements``)
and rankings. Thin: the services and selectors do the work.

A project or statement the caller cannot see is 404; a step their role may not take is 403; a
step from the wrong state is 409; bad input is 422 — in the ``{code, message, extra}`` shape.
Amounts are decimal strings in yuan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.api import ErrorOut, choice, paginate
from jiuzhu.core.errors import NotFound, ValidationFailed
from jiuzhu.core.forms import validated
from jiuzhu.dispatch.selectors.monitoring import providers_in_scope
from jiuzhu.evaluation import policy
from jiuzhu.evaluation.engine.quality import KPIS
from jiuzhu.evaluation.forms_projects import ITEM_ROWS, ProjectForm, TiersForm
from jiuzhu.evaluation.models import (
    DisputeState,
    LineKind,
    PeriodKind,
    Project,
    SpotCheck,
    SpotMethod,
    Statement,
    StatementStatus,
)
from jiuzhu.evaluation.selectors.projects import (
    budget_spent,
    district_tiers_get_for,
    line_get_for,
    project_get_for,
    project_list,
    spot_check_list,
    statement_get_for,
    statement_list,
)
from jiuzhu.evaluation.selectors.rankings import rankings
from jiuzhu.evaluation.services import statements as services
from jiuzhu.evaluation.services.projects import (
    TIERS_MAX,
    project_create,
    project_update,
    settlement_tiers_set,
    spot_check_record,
)
from jiuzhu.orders.models import Order

router = Router(tags=["settlement"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ProjectItemOut(Schema):
    item_id: int
    item: str
    unit_price: Decimal
    volume_target: int


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    provider_id: int
    provider: str
    district_id: int
    district: str
    starts_on: dt.date
    ends_on: dt.date
    cycle_years: int
    period_kind: str = choice(PeriodKind)
    budget: Decimal
    spent: Decimal
    pending: Decimal
    left: Decimal
    kpi_weights: dict[str, float]
    items: list[ProjectItemOut]


class ProjectList(Schema):
    count: int
    items: list[ProjectOut]


class SpotCheckIn(Schema):
    checked_on: str = Field(..., max_length=10, description="YYYY-MM-DD")
    method: str = choice(SpotMethod)
    order_ids: list[int] = Field(default_factory=list, max_length=50)
    findings: str = Field(..., max_length=1000)
    score: int = Field(..., ge=0, le=100)


class SpotCheckOut(Schema):
    id: int
    checked_on: dt.date
    method: str = choice(SpotMethod)
    order_ids: list[int]
    findings: str
    score: int
    by: str


class DraftIn(Schema):
    period: str = Field(..., max_length=7, description="YYYY-MM")


class LineOut(Schema):
    id: int
    kind: str = choice(LineKind)
    description: str
    item_id: int | None
    unit_price: Decimal | None
    quantity: int
    gross: Decimal
    percent: Decimal
    amount: Decimal
    order_ids: list[int]
    #: Upheld complaints about the counted orders (complaint → order → line).
    complaint_ids: list[int]
    dispute: str = choice(DisputeState, blank=True)
    dispute_reason: str
    resolution_note: str


class StatementOut(Schema):
    id: int
    project_id: int
    project: str
    provider: str
    period: str
    status: str = choice(StatementStatus)
    score: Decimal | None
    percent: Decimal
    gross: Decimal
    payable: Decimal
    withheld: Decimal
    corrections_total: Decimal
    total: Decimal
    quality: dict[str, Any]
    tiers: list[list[str]]
    actions: list[str]
    lines: list[LineOut] | None = None


class StatementList(Schema):
    count: int
    items: list[StatementOut]


class StatementDisputeIn(Schema):
    reason: str = Field(..., max_length=500)


class ResolveIn(Schema):
    uphold: bool
    amount: Decimal | None = Field(None, max_digits=12, decimal_places=2)
    note: str = Field(..., max_length=500)


def project_out(project: Project) -> dict[str, Any]:
    budget = budget_spent(project)
    return {
        "id": project.pk,
        "code": project.code,
        "name": project.name,
        "provider_id": project.provider_id,
        "provider": project.provider.organisation.name,
        "district_id": project.district_id,
        "district": project.district.name,
        "starts_on": project.starts_on,
        "ends_on": project.ends_on,
        "cycle_years": project.cycle_years,
        "period_kind": project.period_kind,
        "budget": project.budget,
        **budget,
        "kpi_weights": project.kpi_weights,
        "items": [
            {
                "item_id": pi.item_id,
                "item": str(pi.item),
                "unit_price": pi.unit_price,
                "volume_target": pi.volume_target,
            }
            for pi in project.items.all()
        ],
    }


def spot_check_out(check: SpotCheck) -> dict[str, Any]:
    return {
        "id": check.pk,
        "checked_on": check.checked_on,
        "method": check.method,
        "order_ids": sorted(o.pk for o in check.orders.all()),
        "findings": check.findings,
        "score": check.score,
        "by": str(check.by),
    }


def statement_out(statement: Statement, user, *, lines: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": statement.pk,
        "project_id": statement.project_id,
        "project": statement.project.code,
        "provider": statement.project.provider.organisation.name,
        "period": statement.period,
        "status": statement.status,
        "score": statement.score,
        "percent": statement.percent,
        "gross": statement.gross,
        "payable": statement.payable,
        "withheld": statement.withheld,
        "corrections_total": statement.corrections_total,
        "total": statement.total,
        "quality": statement.quality,
        "tiers": statement.tiers,
        "actions": services.STATEMENT_FLOW.actions_for(statement.status, user.role),
    }
    if lines:
        out["lines"] = [
            {
                "id": line.pk,
                "kind": line.kind,
                "description": line.description,
                "item_id": line.item_id,
                "unit_price": line.unit_price,
                "quantity": line.quantity,
                "gross": line.gross,
                "percent": line.percent,
                "amount": line.amount,
                "order_ids": line.orders,
                "complaint_ids": line.complaints,
                "dispute": line.dispute,
                "dispute_reason": line.dispute_reason,
                "resolution_note": line.resolution_note,
            }
            for line in statement.lines.all()
        ]
    return out


# ---------------------------------------------------------------- projects


@router.get("/projects", response={200: ProjectList, **ERRORS})
def list_projects(request, limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0)):
    policy.require_project_reader(request.user)
    items, count = paginate(project_list(user=request.user), limit=limit, offset=offset)
    return {"count": count, "items": [project_out(p) for p in items]}


class ProjectItemIn(Schema):
    item_id: int
    unit_price: Decimal = Field(..., max_digits=10, decimal_places=2)
    volume_target: int = Field(0, ge=0, le=1_000_000)


class ProjectUpdateIn(Schema):
    name: str = Field(..., max_length=100)
    cycle_years: int = Field(..., ge=1, le=5)
    budget: Decimal = Field(..., max_digits=14, decimal_places=2)
    kpi_weights: dict[str, float] = Field(..., description="{kpi: weight}, kpi one of KPIS")
    items: list[ProjectItemIn] = Field(..., max_length=ITEM_ROWS)


class ProjectIn(ProjectUpdateIn):
    code: str = Field(..., max_length=32)
    provider_id: int
    starts_on: str = Field(..., max_length=10, description="YYYY-MM-DD")
    period_kind: str = choice(PeriodKind)


def _project_form_data(payload: ProjectUpdateIn) -> dict[str, Any]:
    unknown = set(payload.kpi_weights) - set(KPIS)
    if unknown:
        raise ValidationFailed(
            {"kpi_weights": [_("Unknown KPI: %(kpi)s.") % {"kpi": ", ".join(sorted(unknown))}]}
        )
    data: dict[str, Any] = {
        "name": payload.name,
        "cycle_years": payload.cycle_years,
        "budget": payload.budget,
        **{f"w_{kpi}": weight for kpi, weight in payload.kpi_weights.items()},
    }
    for i, row in enumerate(payload.items):
        data.update(
            {
                f"item_{i}": row.item_id,
                f"price_{i}": row.unit_price,
                f"target_{i}": row.volume_target,
            }
        )
    return data


def _form(request, *, creating: bool, data: dict[str, Any]) -> ProjectForm:
    return ProjectForm(
        data,
        creating=creating,
        providers=providers_in_scope(request.user),
        items=ServiceItem.objects.all(),
    )


@router.post("/projects", response={201: ProjectOut, **ERRORS})
def create_project(request, payload: ProjectIn):
    """A purchase contract of the caller's district (district managers)."""
    policy.require_project_manager(request.user)
    data = _project_form_data(payload)
    data.update(
        {
            "code": payload.code,
            "provider": payload.provider_id,
            "starts_on": payload.starts_on,
            "period_kind": payload.period_kind,
        }
    )
    clean = validated(_form(request, creating=True, data=data))
    project = project_create(
        actor=request.user,
        code=clean["code"],
        name=clean["name"],
        provider=clean["provider"],
        district=request.user.area,
        starts_on=clean["starts_on"],
        cycle_years=clean["cycle_years"],
        period_kind=clean["period_kind"],
        budget=clean["budget"],
        kpi_weights=clean["kpi_weights"],
        items=clean["items"],
    )
    return Status(201, project_out(project_get_for(user=request.user, project_id=project.pk)))


@router.put("/projects/{project_id}", response={200: ProjectOut, **ERRORS})
def update_project(request, project_id: int, payload: ProjectUpdateIn):
    """Change the terms (name, cycle, budget, KPI weights, items and prices); the contract
    number, provider, district, start and period kind stay."""
    project = project_get_for(user=request.user, project_id=project_id)
    services.require_district_of(request.user, project)
    clean = validated(_form(request, creating=False, data=_project_form_data(payload)))
    project_update(
        actor=request.user,
        project=project,
        name=clean["name"],
        cycle_years=clean["cycle_years"],
        budget=clean["budget"],
        kpi_weights=clean["kpi_weights"],
        items=clean["items"],
    )
    return project_out(project_get_for(user=request.user, project_id=project_id))


class TierRow(Schema):
    minimum: Decimal = Field(..., max_digits=5, decimal_places=2)
    percent: Decimal = Field(..., max_digits=5, decimal_places=2)


class TiersIn(Schema):
    tiers: list[TierRow] = Field(..., max_length=TIERS_MAX)


class TiersOut(Schema):
    district_id: int
    district: str
    configured: bool
    tiers: list[TierRow]


def _tiers_out(request, district_id: int) -> dict[str, Any]:
    district, tiers, configured = district_tiers_get_for(user=request.user, district_id=district_id)
    return {
        "district_id": district.pk,
        "district": district.name,
        "configured": configured,
        "tiers": [{"minimum": Decimal(m), "percent": Decimal(p)} for m, p in tiers],
    }


@router.get("/districts/{district_id}/settlement-tiers", response={200: TiersOut, **ERRORS})
def get_settlement_tiers(request, district_id: int):
    """A district's quality tiers (district managers their own; the city every district's)."""
    return _tiers_out(request, district_id)


@router.put("/districts/{district_id}/settlement-tiers", response={200: TiersOut, **ERRORS})
def set_settlement_tiers(request, district_id: int, payload: TiersIn):
    """Set the district's tiers (its district managers)."""
    district, _tiers, _configured = district_tiers_get_for(
        user=request.user, district_id=district_id
    )
    policy.require_tier_editor(request.user)
    data: dict[str, Any] = {}
    for i, row in enumerate(payload.tiers):
        data.update({f"minimum_{i}": row.minimum, f"percent_{i}": row.percent})
    clean = validated(TiersForm(data))
    settlement_tiers_set(actor=request.user, district=district, tiers=clean["tiers"])
    return _tiers_out(request, district_id)


@router.get("/projects/{project_id}", response={200: ProjectOut, **ERRORS})
def get_project(request, project_id: int):
    return project_out(project_get_for(user=request.user, project_id=project_id))


@router.get("/projects/{project_id}/spot-checks", response={200: list[SpotCheckOut], **ERRORS})
def list_spot_checks(request, project_id: int):
    project = project_get_for(user=request.user, project_id=project_id)
    policy.require_spot_check_reader(request.user)
    checks = spot_check_list(user=request.user, project=project).prefetch_related("orders")
    return [spot_check_out(c) for c in checks]


@router.post("/projects/{project_id}/spot-checks", response={201: SpotCheckOut, **ERRORS})
def create_spot_check(request, project_id: int, payload: SpotCheckIn):
    project = project_get_for(user=request.user, project_id=project_id)
    services.require_district_of(request.user, project)
    try:
        checked_on = dt.date.fromisoformat(payload.checked_on)
    except ValueError:
        raise ValidationFailed({"checked_on": [_("Give the date as YYYY-MM-DD.")]}) from None
    orders = list(Order.objects.filter(pk__in=payload.order_ids))
    if len(orders) != len(set(payload.order_ids)):
        raise ValidationFailed({"order_ids": [_("No such order.")]})
    check = spot_check_record(
        actor=request.user,
        project=project,
        checked_on=checked_on,
        method=payload.method,
        orders=orders,
        findings=payload.findings,
        score=payload.score,
    )
    return Status(201, spot_check_out(check))


@router.post("/projects/{project_id}/statements", response={200: StatementOut, **ERRORS})
def draft_statement(request, project_id: int, payload: DraftIn):
    project = project_get_for(user=request.user, project_id=project_id)
    statement, _written = services.statement_draft(
        actor=request.user, project=project, period=payload.period
    )
    return statement_out(statement, request.user, lines=True)


# ---------------------------------------------------------------- statements


@router.get("/settlements", response={200: StatementList, **ERRORS})
def list_settlements(
    request,
    status: str = choice(StatementStatus, "", blank=True, query=True),
    period: str = Query("", max_length=7),
    project: int | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
):
    policy.require_project_reader(request.user)
    statements = statement_list(user=request.user)
    if status:
        statements = statements.filter(status=status)
    if period:
        statements = statements.filter(period=period)
    if project:
        statements = statements.filter(project_id=project)
    items, count = paginate(statements, limit=limit, offset=offset)
    return {"count": count, "items": [statement_out(s, request.user) for s in items]}


@router.get("/settlements/{statement_id}", response={200: StatementOut, **ERRORS})
def get_settlement(request, statement_id: int):
    statement = statement_get_for(user=request.user, statement_id=statement_id)
    return statement_out(statement, request.user, lines=True)


def _act(request, statement_id: int, service) -> dict[str, Any]:
    statement = statement_get_for(user=request.user, statement_id=statement_id)
    service(actor=request.user, statement=statement)
    fresh = statement_get_for(user=request.user, statement_id=statement_id)
    return statement_out(fresh, request.user, lines=True)


@router.post("/settlements/{statement_id}/submit", response={200: StatementOut, **ERRORS})
def submit_settlement(request, statement_id: int):
    return _act(request, statement_id, services.statement_submit)


@router.post("/settlements/{statement_id}/approve", response={200: StatementOut, **ERRORS})
def approve_settlement(request, statement_id: int):
    return _act(request, statement_id, services.statement_approve)


@router.post("/settlements/{statement_id}/pay", response={200: StatementOut, **ERRORS})
def pay_settlement(request, statement_id: int):
    return _act(request, statement_id, services.statement_pay)


@router.post(
    "/settlements/{statement_id}/lines/{line_id}/dispute", response={200: StatementOut, **ERRORS}
)
def dispute_line(request, statement_id: int, line_id: int, payload: StatementDisputeIn):
    statement = statement_get_for(user=request.user, statement_id=statement_id)
    line = line_get_for(user=request.user, line_id=line_id)
    if line.statement_id != statement.pk:
        raise NotFound("statement line")
    services.line_dispute(actor=request.user, line=line, reason=payload.reason)
    return statement_out(statement, request.user, lines=True)


@router.post(
    "/settlements/{statement_id}/lines/{line_id}/resolve", response={200: StatementOut, **ERRORS}
)
def resolve_line(request, statement_id: int, line_id: int, payload: ResolveIn):
    statement = statement_get_for(user=request.user, statement_id=statement_id)
    line = line_get_for(user=request.user, line_id=line_id)
    if line.statement_id != statement.pk:
        raise NotFound("statement line")
    services.line_resolve(
        actor=request.user,
        line=line,
        uphold=payload.uphold,
        amount=payload.amount,
        note=payload.note,
    )
    return statement_out(statement, request.user, lines=True)


# ---------------------------------------------------------------- rankings


class ProviderRankOut(Schema):
    rank: int
    district: str
    period: str
    provider: str
    project: str
    statement_id: int
    status: str = choice(StatementStatus)
    score: Decimal | None
    percent: Decimal
    person_times: int
    total: Decimal


class FigureOut(Schema):
    name: str
    person_times: int
    money: Decimal


class RankingsOut(Schema):
    providers: list[ProviderRankOut]
    items: list[FigureOut]
    streets: list[FigureOut]
    groups: list[FigureOut]
    corrections: Decimal
    person_times: int
    money: Decimal


@router.get("/settlement-rankings", response={200: RankingsOut, **ERRORS})
def provider_rankings(request, period: str = Query("", max_length=7), district: int | None = None):
    policy.require_ranking_reader(request.user)
    found = rankings(user=request.user, period=period, district_id=district)
    rename = lambda rows, key: [{**r, "name": r[key]} for r in rows]  # noqa: E731
    return {
        **found,
        "items": rename(found["items"], "item"),
        "streets": rename(found["streets"], "street"),
        "groups": rename(found["groups"], "group"),
    }
