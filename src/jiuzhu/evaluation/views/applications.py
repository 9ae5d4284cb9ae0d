"""Applications to join the alliance: the public form (no sign-in), the managers' list (filters,
sort, pages, Excel export), the application page with independent reviews and decisions, the
ranked shortlist and the district's scorecard."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jiuzhu.core.errors import Conflict, DomainError, PermissionDenied
from jiuzhu.core.models import Area
from jiuzhu.core.selectors.areas import district_of
from jiuzhu.core.views.common import (
    add_domain_errors,
    domain_errors,
    is_htmx,
    paginate,
    vary_on_htmx,
)
from jiuzhu.core.views.list_export import ListExport, export_list, heading, list_address
from jiuzhu.evaluation import policy
from jiuzhu.evaluation.engine.screening import application_score
from jiuzhu.evaluation.forms_applications import (
    ApplicationFilterForm,
    ApplicationForm,
    ApproveForm,
    NoteForm,
    RejectForm,
    ReviewForm,
    ScorecardForm,
)
from jiuzhu.evaluation.models import Application, ApplicationStatus
from jiuzhu.evaluation.selectors.applications import (
    ApplicationFilters,
    application_get_for,
    application_list,
    application_reviews,
    application_status_lookup,
    has_reviewed,
    platform_record,
    ranking,
    scores_visible,
)
from jiuzhu.evaluation.services import applications as services

PER_PAGE = 25
#: The history's actions as people read them.
EVENT_LABELS = {
    "submit": gettext_lazy("Submitted on the public form"),
    "screen": gettext_lazy("Screening began (first review)"),
    "shortlist": gettext_lazy("Shortlisted"),
    "approve": gettext_lazy("Approved: admitted as a provider"),
    "reject": gettext_lazy("Rejected"),
}
SESSION_KEY = "evaluation_application_number"


# ---------------------------------------------------------------- the public form


def apply(request: HttpRequest) -> HttpResponse:
    """The public application form: no sign-in; limited per network address."""
    form = ApplicationForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and not form.cleaned_data.get("website"):
            data = form.cleaned_data
            try:
                application = services.application_submit(
                    name=data["name"],
                    uscc=data["uscc"],
                    supply_type=data["supply_type"],
                    staff_count=data["staff_count"],
                    social_workers=data["social_workers"],
                    signature_projects=data["signature_projects"],
                    past_projects=data["past_projects"],
                    street=Area.objects.get(pk=data["street"]),
                    address=data["address"],
                    items=list(data["items"]),
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                    contact_email=data["contact_email"],
                    documents=form.documents(),
                )
            except Area.DoesNotExist:
                form.add_error("street", _("Choose the street of the organisation's address."))
            except DomainError as error:
                add_domain_errors(form, error)
                status = error.status if error.status == 429 else 422
            else:
                request.session[SESSION_KEY] = application.number
                return redirect("evaluation:apply_done")
        if status == 200:
            status = 422
    return render(request, "evaluation/apply.html", {"form": form}, status=status)


def apply_done(request: HttpRequest) -> HttpResponse:
    number = request.session.get(SESSION_KEY, "")
    return render(request, "evaluation/apply_done.html", {"number": number})


# ---------------------------------------------------------------- the managers' list


def _filters(form: ApplicationFilterForm) -> ApplicationFilters:
    values = form.values()
    return ApplicationFilters(
        status=values.get("status") or "",
        q=(values.get("q") or "").strip(),
        sort=values.get("sort") or "newest",
    )


@login_required
@domain_errors
def application_list_view(request: HttpRequest) -> HttpResponse:
    policy.require_application_reader(request.user)
    form = ApplicationFilterForm(request.GET)
    filters = _filters(form)
    page = paginate(
        request, application_list(user=request.user, filters=filters), per_page=PER_PAGE
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page_obj": page,
        "export_query": query.urlencode(),
        "filtered": bool(filters.status or filters.q),
        "can_edit_scorecard": policy.can_edit_scorecard(request.user),
    }
    template = (
        "evaluation/_application_results.html"
        if is_htmx(request)
        else "evaluation/applications.html"
    )
    return vary_on_htmx(render(request, template, context))


def _export_rows(applications):
    for application in applications.iterator(chunk_size=500):
        yield [
            application.number,
            application.created_at,
            application.name,
            application.uscc,
            str(ApplicationStatus(application.status).label),
            application.district.name,
            application.street.name,
            application.get_supply_type_display(),
            application.staff_count,
            application.social_workers,
            application.review_count,
            application.decided_at,
            application.decision_reason,
        ]


APPLICATIONS_EXPORT = ListExport(
    key="evaluation.applications",
    title=gettext_lazy("Applications"),
    object_type="evaluation.application",
    stem="applications",
    too_large=gettext_lazy(
        "The export would hold %(count)d applications; narrow the filters to at most %(limit)d."
    ),
    rows=_export_rows,
    columns=[
        heading(gettext_lazy("Application"), 18),
        heading(gettext_lazy("Submitted at"), 18),
        heading(gettext_lazy("Organisation"), 30),
        heading(gettext_lazy("Unified social credit code"), 20),
        heading(gettext_lazy("Status"), 12),
        heading(gettext_lazy("District"), 12),
        heading(gettext_lazy("Street"), 12),
        heading(gettext_lazy("Supply type"), 16),
        heading(gettext_lazy("Staff"), 8),
        heading(gettext_lazy("Qualified social workers"), 8),
        heading(gettext_lazy("Reviews"), 8),
        heading(gettext_lazy("Decided at"), 18),
        heading(gettext_lazy("Reason"), 40),
    ],
)


@login_required
@domain_errors
def application_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as a workbook (no contact details); each export is audited."""
    user = request.user
    policy.require_application_reader(user)
    filters = _filters(ApplicationFilterForm(request.GET))
    return export_list(
        request,
        application_list(user=user, filters=filters),
        APPLICATIONS_EXPORT,
        back=list_address(request, "evaluation:application_list"),
        detail={"filters": {k: v for k, v in dataclasses.asdict(filters).items() if v}},
    )


