"""The statement workflow's state table, written out by hand and compared with the machine."""

from __future__ import annotations

import pytest

from jiuzhu.core.models import Role
from jiuzhu.core.transitions import TransitionRefused
from jiuzhu.evaluation.services.statements import STATEMENT_FLOW

STATES = ("draft", "submitted", "approved", "paid")
# (action, role) → {from state: to state}; every other pair is refused.
TABLE = {
    ("submit", Role.PROVIDER_STAFF): {"draft": "submitted"},
    ("approve", Role.DISTRICT_MANAGER): {"draft": "approved", "submitted": "approved"},
    ("pay", Role.DISTRICT_MANAGER): {"approved": "paid"},
}


@pytest.mark.parametrize("action", ["submit", "approve", "pay"])
@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("status", STATES)
def test_the_state_table(action, role, status):
    allowed = TABLE.get((action, role))
    if allowed is None:
        with pytest.raises(TransitionRefused) as refused:
            STATEMENT_FLOW.check(action, status=status, role=role)
        assert refused.value.reason == "forbidden"
    elif status in allowed:
        assert STATEMENT_FLOW.check(action, status=status, role=role) == allowed[status]
    else:
        with pytest.raises(TransitionRefused) as refused:
            STATEMENT_FLOW.check(action, status=status, role=role)
        assert refused.value.reason == "conflict"
