"""Dispatch centre endpoints: the live board's figures and the supervision hotline's tickets.

A ticket the caller cannot see is 404; a step their role may not take is 403; a step from the
wrong state is 409; bad input is 422 — all in the project's ``{code, message, extra}`` shape.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jiuzhu.core.api import ErrorOut, choice, paginate
from jiuzhu.core.errors import NotFound, PermissionDenied, ValidationFailed
from jiuzhu.core.models import User
from jiuzhu.core.selectors.areas import district_of
from jiuzhu.dispatch import policy
from jiuzhu.dispatch.models import EscalationReason, Ticket, TicketKind, TicketStatus
from jiuzhu.dispatch.selectors.backlog import (
    BacklogFilters,
    BacklogList,
    WaitingReason,
    backlog,
)
from jiuzhu.dispatch.selectors.board import board_figures
from jiuzhu.dispatch.selectors.monitoring import providers_in_scope
from jiuzhu.dispatch.selectors.supply import supply_gap
from jiuzhu.dispatch.selectors.tickets import (
    TicketFilters,
    order_by_number,
    ticket_assignees,
    ticket_get_for,
    ticket_list,
)
from jiuzhu.dispatch.services import tickets as services
from jiuzhu.dispatch.services.interventions import (
    BULK_ACTIONS,
    order_escalate,
    order_offer_to,
    order_reoffer,
    orders_bulk,
)
from jiuzhu.dispatch.views.common import district_choices, street_choices
from jiuzhu.orders.models import ComplaintStatus, OrderStatus, Provider
from jiuzhu.orders.selectors.orders import order_get_for
from jiuzhu.orders.services.complaints import complaint_decide
from jiuzhu.registry.selectors.households import household_list

router = Router(tags=["dispatch"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# ---------------------------------------------------------------- the board


class BoardRow(Schema):
    id: int
    number: str
    status: str = choice(OrderStatus)
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
    #: How many waiting orders wait for each reason (``WaitingReason`` codes).
    waiting_reasons: dict[str, int]


@router.get("/dispatch/board", response={200: BoardOut, **ERRORS})
def board(request, street: int | None = None):
    """The live board's figures, scoped like the web board; ``street`` narrows to one street
    of the caller's district (or city)."""
    user = request.user
    policy.require_board(user)
    if street is not None and not street_choices(user).filter(pk=street).exists():
        raise ValidationFailed({"street": [_("Choose a street of your area.")]})
    return board_figures(user=user, street=street)


# ---------------------------------------------------------------- tickets


class TicketOut(Schema):
    id: int
    number: str
    kind: str = choice(TicketKind)
    status: str = choice(TicketStatus)
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
    complaint_verdict: str | None = choice(ComplaintStatus, None, null=True)
    complaint_verdict_note: str = ""


class TicketList(Schema):
    count: int
    items: list[TicketOut]


class TicketIn(Schema):
    kind: str = choice(TicketKind)
    description: str = Field(..., max_length=1000)
    caller_name: str = Field("", max_length=40)
    caller_phone: str = Field("", max_length=20)
    household_id: int | None = None
    order_id: int | None = None
    order_number: str = Field("", max_length=24)
    provider_id: int | None = None


class TicketAssignIn(Schema):
    assignee_id: int


class NoteIn(Schema):
    note: str = Field(..., max_length=1000)


class CloseIn(Schema):
    satisfaction: int


class VerdictIn(Schema):
    upheld: bool
    note: str = Field(..., max_length=500)


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
        "complaint_verdict": ticket.complaint.status if ticket.complaint_id else None,
        "complaint_verdict_note": ticket.complaint.decision_note if ticket.complaint_id else "",
    }


@router.get("/tickets", response={200: TicketList, **ERRORS})
def list_tickets(
    request,
    status: str = choice(TicketStatus, "", blank=True, query=True),
    kind: str = choice(TicketKind, "", blank=True, query=True),
    overdue: bool = False,
    q: str = Query("", max_length=60),
    household: int | None = None,
    order: int | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
):
    user = request.user
    policy.require_ticket_reader(user)
    filters = TicketFilters(
        status=status, kind=kind, overdue=overdue, q=q, household=household, order=order
    )
    items, count = paginate(ticket_list(user=user, filters=filters), limit=limit, offset=offset)
    now = timezone.now()
    return {"count": count, "items": [ticket_out(t, user, now) for t in items]}


@router.post("/tickets", response={201: TicketOut, **ERRORS})
def create_ticket(request, payload: TicketIn):
    user = request.user
    policy.require_ticket_opener(user)
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
        try:
            order = order_get_for(user=user, order_id=payload.order_id)
        except NotFound:
            order = None
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
    return ticket_out(ticket_get_for(user=request.user, ticket_id=ticket_id), request.user)