# ---------------------------------------------------------------- the application page


def _render_detail(request, application: Application, *, forms=None, status=200):
    user = request.user
    visible = scores_visible(user, application)
    reviewed = has_reviewed(user, application)
    can_review = (
        policy.can_review_applications(user)
        and application.status in services.OPEN
        and not reviewed
        and user.area_id == application.district_id
    )
    actions = (
        services.application_actions(application, user)
        if user.area_id == application.district_id
        else []
    )
    forms = forms or {}
    if can_review and "review" not in forms:
        forms["review"] = ReviewForm(card=services.scorecard_rows(application.district))
    if "shortlist" in actions and "shortlist" not in forms:
        forms["shortlist"] = NoteForm()
    if "approve" in actions and "approve" not in forms:
        forms["approve"] = ApproveForm(
            district=application.district,
            initial={
                "streets": [application.street_id],
                "items": list(application.items.values_list("pk", flat=True)),
                "daily_capacity": 20,
            },
        )
    if "reject" in actions and "reject" not in forms:
        forms["reject"] = RejectForm()
    reviews = application_reviews(application)
    return render(
        request,
        "evaluation/application_detail.html",
        {
            "application": application,
            "documents": list(application.documents.all()),
            "items": list(application.items.all()),
            "events": [
                (event, EVENT_LABELS.get(event.action, event.action))
                for event in application.events.select_related("actor")
            ],
            "reviews": reviews if visible else [],
            "review_count": len(reviews),
            "scores_hidden": not visible,
            "mean": application_score([r.total for r in reviews]) if visible else None,
            "card": services.scorecard_rows(application.district),
            "record": platform_record(application),
            "forms": forms,
            "min_reviews": services.MIN_REVIEWS,
        },
        status=status,
    )


@login_required
@domain_errors
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_get_for(user=request.user, application_id=application_id)
    policy.require_application_reader(request.user)
    return _render_detail(request, application)


@login_required
@require_POST
@domain_errors
def application_review(request: HttpRequest, application_id: int) -> HttpResponse:
    user = request.user
    application = application_get_for(user=user, application_id=application_id)
    policy.require_reviewer(user)
    form = ReviewForm(request.POST, card=services.scorecard_rows(application.district))
    if not form.is_valid():
        return _render_detail(request, application, forms={"review": form}, status=422)
    try:
        services.application_review(
            actor=user,
            application=application,
            scores=form.scores(),
            comment=form.cleaned_data["comment"],
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        if error.status == 409:
            messages.error(request, error.message)
            return redirect("evaluation:application_detail", application_id=application.pk)
        add_domain_errors(form, error, renames={c.code: f"score_{c.code}" for c in form.card})
        return _render_detail(request, application, forms={"review": form}, status=422)
    messages.success(request, _("Your review is recorded. The others' scores are now shown."))
    return redirect("evaluation:application_detail", application_id=application.pk)


@login_required
@require_POST
@domain_errors
def application_act(request: HttpRequest, application_id: int, action: str) -> HttpResponse:
    """Shortlist, approve or reject; a wrong state (someone was quicker) comes back as a message."""
    user = request.user
    application = application_get_for(user=user, application_id=application_id)
    policy.require_application_decider(user)
    try:
        services.APPLICATION_FLOW.require(action, obj=application, actor=user)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("evaluation:application_detail", application_id=application.pk)
    if action == "approve":
        form = ApproveForm(request.POST, district=application.district)
    elif action == "reject":
        form = RejectForm(request.POST)
    else:
        form = NoteForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, application, forms={action: form}, status=422)
    data = form.cleaned_data
    try:
        if action == "approve":
            services.application_approve(
                actor=user,
                application=application,
                base=data["base"],
                streets=list(data["streets"]),
                communities=[],
                items=list(data["items"]),
                daily_capacity=data["daily_capacity"],
                reason=data["reason"],
            )
            done = _("Approved: the organisation is now a provider.")
        elif action == "reject":
            services.application_reject(actor=user, application=application, reason=data["reason"])
            done = _("Application rejected.")
        else:
            services.application_shortlist(actor=user, application=application, note=data["note"])
            done = _("Application shortlisted.")
    except DomainError as error:
        if error.status in (403, 404):
            raise
        if error.status == 409:
            messages.error(request, error.message)
            return redirect("evaluation:application_detail", application_id=application.pk)
        add_domain_errors(form, error)
        return _render_detail(request, application, forms={action: form}, status=422)
    messages.success(request, done)
    return redirect("evaluation:application_detail", application_id=application.pk)


