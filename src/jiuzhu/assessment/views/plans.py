"""开 — the plan page (also the assessment's result page) and the street caseworker's changes:
referral status of material assistance, removing and adding service items, approval."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jiuzhu.assessment.forms import MaterialStatusForm, PlanApproveForm, PlanItemAddForm
from jiuzhu.assessment.models import Assessment, Plan, PlanStatus
from jiuzhu.assessment.selectors.frameworks import framework_dimensions
from jiuzhu.assessment.services.plans import (
    material_set_status,
    plan_approve,
    plan_item_add,
    plan_item_remove,
)
from jiuzhu.assessment.views.common import (
    can_approve,
    can_change_plan,
    group_labels,
    indicator_label,
    localized,
    need_label,
    plan_or_404,
    tag_label,
)
from jiuzhu.catalog.selectors import catalog_items_for_household
from jiuzhu.core import audit
from jiuzhu.core.errors import DomainError, NotFound
from jiuzhu.core.models import AuditAction
from jiuzhu.core.views.common import add_domain_errors, domain_errors

#: The short reason codes of ``planning.material_kinds`` that are not indicator codes.
MATERIAL_REASONS = {
    "income_below_dibao_line": gettext_lazy("Per-capita income is below the dibao line"),
    "no_support_no_income": gettext_lazy("No income, and nobody able to work or support"),
    "urgent": gettext_lazy("Urgent intervention"),
}


def material_reason(code: str, labels: dict[str, str]) -> str:
    """A recommendation's reason in words: a named reason, or the deprivation behind it."""
    if code in MATERIAL_REASONS:
        return str(MATERIAL_REASONS[code])
    if code in labels:
        return _("Deprived: %(indicator)s") % {"indicator": labels[code]}
    return code


def _deprivations(assessment: Assessment, dimensions) -> list[dict]:
    deprived = set(assessment.deprived)
    critical = set(assessment.critical)
    sections = []
    for dimension in dimensions:
        indicators = list(dimension.indicators.all())
        hits = [
            {"label": indicator_label(i), "critical": i.code in critical}
            for i in indicators
            if i.code in deprived
        ]
        sections.append(
            {
                "name": localized(dimension.name, dimension.name_en),
                "deprived": hits,
                "total": len(indicators),
            }
        )
    return sections


def _score(assessment: Assessment) -> dict:
    exact = assessment.score_exact
    return {
        "exact": exact,
        "decimal": assessment.score,
        "is_fraction": "/" in exact,
    }


def plan_page_context(
    request: HttpRequest,
    *,
    assessment: Assessment,
    plan: Plan | None,
    add_form: PlanItemAddForm | None = None,
    approve_form: PlanApproveForm | None = None,
) -> dict:
    """Everything the result-and-plan page shows."""
    user = request.user
    dimensions = framework_dimensions(assessment.framework)
    labels = {i.code: indicator_label(i) for d in dimensions for i in d.indicators.all()}
    needs = sorted(
        assessment.needs.select_related("category"),
        key=lambda need: (need.category.position, need.position, need.code),
    )
    context = {
        "assessment": assessment,
        "household": assessment.household,
        "score": _score(assessment),
        "tag_label": tag_label(assessment.urgency_tag),
        "groups": group_labels(assessment.groups),
        "deprivations": _deprivations(assessment, dimensions),
        "needs": [
            {
                "label": need_label(need),
                "category": localized(need.category.name, need.category.name_en),
            }
            for need in needs
        ],
        "plan": plan,
    }
    if plan is None:
        return context
    items = sorted(
        plan.items.select_related("service_item__category__level", "need"),
        key=lambda item: (
            not item.urgent,
            item.service_item.category.level.position,
            item.service_item.category.position,
            item.service_item.position,
            item.pk,
        ),
    )
    editable = can_change_plan(user, plan)
    context.update(
        {
            "plan_tag_label": tag_label(plan.urgency_tag),
            "materials": [
                {"material": m, "reason": material_reason(m.reason, labels)}
                for m in plan.materials.order_by("id")
            ],
            "items": [
                {
                    "item": item,
                    "name": localized(item.service_item.name, item.service_item.name_en),
                    "level": localized(
                        item.service_item.category.level.name,
                        item.service_item.category.level.name_en,
                    ),
                    "need": need_label(item.need) if item.need else "",
                }
                for item in items
            ],
            "can_change": editable,
            "can_refer": can_approve(user) and plan.status != PlanStatus.SUPERSEDED,
            "status_form": MaterialStatusForm(),
        }
    )
    if editable:
        household = assessment.household
        context["add_form"] = add_form or PlanItemAddForm(
            items=catalog_items_for_household(household)
        )
        context["approve_form"] = approve_form or PlanApproveForm()
    return context


def _render_plan(request, plan: Plan, *, status: int = 200, **forms) -> HttpResponse:
    context = plan_page_context(request, assessment=plan.assessment, plan=plan, **forms)
    return render(request, "assessment/result.html", context, status=status)


@login_required
@require_GET
@domain_errors
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request.user, plan_id)
    audit.record(actor=request.user, action=AuditAction.VIEW, obj=plan)
    return _render_plan(request, plan)


def _back(plan: Plan) -> HttpResponse:
    return redirect("assessment:plan", plan_id=plan.pk)


@login_required
@require_POST
@domain_errors
def material_status(request: HttpRequest, plan_id: int, material_id: int) -> HttpResponse:
    plan = plan_or_404(request.user, plan_id)
    recommendation = plan.materials.filter(pk=material_id).first()
    if recommendation is None:
        raise NotFound("material")
    form = MaterialStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a referral status."))
        return _back(plan)
    try:
        material_set_status(
            actor=request.user, recommendation=recommendation, status=form.cleaned_data["status"]
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("Referral status recorded."))
    return _back(plan)


@login_required
@require_POST
@domain_errors
def item_remove(request: HttpRequest, plan_id: int, item_id: int) -> HttpResponse:
    plan = plan_or_404(request.user, plan_id)
    item = plan.items.select_related("service_item", "plan").filter(pk=item_id).first()
    if item is None:
        raise NotFound("plan_item")
    try:
        plan_item_remove(actor=request.user, item=item)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("Removed from the plan."))
    return _back(plan)


@login_required
@require_POST
@domain_errors
def item_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request.user, plan_id)
    form = PlanItemAddForm(request.POST, items=catalog_items_for_household(plan.household))
    if form.is_valid():
        data = form.cleaned_data
        try:
            plan_item_add(
                actor=request.user,
                plan=plan,
                service_item=data["service_item"],
                per_month=data["per_month"],
                months=data["months"],
                need=data["need"],
                note=data["note"],
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Added to the plan."))
            return _back(plan)
    return _render_plan(request, plan, status=422, add_form=form)


@login_required
@require_POST
@domain_errors
def approve(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request.user, plan_id)
    form = PlanApproveForm(request.POST)
    if form.is_valid():
        try:
            plan_approve(actor=request.user, plan=plan, note=form.cleaned_data["note"])
        except DomainError as error:
            if error.status in (403, 404):
                raise
            messages.error(request, error.message)
            return _back(plan)
        messages.success(request, _("Plan approved. It is on the household's assistance chain."))
        return _back(plan)
    return _render_plan(request, plan, status=422, approve_form=form)
