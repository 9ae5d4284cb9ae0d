"""The order state machine as a table, written out by hand from docs/orders.md: for every action,
every role and every state, the expected answer (next state, forbidden, or conflict)."""

import itertools

import pytest

from jiuzhu.core.models import Role
from jiuzhu.orders import states

STATES = ["waiting", "accepted", "assigned", "in_service", "completed", "cancelled"]
#: action → (roles that may ever do it, {from state: to state})
SPEC = {
    "accept": ({"provider_staff"}, {"waiting": "accepted"}),
    "decline": ({"provider_staff"}, {"waiting": "waiting"}),
    "assign": ({"provider_staff"}, {"accepted": "assigned", "assigned": "assigned"}),
    "start": (
        {"provider_staff", "volunteer"},
        {"accepted": "in_service", "assigned": "in_service"},
    ),
    "complete": ({"provider_staff", "volunteer"}, {"in_service": "completed"}),
    "cancel": (
        {"beneficiary", "community_worker", "hotline_operator", "street_caseworker"},
        {"waiting": "cancelled", "accepted": "cancelled", "assigned": "cancelled"},
    ),
}


@pytest.mark.parametrize(
    ("action", "role", "status"), list(itertools.product(SPEC, Role.values, STATES))
)
def test_every_action_role_and_state(action, role, status):
    roles, moves = SPEC[action]
    if role not in roles:
        with pytest.raises(states.TransitionRefused) as refused:
            states.check(action, status=status, role=role)
        assert refused.value.reason == "forbidden"
    elif status not in moves:
        with pytest.raises(states.TransitionRefused) as refused:
            states.check(action, status=status, role=role)
        assert refused.value.reason == "conflict"
    else:
        assert states.check(action, status=status, role=role) == moves[status]


def test_finished_orders_offer_no_actions_to_anyone():
    for role in Role.values:
        assert states.actions_for("completed", role) == []
        assert states.actions_for("cancelled", role) == []
