"""Deciding a complaint: upheld or not upheld (pending → upheld | rejected), on
``core.transitions``. Only upheld complaints count against a provider's quality in settlement
(``evaluation/selectors/quality.py``); the statement's lines cite them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core.errors import Conflict, NotFound, ValidationFailed
from jiuzhu.core.models import User
from jiuzhu.core.scoping import visible
from jiuzhu.core.transitions import Action, StateMachine, Step
from jiuzhu.orders import policy
from jiuzhu.orders.models import Complaint, ComplaintStatus, Order, OrderEvent


def _history(step: Step[Complaint]) -> None:
    order = step.obj.order
    OrderEvent.objects.create(
        order=order,
        action=f"complaint_{step.action}",
        from_status=order.status,
        to_status=order.status,
        actor=step.actor,
        note=step.note[:300],
    )


def _forbidden() -> str:
    return _("Only those who handle hotline tickets decide on complaints.")


def _conflict(complaint: Complaint) -> Conflict:
    return Conflict(
        "already_decided",
        _("This complaint has already been decided: %(verdict)s.")
        % {"verdict": complaint.get_status_display()},
        complaint_status=complaint.status,
    )


_JUDGES = policy.COMPLAINT_JUDGES
COMPLAINT_FLOW: StateMachine[Complaint] = StateMachine(
    name="complaint",
    model=Complaint,
    actions={
        "uphold": Action(frozenset({ComplaintStatus.PENDING}), ComplaintStatus.UPHELD, _JUDGES),
        "reject": Action(frozenset({ComplaintStatus.PENDING}), ComplaintStatus.REJECTED, _JUDGES),
    },
    history=_history,
    forbidden=_forbidden,
    conflict=_conflict,
    audit_type="orders.complaint",
)


@transaction.atomic
def complaint_decide(*, actor: User, complaint: Complaint, upheld: bool, note: str) -> Complaint:
    """Record whether ``complaint`` is upheld, with the reason. The actor must see the order
    (the same answer, 404, for a complaint outside their area as for none); of two deciding at
    once exactly one wins, the other gets 409."""
    action = "uphold" if upheld else "reject"
    COMPLAINT_FLOW.require(action, obj=complaint, actor=actor)
    if not visible(actor, Order.objects.filter(pk=complaint.order_id)).exists():
        raise NotFound("complaint")
    note = note.strip()
    if not note:
        raise ValidationFailed({"note": [_("Say why the complaint is or is not upheld.")]})
    return COMPLAINT_FLOW.apply(
        obj=complaint,
        action=action,
        actor=actor,
        note=note[:500],
        changes={
            "decision_note": note[:500],
            "decided_by": actor,
            "decided_at": timezone.now(),
        },
    )