@login_required
@require_GET
@domain_errors
def application_document(request: HttpRequest, application_id: int, document_id: int):
    """A document of the application, only to those who may see it (never a public media URL)."""
    application = application_get_for(user=request.user, application_id=application_id)
    policy.require_application_reader(request.user)
    document = application.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404
    try:
        handle = document.file.storage.open(document.file.name, "rb")
    except OSError:
        raise Http404 from None
    kind = services.document_kind(handle.read(16))
    handle.seek(0)
    response = FileResponse(
        handle,
        content_type=kind[1] if kind else "application/octet-stream",
        as_attachment=kind is None,
        filename=document.original_name if kind is None else None,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# ---------------------------------------------------------------- shortlist and scorecard


@login_required
@domain_errors
def shortlist(request: HttpRequest) -> HttpResponse:
    """The district's applications ranked by their mean weighted score, every score and reason."""
    policy.require_application_reader(request.user)
    return render(
        request,
        "evaluation/shortlist.html",
        {
            "rows": ranking(user=request.user),
            "min_reviews": services.MIN_REVIEWS,
            "can_edit_scorecard": policy.can_edit_scorecard(request.user),
        },
    )


@login_required
@domain_errors
def scorecard(request: HttpRequest) -> HttpResponse:
    user = request.user
    policy.require_scorecard_editor(user)
    district = district_of(user.area) if user.area else None
    if district is None:
        raise PermissionDenied(_("Your account is not linked to a district."))
    card = services.scorecard_rows(district)
    form = ScorecardForm(request.POST or None, card=card)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.scorecard_update(
                actor=user,
                district=district,
                weights={row.code: data[f"weight_{row.code}"] for row in card},
                guidance={row.code: data[f"guidance_{row.code}"] for row in card},
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            add_domain_errors(form, error, renames={r.code: f"weight_{r.code}" for r in card})
        else:
            messages.success(request, _("Scorecard saved. New reviews use these weights."))
            return redirect("evaluation:scorecard")
    total = sum(row.weight for row in card)
    return render(
        request,
        "evaluation/scorecard.html",
        {"form": form, "district": district, "total": total},
        status=422 if request.method == "POST" else 200,
    )


# ---------------------------------------------------------------- the applicant's status page

#: Look-ups a network address may make per hour (numbers are sequential; the phone is the
#: second factor, and this keeps guessing it slow).
STATUS_LOOKUPS_PER_HOUR = 20


def apply_status(request: HttpRequest) -> HttpResponse:
    """Public: an applicant (without an account) looks their application up by its reference
    number and the contact phone they gave. Same answer for a wrong number and a wrong phone."""
    found = None
    missed = False
    status = 200
    if request.method == "POST":
        ip = request.META.get("REMOTE_ADDR", "")
        key = f"evaluation:apply_status:{ip}"
        tries = cache.get(key, 0)
        if tries >= STATUS_LOOKUPS_PER_HOUR:
            messages.error(request, _("Too many look-ups from this network. Try again in an hour."))
            status = 429
        else:
            cache.set(key, tries + 1, 3600)
            found = application_status_lookup(
                number=request.POST.get("number", "")[:24],
                contact_phone=request.POST.get("contact_phone", "")[:20],
            )
            missed = found is None
            status = 200 if found else 404
    return render(
        request,
        "evaluation/apply_status.html",
        {
            "application": found,
            "missed": missed,
            "events": [
                (e, EVENT_LABELS.get(e.action, e.action))
                for e in (found.events.all() if found else [])
            ],
            "number": request.POST.get("number", "")[:24],
        },
        status=status,
    )
