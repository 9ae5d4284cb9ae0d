"""The order state machine, as data (docs/orders.md draws it), on the shared mechanism of
``jiuzhu.core.transitions``.

    waiting ──accept──▶ accepted ──assign──▶ assigned ──start──▶ in_service ──complete──▶ completed
       │  ╲                │                   │
       │   decline (stays waiting; that provider no longer sees it)
       └──────cancel───────┴───────cancel──────┴──▶ cancelled

``start`` is also allowed straight from ``accepted`` (the provider's own staff member goes
without a separate assignment). Rating and complaints are not transitions: a rating needs a
completed order; a complaint can be made at any time.

Each action names the states it may start from, the state it leads to, and the roles that may
ever perform it (role sets from ``orders/policy.py``). Whether *this* user may perform it on
*this* order (their provider, their household …) is checked by the services through the policy.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from jiuzhu.core.errors import Conflict
from jiuzhu.core.transitions import Action, StateMachine, Step, TransitionRefused
from jiuzhu.orders import policy
from jiuzhu.orders.events import (
    ORDER_ACCEPTED,
    ORDER_CANCELLED,
    ORDER_COMPLETED,
    ORDER_DECLINED,
    ORDER_STARTED,
)
from jiuzhu.orders.models import Order, OrderEvent, OrderStatus
from jiuzhu.orders.services.common import order_url
from jiuzhu.registry.services.chain import chain_add

WAITING = OrderStatus.WAITING.value
ACCEPTED = OrderStatus.ACCEPTED.value
ASSIGNED = OrderStatus.ASSIGNED.value
IN_SERVICE = OrderStatus.IN_SERVICE.value
COMPLETED = OrderStatus.COMPLETED.value
CANCELLED = OrderStatus.CANCELLED.value

#: Kept for readers of the table: one action row.
Transition = Action

TRANSITIONS: dict[str, Action] = {
    "accept": Action(frozenset({WAITING}), ACCEPTED, policy.PROVIDER_ROLES, ORDER_ACCEPTED),
    "decline": Action(frozenset({WAITING}), WAITING, policy.PROVIDER_ROLES, ORDER_DECLINED),
    "assign": Action(frozenset({ACCEPTED, ASSIGNED}), ASSIGNED, policy.PROVIDER_ROLES),
    "start": Action(
        frozenset({ACCEPTED, ASSIGNED}), IN_SERVICE, policy.DELIVERING_ROLES, ORDER_STARTED
    ),
    "complete": Action(
        frozenset({IN_SERVICE}), COMPLETED, policy.DELIVERING_ROLES, ORDER_COMPLETED
    ),
    "cancel": Action(
        frozenset({WAITING, ACCEPTED, ASSIGNED}),
        CANCELLED,
        policy.CANCELLING_ROLES,
        ORDER_CANCELLED,
    ),
}


def _history(step: Step[Order]) -> None:
    OrderEvent.objects.create(
        order=step.obj,
        action=step.action,
        from_status=step.before,
        to_status=step.after,
        actor=step.actor,
        note=step.note[:300],
    )


def _chain(step: Step[Order], title: str, detail: str) -> None:
    chain_add(
        household=step.obj.household,
        source="order",
        source_id=step.obj.pk,
        title=title,
        detail=detail,
        url=order_url(step.obj),
        actor=step.actor,
    )


def _forbidden() -> str:
    return _("Your role may not do this to an order.")


def _conflict(order: Order) -> Conflict:
    return Conflict(
        "wrong_state",
        _("This order is %(status)s; it cannot be changed that way now.")
        % {"status": OrderStatus(order.status).label},
        order_status=order.status,
    )


ORDER_FLOW: StateMachine[Order] = StateMachine(
    name="order",
    model=Order,
    actions=TRANSITIONS,
    stamp="updated_at",
    history=_history,
    chain=_chain,
    forbidden=_forbidden,
    conflict=_conflict,
)


def check(action: str, *, status: str, role: str) -> str:
    """The state the order moves to; raises TransitionRefused. Role before state: a role that
    may never do this learns nothing about the order's state."""
    return ORDER_FLOW.check(action, status=status, role=role)


def actions_for(status: str, role: str) -> list[str]:
    """The actions a role could take on an order in ``status`` (for buttons)."""
    return ORDER_FLOW.actions_for(status, role)


__all__ = ["ORDER_FLOW", "TRANSITIONS", "Transition", "TransitionRefused", "actions_for", "check"]
