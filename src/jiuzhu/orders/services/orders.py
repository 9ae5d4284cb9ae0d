"""Compatibility re-export: placing orders lives in ``placing.py``, moving them in
``transitions.py``. Kept so existing imports (tests, benchmarks) keep working; new code imports
from those modules."""

from jiuzhu.orders.selectors.provider_facts import eligible_providers
from jiuzhu.orders.services.placing import (
    CHANNEL_BY_ROLE,
    check_can_order,
    order_create,
    used_in_period,
)
from jiuzhu.orders.services.transitions import (
    order_accept,
    order_actions,
    order_actions_for,
    order_assign,
    order_cancel,
    order_complain,
    order_complete,
    order_decline,
    order_rate,
    order_start,
)

__all__ = [
    "CHANNEL_BY_ROLE",
    "check_can_order",
    "eligible_providers",
    "order_accept",
    "order_actions",
    "order_actions_for",
    "order_assign",
    "order_cancel",
    "order_complain",
    "order_complete",
    "order_create",
    "order_decline",
    "order_rate",
    "order_start",
    "used_in_period",
]
