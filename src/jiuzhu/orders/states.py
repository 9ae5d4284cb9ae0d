"""The order state machine, as data (docs/orders.md draws it).

    waiting ──accept──▶ accepted ──assign──▶ assigned ──start──▶ in_service ──complete──▶ completed
       │  ╲                │                   │
       │   decline (stays waiting; that provider no longer sees it)
       └──────cancel───────┴───────cancel──────┴──▶ cancelled

``start`` is also allowed straight from ``accepted`` (the provider's own staff member goes
without a separate assignment). Rating and complaints are not transitions: a rating needs a
completed order; a complaint can be made at any time.

Each action names the states it may start from, the state it leads to, and the roles that may
ever perform it. Whether *this* user may perform it on *this* order (their provider, their
household …) is checked by the services.
"""

from __future__ import annotations

from dataclasses import dataclass

WAITING, ACCEPTED, ASSIGNED, IN_SERVICE, COMPLETED, CANCELLED = (
    "waiting",
    "accepted",
    "assigned",
    "in_service",
    "completed",
    "cancelled",
)
PROVIDER = "provider_staff"
VOLUNTEER = "volunteer"
BENEFICIARY = "beneficiary"
COMMUNITY_WORKER = "community_worker"
HOTLINE = "hotline_operator"
STREET_CASEWORKER = "street_caseworker"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    roles: frozenset[str]


TRANSITIONS: dict[str, Transition] = {
    "accept": Transition(frozenset({WAITING}), ACCEPTED, frozenset({PROVIDER})),
    "decline": Transition(frozenset({WAITING}), WAITING, frozenset({PROVIDER})),
    "assign": Transition(frozenset({ACCEPTED, ASSIGNED}), ASSIGNED, frozenset({PROVIDER})),
    "start": Transition(
        frozenset({ACCEPTED, ASSIGNED}), IN_SERVICE, frozenset({PROVIDER, VOLUNTEER})
    ),
    "complete": Transition(frozenset({IN_SERVICE}), COMPLETED, frozenset({PROVIDER, VOLUNTEER})),
    "cancel": Transition(
        frozenset({WAITING, ACCEPTED, ASSIGNED}),
        CANCELLED,
        frozenset({BENEFICIARY, COMMUNITY_WORKER, HOTLINE, STREET_CASEWORKER}),
    ),
}
ORDERING_ROLES = frozenset({BENEFICIARY, COMMUNITY_WORKER, HOTLINE, STREET_CASEWORKER})
RATING_ROLES = frozenset({BENEFICIARY, COMMUNITY_WORKER, HOTLINE})
COMPLAINING_ROLES = frozenset({BENEFICIARY, COMMUNITY_WORKER, HOTLINE})


class TransitionRefused(Exception):
    """``reason`` is "forbidden" (the role never may) or "conflict" (not from this state)."""

    def __init__(self, reason: str, action: str, status: str):
        super().__init__(f"{action} from {status}: {reason}")
        self.reason = reason
        self.action = action
        self.status = status


def check(action: str, *, status: str, role: str) -> str:
    """The state the order moves to; raises TransitionRefused. Role before state: a role that
    may never do this learns nothing about the order's state."""
    transition = TRANSITIONS[action]
    if role not in transition.roles:
        raise TransitionRefused("forbidden", action, status)
    if status not in transition.sources:
        raise TransitionRefused("conflict", action, status)
    return transition.target


def actions_for(status: str, role: str) -> list[str]:
    """The actions a role could take on an order in ``status`` (for buttons)."""
    return [
        name
        for name, transition in TRANSITIONS.items()
        if role in transition.roles and status in transition.sources
    ]
