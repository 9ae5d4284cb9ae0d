"""Pages of projects and settlement: project list and detail (spot checks, drafting), statement
list, detail (lines traced to their orders; submit, dispute, resolve, approve, pay) and its A4
print view, rankings; Excel exports of each list. Thin: services and selectors do the work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.errors import DomainError, NotFound, ValidationFailed
from jiuzhu.core.pdf import pdf_download
from jiuzhu.core.services.exports import Sheet, export_audited
from jiuzhu.core.views.common import add_domain_errors, domain_errors, paginate, xlsx_response
from jiuzhu.core.views.list_export import ListExport, col, export_list, heading
from jiuzhu.dispatch.selectors.monitoring import providers_in_scope
from jiuzhu.evaluation import policy
from jiuzhu.evaluation.documents import kpi_label as _kpi_label
from jiuzhu.evaluation.documents import statement_document
from jiuzhu.evaluation.engine.quality import KPIS
from jiuzhu.evaluation.forms_projects import (
    ProjectForm,
    TiersForm,
    project_initial,
    tiers_initial,
)
from jiuzhu.evaluation.models import SpotMethod, StatementStatus
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
    project_create,
    project_update,
    settlement_tiers_set,
    spot_check_record,
)
from jiuzhu.orders.models import Complaint, Order

SORTS = {"code": "code", "-start": "-starts_on", "provider": "provider__organisation__name"}
STATEMENT_SORTS = {"-period": "-period_start", "period": "period_start", "-total": "-total"}


def _fail(request: HttpRequest, error: DomainError) -> None:
    if isinstance(error, ValidationFailed):
        for field, problems in error.extra.get("fields", {}).items():
            messages.error(request, f"{field}: {' '.join(problems)}")
        if not error.extra.get("fields"):
            messages.error(request, error.message)
    else:
        messages.error(request, error.message)


# ---------------------------------------------------------------- projects


def _projects(request: HttpRequest):
    projects = project_list(user=request.user)
    q = request.GET.get("q", "").strip()[:60]
    if q:
        projects = projects.filter(name__icontains=q) | projects.filter(code__icontains=q)
    sort = request.GET.get("sort", "-start")
    return projects.order_by(SORTS.get(sort, "-starts_on"), "pk"), q, sort


@login_required
@domain_errors
def project_list_view(request: HttpRequest) -> HttpResponse:
    policy.require_project_reader(request.user)
    projects, q, sort = _projects(request)
    page = paginate(request, projects)
    rows = [(p, budget_spent(p)) for p in page.object_list]
    return render(
        request,
        "evaluation/projects.html",
        {
            "page_obj": page,
            "rows": rows,
            "q": q,
            "sort": sort,
            "query": request.GET.urlencode(),
            "can_create": policy.can_manage_projects(request.user),
        },
    )


def _project_rows(projects) -> Iterator[list]:
    for p in projects:
        budget = budget_spent(p)
        yield [
            p.code,
            p.name,
            p.provider.organisation.name,
            p.district.name,
            p.starts_on.isoformat(),
            p.ends_on.isoformat(),
            p.get_period_kind_display(),
            p.budget,
            budget["spent"],
            budget["left"],
        ]


PROJECTS_EXPORT = ListExport(
    key="evaluation.projects",
    title=gettext_lazy("Projects"),
    object_type="evaluation.project",
    stem="projects",
    too_large=gettext_lazy("%(count)d projects; at most %(limit)d can be exported."),
    rows=_project_rows,
    columns=[
        heading(gettext_lazy("Contract number"), 18),
        heading(gettext_lazy("Project"), 30),
        heading(gettext_lazy("Provider"), 30),
        heading(gettext_lazy("District"), 12),
        heading(gettext_lazy("Starts"), 12),
        heading(gettext_lazy("Ends"), 12),
        heading(gettext_lazy("Settlement period"), 12),
        heading(gettext_lazy("Budget (yuan)"), 14),
        heading(gettext_lazy("Spent (yuan)"), 14),
        heading(gettext_lazy("Left (yuan)"), 14),
    ],
)


@login_required
@domain_errors
def project_export(request: HttpRequest) -> HttpResponse:
    policy.require_project_reader(request.user)
    projects, _q, _s = _projects(request)
    return export_list(request, projects, PROJECTS_EXPORT, back=reverse("evaluation:project_list"))


@login_required
@domain_errors
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for(user=request.user, project_id=project_id)
    policy.require_project_reader(request.user)
    checks = (
        spot_check_list(user=request.user, project=project).prefetch_related("orders")
        if policy.can_read_spot_checks(request.user)
        else []
    )
    weights = project.kpi_weights or {}
    total_weight = sum(float(w) for w in weights.values()) or 1
    return render(
        request,
        "evaluation/project_detail.html",
        {
            "project": project,
            "budget": budget_spent(project),
            "items": project.items.select_related("item"),
            "weights": [
                (_kpi_label(k), weights[k], round(100 * float(weights[k]) / total_weight, 1))
                for k in KPIS
                if k in weights
            ],
            "checks": checks,
            "show_checks": policy.can_read_spot_checks(request.user),
            "statements": statement_list(user=request.user).filter(project=project),
            "can_manage": policy.can_manage_projects(request.user)
            and request.user.area_id == project.district_id,
            "methods": SpotMethod.choices,
            "today": timezone.localdate(),
            "this_month": timezone.localdate().strftime("%Y-%m"),
        },
    )


@login_required
@require_POST
@domain_errors
def spot_check_create(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for(user=request.user, project_id=project_id)
    services.require_district_of(request.user, project)
    back = redirect("evaluation:project_detail", project_id=project.pk)
    try:
        checked_on = dt.date.fromisoformat(request.POST.get("checked_on", ""))
        score = int(request.POST.get("score", ""))
    except ValueError:
        messages.error(request, _("Give the date and a score from 0 to 100."))
        return back
    numbers = [n.strip() for n in request.POST.get("orders", "").replace(",", " ").split() if n]
    orders = list(Order.objects.filter(number__in=numbers, provider_id=project.provider_id))
    if len(orders) != len(set(numbers)):
        messages.error(request, _("Some order numbers are not this provider's orders."))
        return back
    method = request.POST.get("method", "")
    if method not in SpotMethod.values:
        messages.error(request, _("Choose how the check was made."))
        return back
    try:
        spot_check_record(
            actor=request.user,
            project=project,
            checked_on=checked_on,
            method=method,
            orders=orders,
            findings=request.POST.get("findings", "")[:1000],
            score=score,
            photo=request.FILES.get("photo"),
        )
    except DomainError as error:
        _fail(request, error)
        return back
    messages.success(request, _("Spot check recorded."))
    return back


@login_required
@require_POST
@domain_errors
def statement_draft_view(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for(user=request.user, project_id=project_id)
    services.require_district_of(request.user, project)
    try:
        statement, written = services.statement_draft(
            actor=request.user, project=project, period=request.POST.get("period", "")
        )
    except DomainError as error:
        _fail(request, error)
        return redirect("evaluation:project_detail", project_id=project.pk)
    if not written:
        messages.info(request, _("Nothing changed since the statement was drafted."))
    return redirect("evaluation:statement_detail", statement_id=statement.pk)


# ---------------------------------------------------------------- statements


def _statements(request: HttpRequest):
    statements = statement_list(user=request.user)
    status = request.GET.get("status", "")
    if status in StatementStatus.values:
        statements = statements.filter(status=status)
    period = request.GET.get("period", "").strip()[:7]
    if period:
        statements = statements.filter(period=period)
    sort = request.GET.get("sort", "-period")
    return statements.order_by(STATEMENT_SORTS.get(sort, "-period_start"), "pk"), status, period


@login_required
@domain_errors
def statement_list_view(request: HttpRequest) -> HttpResponse:
    policy.require_project_reader(request.user)
    statements, status, period = _statements(request)
    return render(
        request,
        "evaluation/statements.html",
        {
            "page_obj": paginate(request, statements),
            "status": status,
            "period": period,
            "statuses": StatementStatus.choices,
            "query": request.GET.urlencode(),
        },
    )


STATEMENTS_EXPORT = ListExport(
    key="evaluation.statements",
    title=gettext_lazy("Statements"),
    object_type="evaluation.statement",
    stem="statements",
    too_large=gettext_lazy("%(count)d statements; at most %(limit)d can be exported."),
    columns=[
        col(gettext_lazy("Contract number"), "project.code", 18),
        col(gettext_lazy("Provider"), "project.provider.organisation.name", 30),
        col(gettext_lazy("Period"), "period", 10),
        col(gettext_lazy("Status"), "get_status_display", 12),
        col(gettext_lazy("Quality score"), "score", 10),
        col(gettext_lazy("Pay percent"), "percent", 10),
        col(gettext_lazy("Deliveries at unit price"), "gross", 14),
        col(gettext_lazy("Withheld"), "withheld", 12),
        col(gettext_lazy("Corrections"), "corrections_total", 12),
        col(gettext_lazy("Total (yuan)"), "total", 14),
    ],
)


@login_required
@domain_errors
def statement_export(request: HttpRequest) -> HttpResponse:
    policy.require_project_reader(request.user)
    statements, _status, _period = _statements(request)
    return export_list(
        request, statements, STATEMENTS_EXPORT, back=reverse("evaluation:statement_list")
    )


def _statement_context(request: HttpRequest, statement) -> dict:
    lines = list(statement.lines.select_related("item"))
    orders = {
        o.pk: o
        for o in Order.objects.filter(
            pk__in=[pk for line in lines for pk in line.orders]
        ).select_related("household__street", "item", "evidence", "rating")
    }
    complaints = {
        c.pk: c
        for c in Complaint.objects.filter(
            pk__in=[pk for line in lines for pk in line.complaints]
        ).select_related("order")
    }
    parts = [
        {**part, "label": _kpi_label(part["kpi"])} for part in statement.quality.get("parts", [])
    ]
    return {
        "statement": statement,
        "project": statement.project,
        "lines": [
            (
                line,
                [orders[pk] for pk in line.orders if pk in orders],
                [complaints[pk] for pk in line.complaints if pk in complaints],
            )
            for line in lines
        ],
        "parts": parts,
        "detail": statement.quality.get("detail", {}),
        "actions": services.STATEMENT_FLOW.actions_for(statement.status, request.user.role),
        "can_dispute": policy.can_dispute(request.user)
        and statement.status in (StatementStatus.DRAFT, StatementStatus.SUBMITTED),
        "can_resolve": policy.can_manage_projects(request.user)
        and request.user.area_id == statement.project.district_id,
        "events": statement.events.select_related("actor"),
        "printed_at": timezone.localtime(),
    }


@login_required
@domain_errors
def statement_detail(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = statement_get_for(user=request.user, statement_id=statement_id)
    return render(
        request, "evaluation/statement_detail.html", _statement_context(request, statement)
    )


@login_required
@domain_errors
def statement_print(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = statement_get_for(user=request.user, statement_id=statement_id)
    return render(
        request, "evaluation/statement_print.html", _statement_context(request, statement)
    )


@login_required
@domain_errors
def statement_pdf(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = statement_get_for(user=request.user, statement_id=statement_id)
    return pdf_download(
        request,
        statement_document(statement=statement),
        obj=statement,
        detail={"document": "statement"},
    )


ACTIONS = {
    "submit": services.statement_submit,
    "approve": services.statement_approve,
    "pay": services.statement_pay,
}


@login_required
@require_POST
@domain_errors
def statement_act(request: HttpRequest, statement_id: int, action: str) -> HttpResponse:
    statement = statement_get_for(user=request.user, statement_id=statement_id)
    try:
        ACTIONS[action](actor=request.user, statement=statement)
    except DomainError as error:
        if error.status == 403:
            raise
        _fail(request, error)
    return redirect("evaluation:statement_detail", statement_id=statement.pk)


@login_required
@require_POST
@domain_errors
def line_act(request: HttpRequest, statement_id: int, line_id: int, action: str) -> HttpResponse:
    statement = statement_get_for(user=request.user, statement_id=statement_id)
    line = line_get_for(user=request.user, line_id=line_id)
    if line.statement_id != statement.pk:
        raise NotFound("statement line")
    try:
        if action == "dispute":
            services.line_dispute(
                actor=request.user, line=line, reason=request.POST.get("reason", "")
            )
        else:
            raw = request.POST.get("amount", "").strip()
            try:
                amount = Decimal(raw) if raw else None
            except InvalidOperation:
                raise ValidationFailed({"amount": [_("Give an amount in yuan.")]}) from None
            services.line_resolve(
                actor=request.user,
                line=line,
                uphold=request.POST.get("uphold") == "1",
                amount=amount,
                note=request.POST.get("note", ""),
            )
    except DomainError as error:
        if error.status == 403:
            raise
        _fail(request, error)
    return redirect(
        reverse("evaluation:statement_detail", args=[statement.pk]) + f"#line-{line.pk}"
    )


# ---------------------------------------------------------------- rankings


@login_required
@domain_errors
def rankings_view(request: HttpRequest) -> HttpResponse:
    policy.require_ranking_reader(request.user)
    period = request.GET.get("period", "").strip()[:7]
    found = rankings(user=request.user, period=period)
    return render(
        request,
        "evaluation/rankings.html",
        {"found": found, "period": period, "query": request.GET.urlencode()},
    )


@login_required
@domain_errors
def rankings_export(request: HttpRequest) -> HttpResponse:
    policy.require_ranking_reader(request.user)
    period = request.GET.get("period", "").strip()[:7]
    found = rankings(user=request.user, period=period)
    sheets = [
        Sheet(
            title=_("Provider rankings"),
            headers=[
                _("Rank"),
                _("District"),
                _("Period"),
                _("Provider"),
                _("Contract number"),
                _("Quality score"),
                _("Person-times"),
                _("Total (yuan)"),
            ],
            rows=(
                [
                    r["rank"],
                    r["district"],
                    r["period"],
                    r["provider"],
                    r["project"],
                    r["score"],
                    r["person_times"],
                    r["total"],
                ]
                for r in found["providers"]
            ),
        ),
        *(
            Sheet(
                title=title,
                headers=[_("Name"), _("Person-times"), _("Money (yuan)")],
                rows=[[r[key], r["person_times"], r["money"]] for r in found[rows]],
            )
            for title, rows, key in (
                (_("By item"), "items", "item"),
                (_("By street"), "streets", "street"),
                (_("By group"), "groups", "group"),
            )
        ),
    ]
    output = export_audited(
        actor=request.user, sheets=sheets, object_type="evaluation.rankings", detail={}
    )
    return xlsx_response(output, stem="settlement-rankings")


# ---------------------------------------------------------------- creating and editing projects


def _project_form(request: HttpRequest, *, creating: bool, data=None, initial=None):
    return ProjectForm(
        data,
        initial=initial,
        creating=creating,
        providers=providers_in_scope(request.user).select_related("organisation"),
        items=ServiceItem.objects.order_by("category_id", "pk"),
    )


@login_required
@domain_errors
def project_create_view(request: HttpRequest) -> HttpResponse:
    policy.require_project_manager(request.user)
    district = request.user.area
    form = _project_form(
        request, creating=True, data=request.POST or None, initial={"cycle_years": 1}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = project_create(
                actor=request.user,
                code=data["code"],
                name=data["name"],
                provider=data["provider"],
                district=district,
                starts_on=data["starts_on"],
                cycle_years=data["cycle_years"],
                period_kind=data["period_kind"],
                budget=data["budget"],
                kpi_weights=data["kpi_weights"],
                items=data["items"],
            )
        except ValidationFailed as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Project created."))
            return redirect("evaluation:project_detail", project_id=project.pk)
    return render(
        request,
        "evaluation/project_form.html",
        {"form": form, "project": None},
        status=422 if form.is_bound and form.errors else 200,
    )


@login_required
@domain_errors
def project_edit_view(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for(user=request.user, project_id=project_id)
    services.require_district_of(request.user, project)
    form = _project_form(
        request, creating=False, data=request.POST or None, initial=project_initial(project)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project_update(
                actor=request.user,
                project=project,
                name=data["name"],
                cycle_years=data["cycle_years"],
                budget=data["budget"],
                kpi_weights=data["kpi_weights"],
                items=data["items"],
            )
        except ValidationFailed as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Project saved."))
            return redirect("evaluation:project_detail", project_id=project.pk)
    return render(
        request,
        "evaluation/project_form.html",
        {"form": form, "project": project},
        status=422 if form.is_bound and form.errors else 200,
    )


@login_required
@domain_errors
def settlement_tiers_view(request: HttpRequest, district_id: int) -> HttpResponse:
    """A district's quality tiers; its managers edit them, the city administrator reads."""
    district, tiers, configured = district_tiers_get_for(user=request.user, district_id=district_id)
    editable = policy.can_edit_tiers(request.user) and request.user.area_id == district.pk
    form = TiersForm(request.POST or None, initial=tiers_initial(tiers))
    if request.method == "POST":
        policy.require_tier_editor(request.user)
        if form.is_valid():
            try:
                settlement_tiers_set(
                    actor=request.user, district=district, tiers=form.cleaned_data["tiers"]
                )
            except ValidationFailed as error:
                add_domain_errors(form, error)
            else:
                messages.success(request, _("Settlement tiers saved."))
                return redirect("evaluation:settlement_tiers", district_id=district.pk)
    return render(
        request,
        "evaluation/tiers.html",
        {
            "district": district,
            "tiers": tiers,
            "configured": configured,
            "form": form,
            "editable": editable,
        },
        status=422 if form.is_bound and form.errors else 200,
    )
