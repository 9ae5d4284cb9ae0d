"""Assessment endpoints under /api/v1: assessments (评·摸·问), plans (开), the due queue and the
indicator frameworks. Thin: schemas at the edge, the same selectors (scoping) and services as
the web pages; refusals are ``DomainError``s in the project's error shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from jiuzhu.assessment.frameworks import framework_as_dict
from jiuzhu.assessment.models import (
    Assessment,
    AssessmentReason,
    AssessmentStatus,
    FrameworkStatus,
    IndicatorFramework,
    MaterialKind,
    Plan,
    PlanItem,
    PlanItemReason,
    PlanStatus,
    ReferralStatus,
)
from jiuzhu.assessment.policy import can_use_queue, require_approver
from jiuzhu.assessment.selectors.frameworks import (
    framework_get_for,
    framework_indicators,
    framework_list_for,
)
from jiuzhu.assessment.selectors.queue import (
    assessment_get_for,
    assessment_list,
    due_queue,
    plan_get_for,
    with_all_reasons,
)
from jiuzhu.assessment.selectors.schedules import item_ends_on, upcoming
from jiuzhu.assessment.services.assessments import (
    assessment_preview,
    assessment_save,
    assessment_start,
    assessment_submit,
)
from jiuzhu.assessment.services.plans import (
    plan_approve,
    plan_end,
    plan_item_add,
    plan_item_remove,
    plan_item_update,
    plan_pause,
    plan_resume,
)
from jiuzhu.assessment.views.common import (
    fraction_text,
    indicator_label,
)
from jiuzhu.assessment.views.plans import item_reason, material_reason
from jiuzhu.catalog.models import Need, ServiceItem
from jiuzhu.core import audit
from jiuzhu.core.api import ErrorOut, choice, paginate
from jiuzhu.core.errors import NotFound, PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditAction
from jiuzhu.core.scoping import require_granted
from jiuzhu.registry.models import UrgencyTag
from jiuzhu.registry.services.households import household_get_for

router = Router(tags=["assessment"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}

Answer = bool | int | float | str | None


# ---------------------------------------------------------------- schemas


class AssessmentSummaryOut(Schema):
    id: int
    household_id: int
    framework_version: int
    status: str = choice(AssessmentStatus)
    reason: str = choice(AssessmentReason)
    assessor: str
    revision: int
    started_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    score: str | None
    score_exact: str
    poor: bool | None
    urgency_tag: str = choice(UrgencyTag, blank=True)
    plan_id: int | None


class AssessmentOut(AssessmentSummaryOut):
    baseline: dict[str, Any]
    answers: dict[str, Any]
    wishes: str
    wished_needs: list[str]
    deprived: list[str]
    missing: list[str]
    critical: list[str]
    groups: list[str]
    needs: list[str]


class AssessmentList(Schema):
    count: int
    items: list[AssessmentSummaryOut]


class StartIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = choice(AssessmentReason, AssessmentReason.MANUAL.value)


class AssessmentPatch(Schema):
    """Answers by indicator code (null clears one); ``revision`` is the one the client last
    saw — a newer one on the server is a 409."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[str, Answer] = {}
    wishes: str | None = Field(None, max_length=2000)
    wished_needs: list[str] | None = None
    revision: int | None = Field(None, ge=0)


class PreviewOut(Schema):
    score: float
    score_exact: str
    poor: bool | None
    complete: bool
    deprived: list[str]
    missing: list[str]
    critical: list[str]
    urgency_tag: str = choice(UrgencyTag, blank=True)


class MaterialOut(Schema):
    id: int
    kind: str = choice(MaterialKind)
    kind_label: str
    reason: str
    reason_label: str
    referral_status: str = choice(ReferralStatus)


class PlanItemOut(Schema):
    id: int
    service_item: str
    service_item_name: str
    need: str | None
    per_month: int
    months: int
    urgent: bool
    note: str
    reason_kind: str = choice(PlanItemReason)
    reason_code: str
    reason_label: str
    ends_on: dt.date | None


class PlanItemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    service_item: str
    per_month: int = Field(ge=1, le=62)
    months: int = Field(ge=1, le=24)
    need: str | None = None
    note: str = Field("", max_length=200)


class PlanItemPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    per_month: int = Field(ge=1, le=62)
    months: int = Field(ge=1, le=24)


class PlanReasonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=200)


class UpcomingOut(Schema):
    on: dt.date
    service_item: str
    quantity: int
    order_id: int | None
    order_status: str | None
    skipped: str


