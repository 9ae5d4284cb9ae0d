"""The supervision hotline: the ticket list (filters, overdue highlighted, Excel export), a new
ticket for a call, and the ticket page with its workflow."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from jiuzhu.core.errors import DomainError, NotFound, PermissionDenied
from jiuzhu.core.selectors.areas import district_of
from jiuzhu.core.views.common import (
    add_domain_errors,
    domain_errors,
    is_htmx,
    paginate,
    vary_on_htmx,
)
from jiuzhu.core.views.list_export import ListExport, export_list, heading, list_address
from jiuzhu.dispatch.forms import (
    AssignForm,
    CallBackForm,
    CloseForm,
    HandleForm,
    TicketFilterForm,
    TicketForm,
    VerdictForm,
)
from jiuzhu.dispatch.models import Ticket, TicketKind, TicketStatus
from jiuzhu.dispatch.policy import (
    can_open_tickets,
    require_ticket_handler,
    require_ticket_opener,
    require_ticket_reader,
)
from jiuzhu.dispatch.selectors.monitoring import providers_in_scope
from jiuzhu.dispatch.selectors.tickets import (
    TicketFilters,
    order_by_number,
    ticket_assignees,
    ticket_get_for,
    ticket_list,
)
from jiuzhu.dispatch.services import tickets as services
from jiuzhu.dispatch.views.common import tabs
from jiuzhu.orders.models import ComplaintStatus
from jiuzhu.orders.policy import can_judge_complaints, can_order_for_households
from jiuzhu.orders.services.complaints import complaint_decide
from jiuzhu.registry.models import Household, HouseholdStatus
from jiuzhu.registry.selectors.households import HouseholdFilters, household_list

PER_PAGE = 25
MATCH_LIMIT = 8
#: action in the address → (service, form, message when done)
ACTIONS = {
    "assign": (services.ticket_assign, AssignForm, gettext_lazy("Ticket assigned.")),
    "handle": (services.ticket_handle, HandleForm, gettext_lazy("Handling recorded.")),
    "call-back": (services.ticket_call_back, CallBackForm, gettext_lazy("Call-back recorded.")),
    "close": (services.ticket_close, CloseForm, gettext_lazy("Ticket closed.")),
}
#: the service's action names (``FLOW``) in the address
SLUGS = {"assign": "assign", "handle": "handle", "call_back": "call-back", "close": "close"}


def _require_reader(request: HttpRequest) -> None:
    require_ticket_reader(request.user)


def _filters(form: TicketFilterForm) -> TicketFilters:
    values = form.values()
    return TicketFilters(
        status=values.get("status") or "",
        kind=values.get("kind") or "",
        overdue=bool(values.get("overdue")),
        q=(values.get("q") or "").strip(),
        household=values.get("household"),
        order=values.get("order"),
    )


@login_required
@domain_errors
def ticket_list_view(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    form = TicketFilterForm(request.GET)
    filters = _filters(form)
    page = paginate(request, ticket_list(user=request.user, filters=filters), per_page=PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page_obj": page,
        "now": timezone.now(),
        "export_query": query.urlencode(),
        "filtered": any(dataclasses.asdict(filters).values()),
        "can_open": can_open_tickets(request.user),
        "tabs": tabs(request.user, "dispatch:ticket_list"),
    }
    template = "dispatch/_ticket_results.html" if is_htmx(request) else "dispatch/tickets.html"
    return vary_on_htmx(render(request, template, context))


def _export_rows(tickets, now):
    for ticket in tickets.iterator(chunk_size=500):
        yield [
            ticket.number,
            ticket.created_at,
            str(TicketKind(ticket.kind).label),
            str(TicketStatus(ticket.status).label),
            ticket.respond_by,
            _("yes") if ticket.respond_by < now and ticket.status != TicketStatus.CLOSED else "",
            ticket.household.street.name if ticket.household_id else "",
            ticket.household_id,
            ticket.order.number if ticket.order_id else "",
            ticket.provider.organisation.name if ticket.provider_id else "",
            ticket.description,
            str(ticket.assignee) if ticket.assignee_id else "",
            ticket.handling_note,
            ticket.closed_at,
            ticket.satisfaction,
        ]


TICKETS_EXPORT = ListExport(
    key="dispatch.tickets",
    title=gettext_lazy("Hotline tickets"),
    object_type="dispatch.ticket",
    stem="tickets",
    too_large=gettext_lazy(
        "The export would hold %(count)d tickets; narrow the filters to at most %(limit)d."
    ),
    rows=lambda tickets: _export_rows(tickets, timezone.now()),
    columns=[
        heading(gettext_lazy("Ticket"), 20),
        heading(gettext_lazy("Received at"), 18),
        heading(pgettext_lazy("ticket", "Kind"), 12),
        heading(gettext_lazy("Status"), 14),
        heading(gettext_lazy("Respond by"), 18),
        heading(gettext_lazy("Overdue"), 8),
        heading(gettext_lazy("Street"), 14),
        heading(gettext_lazy("Household"), 10),
        heading(gettext_lazy("Order number"), 20),
        heading(gettext_lazy("Provider"), 24),
        heading(gettext_lazy("Description"), 40),
        heading(gettext_lazy("Assigned to"), 14),
        heading(gettext_lazy("How it was handled"), 40),
        heading(gettext_lazy("Closed at"), 18),
        heading(gettext_lazy("Satisfaction"), 10),
    ],
)


@login_required
@domain_errors
def ticket_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as a workbook (no caller names or phones); each export is audited."""
    _require_reader(request)
    filters = _filters(TicketFilterForm(request.GET))
    return export_list(
        request,
        ticket_list(user=request.user, filters=filters),
        TICKETS_EXPORT,
        back=list_address(request, "dispatch:ticket_list"),
        detail={"filters": {k: v for k, v in dataclasses.asdict(filters).items() if v}},
    )


