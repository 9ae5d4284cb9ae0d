"""The demo's supply meets its demand: every (street, item) with demo demand has an eligible
provider, capacity covers each provider's share of the day's demand, and after the demo steps
and one dispatch cycle most orders are taken and only a handful are at risk."""

from __future__ import annotations

import io
from collections import defaultdict

from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from jiuzhu.core.models import User
from jiuzhu.dispatch.models import Escalation, EscalationReason
from jiuzhu.dispatch.selectors.board import board_figures
from jiuzhu.dispatch.services.cycle import dispatch_cycle
from jiuzhu.orders.models import Order, OrderStatus, Provider

TAKEN = {OrderStatus.ACCEPTED, OrderStatus.ASSIGNED, OrderStatus.IN_SERVICE, OrderStatus.COMPLETED}


def test_the_demo_supply_meets_its_demand(db):
    """One demo build (it takes a while), three promises checked on it in turn."""
    call_command(
        "demo", "--no-serve", "--households", "240", stdout=io.StringIO(), stderr=io.StringIO()
    )
    every_street_and_item_with_demo_demand_has_a_provider()
    capacity_covers_each_providers_share_of_the_days_demand()
    after_one_dispatch_cycle_most_orders_are_taken()


def _providers_for(order: Order) -> set[int]:
    household = order.household
    return set(
        Provider.objects.filter(active=True, items=order.item_id)
        .filter(Q(streets=household.street_id) | Q(communities=household.community_id))
        .values_list("pk", flat=True)
    )


def every_street_and_item_with_demo_demand_has_a_provider():
    orders = Order.objects.select_related("household", "item")
    assert orders.count() > 50
    uncovered = {(o.household.street.name, o.item.name) for o in orders if not _providers_for(o)}
    assert uncovered == set()


def capacity_covers_each_providers_share_of_the_days_demand():
    # The share computed here from scratch: an order counts 1/n towards each of its n
    # eligible providers (orders of today, cancelled ones left out).
    today = timezone.localdate()
    share: dict[int, float] = defaultdict(float)
    for order in (
        Order.objects.exclude(status=OrderStatus.CANCELLED)
        .filter(created_at__date=today)
        .select_related("household")
    ):
        eligible = _providers_for(order)
        for pk in eligible:
            share[pk] += 1 / len(eligible)
    assert share, "the demo placed orders today"
    for provider in Provider.objects.filter(active=True):
        assert provider.daily_capacity >= share.get(provider.pk, 0), provider
        # near demand, not unlimited: at most 1.25 × share rounded up, or the floor of 10
        assert provider.daily_capacity <= max(10, int(share.get(provider.pk, 0) * 1.25) + 1)


def after_one_dispatch_cycle_most_orders_are_taken():
    dispatch_cycle()

    live = Order.objects.exclude(status=OrderStatus.CANCELLED)
    taken = live.filter(status__in=TAKEN).count()
    waiting = live.filter(status=OrderStatus.WAITING).count()
    assert taken >= 0.8 * live.count()
    assert waiting <= 0.15 * live.count()
    manager = User.objects.get(username="qixia_manager")
    figures = board_figures(user=manager)
    assert figures["at_risk_count"] + figures["overdue_count"] <= 10
    assert figures["overdue_count"] <= 3
    assert not Escalation.objects.filter(
        reason__in=[EscalationReason.NO_PROVIDER, EscalationReason.NO_CAPACITY]
    ).exists()