class PlanOut(Schema):
    id: int
    household_id: int
    assessment_id: int
    status: str = choice(PlanStatus)
    urgency_tag: str = choice(UrgencyTag)
    note: str
    created_at: dt.datetime
    approved_by: str | None
    approved_at: dt.datetime | None
    starts_on: dt.date | None
    materials: list[MaterialOut]
    items: list[PlanItemOut]
    upcoming: list[UpcomingOut]


class ApproveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=1000)


class DueReasonOut(Schema):
    id: int
    reason: str = choice(AssessmentReason)
    due_on: dt.date
    change_id: int | None


class DueOut(Schema):
    """One household in the queue: its earliest open entry (``id``, ``reason``, ``due_on``)
    and all its open entries in ``reasons``."""

    id: int
    household_id: int
    household: str
    community: str
    street: str
    reason: str = choice(AssessmentReason)
    due_on: dt.date
    overdue: bool
    change_id: int | None
    reasons: list[DueReasonOut]


class DueList(Schema):
    count: int
    items: list[DueOut]


class FrameworkOut(Schema):
    version: int
    name: str
    status: str = choice(FrameworkStatus)
    poverty_cutoff: str
    indicator_count: int
    created_at: dt.datetime
    published_at: dt.datetime | None


class FrameworkList(Schema):
    count: int
    items: list[FrameworkOut]


# ---------------------------------------------------------------- shaping


def _plan_id(assessment: Assessment) -> int | None:
    plan = getattr(assessment, "plan", None)
    return plan.pk if plan is not None else None


def assessment_summary(assessment: Assessment) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "household_id": assessment.household_id,
        "framework_version": assessment.framework.version,
        "status": assessment.status,
        "reason": assessment.reason,
        "assessor": str(assessment.assessor),
        "revision": assessment.revision,
        "started_at": assessment.started_at,
        "updated_at": assessment.updated_at,
        "submitted_at": assessment.submitted_at,
        "score": str(assessment.score) if assessment.score is not None else None,
        "score_exact": assessment.score_exact,
        "poor": assessment.poor,
        "urgency_tag": assessment.urgency_tag,
        "plan_id": _plan_id(assessment),
    }


def assessment_out(assessment: Assessment) -> dict[str, Any]:
    return {
        **assessment_summary(assessment),
        "baseline": assessment.baseline,
        "answers": assessment.answers,
        "wishes": assessment.wishes,
        "wished_needs": sorted(assessment.wished_needs.values_list("code", flat=True)),
        "deprived": assessment.deprived,
        "missing": assessment.missing,
        "critical": assessment.critical,
        "groups": [code for code in assessment.groups.split("|") if code],
        "needs": sorted(assessment.needs.values_list("code", flat=True)),
    }


def plan_out(plan: Plan) -> dict[str, Any]:
    labels = {
        indicator.code: indicator_label(indicator)
        for indicator in framework_indicators(plan.assessment.framework)
    }
    return {
        "id": plan.pk,
        "household_id": plan.household_id,
        "assessment_id": plan.assessment_id,
        "status": plan.status,
        "urgency_tag": plan.urgency_tag,
        "note": plan.note,
        "created_at": plan.created_at,
        "approved_by": str(plan.approved_by) if plan.approved_by else None,
        "approved_at": plan.approved_at,
        "starts_on": plan.starts_on,
        "materials": [
            {
                "id": m.pk,
                "kind": m.kind,
                "kind_label": m.get_kind_display(),
                "reason": m.reason,
                "reason_label": material_reason(m.reason, labels),
                "referral_status": m.referral_status,
            }
            for m in plan.materials.order_by("id")
        ],
        "items": [
            {
                "id": item.pk,
                "service_item": item.service_item.code,
                "service_item_name": item.service_item.name,
                "need": item.need.code if item.need else None,
                "per_month": item.per_month,
                "months": item.months,
                "urgent": item.urgent,
                "note": item.note,
                "reason_kind": item.reason_kind,
                "reason_code": item.reason_code,
                "reason_label": item_reason(item, labels),
                "ends_on": item_ends_on(item),
            }
            for item in plan.items.select_related("service_item", "need", "plan").order_by(
                "-urgent", "id"
            )
        ],
        "upcoming": [
            {
                "on": row["on"],
                "service_item": row["item"].service_item.code,
                "quantity": row["quantity"],
                "order_id": row["order"].pk if row["order"] else None,
                "order_status": row["order"].status if row["order"] else None,
                "skipped": row["skipped"],
            }
            for row in upcoming(plan)
        ],
    }


