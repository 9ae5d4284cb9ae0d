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
from jiuzhu.core.transitions import Action, StateMachine
from jiuzhu.dispatch import policy
from jiuzhu.dispatch.models import Ticket, TicketKind, TicketStatus
from jiuzhu.orders.models import Complaint, Order, Provider
from jiuzhu.registry.models import Household

#: Hours to respond, by kind (complaints fastest).
RESPONSE_HOURS: dict[str, int] = {
    TicketKind.COMPLAINT: 24,
    TicketKind.SERVICE_REQUEST: 24,
    TicketKind.FEEDBACK: 72,
    TicketKind.CONSULTATION: 48,
}


def _conflict(ticket: Ticket) -> Conflict:
    return Conflict(
        "wrong_state",
        _("This ticket is %(status)s; it cannot move that way now.")
        % {"status": ticket.get_status_display()},
        ticket_status=ticket.status,
    )


def _forbidden() -> str:
    return _("Your role may not work on hotline tickets.")


_HANDLERS = policy.TICKET_HANDLERS
#: The ticket's state machine (``jiuzhu.core.transitions``): every move one conditional UPDATE,
#: audited in the same transaction.
TICKET_FLOW: StateMachine[Ticket] = StateMachine(
    name="ticket",
    model=Ticket,
    actions={
        "assign": Action(
            frozenset({TicketStatus.RECEIVED, TicketStatus.ASSIGNED}),
            TicketStatus.ASSIGNED,
            _HANDLERS,
        ),
        "handle": Action(frozenset({TicketStatus.ASSIGNED}), TicketStatus.HANDLED, _HANDLERS),
        "call_back": Action(frozenset({TicketStatus.HANDLED}), TicketStatus.CALLED_BACK, _HANDLERS),
        "close": Action(frozenset({TicketStatus.CALLED_BACK}), TicketStatus.CLOSED, _HANDLERS),
    },
    forbidden=_forbidden,
    conflict=_conflict,
)


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
    if complaint is None:
        if actor is None:
            raise PermissionDenied(_("Only hotline operators and district managers open tickets."))
        policy.require_ticket_opener(actor)
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
    # The author: the operator, or the complaint's writer (whose account may have gone).
    author = actor if actor is not None else (complaint.by if complaint is not None else None)
    if author is None:
        raise PermissionDenied(_("Only hotline operators and district managers open tickets."))
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
        created_by=author,
    )
    ticket.number = _number(ticket.pk, timezone.localdate())
    ticket.save(update_fields=["number"])
    audit.record(actor=author, action=AuditAction.CREATE, obj=ticket)
    operators = User.objects.filter(role=Role.HOTLINE_OPERATOR, area=district, is_active=True)
    notify(
        users=operators,
        title=_("New hotline ticket: %(kind)s") % {"kind": ticket.get_kind_display()},
        body=ticket.description[:80],
        url=_url(ticket),
    )
    return ticket


@transaction.atomic
def ticket_assign(*, actor: User, ticket: Ticket, assignee: User) -> Ticket:
    TICKET_FLOW.require("assign", obj=ticket, actor=actor)
    if assignee.role not in policy.TICKET_HANDLERS or not assignee.is_active:
        raise ValidationFailed(
            {"assignee": [_("Choose a hotline operator, caseworker or manager.")]}
        )
    ticket = TICKET_FLOW.apply(
        obj=ticket,
        action="assign",
        actor=actor,
        changes={"assignee": assignee, "assigned_at": timezone.now()},
    )
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
    return TICKET_FLOW.apply(
        obj=ticket,
        action="handle",
        actor=actor,
        changes={"handling_note": note.strip()[:1000], "handled_at": timezone.now()},
    )


@transaction.atomic
def ticket_call_back(*, actor: User, ticket: Ticket, note: str) -> Ticket:
    if not note.strip():
        raise ValidationFailed({"note": [_("Record what the caller said on the call-back.")]})
    return TICKET_FLOW.apply(
        obj=ticket,
        action="call_back",
        actor=actor,
        changes={"callback_note": note.strip()[:500], "called_back_at": timezone.now()},
    )


@transaction.atomic
def ticket_close(*, actor: User, ticket: Ticket, satisfaction: int) -> Ticket:
    if not 1 <= satisfaction <= 5:
        raise ValidationFailed({"satisfaction": [_("Record satisfaction from 1 to 5.")]})
    return TICKET_FLOW.apply(
        obj=ticket,
        action="close",
        actor=actor,
        changes={"satisfaction": satisfaction, "closed_at": timezone.now()},
    )


def ticket_actions(ticket: Ticket, user: User) -> list[str]:
    """The moves ``user`` could make on ``ticket`` now (for buttons and the API)."""
    return TICKET_FLOW.actions_for(ticket.status, user.role)
