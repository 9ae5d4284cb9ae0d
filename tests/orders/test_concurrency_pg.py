"""Two providers accept the same order at the same moment: exactly one wins, on PostgreSQL with
real parallel connections; the other gets 409 and a clear message. The same for two retries of
one creation request with the same Idempotency-Key: one order, one response."""

from __future__ import annotations

import pytest

from jiuzhu.core.errors import Conflict
from jiuzhu.orders.models import Order, OrderEvent
from jiuzhu.orders.services.idempotency import run_once
from jiuzhu.orders.services.orders import order_accept, order_create
from parallel import in_parallel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("round_", range(5))
def test_two_providers_accepting_one_order_exactly_one_wins(postgres_only, market, round_):
    order = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    results = in_parallel(
        lambda: order_accept(actor=market["staff_a"], order=Order.objects.get(pk=order.pk)),
        lambda: order_accept(actor=market["staff_b"], order=Order.objects.get(pk=order.pk)),
    )
    wins = [value for kind, value in results if kind == "ok"]
    losses = [value for kind, value in results if kind == "error"]
    assert len(wins) == 1 and len(losses) == 1, results
    assert isinstance(losses[0], Conflict) and losses[0].status == 409
    order.refresh_from_db()
    assert order.provider_id == wins[0].provider_id
    assert OrderEvent.objects.filter(order=order, action="accept").count() == 1


def test_parallel_retries_with_one_key_make_one_order(postgres_only, market):
    def create():
        def work():
            made = order_create(
                actor=market["beneficiary"], household=market["household"], item=market["meal"]
            )
            return 201, {"id": made.pk}

        return run_once(user=market["beneficiary"], key="retry-1", body={"item": 1}, work=work)

    results = in_parallel(create, create)
    bodies = [value for kind, value in results if kind == "ok"]
    errors = [value for kind, value in results if kind == "error"]
    # The second either waited and replayed the first response, or found it still running.
    assert len(bodies) >= 1
    assert all(isinstance(e, Conflict) for e in errors), errors
    assert len({body[1]["id"] for body in bodies}) == 1
    assert Order.objects.count() == 1
