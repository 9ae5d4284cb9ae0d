"""评·摸·问 on a phone: start an assessment, fill it in (saved as the assessor goes, with a live
result), submit it, and read the result with its plan (开)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from jiuzhu.assessment.forms import ANSWER_PREFIX, AssessmentForm
from jiuzhu.assessment.models import Assessment, AssessmentReason, AssessmentStatus, PlanStatus
from jiuzhu.assessment.policy import can_fill, can_start, require_assessor
from jiuzhu.assessment.selectors.frameworks import framework_dimensions
from jiuzhu.assessment.selectors.queue import assessment_get_for, assessments_of, dues_of, plans_of
from jiuzhu.assessment.selectors.schedules import upcoming
from jiuzhu.assessment.services.assessments import (
    assessment_preview,
    assessment_save,
    assessment_start,
    assessment_submit,
)
from jiuzhu.assessment.views.common import (
    baseline_view,
    dimension_progress,
    indicator_label,
    need_groups,
    questionnaire,
    result_view,
)
from jiuzhu.assessment.views.plans import plan_page_context
from jiuzhu.catalog.selectors import need_categories
from jiuzhu.core import audit
from jiuzhu.core.errors import Conflict, ValidationFailed
from jiuzhu.core.models import AuditAction, Role
from jiuzhu.core.views.common import domain_errors, is_htmx
from jiuzhu.registry.models import HouseholdStatus
from jiuzhu.registry.policy import sees_office_figures
from jiuzhu.registry.services.households import household_get_for

REVISION_HEADER = "X-Assessment-Revision"
BOX_LIMIT = 6


@login_required
@require_POST
@domain_errors
def start(request: HttpRequest, household_id: int) -> HttpResponse:
    """Open (or reopen) the household's draft and go to the form."""
    household = household_get_for(actor=request.user, household_id=household_id, audit_view=False)
    reason = request.POST.get("reason", "")
    if reason not in AssessmentReason.values:
        reason = AssessmentReason.MANUAL
    try:
        assessment = assessment_start(actor=request.user, household=household, reason=reason)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("registry:household_detail", household_id=household.pk)
    return redirect("assessment:form", assessment_id=assessment.pk)


def _form(assessment: Assessment, data=None) -> AssessmentForm:
    dimensions = framework_dimensions(assessment.framework)
    indicators = [i for d in dimensions for i in d.indicators.all()]
    form = AssessmentForm(data, indicators=indicators)
    form.dimensions = dimensions
    return form


def _labels(form: AssessmentForm) -> dict[str, str]:
    return {indicator.code: indicator_label(indicator) for indicator in form.indicators}


def _result(assessment: Assessment, form: AssessmentForm) -> dict:
    return result_view(assessment_preview(assessment), _labels(form))


def _page(
    request: HttpRequest,
    assessment: Assessment,
    *,
    form: AssessmentForm | None = None,
    errors: dict[str, list[str]] | None = None,
    message: str = "",
    status: int = 200,
) -> HttpResponse:
    """The form page. After a refused submit ``form`` carries what was posted."""
    form = form or _form(assessment)
    posted = form.data if form.is_bound else None
    errors = {name.removeprefix(ANSWER_PREFIX): msgs for name, msgs in (errors or {}).items()}
    labels = _labels(form)
    wished = (
        set(posted.getlist("wished_needs"))
        if posted is not None
        else set(assessment.wished_needs.values_list("code", flat=True))
    )
    context = {
        "assessment": assessment,
        "household": assessment.household,
        "baseline": baseline_view(assessment.baseline),
        "sections": questionnaire(
            dimensions=form.dimensions,
            answers=assessment.answers,
            baseline=assessment.baseline,
            posted=posted,
            errors=errors,
        ),
        "need_groups": need_groups(need_categories(user=request.user), wished),
        "wishes": posted.get("wishes", "") if posted is not None else assessment.wishes,
        "result": _result(assessment, form),
        "can_fill": can_fill(request.user, assessment),
        "error_message": message,
        "error_list": [
            {"code": code, "label": labels[code]} for code in (errors or {}) if code in labels
        ],
    }
    return render(request, "assessment/form.html", context, status=status)


