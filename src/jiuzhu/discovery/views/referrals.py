"""Department referrals on the web: the departments' workspace (the referrals sent to them, with
deadlines, filters and an Excel export), one referral's page with its steps, sending a plan's
material assistance to the department, and the hidden-poverty list."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jiuzhu.assessment.selectors.queue import plan_get_for
from jiuzhu.core import audit
from jiuzhu.core.errors import DomainError, NotFound
from jiuzhu.core.models import Area, AreaLevel, AuditAction, Organisation, OrganisationKind, Role
from jiuzhu.core.views.common import (
    add_domain_errors,
    domain_errors,
    is_htmx,
    paginate,
    vary_on_htmx,
)
from jiuzhu.core.views.list_export import ListExport, export_list, heading, list_address
from jiuzhu.discovery import policy
from jiuzhu.discovery.forms_referrals import (
    DeskForm,
    HiddenFilterForm,
    ReferralAcceptForm,
    ReferralCompleteForm,
    ReferralDeclineForm,
    ReferralFilterForm,
    ReferralSendForm,
    ReferralWithdrawForm,
)
from jiuzhu.discovery.models import DepartmentReferral
from jiuzhu.discovery.selectors.hidden import (
    entry_row,
    evidence_sources,
    hidden_poverty_snapshot,
    last_refresh,
)
from jiuzhu.discovery.selectors.referrals import (
    ReferralFilters,
    desk_get_for,
    desk_list,
    referral_deadline,
    referral_get_for,
    referral_list,
    referral_overdue,
    referral_streets,
)
from jiuzhu.discovery.services import desks as desk_services
from jiuzhu.discovery.services import referrals as services
from jiuzhu.dispatch.views.common import street_choices

PER_PAGE = 25

#: action → (service, form, the service's arguments from the form, message when done)
ACTIONS = {
    "accept": (
        services.referral_accept,
        ReferralAcceptForm,
        lambda data: {"note": data["note"]},
        gettext_lazy("Referral accepted."),
    ),
    "decline": (
        services.referral_decline,
        ReferralDeclineForm,
        lambda data: {"reason": data["reason"]},
        gettext_lazy("Referral declined."),
    ),
    "complete": (
        services.referral_complete,
        ReferralCompleteForm,
        lambda data: {"outcome": data["outcome"], "note": data["note"]},
        gettext_lazy("Outcome recorded."),
    ),
    "withdraw": (
        services.referral_withdraw,
        ReferralWithdrawForm,
        lambda data: {"reason": data["reason"]},
        gettext_lazy("Referral withdrawn."),
    ),
}


#: How each step of the referral's history reads.
STEP_LABELS = {
    "send": gettext_lazy("Sent to the department"),
    "accept": gettext_lazy("Accepted"),
    "decline": gettext_lazy("Declined"),
    "complete": gettext_lazy("Outcome recorded"),
    "withdraw": gettext_lazy("Withdrawn"),
    "escalate": gettext_lazy("Overdue, escalated to the district"),
}


def _filters(form: ReferralFilterForm) -> ReferralFilters:
    values = form.values()
    street = values.get("street")
    return ReferralFilters(
        status=values.get("status") or "",
        kind=values.get("kind") or "",
        overdue=bool(values.get("overdue")),
        street=int(street) if street else None,
        q=(values.get("q") or "").strip(),
        sort=values.get("sort") or "deadline",
    )


def _rows(referrals, now):
    return [
        {
            "referral": r,
            "deadline": referral_deadline(r),
            "overdue": referral_overdue(r, now),
        }
        for r in referrals
    ]


@login_required
@require_GET
@domain_errors
def referral_list_view(request: HttpRequest) -> HttpResponse:
    """The departments' workspace and the area staff's view of their referrals."""
    user = request.user
    policy.require_referral_reader(user)
    form = ReferralFilterForm(request.GET, streets=referral_streets(user))
    filters = _filters(form)
    page = paginate(request, referral_list(user=user, filters=filters), per_page=PER_PAGE)
    now = timezone.now()
    query = request.GET.copy()
    query.pop("page", None)
    open_count = referral_list(user=user, filters=ReferralFilters(status="open")).count()
    overdue_count = referral_list(
        user=user, filters=ReferralFilters(status="open", overdue=True), now=now
    ).count()
    context = {
        "form": form,
        "page_obj": page,
        "rows": _rows(page.object_list, now),
        "export_query": query.urlencode(),
        "filtered": any(v for k, v in dataclasses.asdict(filters).items() if k != "sort"),
        "is_department": user.role in policy.REFERRAL_ANSWERERS,
        "can_edit_desks": policy.can_edit_desks(user),
        "open_count": open_count,
        "overdue_count": overdue_count,
    }
    template = (
        "discovery/_referral_results.html" if is_htmx(request) else "discovery/referrals.html"
    )
    return vary_on_htmx(render(request, template, context))


def _export_rows(referrals, now):
    for r in referrals.iterator(chunk_size=500):
        deadline = referral_deadline(r)
        yield (
            r.number,
            r.get_kind_display(),
            r.department.name,
            r.get_status_display(),
            r.get_outcome_display() if r.outcome else "",
            r.household.street.name,
            r.household.community.name,
            r.household_id,
            r.sent_at,
            deadline,
            _("yes") if referral_overdue(r, now) else "",
            _("yes") if r.escalated_at else "",
            r.decline_reason or r.outcome_note,
        )


REFERRALS_EXPORT = ListExport(
    key="discovery.referrals",
    title=gettext_lazy("Department referrals"),
    object_type="discovery.departmentreferral",
    stem="referrals",
    too_large=gettext_lazy(
        "The export would hold %(count)d referrals; narrow the filters to at most %(limit)d."
    ),
    rows=lambda referrals: _export_rows(referrals, timezone.now()),
    columns=[
        heading(gettext_lazy("Referral"), 10),
        heading(gettext_lazy("Kind of assistance"), 24),
        heading(gettext_lazy("Department"), 24),
        heading(gettext_lazy("Status"), 16),
        heading(gettext_lazy("Outcome"), 12),
        heading(gettext_lazy("Street"), 12),
        heading(gettext_lazy("Community"), 14),
        heading(gettext_lazy("Household"), 10),
        heading(gettext_lazy("Sent"), 18),
        heading(gettext_lazy("Deadline"), 18),
        heading(gettext_lazy("Overdue"), 8),
        heading(gettext_lazy("Escalated"), 8),
        heading(gettext_lazy("Reason or outcome details"), 40),
    ],
)


@login_required
@require_GET
@domain_errors
def referral_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as a workbook (no names, addresses or identity numbers); audited."""
    user = request.user
    policy.require_referral_reader(user)
    filters = _filters(ReferralFilterForm(request.GET, streets=referral_streets(user)))
    return export_list(
        request,
        referral_list(user=user, filters=filters),
        REFERRALS_EXPORT,
        back=list_address(request, "discovery:referral_list"),
        detail={"filters": {k: v for k, v in dataclasses.asdict(filters).items() if v}},
    )