# ---------------------------------------------------------------- a new ticket


def _household_matches(request: HttpRequest, q: str):
    q = q.strip()
    if not q:
        return []
    return list(
        household_list(
            user=request.user, filters=HouseholdFilters(q=q, status="active")
        ).select_related("community")[:MATCH_LIMIT]
    )


def _chosen_household(request: HttpRequest, household_id: int | None) -> Household | None:
    if not household_id:
        return None
    return (
        household_list(user=request.user, filters=HouseholdFilters())
        .filter(pk=household_id)
        .select_related("community")
        .first()
    )


@login_required
@domain_errors
def household_search(request: HttpRequest) -> HttpResponse:
    """Households in the user's area by name or phone, to link to the ticket (htmx)."""
    require_ticket_opener(request.user)
    q = request.GET.get("household_q", "")[:40]
    return render(
        request,
        "dispatch/_household_matches.html",
        {"matches": _household_matches(request, q), "searched": bool(q.strip())},
    )


@login_required
@domain_errors
def ticket_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_ticket_opener(user)
    district = district_of(user.area) if user.area else None
    if district is None:
        raise PermissionDenied(_("Your account is not linked to a district."))
    providers = (
        providers_in_scope(user).select_related("organisation").order_by("organisation__name")
    )
    initial = {}
    if request.method == "GET":
        order = order_by_number(user=user, number=request.GET.get("order", ""))
        if order is not None:
            initial = {"order_number": order.number, "kind": TicketKind.COMPLAINT}
        if request.GET.get("household", "").isdigit():
            initial["household"] = int(request.GET["household"])
    searching = "find_household" in request.POST
    if searching:  # the no-script household search: the form comes back as typed, unchecked
        form = TicketForm(initial=request.POST.dict(), providers=providers)
    else:
        form = TicketForm(request.POST or None, initial=initial, providers=providers)
    household_q = request.POST.get("household_q", "") if request.method == "POST" else ""
    if request.method == "POST" and not searching and form.is_valid():
        data = form.cleaned_data
        household = _chosen_household(request, data["household"])
        order = order_by_number(user=user, number=data["order_number"])
        if data["household"] and household is None:
            form.add_error(None, _("That household is not in your area."))
        elif data["order_number"] and order is None:
            form.add_error("order_number", _("No order with this number in your area."))
        else:
            try:
                ticket = services.ticket_open(
                    actor=user,
                    kind=data["kind"],
                    description=data["description"],
                    district=district,
                    household=household,
                    order=order,
                    provider=data["provider"],
                    caller_name=data["caller_name"],
                    caller_phone=data["caller_phone"],
                )
            except DomainError as error:
                if error.status == 403:
                    raise
                add_domain_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Ticket %(number)s recorded. Respond by %(when)s.")
                    % {
                        "number": ticket.number,
                        "when": timezone.localtime(ticket.respond_by).strftime("%Y-%m-%d %H:%M"),
                    },
                )
                return redirect("dispatch:ticket_detail", ticket_id=ticket.pk)
    chosen_id = form["household"].value()
    chosen = _chosen_household(request, int(chosen_id)) if str(chosen_id or "").isdigit() else None
    return render(
        request,
        "dispatch/ticket_form.html",
        {
            "form": form,
            "chosen": chosen,
            "household_q": household_q,
            "matches": _household_matches(request, household_q) if searching else [],
            "searched": searching,
            "response_hours": [
                (TicketKind(kind).label, hours) for kind, hours in services.RESPONSE_HOURS.items()
            ],
            "tabs": tabs(user, "dispatch:ticket_list"),
        },
    )


# ---------------------------------------------------------------- the ticket page


def _forms_for(ticket: Ticket, user, bound=None) -> dict:
    """The workflow forms the user may use now, by service action name."""
    forms = {}
    for action in services.ticket_actions(ticket, user):
        slug = SLUGS[action]
        _run, form_class, _done = ACTIONS[slug]
        data = bound[1] if bound and bound[0] == slug else None
        if form_class is AssignForm:
            forms[action] = AssignForm(
                data,
                assignees=ticket_assignees(ticket=ticket),
                initial={"assignee": ticket.assignee_id or user.pk},
            )
        else:
            forms[action] = form_class(data)
    return forms


