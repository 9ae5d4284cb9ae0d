"""The supervision hotline's tickets: received → assigned → handled → called back (or visited)
→ closed with the caller's satisfaction. Each kind has a response deadline."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.core.models import Area, AuditAction, Role, User
from jiuzhu.core.scoping import visible
from jiuzhu.core.services.notifications import notify
from jiuzhu.dispatch.models import Ticket, TicketKind, TicketStatus
from jiuzhu.orders.models import Complaint, Order, Provider
from jiuzhu.registry.models import Household

#: Hours to respond, by kind (complaints fastest).
RESPONSE_HOURS = {
    TicketKind.COMPLAINT: 24,
    TicketKind.SERVICE_REQUEST: 24,
    TicketKind.FEEDBACK: 72,
    TicketKind.CONSULTATION: 48,
}
HANDLERS = frozenset({Role.HOTLINE_OPERATOR, Role.DISTRICT_MANAGER, Role.STREET_CASEWORKER})
OPENERS = frozenset({Role.HOTLINE_OPERATOR, Role.DISTRICT_MANAGER})
#: action → (from states, to state)
FLOW = {
    "assign": ({TicketStatus.RECEIVED, TicketStatus.ASSIGNED}, TicketStatus.ASSIGNED),
    "handle": ({TicketStatus.ASSIGNED}, TicketStatus.HANDLED),
    "call_back": ({TicketStatus.HANDLED}, TicketStatus.CALLED_BACK),
    "close": ({TicketStatus.CALLED_BACK}, TicketStatus.CLOSED),
}


def _url(ticket: Ticket) -> str:
    return reverse("dispatch:ticket_detail", args=[ticket.pk])


def _number(ticket_id: int, on: dt.date) -> str:
    return f"RX{on:%Y%m%d}{ticket_id:06d}"


@transaction.atomic
def ticket_open(
    *,
    actor: User | None,
    kind: str,
    description: str,
    district: Area,
    household: Household | None = None,
    order: Order | None = None,
    provider: Provider | None = None,
    complaint: Complaint | None = None,
    caller_name: str = "",
    caller_phone: str = "",
) -> Ticket:
    """Record a call (or a complaint made from an order, then ``actor`` is its author)."""
    if complaint is None and (actor is None or actor.role not in OPENERS):
        raise PermissionDenied(_("Only hotline operators and district managers open tickets."))
    errors: dict[str, list[str]] = {}
    if kind not in TicketKind.values:
        errors["kind"] = [_("Choose the kind of call.")]
    if not description.strip():
        errors["description"] = [_("Describe what the caller said.")]
    if errors:
        raise ValidationFailed(errors)
    if actor is not None and complaint is None:
        for obj, model in ((household, Household), (order, Order)):
            if obj is not None and not visible(actor, model.objects.filter(pk=obj.pk)).exists():
                raise PermissionDenied(_("This record is outside your area."))
    now = timezone.now()
    ticket = Ticket.objects.create(
        number=f"T{now.timestamp():.0f}{actor.pk if actor else 0}"[:24],
        district=district,
        kind=kind,
        household=household or (order.household if order else None),
        order=order,
        provider=provider or (order.provider if order else None),
        complaint=complaint,
        caller_name=caller_name,
        caller_phone=caller_phone,
        description=description.strip()[:1000],
        respond_by=now + dt.timedelta(hours=RESPONSE_HOURS[kind]),
        created_by=actor or complaint.by,
    )
    ticket.number = _number(ticket.pk, timezone.localdate())
    ticket.save(update_fields=["number"])
    audit.record(actor=actor or complaint.by, action=AuditAction.CREATE, obj=ticket)
    operators = User.objects.filter(role=Role.HOTLINE_OPERATOR, area=district, is_active=True)
    notify(
        users=operators,
        title=_("New hotline ticket: %(kind)s") % {"kind": ticket.get_kind_display()},
        body=ticket.description[:80],
        url=_url(ticket),
    )
    return ticket


def _move(ticket: Ticket, action: str, actor: User, **changes) -> Ticket:
    if actor.role not in HANDLERS:
        raise PermissionDenied(_("Your role may not work on hotline tickets."))
    sources, target = FLOW[action]
    updated = Ticket.objects.filter(pk=ticket.pk, status__in=sources).update(
        status=target, **changes
    )
    if updated != 1:
        ticket.refresh_from_db()
        raise Conflict(
            "wrong_state",
            _("This ticket is %(status)s; it cannot move that way now.")
            % {"status": ticket.get_status_display()},
            ticket_status=ticket.status,
        )
    ticket.refresh_from_db()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=ticket,
        detail={"transition": action, "to": target},
    )
    return ticket


@transaction.atomic
def ticket_assign(*, actor: User, ticket: Ticket, assignee: User) -> Ticket:
    if assignee.role not in HANDLERS or not assignee.is_active:
        raise ValidationFailed(
            {"assignee": [_("Choose a hotline operator, caseworker or manager.")]}
        )
    ticket = _move(ticket, "assign", actor, assignee=assignee, assigned_at=timezone.now())
    notify(
        users=[assignee],
        title=_("A hotline ticket is yours: %(n)s") % {"n": ticket.number},
        body=ticket.description[:80],
        url=_url(ticket),
    )
    return ticket


@transaction.atomic
def ticket_handle(*, actor: User, ticket: Ticket, note: str) -> Ticket:
    if not note.strip():
        raise ValidationFailed({"note": [_("Say how it was handled.")]})
    return _move(
        ticket, "handle", actor, handling_note=note.strip()[:1000], handled_at=timezone.now()
    )


@transaction.atomic
def ticket_call_back(*, actor: User, ticket: Ticket, note: str) -> Ticket:
    if not note.strip():
        raise ValidationFailed({"note": [_("Record what the caller said on the call-back.")]})
    return _move(
        ticket, "call_back", actor, callback_note=note.strip()[:500], called_back_at=timezone.now()
    )


@transaction.atomic
def ticket_close(*, actor: User, ticket: Ticket, satisfaction: int) -> Ticket:
    if not 1 <= satisfaction <= 5:
        raise ValidationFailed({"satisfaction": [_("Record satisfaction from 1 to 5.")]})
    return _move(ticket, "close", actor, satisfaction=satisfaction, closed_at=timezone.now())


def ticket_actions(ticket: Ticket, user: User) -> list[str]:
    if user.role not in HANDLERS:
        return []
    return [action for action, (sources, _t) in FLOW.items() if ticket.status in sources]
