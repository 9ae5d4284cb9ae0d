"""The board counts everything a provider accepted today, not only the orders still open."""

import pytest

from jiuzhu.dispatch.selectors.board import board_figures
from jiuzhu.orders.services.orders import (
    order_accept,
    order_complete,
    order_create,
    order_start,
)

pytestmark = pytest.mark.django_db


def test_capacity_left_counts_completed_orders_accepted_today(market, actors):
    staff = market["staff_a"]
    done = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    done = order_start(actor=staff, order=order_accept(actor=staff, order=done))
    order_complete(actor=staff, order=done, summary="送餐", duration_minutes=20)
    still_open = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["cleaning"]
    )
    order_accept(actor=staff, order=still_open)
    figures = board_figures(user=actors["qixia_manager"])
    row = next(p for p in figures["providers"] if p["id"] == market["provider_a"].pk)
    # capacity 5 a day (market fixture); two accepted today, one of them already completed.
    assert (row["accepted_today"], row["load"], row["capacity_left"]) == (2, 1, 3)
