"""Dispatch centre endpoints: the live board's figures and the supervision hotline's tickets.

A ticket the caller cannot see is 404; a step their role may not take is 403; a step from the
wrong state is 409; bad input is 422 — all in the project's ``{code, message, extra}`` shape.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jiuzhu.core.api import ErrorOut, paginate
from jiuzhu.core.errors import NotFound, PermissionDenied, ValidationFailed
from jiuzhu.core.models import User
from jiuzhu.core.selectors.areas import district_of
from jiuzhu.dispatch.models import Ticket, TicketStatus
from jiuzhu.dispatch.selectors.board import board_figures
from jiuzhu.dispatch.selectors.monitoring import providers_in_scope
from jiuzhu.dispatch.selectors.tickets import (
    TicketFilters,
    order_by_number,
    ticket_assignees,
    ticket_get_for,
    ticket_list,
)
from jiuzhu.dispatch.services import tickets as services
from jiuzhu.dispatch.views.common import BOARD_ROLES, TICKET_OPENERS, TICKET_ROLES, street_choices
from jiuzhu.orders.selectors.orders import order_get_for
from jiuzhu.registry.selectors.households import household_list

router = Router(tags=["dispatch"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# ---------------------------------------------------------------- the board


class BoardRow(Schema):
    id: int
    number: str
    status: str
    item: str
    street: str
    community: str
    provider: str
    deadline: dt.datetime
    minutes_left: int


class StreetRow(Schema):
    street: str
    open: int
    at_risk: int
    overdue: int


class ProviderRow(Schema):
    id: int
    name: str
    load: int
    capacity: int
    accepted_today: int
    capacity_left: int
    live_offers: int


class BoardOut(Schema):
    now: dt.datetime
    by_status: dict[str, int]
    open: int
    at_risk_count: int
    overdue_count: int
    at_risk: list[BoardRow]
    overdue: list[BoardRow]
    streets: list[StreetRow]
    providers: list[ProviderRow]
    escalations: int
    live_offers: int


@router.get("/dispatch/board", response={200: BoardOut, **ERRORS})
def board(request, street: int | None = None):
    """The live board's figures, scoped like the web board; ``street`` narrows to one street
    of the caller's district (or city)."""
    user = request.user
    if user.role not in BOARD_ROLES:
        raise PermissionDenied(_("The dispatch centre is for managers and caseworkers."))
    if street is not None and not street_choices(user).filter(pk=street).exists():
        raise ValidationFailed({"street": [_("Choose a street of your area.")]})
    return board_figures(user=user, street=street)


# ---------------------------------------------------------------- tickets


class TicketOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    district_id: int
    household_id: int | None
    order_id: int | None
    order_number: str | None
    provider_id: int | None
    provider: str | None
    complaint_id: int | None
    caller_name: str
    caller_phone: str
    description: str
    assignee_id: int | None
    respond_by: dt.datetime
    overdue: bool
    handling_note: str
    callback_note: str
    satisfaction: int | None
    created_at: dt.datetime
    assigned_at: dt.datetime | None
    handled_at: dt.datetime | None
    called_back_at: dt.datetime | None
    closed_at: dt.datetime | None
    actions: list[str]


class TicketList(Schema):
    count: int
    items: list[TicketOut]


class TicketIn(Schema):
    kind: str
    description: str = Field(..., max_length=1000)
    caller_name: str = Field("", max_length=40)
    caller_phone: str = Field("", max_length=20)
    household_id: int | None = None
    order_id: int | None = None
    order_number: str = Field("", max_length=24)
    provider_id: int | None = None


class AssignIn(Schema):
    assignee_id: int


class NoteIn(Schema):
    note: str = Field(..., max_length=1000)


class CloseIn(Schema):
    satisfaction: int


SLUG_ACTIONS = {"call_back": "call-back"}


def ticket_out(ticket: Ticket, user: User, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "kind": ticket.kind,
        "status": ticket.status,
        "district_id": ticket.district_id,
        "household_id": ticket.household_id,
        "order_id": ticket.order_id,
        "order_number": ticket.order.number if ticket.order_id else None,
        "provider_id": ticket.provider_id,
        "provider": ticket.provider.organisation.name if ticket.provider_id else None,
        "complaint_id": ticket.complaint_id,
        "caller_name": ticket.caller_name,
        "caller_phone": ticket.caller_phone,
        "description": ticket.description,
        "assignee_id": ticket.assignee_id,
        "respond_by": ticket.respond_by,
        "overdue": ticket.respond_by < now and ticket.status != TicketStatus.CLOSED,
        "handling_note": ticket.handling_note,
        "callback_note": ticket.callback_note,
        "satisfaction": ticket.satisfaction,
        "created_at": ticket.created_at,
        "assigned_at": ticket.assigned_at,
        "handled_at": ticket.handled_at,
        "called_back_at": ticket.called_back_at,
        "closed_at": ticket.closed_at,
        "actions": [SLUG_ACTIONS.get(a, a) for a in services.ticket_actions(ticket, user)],
    }


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    if request.user.role not in TICKET_ROLES:
        raise NotFound("ticket")
    ticket = ticket_get_for(user=request.user, ticket_id=ticket_id)
    if ticket is None:
        raise NotFound("ticket")
    return ticket