def _needs_by_code(codes: list[str]) -> list[Need]:
    needs = {need.code: need for need in Need.objects.filter(code__in=codes, active=True)}
    unknown = sorted(set(codes) - set(needs))
    if unknown:
        raise ValidationFailed(
            {"wished_needs": [_("Unknown needs: %(codes)s") % {"codes": ", ".join(unknown)}]}
        )
    return [needs[code] for code in dict.fromkeys(codes)]


# ---------------------------------------------------------------- assessments


@router.get("/assessments", response={200: AssessmentList, **ERRORS})
def list_assessments(
    request,
    household: int | None = None,
    status: str = choice(AssessmentStatus, "", blank=True, query=True),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
):
    require_granted(request.user, Assessment)
    if status and status not in AssessmentStatus.values:
        raise ValidationFailed({"status": [_("Unknown status.")]})
    scope = None
    if household is not None:
        scope = household_get_for(actor=request.user, household_id=household, audit_view=False)
    queryset = assessment_list(user=request.user, household=scope, status=status)
    items, count = paginate(queryset.select_related("plan"), limit=limit, offset=offset)
    return {"count": count, "items": [assessment_summary(a) for a in items]}


@router.post(
    "/households/{household_id}/assessments",
    response={200: AssessmentOut, 201: AssessmentOut, **ERRORS},
)
def start_assessment(request, household_id: int, payload: StartIn | None = None):
    """Open a draft (201), or return the household's open draft (200)."""
    reason = payload.reason if payload else AssessmentReason.MANUAL
    if reason not in AssessmentReason.values:
        raise ValidationFailed({"reason": [_("Unknown reason.")]})
    household = household_get_for(actor=request.user, household_id=household_id, audit_view=False)
    existing = assessment_list(
        user=request.user, household=household, status=AssessmentStatus.DRAFT
    ).exists()
    assessment = assessment_start(actor=request.user, household=household, reason=reason)
    return Status(200 if existing else 201, assessment_out(assessment))


@router.get("/assessments/{assessment_id}", response={200: AssessmentOut, **ERRORS})
def get_assessment(request, assessment_id: int):
    assessment = assessment_get_for(user=request.user, assessment_id=assessment_id)
    audit.record(actor=request.user, action=AuditAction.VIEW, obj=assessment)
    return assessment_out(assessment)


@router.patch("/assessments/{assessment_id}", response={200: AssessmentOut, **ERRORS})
def update_assessment(request, assessment_id: int, payload: AssessmentPatch):
    assessment = assessment_get_for(user=request.user, assessment_id=assessment_id)
    wished = _needs_by_code(payload.wished_needs) if payload.wished_needs is not None else None
    assessment = assessment_save(
        actor=request.user,
        assessment=assessment,
        answers=payload.answers,
        wishes=payload.wishes,
        wished_needs=wished,
        revision=payload.revision,
    )
    return assessment_out(assessment)


@router.post("/assessments/{assessment_id}/submit", response={200: AssessmentOut, **ERRORS})
def submit_assessment(request, assessment_id: int):
    assessment = assessment_get_for(user=request.user, assessment_id=assessment_id)
    assessment = assessment_submit(actor=request.user, assessment=assessment)
    return assessment_out(Assessment.objects.get(pk=assessment.pk))


@router.get("/assessments/{assessment_id}/preview", response={200: PreviewOut, **ERRORS})
def preview_assessment(request, assessment_id: int):
    assessment = assessment_get_for(user=request.user, assessment_id=assessment_id)
    preview = assessment_preview(assessment)
    result = preview["result"]
    return {
        "score": float(result.score),
        "score_exact": fraction_text(result.score),
        "poor": result.poor,
        "complete": not result.missing,
        "deprived": list(result.deprived),
        "missing": list(result.missing),
        "critical": list(result.critical_deprivations),
        "urgency_tag": preview["urgency_tag"],
    }


# ---------------------------------------------------------------- plans


@router.get("/plans/{plan_id}", response={200: PlanOut, **ERRORS})
def get_plan(request, plan_id: int):
    plan = plan_get_for(user=request.user, plan_id=plan_id)
    audit.record(actor=request.user, action=AuditAction.VIEW, obj=plan)
    return plan_out(plan)


@router.post("/plans/{plan_id}/approve", response={200: PlanOut, **ERRORS})
def approve_plan(request, plan_id: int, payload: ApproveIn | None = None):
    plan = plan_get_for(user=request.user, plan_id=plan_id)
    plan = plan_approve(actor=request.user, plan=plan, note=payload.note if payload else "")
    return plan_out(plan)