def _forms_for(referral: DepartmentReferral, user, bound: tuple[str, object] | None = None):
    """The forms of the steps ``user`` may take now (one bound to the posted data)."""
    forms = {}
    for action in services.referral_actions(referral, user):
        form_class = ACTIONS[action][1]
        if bound is not None and bound[0] == action:
            forms[action] = form_class(bound[1])
        else:
            forms[action] = form_class()
    return forms


def _render_referral(request, referral: DepartmentReferral, forms, *, status: int = 200):
    now = timezone.now()
    context = {
        "referral": referral,
        "household": referral.household,
        "deadline": referral_deadline(referral),
        "overdue": referral_overdue(referral, now),
        "events": [
            {"event": event, "label": STEP_LABELS.get(event.action, event.action)}
            for event in referral.events.select_related("actor").order_by("at", "id")
        ],
        "forms": forms,
        "is_department": request.user.role in policy.REFERRAL_ANSWERERS,
    }
    return render(request, "discovery/referral_detail.html", context, status=status)


@login_required
@require_GET
@domain_errors
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = referral_get_for(user=request.user, referral_id=referral_id)
    policy.require_referral_reader(request.user)
    audit.record(actor=request.user, action=AuditAction.VIEW, obj=referral)
    return _render_referral(request, referral, _forms_for(referral, request.user))