@router.get("/tickets", response={200: TicketList, **ERRORS})
def list_tickets(
    request,
    status: str = "",
    kind: str = "",
    overdue: bool = False,
    q: str = Query("", max_length=60),
    household: int | None = None,
    order: int | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
):
    user = request.user
    if user.role not in TICKET_ROLES:
        raise PermissionDenied(_("The hotline's tickets are not open to your role."))
    filters = TicketFilters(
        status=status, kind=kind, overdue=overdue, q=q, household=household, order=order
    )
    items, count = paginate(ticket_list(user=user, filters=filters), limit=limit, offset=offset)
    now = timezone.now()
    return {"count": count, "items": [ticket_out(t, user, now) for t in items]}


@router.post("/tickets", response={201: TicketOut, **ERRORS})
def create_ticket(request, payload: TicketIn):
    user = request.user
    if user.role not in TICKET_OPENERS:
        raise PermissionDenied(_("Only hotline operators and district managers open tickets."))
    district = district_of(user.area) if user.area else None
    if district is None:
        raise PermissionDenied(_("Your account is not linked to a district."))
    errors: dict[str, list[str]] = {}
    household = order = provider = None
    if payload.household_id is not None:
        household = household_list(user=user).filter(pk=payload.household_id).first()
        if household is None:
            errors["household_id"] = [_("No such household in your area.")]
    if payload.order_id is not None:
        order = order_get_for(user=user, order_id=payload.order_id)
    elif payload.order_number.strip():
        order = order_by_number(user=user, number=payload.order_number)
    if (payload.order_id is not None or payload.order_number.strip()) and order is None:
        errors["order_id"] = [_("No such order in your area.")]
    if payload.provider_id is not None:
        provider = providers_in_scope(user).filter(pk=payload.provider_id).first()
        if provider is None:
            errors["provider_id"] = [_("No such provider in your area.")]
    if errors:
        raise ValidationFailed(errors)
    ticket = services.ticket_open(
        actor=user,
        kind=payload.kind,
        description=payload.description,
        district=district,
        household=household,
        order=order,
        provider=provider,
        caller_name=payload.caller_name.strip(),
        caller_phone=payload.caller_phone.strip(),
    )
    return Status(201, ticket_out(ticket_get_for(user=user, ticket_id=ticket.pk), user))


@router.get("/tickets/{ticket_id}", response={200: TicketOut, **ERRORS})
def get_ticket(request, ticket_id: int):
    return ticket_out(_ticket(request, ticket_id), request.user)


@router.post("/tickets/{ticket_id}/assign", response={200: TicketOut, **ERRORS})
def assign(request, ticket_id: int, payload: AssignIn):
    ticket = _ticket(request, ticket_id)
    if request.user.role not in services.HANDLERS:
        raise PermissionDenied(_("Your role may not work on hotline tickets."))
    assignee = ticket_assignees(ticket=ticket).filter(pk=payload.assignee_id).first()
    if assignee is None:
        raise ValidationFailed(
            {
                "assignee_id": [
                    _("Choose a hotline operator, caseworker or manager of the ticket's district.")
                ]
            }
        )
    services.ticket_assign(actor=request.user, ticket=ticket, assignee=assignee)
    return ticket_out(_ticket(request, ticket_id), request.user)


@router.post("/tickets/{ticket_id}/handle", response={200: TicketOut, **ERRORS})
def handle(request, ticket_id: int, payload: NoteIn):
    services.ticket_handle(
        actor=request.user, ticket=_ticket(request, ticket_id), note=payload.note
    )
    return ticket_out(_ticket(request, ticket_id), request.user)


@router.post("/tickets/{ticket_id}/call-back", response={200: TicketOut, **ERRORS})
def call_back(request, ticket_id: int, payload: NoteIn):
    services.ticket_call_back(
        actor=request.user, ticket=_ticket(request, ticket_id), note=payload.note
    )
    return ticket_out(_ticket(request, ticket_id), request.user)


@router.post("/tickets/{ticket_id}/close", response={200: TicketOut, **ERRORS})
def close(request, ticket_id: int, payload: CloseIn):
    services.ticket_close(
        actor=request.user, ticket=_ticket(request, ticket_id), satisfaction=payload.satisfaction
    )
    return ticket_out(_ticket(request, ticket_id), request.user)