def _can_order_for(user, household) -> bool:
    return (
        household is not None
        and household.status == HouseholdStatus.ACTIVE
        and can_order_for_households(user)
    )


def _verdict_form(ticket: Ticket, user, data=None) -> VerdictForm | None:
    """The verdict form, for a complaint not yet decided and a user who may decide it."""
    complaint = ticket.complaint
    if complaint is None or complaint.status != ComplaintStatus.PENDING:
        return None
    return VerdictForm(data) if can_judge_complaints(user) else None


def _render_ticket(
    request: HttpRequest,
    ticket: Ticket,
    forms: dict,
    status: int = 200,
    verdict_form: VerdictForm | None = None,
):
    now = timezone.now()
    return render(
        request,
        "dispatch/ticket_detail.html",
        {
            "ticket": ticket,
            "forms": forms,
            "overdue": ticket.respond_by < now and ticket.status != TicketStatus.CLOSED,
            "can_order": _can_order_for(request.user, ticket.household),
            "steps": _steps(ticket),
            "tabs": tabs(request.user, "dispatch:ticket_list"),
            "verdict_form": verdict_form or _verdict_form(ticket, request.user),
        },
        status=status,
    )


def _steps(ticket: Ticket) -> list[dict]:
    order = [s for s, _label in TicketStatus.choices]
    reached = order.index(ticket.status)
    return [
        {
            "label": label,
            "state": "done"
            if i < reached or ticket.status == TicketStatus.CLOSED
            else "now"
            if i == reached
            else "",
        }
        for i, (_s, label) in enumerate(TicketStatus.choices)
    ]


@login_required
@domain_errors
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    # The lookup first: a ticket the user cannot see is 404 whatever the role (then the role).
    ticket = ticket_get_for(user=request.user, ticket_id=ticket_id)
    _require_reader(request)
    return _render_ticket(request, ticket, _forms_for(ticket, request.user))


@login_required
@require_POST
@domain_errors
def ticket_act(request: HttpRequest, ticket_id: int, action: str) -> HttpResponse:
    """One workflow step; a wrong state (someone was quicker) comes back as a message."""
    user = request.user
    ticket = ticket_get_for(user=user, ticket_id=ticket_id)
    _require_reader(request)
    run, form_class, done = ACTIONS[action]
    forms = _forms_for(ticket, user, bound=(action, request.POST))
    form = next((f for f in forms.values() if isinstance(f, form_class) and f.is_bound), None)
    if form is None:
        require_ticket_handler(user)
        messages.error(request, services.TICKET_FLOW.conflict_for(ticket).message)
        return redirect("dispatch:ticket_detail", ticket_id=ticket.pk)
    if not form.is_valid():
        return _render_ticket(request, ticket, forms, status=422)
    data = form.cleaned_data
    arguments = {
        AssignForm: lambda: {"assignee": data["assignee"]},
        HandleForm: lambda: {"note": data["note"]},
        CallBackForm: lambda: {"note": data["note"]},
        CloseForm: lambda: {"satisfaction": data["satisfaction"]},
    }[form_class]()
    try:
        run(actor=user, ticket=ticket, **arguments)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        if error.status == 409:
            messages.error(request, error.message)
            return redirect("dispatch:ticket_detail", ticket_id=ticket.pk)
        add_domain_errors(form, error)
        return _render_ticket(request, ticket, forms, status=422)
    messages.success(request, done)
    return redirect("dispatch:ticket_detail", ticket_id=ticket.pk)


@login_required
@require_POST
@domain_errors
def complaint_verdict(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Decide whether the complaint behind the ticket is upheld (``orders.services.complaints``:
    the role and the state are checked there, on the complaint's own state machine)."""
    user = request.user
    ticket = ticket_get_for(user=user, ticket_id=ticket_id)
    _require_reader(request)
    complaint = ticket.complaint
    if complaint is None:
        raise NotFound("complaint")
    form = VerdictForm(request.POST)
    if not form.is_valid():
        if not can_judge_complaints(user):
            raise PermissionDenied(_("Only those who handle hotline tickets decide on complaints."))
        return _render_ticket(request, ticket, _forms_for(ticket, user), 422, form)
    try:
        complaint_decide(
            actor=user,
            complaint=complaint,
            upheld=form.cleaned_data["verdict"] == "upheld",
            note=form.cleaned_data["note"],
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        if error.status == 409:
            messages.error(request, error.message)
            return redirect("dispatch:ticket_detail", ticket_id=ticket.pk)
        add_domain_errors(form, error)
        return _render_ticket(request, ticket, _forms_for(ticket, user), 422, form)
    messages.success(request, _("Verdict recorded."))
    return redirect("dispatch:ticket_detail", ticket_id=ticket.pk)