@router.post("/tickets/{ticket_id}/assign", response={200: TicketOut, **ERRORS})
def assign(request, ticket_id: int, payload: TicketAssignIn):
    ticket = ticket_get_for(user=request.user, ticket_id=ticket_id)
    services.TICKET_FLOW.require("assign", obj=ticket, actor=request.user)
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
    return ticket_out(ticket_get_for(user=request.user, ticket_id=ticket_id), request.user)


@router.post("/tickets/{ticket_id}/handle", response={200: TicketOut, **ERRORS})
def handle(request, ticket_id: int, payload: NoteIn):
    services.ticket_handle(
        actor=request.user,
        ticket=ticket_get_for(user=request.user, ticket_id=ticket_id),
        note=payload.note,
    )
    return ticket_out(ticket_get_for(user=request.user, ticket_id=ticket_id), request.user)


@router.post("/tickets/{ticket_id}/call-back", response={200: TicketOut, **ERRORS})
def call_back(request, ticket_id: int, payload: NoteIn):
    services.ticket_call_back(
        actor=request.user,
        ticket=ticket_get_for(user=request.user, ticket_id=ticket_id),
        note=payload.note,
    )
    return ticket_out(ticket_get_for(user=request.user, ticket_id=ticket_id), request.user)


@router.post("/tickets/{ticket_id}/close", response={200: TicketOut, **ERRORS})
def close(request, ticket_id: int, payload: CloseIn):
    services.ticket_close(
        actor=request.user,
        ticket=ticket_get_for(user=request.user, ticket_id=ticket_id),
        satisfaction=payload.satisfaction,
    )
    return ticket_out(ticket_get_for(user=request.user, ticket_id=ticket_id), request.user)


@router.post("/tickets/{ticket_id}/verdict", response={200: TicketOut, **ERRORS})
def complaint_verdict(request, ticket_id: int, payload: VerdictIn):
    """Whether the complaint behind the ticket is upheld (only upheld complaints count against
    the provider's quality in settlement). 404 for a ticket without a complaint."""
    ticket = ticket_get_for(user=request.user, ticket_id=ticket_id)
    if ticket.complaint is None:
        raise NotFound("complaint")
    complaint_decide(
        actor=request.user, complaint=ticket.complaint, upheld=payload.upheld, note=payload.note
    )
    return ticket_out(ticket_get_for(user=request.user, ticket_id=ticket_id), request.user)


# ---------------------------------------------------------------- backlog, interventions, supply


class WhyOut(Schema):
    code: str
    label: str
    providers: list[str]
    until: dt.datetime | None


class BacklogRow(Schema):
    id: int
    number: str
    status: str = choice(OrderStatus)
    item: str
    district_id: int
    street: str
    community: str
    provider: str
    created_at: dt.datetime
    deadline: dt.datetime | None
    state: str
    minutes_left: int | None
    why: WhyOut | None


class BacklogOut(Schema):
    count: int
    reasons: dict[str, int]
    items: list[BacklogRow]


def _require_board(user: User) -> None:
    policy.require_board(user)


@router.get("/dispatch/backlog", response={200: BacklogOut, **ERRORS})
def backlog_list(
    request,
    list: str = "open",  # noqa: A002 - the query parameter's name
    district: int | None = None,
    street: int | None = None,
    item: int | None = None,
    reason: str = choice(WaitingReason, "", blank=True, query=True),
    q: str = "",
    limit: int = 50,
    offset: int = 0,
):
    """Every open order of the caller's area matching the filters, most pressing first, with
    the reason each untaken one waits; ``reasons`` counts the waiting ones by reason."""
    user = request.user
    _require_board(user)
    errors = {}
    if list not in BacklogList.values:
        errors["list"] = [_("Choose one of: %(v)s.") % {"v": ", ".join(BacklogList.values)}]
    if reason and reason not in WaitingReason.values:
        errors["reason"] = [_("Choose one of: %(v)s.") % {"v": ", ".join(WaitingReason.values)}]
    if street is not None and not street_choices(user).filter(pk=street).exists():
        errors["street"] = [_("Choose a street of your area.")]
    if district is not None and not district_choices(user).filter(pk=district).exists():
        errors["district"] = [_("Choose a district of your area.")]
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    entry = backlog(
        user=user,
        filters=BacklogFilters(
            list=list, district=district, street=street, item=item, reason=reason, q=q[:30]
        ),
        now=now,
    )
    limit, offset = max(1, min(limit, 200)), max(0, offset)
    rows = []
    for row in entry.rows(entry.orders[offset : offset + limit]):
        row["status_label"] = str(row["status_label"])
        row["why"] = row["why"].as_dict() if row["why"] else None
        rows.append(row)
    return {"count": len(entry), "reasons": entry.reason_counts, "items": rows}