def _act(request: HttpRequest, referral_id: int, action: str) -> HttpResponse:
    """One step; a wrong state (someone was quicker) comes back as a message."""
    user = request.user
    referral = referral_get_for(user=user, referral_id=referral_id)
    run, form_class, arguments, done = ACTIONS[action]
    # The role before the form: a role that may never take this step is refused (403).
    if user.role not in services.REFERRAL_FLOW.roles(action):
        services.REFERRAL_FLOW.require(action, obj=referral, actor=user)
    if action != "withdraw":
        policy.require_referral_answerer(user, referral)
    forms = _forms_for(referral, user, bound=(action, request.POST))
    form = forms.get(action)
    if form is None:
        messages.error(request, services.REFERRAL_FLOW.conflict_for(referral).message)
        return redirect("discovery:referral_detail", referral_id=referral.pk)
    if not form.is_valid():
        return _render_referral(request, referral, forms, status=422)
    try:
        run(actor=user, referral=referral, **arguments(form.cleaned_data))
    except DomainError as error:
        if error.status in (403, 404):
            raise
        if error.status == 409:
            messages.error(request, error.message)
            return redirect("discovery:referral_detail", referral_id=referral.pk)
        add_domain_errors(form, error)
        return _render_referral(request, referral, forms, status=422)
    messages.success(request, done)
    return redirect("discovery:referral_detail", referral_id=referral.pk)


