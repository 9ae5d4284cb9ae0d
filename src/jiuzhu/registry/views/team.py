"""救助小管家 — the frontline team page for the district manager: each worker's workload,
training and commendations, and recording training and commendations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiuzhu.core.errors import DomainError, PermissionDenied
from jiuzhu.core.views.common import add_domain_errors, domain_errors, paginate, xlsx_response
from jiuzhu.registry import policy
from jiuzhu.registry.forms import CommendationForm, TrainingForm
from jiuzhu.registry.selectors.team import (
    DEFAULT_TEAM_SORT,
    TEAM_SORTS,
    TeamFilters,
    team_member_get_for,
    team_workload,
    worker_commendations,
    worker_training,
)
from jiuzhu.registry.services import team as team_services


def _filters(request) -> TeamFilters:
    role = request.GET.get("role", "")
    sort = request.GET.get("sort", DEFAULT_TEAM_SORT)
    return TeamFilters(
        q=request.GET.get("q", "")[:64],
        role=role if role in policy.FRONTLINE_ROLES else "",
        sort=sort if sort in TEAM_SORTS else DEFAULT_TEAM_SORT,
    )


@login_required
@domain_errors
def team(request):
    policy.require_team_manager(request.user)
    filters = _filters(request)
    page = paginate(request, team_workload(user=request.user, filters=filters))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/team.html",
        {
            "page_obj": page,
            "filters": filters,
            "sort": filters.sort,
            "export_query": query.urlencode(),
        },
    )


@login_required
@domain_errors
def team_export(request):
    output = team_services.team_export(actor=request.user, filters=_filters(request))
    return xlsx_response(output, stem="team")


def _member_page(request, worker, training_form=None, commendation_form=None):
    return render(
        request,
        "registry/team_member.html",
        {
            "worker": worker,
            "training": worker_training(user=request.user, worker=worker)[:100],
            "commendations": worker_commendations(user=request.user, worker=worker)[:100],
            "training_form": training_form or TrainingForm(),
            "commendation_form": commendation_form or CommendationForm(),
        },
    )


@login_required
@domain_errors
def team_member(request, user_id: int):
    worker = team_member_get_for(user=request.user, worker_id=user_id)
    policy.require_team_manager(request.user)
    return _member_page(request, worker)


@login_required
@require_POST
@domain_errors
def team_training_add(request, user_id: int):
    worker = team_member_get_for(user=request.user, worker_id=user_id)
    policy.require_team_manager(request.user)
    form = TrainingForm(request.POST)
    if form.is_valid():
        try:
            team_services.training_add(actor=request.user, worker=worker, **form.cleaned_data)
        except PermissionDenied:
            raise
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The training has been recorded."))
            return redirect("registry:team_member", user_id=worker.pk)
    return _member_page(request, worker, training_form=form)


@login_required
@require_POST
@domain_errors
def team_commendation_add(request, user_id: int):
    worker = team_member_get_for(user=request.user, worker_id=user_id)
    policy.require_team_manager(request.user)
    form = CommendationForm(request.POST)
    if form.is_valid():
        try:
            team_services.commendation_add(actor=request.user, worker=worker, **form.cleaned_data)
        except PermissionDenied:
            raise
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The commendation has been recorded."))
            return redirect("registry:team_member", user_id=worker.pk)
    return _member_page(request, worker, commendation_form=form)