@login_required
@require_GET
@domain_errors
def form_page(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = assessment_get_for(user=request.user, assessment_id=assessment_id)
    if assessment.status != AssessmentStatus.DRAFT:
        return redirect("assessment:result", assessment_id=assessment.pk)
    audit.record(actor=request.user, action=AuditAction.VIEW, obj=assessment)
    return _page(request, assessment)


def _save(request: HttpRequest, assessment: Assessment, form: AssessmentForm) -> Assessment:
    """Validate the edge, then save through the service (raises DomainError)."""
    if not form.is_valid():
        fields = {name: list(errs) for name, errs in form.errors.items()}
        raise ValidationFailed(fields)
    return assessment_save(
        actor=request.user,
        assessment=assessment,
        answers=form.answers(),
        wishes=form.cleaned_data["wishes"] if "wishes" in form.data else None,
        wished_needs=form.wished_needs_sent(),
        revision=form.cleaned_data["revision"],
    )


def _save_fragment(request, context: dict, *, status: int = 200, retarget: bool = False):
    response = render(request, "assessment/_save_response.html", context, status=status)
    if retarget:
        response["HX-Retarget"] = "#save-status"
        response["HX-Reswap"] = "innerHTML"
    return response


@login_required
@require_POST
@domain_errors
def save(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Save the draft (the page posts here on every change). For htmx: the refreshed result
    panel, the new revision and the status line; a stale revision is a 409 with "reload"."""
    assessment = assessment_get_for(user=request.user, assessment_id=assessment_id)
    require_assessor(request.user)  # the role before the answers are validated
    form = _form(assessment, request.POST)
    try:
        assessment = _save(request, assessment, form)
    except Conflict as error:
        if not is_htmx(request):
            return _conflict_page(request, assessment, error)
        return _save_fragment(
            request,
            {"conflict": error.message, "assessment": assessment},
            status=409,
            retarget=True,
        )
    except ValidationFailed as error:
        labels = _labels(form)
        problems = [
            f"{labels.get(name.removeprefix('q_'), name)}: {'; '.join(msgs)}"
            for name, msgs in error.fields.items()
        ]
        if not is_htmx(request):
            return _page(
                request,
                assessment,
                form=form,
                errors=error.fields,
                message=_("The draft was not saved."),
                status=422,
            )
        return _save_fragment(
            request, {"invalid": problems, "assessment": assessment}, status=422, retarget=True
        )
    if not is_htmx(request):
        messages.success(request, _("Draft saved."))
        return redirect("assessment:form", assessment_id=assessment.pk)
    response = _save_fragment(
        request,
        {
            "assessment": assessment,
            "result": _result(assessment, form),
            "progress": dimension_progress(form.dimensions, assessment.answers),
            "saved_at": timezone.localtime(),
        },
    )
    response[REVISION_HEADER] = str(assessment.revision)
    return response


@login_required
@require_GET
@domain_errors
def preview(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """The result panel alone, for the stored answers."""
    assessment = assessment_get_for(user=request.user, assessment_id=assessment_id)
    form = _form(assessment)
    return render(
        request,
        "assessment/_result_panel.html",
        {"assessment": assessment, "result": _result(assessment, form)},
    )


def _missing_message(count: int) -> str:
    return ngettext(
        "%(n)d question needs an answer before the assessment can be submitted:",
        "%(n)d questions need an answer before the assessment can be submitted:",
        count,
    ) % {"n": count}


def _conflict_page(request, assessment: Assessment, error: Conflict) -> HttpResponse:
    return render(
        request,
        "assessment/conflict.html",
        {"assessment": assessment, "message": error.message, "code": error.code},
        status=409,
    )


@login_required
@require_POST
@domain_errors
def submit(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Save what the page holds, then submit: score, tag, plan. Unanswered questions come back
    marked on the form."""
    assessment = assessment_get_for(user=request.user, assessment_id=assessment_id)
    if assessment.status != AssessmentStatus.DRAFT:
        return redirect("assessment:result", assessment_id=assessment.pk)
    form = _form(assessment, request.POST)
    saved = False
    try:
        if "revision" in request.POST:
            assessment = _save(request, assessment, form)
        saved = True
        assessment = assessment_submit(actor=request.user, assessment=assessment)
    except Conflict as error:
        return _conflict_page(request, assessment, error)
    except ValidationFailed as error:
        assessment.refresh_from_db()
        return _page(
            request,
            assessment,
            form=_form(assessment) if saved else form,
            errors=error.fields,
            message=_missing_message(len(error.fields))
            if saved
            else _("The answers were not saved."),
            status=422,
        )
    messages.success(request, _("Assessment submitted. The plan is drafted for approval."))
    return redirect("assessment:result", assessment_id=assessment.pk)


@login_required
@require_GET
@domain_errors
def result(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = assessment_get_for(user=request.user, assessment_id=assessment_id)
    if request.user.role == Role.BENEFICIARY:
        # Scores and urgency tags are the office's, not shown to the household (issue 10).
        return redirect("assessment:my_services")
    if assessment.status == AssessmentStatus.DRAFT:
        return redirect("assessment:form", assessment_id=assessment.pk)
    audit.record(actor=request.user, action=AuditAction.VIEW, obj=assessment)
    plan = getattr(assessment, "plan", None)  # none yet for a cancelled assessment
    context = plan_page_context(request, assessment=assessment, plan=plan)
    return render(request, "assessment/result.html", context)


@login_required
@require_GET
@domain_errors
def household_box(request: HttpRequest, household_id: int) -> HttpResponse:
    """The household page's "assessment and plan" box (loaded by htmx from that page): the
    open draft, the latest results, the current plan, what is due, and a start button."""
    user = request.user
    household = household_get_for(actor=user, household_id=household_id, audit_view=False)
    assessments = list(assessments_of(user=user, household=household)[:BOX_LIMIT])
    draft = next((a for a in assessments if a.status == AssessmentStatus.DRAFT), None)
    running = plans_of(user=user, household=household).filter(status=PlanStatus.APPROVED).first()
    context = {
        "running_plan": running,
        "upcoming": upcoming(running, days=7) if running else [],
        "household": household,
        "draft": draft,
        "submitted": [a for a in assessments if a.status == AssessmentStatus.SUBMITTED],
        "plan": plans_of(user=user, household=household).exclude(status="superseded").first(),
        "dues": list(dues_of(user=user, household=household)[:3]),
        "can_start": can_start(user) and household.status == HouseholdStatus.ACTIVE,
        "can_fill_draft": draft is not None and can_fill(user, draft),
        "office_view": sees_office_figures(user),
    }
    return render(request, "assessment/_household_box.html", context)