class OfferIn(Schema):
    provider_id: int
    reason: str = Field(..., max_length=300)


class EscalateIn(Schema):
    note: str = Field(..., max_length=300)


class OfferOut(Schema):
    id: int
    order_id: int
    provider_id: int
    provider: str
    respond_by: dt.datetime
    why: dict[str, Any]


class ReofferOut(Schema):
    offered: bool
    offer: OfferOut | None = None


class EscalationOut(Schema):
    id: int
    order_id: int
    reason: str = choice(EscalationReason)
    note: str


class BulkIn(Schema):
    action: str = choice(BULK_ACTIONS)
    order_ids: list[int] = Field(..., max_length=200)
    provider_id: int | None = None
    reason: str = Field("", max_length=300)


class BulkOut(Schema):
    done: int
    skipped: dict[str, int]


def _visible_order(user: User, order_id: int):
    return order_get_for(user=user, order_id=order_id)  # NotFound when not visible


def _offer_out(offer) -> dict[str, Any]:
    return {
        "id": offer.pk,
        "order_id": offer.order_id,
        "provider_id": offer.provider_id,
        "provider": offer.provider.organisation.name,
        "respond_by": offer.respond_by,
        "why": offer.why,
    }


def _provider(provider_id: int | None) -> Provider | None:
    if provider_id is None:
        return None
    provider = Provider.objects.select_related("organisation").filter(pk=provider_id).first()
    if provider is None:
        raise ValidationFailed({"provider_id": [_("No such provider.")]})
    return provider


@router.post("/dispatch/orders/{order_id}/offer", response={201: OfferOut, **ERRORS})
def offer_to(request, order_id: int, payload: OfferIn):
    """Offer a waiting order to the chosen provider, with a reason (withdraws a live offer)."""
    order = _visible_order(request.user, order_id)  # the lookup first: 404 when not visible
    _require_board(request.user)
    offer = order_offer_to(
        actor=request.user,
        order=order,
        provider=_provider(payload.provider_id),
        reason=payload.reason,
    )
    return Status(201, _offer_out(offer))


@router.post("/dispatch/orders/{order_id}/reoffer", response={200: ReofferOut, **ERRORS})
def reoffer(request, order_id: int):
    """Offer a waiting order again to the best eligible provider; ``offered`` false when none
    can take it now."""
    order = _visible_order(request.user, order_id)
    _require_board(request.user)
    offer = order_reoffer(actor=request.user, order=order)
    return {"offered": offer is not None, "offer": _offer_out(offer) if offer else None}


@router.post("/dispatch/orders/{order_id}/escalate", response={201: EscalationOut, **ERRORS})
def escalate_order(request, order_id: int, payload: EscalateIn):
    order = _visible_order(request.user, order_id)
    _require_board(request.user)
    escalation = order_escalate(actor=request.user, order=order, note=payload.note)
    return Status(
        201,
        {
            "id": escalation.pk,
            "order_id": escalation.order_id,
            "reason": escalation.reason,
            "note": escalation.raised_note,
        },
    )


@router.post("/dispatch/orders/bulk", response={200: BulkOut, **ERRORS})
def bulk(request, payload: BulkIn):
    """One action (``offer``, ``reoffer``, ``escalate``) on up to 200 orders; ``skipped``
    says why the orders left as they were were not done."""
    user = request.user
    _require_board(user)
    orders = [_visible_order(user, pk) for pk in dict.fromkeys(payload.order_ids)]
    result = orders_bulk(
        actor=user,
        action=payload.action,
        orders=orders,
        provider=_provider(payload.provider_id),
        reason=payload.reason,
    )
    return {"done": result.done, "skipped": dict(result.skipped)}


class SupplyRow(Schema):
    street_id: int
    street: str
    item_id: int
    item: str
    demand: int
    providers: int
    capacity: float
    unmet: int
    shortfall: int


@router.get("/dispatch/supply-gap", response={200: list[SupplyRow], **ERRORS})
def supply_gap_list(request, days: int = 7, district: int | None = None, street: int | None = None):
    """Street × service: demand in the last ``days`` days (7, 30 or 90), capacity, unmet."""
    user = request.user
    _require_board(user)
    if days not in (7, 30, 90):
        raise ValidationFailed({"days": [_("Choose 7, 30 or 90 days.")]})
    if street is not None and not street_choices(user).filter(pk=street).exists():
        raise ValidationFailed({"street": [_("Choose a street of your area.")]})
    if district is not None and not district_choices(user).filter(pk=district).exists():
        raise ValidationFailed({"district": [_("Choose a district of your area.")]})
    return supply_gap(user=user, days=days, district=district, street=street)