def _plan_item(plan: Plan, item_id: int) -> PlanItem:
    item = plan.items.select_related("service_item", "plan").filter(pk=item_id).first()
    if item is None:
        raise NotFound("plan_item")
    return item


@router.post("/plans/{plan_id}/items", response={201: PlanOut, **ERRORS})
def add_plan_item(request, plan_id: int, payload: PlanItemIn):
    """Add a service to a draft plan (only items the household is eligible for)."""
    plan = plan_get_for(user=request.user, plan_id=plan_id)
    require_approver(request.user)  # the role before the input is read
    service_item = ServiceItem.objects.filter(code=payload.service_item, active=True).first()
    if service_item is None:
        raise ValidationFailed({"service_item": [_("Unknown service item.")]})
    need = None
    if payload.need:
        (need,) = _needs_by_code([payload.need])
    plan_item_add(
        actor=request.user,
        plan=plan,
        service_item=service_item,
        per_month=payload.per_month,
        months=payload.months,
        need=need,
        note=payload.note,
    )
    return Status(201, plan_out(plan))


@router.patch("/plans/{plan_id}/items/{item_id}", response={200: PlanOut, **ERRORS})
def update_plan_item(request, plan_id: int, item_id: int, payload: PlanItemPatch):
    """Frequency and duration: of a draft, or of a running plan's future occurrences."""
    plan = plan_get_for(user=request.user, plan_id=plan_id)
    plan_item_update(
        actor=request.user,
        item=_plan_item(plan, item_id),
        per_month=payload.per_month,
        months=payload.months,
    )
    return plan_out(plan)


@router.delete("/plans/{plan_id}/items/{item_id}", response={200: PlanOut, **ERRORS})
def remove_plan_item(request, plan_id: int, item_id: int):
    plan = plan_get_for(user=request.user, plan_id=plan_id)
    plan_item_remove(actor=request.user, item=_plan_item(plan, item_id))
    return plan_out(plan)


@router.post("/plans/{plan_id}/pause", response={200: PlanOut, **ERRORS})
def pause_plan(request, plan_id: int, payload: PlanReasonIn | None = None):
    plan = plan_get_for(user=request.user, plan_id=plan_id)
    plan = plan_pause(actor=request.user, plan=plan, reason=payload.reason if payload else "")
    return plan_out(plan)


@router.post("/plans/{plan_id}/resume", response={200: PlanOut, **ERRORS})
def resume_plan(request, plan_id: int):
    plan = plan_get_for(user=request.user, plan_id=plan_id)
    return plan_out(plan_resume(actor=request.user, plan=plan))


@router.post("/plans/{plan_id}/end", response={200: PlanOut, **ERRORS})
def end_plan(request, plan_id: int, payload: PlanReasonIn | None = None):
    plan = plan_get_for(user=request.user, plan_id=plan_id)
    plan = plan_end(actor=request.user, plan=plan, reason=payload.reason if payload else "")
    return plan_out(plan)


# ---------------------------------------------------------------- queue and frameworks


@router.get("/assessment/queue", response={200: DueList, **ERRORS})
def get_queue(
    request,
    street: int | None = None,
    overdue: bool = False,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
):
    if not can_use_queue(request.user):
        raise PermissionDenied(_("The assessment queue is for staff who work on cases."))
    today = timezone.localdate()
    items, count = paginate(
        due_queue(user=request.user, street=street, overdue_only=overdue),
        limit=limit,
        offset=offset,
    )
    items = with_all_reasons(list(items))
    return {
        "count": count,
        "items": [
            {
                "id": due.pk,
                "household_id": due.household_id,
                "household": due.household.head_name,
                "community": due.household.community.name,
                "street": due.household.street.name,
                "reason": due.reason,
                "due_on": due.due_on,
                "overdue": due.due_on < today,
                "change_id": due.change_id,
                "reasons": [
                    {
                        "id": entry.pk,
                        "reason": entry.reason,
                        "due_on": entry.due_on,
                        "change_id": entry.change_id,
                    }
                    for entry in due.entries
                ],
            }
            for due in items
        ],
    }


@router.get("/frameworks", response={200: FrameworkList, **ERRORS})
def list_frameworks(request):
    require_granted(request.user, IndicatorFramework)
    frameworks = list(framework_list_for(user=request.user))
    return {"count": len(frameworks), "items": frameworks}


@router.get("/frameworks/{version}", response={200: dict[str, Any], **ERRORS})
def get_framework(request, version: int):
    """The version in the file format (``jiuzhu manage framework export``, ``jiuzhu mpi``)."""
    return framework_as_dict(framework_get_for(user=request.user, version=version))
