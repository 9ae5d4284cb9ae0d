"""开 — the plan page (also the assessment's result page) and the street caseworker's changes:
referral status of material assistance, adding, removing and setting the frequency of service
items, approval; then the running plan's schedule: pause, resume, end."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jiuzhu.assessment.forms import (
    MaterialStatusForm,
    PlanApproveForm,
    PlanItemAddForm,
    PlanItemUpdateForm,
    PlanReasonForm,
)
from jiuzhu.assessment.material_referrals import material_referrals
from jiuzhu.assessment.models import (
    LIVE_PLAN_STATUSES,
    Assessment,
    Plan,
    PlanItem,
    PlanItemReason,
    PlanStatus,
)
from jiuzhu.assessment.policy import (
    can_approve,
    can_change_plan,
    can_run_plan,
    require_approver,
)
from jiuzhu.assessment.selectors.frameworks import framework_dimensions
from jiuzhu.assessment.selectors.queue import plan_get_for, plans_of
from jiuzhu.assessment.selectors.schedules import item_ends_on, upcoming
from jiuzhu.assessment.services.plans import (
    material_set_status,
    plan_approve,
    plan_end,
    plan_item_add,
    plan_item_remove,
    plan_item_update,
    plan_pause,
    plan_resume,
)
from jiuzhu.assessment.views.common import (
    group_labels,
    indicator_label,
    localized,
    need_label,
    percent_text,
    tag_explanation,
    tag_label,
)
from jiuzhu.catalog.selectors import catalog_items_for_household
from jiuzhu.core import audit
from jiuzhu.core.errors import DomainError, NotFound
from jiuzhu.core.models import AuditAction, Role
from jiuzhu.core.views.common import add_domain_errors, domain_errors
from jiuzhu.registry.policy import require_beneficiary
from jiuzhu.registry.selectors.households import household_list

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


def item_reason(item: PlanItem, labels: dict[str, str]) -> str:
    """Why a service is in the plan, in words."""
    if item.reason_kind == PlanItemReason.DEPRIVATION:
        return _("Deprived: %(indicator)s") % {
            "indicator": labels.get(item.reason_code, item.reason_code)
        }
    if item.reason_kind == PlanItemReason.WISH:
        need = item.need if item.need and item.need.code == item.reason_code else None
        label = need_label(need) if need else item.reason_code
        return _("The household asked for it: %(need)s") % {"need": label}
    if item.reason_kind == PlanItemReason.GROUP:
        (group,) = group_labels([item.reason_code]) or [item.reason_code]
        return _("Typical need of %(group)s households") % {"group": group}
    return _("Added by the caseworker")


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
        "percent": percent_text(assessment.score) if assessment.score is not None else "—",
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
        "tag_note": tag_explanation(
            tag=assessment.urgency_tag,
            poor=assessment.poor,
            critical=list(assessment.critical),
            labels=labels,
        ),
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
    running = can_run_plan(user, plan)
    previous = None
    if plan.status == PlanStatus.DRAFT:
        previous = (
            plan.household.plans.filter(status__in=LIVE_PLAN_STATUSES).exclude(pk=plan.pk).first()
        )
    context.update(
        {
            "plan_tag_label": tag_label(plan.urgency_tag),
            "materials": _material_rows(user, plan, labels),
            "items": [
                {
                    "item": item,
                    "name": localized(item.service_item.name, item.service_item.name_en),
                    "level": localized(
                        item.service_item.category.level.name,
                        item.service_item.category.level.name_en,
                    ),
                    "need": need_label(item.need) if item.need else "",
                    "reason": item_reason(item, labels),
                    "ends_on": item_ends_on(item),
                }
                for item in items
            ],
            "can_change": editable,
            "can_run": running,
            "can_edit_frequency": editable or running,
            "previous_plan": previous,
            "revision": _revision(previous, items) if previous else None,
            "upcoming": upcoming(plan) if plan.status == PlanStatus.APPROVED else [],
            "reason_form": PlanReasonForm(),
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


def _material_rows(user, plan: Plan, labels: dict) -> list[dict]:
    """Each recommendation with its reason and, where a department on the platform handles its
    kind, the live referral (``material_referrals``) instead of the hand-set status."""
    materials = list(plan.materials.order_by("id"))
    referrals = material_referrals(user, materials)
    return [
        {
            "material": m,
            "reason": material_reason(m.reason, labels),
            "referral": referrals.get(m.pk),
        }
        for m in materials
    ]


def _revision(previous: Plan, items: list[PlanItem]) -> dict:
    """What a revised draft changes against the running plan: services added, dropped, and
    kept with another frequency or duration."""
    before = {item.service_item_id: item for item in previous.items.select_related("service_item")}
    after = {item.service_item_id: item for item in items}

    def name(item: PlanItem) -> str:
        return localized(item.service_item.name, item.service_item.name_en)

    return {
        "added": [name(after[pk]) for pk in after if pk not in before],
        "dropped": [name(before[pk]) for pk in before if pk not in after],
        "changed": [
            {
                "name": name(after[pk]),
                "before": (before[pk].per_month, before[pk].months),
                "after": (after[pk].per_month, after[pk].months),
            }
            for pk in after
            if pk in before
            and (before[pk].per_month, before[pk].months) != (after[pk].per_month, after[pk].months)
        ],
    }


def _render_plan(request, plan: Plan, *, status: int = 200, **forms) -> HttpResponse:
    context = plan_page_context(request, assessment=plan.assessment, plan=plan, **forms)
    return render(request, "assessment/result.html", context, status=status)


@login_required
@require_GET
@domain_errors
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_get_for(user=request.user, plan_id=plan_id)
    if request.user.role == Role.BENEFICIARY:
        # The plan page carries the urgency tag and scores; the household reads its plan in
        # plain words (issue 10).
        return redirect("assessment:my_services")
    audit.record(actor=request.user, action=AuditAction.VIEW, obj=plan)
    return _render_plan(request, plan)


def _back(plan: Plan) -> HttpResponse:
    return redirect("assessment:plan", plan_id=plan.pk)


@login_required
@require_POST
@domain_errors
def material_status(request: HttpRequest, plan_id: int, material_id: int) -> HttpResponse:
    plan = plan_get_for(user=request.user, plan_id=plan_id)
    recommendation = plan.materials.filter(pk=material_id).first()
    if recommendation is None:
        raise NotFound("material")
    require_approver(request.user)  # the role before the form: a refusal, not a message
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
    plan = plan_get_for(user=request.user, plan_id=plan_id)
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
    plan = plan_get_for(user=request.user, plan_id=plan_id)
    require_approver(request.user)
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
def item_update(request: HttpRequest, plan_id: int, item_id: int) -> HttpResponse:
    """Set a service's frequency and duration (a draft, or a running plan's future)."""
    plan = plan_get_for(user=request.user, plan_id=plan_id)
    item = plan.items.select_related("service_item", "plan").filter(pk=item_id).first()
    if item is None:
        raise NotFound("plan_item")
    require_approver(request.user)
    form = PlanItemUpdateForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return _back(plan)
    try:
        plan_item_update(
            actor=request.user,
            item=item,
            per_month=form.cleaned_data["per_month"],
            months=form.cleaned_data["months"],
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        fields = getattr(error, "fields", None) or {}
        messages.error(
            request, " ".join(m for errors in fields.values() for m in errors) or error.message
        )
    else:
        messages.success(request, _("Frequency and duration saved."))
    return _back(plan)


def _run(request: HttpRequest, plan_id: int, change, done: str) -> HttpResponse:
    plan = plan_get_for(user=request.user, plan_id=plan_id)
    form = PlanReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        change(plan, reason)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return _back(plan)


@login_required
@require_POST
@domain_errors
def pause(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _run(
        request,
        plan_id,
        lambda plan, reason: plan_pause(actor=request.user, plan=plan, reason=reason),
        _("Plan paused: waiting orders after today are cancelled."),
    )


@login_required
@require_POST
@domain_errors
def resume(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _run(
        request,
        plan_id,
        lambda plan, reason: plan_resume(actor=request.user, plan=plan),
        _("Plan resumed."),
    )


@login_required
@require_POST
@domain_errors
def end(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _run(
        request,
        plan_id,
        lambda plan, reason: plan_end(actor=request.user, plan=plan, reason=reason),
        _("Plan ended: waiting orders after today are cancelled."),
    )


@login_required
@require_POST
@domain_errors
def approve(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_get_for(user=request.user, plan_id=plan_id)
    form = PlanApproveForm(request.POST)
    if form.is_valid():
        try:
            plan_approve(actor=request.user, plan=plan, note=form.cleaned_data["note"])
        except DomainError as error:
            if error.status in (403, 404):
                raise
            messages.error(request, error.message)
            return _back(plan)
        messages.success(
            request,
            _(
                "Plan approved. It is on the household's assistance chain; the first week's "
                "services are ordered."
            ),
        )
        return _back(plan)
    return _render_plan(request, plan, status=422, approve_form=form)


@login_required
@require_GET
@domain_errors
def my_services(request: HttpRequest) -> HttpResponse:
    """The household's own view of its plan in plain words: what it receives, how often, until
    when, and the next two weeks day by day."""
    require_beneficiary(request.user)
    household = household_list(user=request.user).first()
    if household is None:
        raise NotFound("household")
    plan = (
        plans_of(user=request.user, household=household)
        .filter(status__in=LIVE_PLAN_STATUSES)
        .first()
    )
    items = []
    if plan is not None:
        items = [
            {
                "name": localized(item.service_item.name, item.service_item.name_en),
                "item": item,
                "ends_on": item_ends_on(item),
            }
            for item in plan.items.select_related("service_item").order_by("id")
        ]
    rows = upcoming(plan) if plan is not None else []
    for row in rows:
        row["name"] = localized(row["item"].service_item.name, row["item"].service_item.name_en)
    return render(
        request,
        "assessment/my_services.html",
        {"household": household, "plan": plan, "items": items, "upcoming": rows},
    )
