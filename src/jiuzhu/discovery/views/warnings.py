"""The verification queue, a warning with its explanation and visit form, the rules, and
community referrals ("帮邻居报一下", my referrals, the referral network)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiuzhu.core.errors import DomainError
from jiuzhu.core.models import AreaLevel, Role, User
from jiuzhu.core.scoping import visible
from jiuzhu.core.views.common import add_domain_errors, domain_errors, paginate
from jiuzhu.core.views.list_export import ListExport, col, export_list, wants_export
from jiuzhu.discovery import policy
from jiuzhu.discovery.forms import (
    AssignForm,
    ReferralForm,
    RuleForm,
    VerifyForm,
    WarningFilterForm,
)
from jiuzhu.discovery.selectors.warnings import (
    referral_network,
    referrals_of,
    rule_list,
    warning_get_for,
    warning_list,
)
from jiuzhu.discovery.services.community_referrals import referral_submit
from jiuzhu.discovery.services.warnings import (
    WARNING_FLOW,
    referral_outcome_text,
    rule_publish,
    warning_assign,
    warning_verify,
)
from jiuzhu.registry.models import Household


@login_required
@domain_errors
def warning_list_view(request: HttpRequest) -> HttpResponse:
    policy.require_warning_reader(request.user)
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = "open"
    form = WarningFilterForm(data)
    values = form.values()
    warnings = warning_list(
        user=request.user,
        status=values.get("status") or "",
        grade=values.get("grade") or "",
        origin=values.get("origin") or "",
        overdue=bool(values.get("overdue")),
        sort=values.get("sort") or "due",
    )
    if wants_export(request):
        return export_list(request, warnings, WARNINGS_EXPORT)
    return render(
        request,
        "discovery/warnings.html",
        {"form": form, "page_obj": paginate(request, warnings)},
    )


def _assignees(user: User):
    area = user.area
    people = User.objects.filter(is_active=True, role__in=[Role.COMMUNITY_WORKER, Role.VOLUNTEER])
    if area is None:
        return people.none()
    if area.level == AreaLevel.DISTRICT:
        return people.filter(area__parent__parent=area) | people.filter(role=Role.VOLUNTEER)
    if area.level == AreaLevel.STREET:
        return people.filter(area__parent=area) | people.filter(role=Role.VOLUNTEER)
    return people.filter(role=Role.VOLUNTEER)


@login_required
@domain_errors
def warning_detail(request: HttpRequest, warning_id: int) -> HttpResponse:
    user = request.user
    warning = warning_get_for(user=user, warning_id=warning_id)
    actions = WARNING_FLOW.actions_for(warning.status, user.role)
    return render(
        request,
        "discovery/warning_detail.html",
        {
            "warning": warning,
            "can_verify": any(a != "assign" for a in actions) and policy.can_verify(user, warning),
            "can_assign": "assign" in actions,
            "verify_form": VerifyForm(),
            "assignees": _assignees(user).order_by("role", "username")[:200]
            if "assign" in actions
            else [],
            "events": warning.events.select_related("actor"),
        },
    )


@login_required
@require_POST
@domain_errors
def warning_verify_view(request: HttpRequest, warning_id: int) -> HttpResponse:
    user = request.user
    warning = warning_get_for(user=user, warning_id=warning_id)
    policy.require_verifier(user, warning)
    form = VerifyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        household = None
        if data.get("household"):
            household = visible(user, Household.objects.filter(pk=data["household"])).first()
        try:
            warning_verify(
                actor=user,
                warning=warning,
                outcome=data["outcome"],
                note=data["note"],
                household=household,
                immediate=data["immediate"],
            )
        except DomainError as error:
            if error.status == 403:
                raise
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The outcome of the visit was recorded."))
            return redirect("discovery:warning_detail", warning_id=warning.pk)
    return render(
        request,
        "discovery/warning_detail.html",
        {
            "warning": warning,
            "can_verify": True,
            "verify_form": form,
            "events": warning.events.select_related("actor"),
        },
        status=200,
    )


@login_required
@require_POST
@domain_errors
def warning_assign_view(request: HttpRequest, warning_id: int) -> HttpResponse:
    user = request.user
    warning = warning_get_for(user=user, warning_id=warning_id)
    policy.require_assigner(user)
    form = AssignForm(request.POST)
    assignee = None
    if form.is_valid():
        assignee = _assignees(user).filter(pk=form.cleaned_data["assignee"]).first()
    if assignee is None:
        messages.error(request, _("Choose who visits."))
    else:
        try:
            warning_assign(actor=user, warning=warning, assignee=assignee)
        except DomainError as error:
            if error.status == 403:
                raise
            messages.error(request, error.message)
        else:
            messages.success(request, _("Assigned to %(name)s.") % {"name": assignee})
    return redirect("discovery:warning_detail", warning_id=warning.pk)


@login_required
@domain_errors
def rule_list_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    policy.require_rule_reader(user)
    form = None
    if policy.can_edit_rules(user):
        form = RuleForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                rule_publish(actor=user, **data)
            except DomainError as error:
                if error.status == 403:
                    raise
                add_domain_errors(form, error)
            else:
                messages.success(request, _("The new rule version is in force."))
                return redirect("discovery:rule_list")
    elif request.method == "POST":
        policy.require_rule_editor(user)
    return render(request, "discovery/rules.html", {"rules": rule_list(), "form": form})


@login_required
@domain_errors
def referral_create(request: HttpRequest) -> HttpResponse:
    """ "帮邻居报一下": a few taps."""
    user = request.user
    policy.require_referrer(user)
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral_submit(actor=user, **data)
        except DomainError as error:
            if error.status == 403:
                raise
            add_domain_errors(form, error)
        else:
            messages.success(
                request,
                _("Thank you. A community worker will visit; we will tell you the outcome."),
            )
            return redirect("discovery:my_referrals")
    return render(request, "discovery/referral_form.html", {"form": form})


@login_required
@domain_errors
def my_referrals(request: HttpRequest) -> HttpResponse:
    user = request.user
    policy.require_referrer(user)
    rows = [
        {
            "referral": referral,
            "outcome": referral_outcome_text(
                referral.warning.status if hasattr(referral, "warning") else "open"
            ),
        }
        for referral in referrals_of(user=user)[:100]
    ]
    return render(request, "discovery/my_referrals.html", {"rows": rows})


@login_required
@domain_errors
def referral_network_view(request: HttpRequest) -> HttpResponse:
    policy.require_network_viewer(request.user)
    return render(
        request, "discovery/referral_network.html", {"rows": referral_network(user=request.user)}
    )


WARNINGS_EXPORT = ListExport(
    key="discovery.warnings",
    title=gettext_lazy("Early warnings"),
    object_type="discovery.warning",
    columns=(
        col(gettext_lazy("Warning"), "pk", 8),
        col(gettext_lazy("Household"), "household_id", 10),
        col(gettext_lazy("Community"), "community.name"),
        col(gettext_lazy("Rule"), "rule.title", 30),
        col(gettext_lazy("Grade"), "get_grade_display"),
        col(gettext_lazy("Origin"), "get_origin_display"),
        col(gettext_lazy("Status"), "get_status_display"),
        col(gettext_lazy("Due"), "due_at", 18),
    ),
)
