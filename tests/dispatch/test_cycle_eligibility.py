"""Automatic dispatch applies the provider-facts eligibility rule: for every order it offers, the
number of eligible providers the engine saw equals ``provider_facts.eligible_providers``."""

import pytest
from django.utils import timezone

from jiuzhu.dispatch.services.cycle import plan_dispatch, providers_with_capacity
from jiuzhu.orders.models import Order, Provider
from jiuzhu.orders.selectors.provider_facts import eligible_providers
from jiuzhu.orders.services.placing import order_create
from jiuzhu.orders.services.transitions import order_decline

pytestmark = pytest.mark.django_db


def test_the_engine_and_the_selector_agree_on_who_is_eligible(
    market, areas, django_capture_on_commit_callbacks
):
    def place(item):
        with django_capture_on_commit_callbacks(execute=True):  # the deadlines come on commit
            return order_create(
                actor=market["beneficiary"], household=market["household"], item=item
            )

    meal, cleaning, declined = (
        place(market["meal"]),
        place(market["cleaning"]),
        place(market["meal"]),
    )
    order_decline(actor=market["staff_a"], order=declined, reason="人手不足")
    # C joins through the household's community (not its street); B is switched off.
    market["provider_c"].communities.set([areas["yaohua_a"]])
    Provider.objects.filter(pk=market["provider_b"].pk).update(active=False)
    orders = list(
        Order.objects.filter(pk__in=[meal.pk, cleaning.pk, declined.pk]).select_related(
            "sla", "household__community", "household__street", "item"
        )
    )
    decisions = plan_dispatch(orders=orders, providers=providers_with_capacity(now=timezone.now()))
    seen = {d["order"].pk: d["why"]["eligible"] for d in decisions if d["provider"] is not None}
    expected = {order.pk: eligible_providers(order).count() for order in orders}
    # By hand: A and C for the first two (B is inactive); only C for the one A declined.
    assert expected == {meal.pk: 2, cleaning.pk: 2, declined.pk: 1}
    assert seen == expected