@login_required
@require_POST
@domain_errors
def referral_accept(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _act(request, referral_id, "accept")


@login_required
@require_POST
@domain_errors
def referral_decline(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _act(request, referral_id, "decline")


@login_required
@require_POST
@domain_errors
def referral_complete(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _act(request, referral_id, "complete")


@login_required
@require_POST
@domain_errors
def referral_withdraw(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _act(request, referral_id, "withdraw")


@login_required
@require_POST
@domain_errors
def referral_send(request: HttpRequest, plan_id: int, material_id: int) -> HttpResponse:
    """Refer a plan's material recommendation to the department on the platform (from the
    plan page); back to the plan with a message."""
    plan = plan_get_for(user=request.user, plan_id=plan_id)
    recommendation = plan.materials.filter(pk=material_id).select_related("plan__household").first()
    if recommendation is None:
        raise NotFound("material")
    policy.require_referral_sender(request.user)
    form = ReferralSendForm(request.POST)
    back = reverse("assessment:plan", args=[plan.pk]) + "#plan"
    if not form.is_valid():
        messages.error(request, _("The note is at most 500 characters."))
        return redirect(back)
    try:
        referral = services.referral_send(
            actor=request.user, recommendation=recommendation, note=form.cleaned_data["note"]
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
        return redirect(back)
    messages.success(
        request,
        _("Referred to %(department)s (%(number)s).")
        % {"department": referral.department.name, "number": referral.number},
    )
    return redirect(back)


# ---------------------------------------------------------------- the hidden-poverty list


def _hidden(request: HttpRequest):
    """The filter form, the chosen street and source, and the stored entries (the list is
    computed by the periodic job, not per request: ``services/hidden.py``)."""
    user = request.user
    policy.require_hidden_poverty_reader(user)
    streets = street_choices(user)
    form = HiddenFilterForm(request.GET, streets=streets, sources=evidence_sources())
    values = form.values()
    street = streets.filter(pk=values.get("street")).first() if values.get("street") else None
    source = values.get("source") or ""
    entries = hidden_poverty_snapshot(user=user, street=street, source=source)
    return form, street, source, entries, {s.code: s.label for s in evidence_sources()}


@login_required
@require_GET
@domain_errors
def hidden_list(request: HttpRequest) -> HttpResponse:
    """Households and potential cases the evidence finds in hardship that nothing covers."""
    form, street, source, entries, labels = _hidden(request)
    page = paginate(request, entries, per_page=PER_PAGE)
    page.object_list = [entry_row(entry, source) for entry in page.object_list]
    total = page.paginator.count
    by_street = [
        (name or _("Street unknown"), n)
        for name, n in entries.order_by()
        .values_list("street__name")
        .annotate(n=Count("id"))
        .order_by("street__name")
    ]
    query = request.GET.copy()
    query.pop("page", None)
    audit.record(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type="discovery.hidden_poverty",
        detail={"rows": total, "street": street.pk if street else None},
    )
    context = {
        "form": form,
        "page_obj": page,
        "labels": labels,
        "by_street": by_street,
        "total": total,
        "refreshed": last_refresh(),
        "export_query": query.urlencode(),
    }
    return render(request, "discovery/hidden.html", context)


HIDDEN_EXPORT = ListExport(
    key="discovery.hidden_poverty",
    title=gettext_lazy("Hidden poverty"),
    object_type="discovery.hidden_poverty",
    stem="hidden-poverty",
    too_large=gettext_lazy(
        "The export would hold %(count)d rows; choose a street to hold at most %(limit)d."
    ),
    columns=[
        heading(gettext_lazy("Street"), 12),
        heading(gettext_lazy("Community"), 14),
        heading(gettext_lazy("Household"), 10),
        heading(gettext_lazy("Potential case"), 20),
        heading(gettext_lazy("Evidence"), 20),
        heading(gettext_lazy("What was found"), 60),
        heading(gettext_lazy("When"), 18),
    ],
)


def _hidden_rows(entries, source, labels) -> Iterator[tuple]:
    """One row per piece of evidence of each household or potential case."""
    for entry in entries.iterator(chunk_size=500):
        row = entry_row(entry, source)
        for evidence in row.evidence:
            yield (
                row.street.name if row.street else "",
                row.household.community.name if row.household else "",
                row.household.pk if row.household else "",
                "" if row.household else row.case_label,
                str(labels.get(evidence.source, evidence.source)),
                evidence.text,
                evidence.at,
            )


@login_required
@require_GET
@domain_errors
def hidden_export(request: HttpRequest) -> HttpResponse:
    """The limit counts households and cases (each may give several rows of evidence)."""
    _form, street, source, entries, labels = _hidden(request)
    spec = dataclasses.replace(
        HIDDEN_EXPORT, rows=lambda listed: _hidden_rows(listed, source, labels)
    )
    return export_list(
        request,
        entries,
        spec,
        back=list_address(request, "discovery:hidden_list"),
        detail={"street": street.pk if street else None},
    )


# ---------------------------------------------------------------- the departments' desks


def _desk_form(user, data=None) -> DeskForm:
    districts = Area.objects.filter(level=AreaLevel.DISTRICT).order_by("code")
    if user.role != Role.CITY_ADMIN:
        districts = districts.filter(pk=user.area_id)
    departments = Organisation.objects.filter(kind=OrganisationKind.DEPARTMENT).order_by("name")
    return DeskForm(data, districts=districts, departments=departments)


@login_required
@domain_errors
def desks(request: HttpRequest) -> HttpResponse:
    """Which department receives which kind of material assistance, by district; managers add
    or replace a desk here."""
    user = request.user
    policy.require_desk_editor(user)
    form = _desk_form(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            desk_services.desk_set(actor=user, **form.cleaned_data)
        except DomainError as error:
            if error.status in (403, 404):
                raise
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Desk saved."))
            return redirect("discovery:desks")
    rows = desk_list(user=user)
    if user.role != Role.CITY_ADMIN:
        rows = rows.filter(district_id=user.area_id)
    status = 422 if request.method == "POST" else 200
    return render(request, "discovery/desks.html", {"form": form, "desks": rows}, status=status)


@login_required
@require_POST
@domain_errors
def desk_deactivate(request: HttpRequest, desk_id: int) -> HttpResponse:
    desk = desk_get_for(user=request.user, desk_id=desk_id)
    policy.require_desk_editor(request.user, desk.district)
    try:
        desk_services.desk_deactivate(actor=request.user, desk=desk)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("The department no longer receives this assistance here."))
    return redirect("discovery:desks")
