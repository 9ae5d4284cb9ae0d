"""The supply gap's figures against counts worked out by hand in the test.

Set-up (market fixture, changed here): provider A serves 尧化街道 with 助餐 and 助洁 at 2 orders
a day; provider B serves 尧化街道 with 助餐 only at 1 a day; provider C serves 马群街道 only
(meals and cleaning, 5 a day). In 尧化: 3 meal orders (one accepted by A), 1 cleaning order,
1 cancelled meal order."""

import pytest

from jiuzhu.dispatch.selectors.supply import supply_gap
from jiuzhu.orders.models import Provider
from jiuzhu.orders.services.orders import order_accept, order_cancel, order_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(market):
    a, b = market["provider_a"], market["provider_b"]
    Provider.objects.filter(pk=a.pk).update(daily_capacity=2)
    Provider.objects.filter(pk=b.pk).update(daily_capacity=1)
    b.items.set([market["meal"]])

    def order(item):
        return order_create(actor=market["beneficiary"], household=market["household"], item=item)

    meals = [order(market["meal"]) for _ in range(3)]
    order_accept(actor=market["staff_a"], order=meals[0])
    order(market["cleaning"])
    order_cancel(actor=market["beneficiary"], order=order(market["meal"]), reason="不需要了")
    return market


def test_demand_capacity_unmet_and_shortfall_by_street_and_item(placed, actors):
    rows = {(r["street"], r["item"]): r for r in supply_gap(user=actors["qixia_manager"], days=7)}
    assert set(rows) == {("尧化街道", "助餐"), ("尧化街道", "助洁")}
    meal, cleaning = rows[("尧化街道", "助餐")], rows[("尧化街道", "助洁")]
    # Demand: 3 meal orders and 1 cleaning order (the cancelled one left out).
    assert (meal["demand"], cleaning["demand"]) == (3, 1)
    # Unmet: meal orders still waiting = 3 − 1 accepted; the cleaning order waits.
    assert (meal["unmet"], cleaning["unmet"]) == (2, 1)
    # Capacity over 7 days: A (2/day → 14) is shared by the 4 orders it could take, 3 of them
    # meals: 14 × 3/4 = 10.5 for meals, 14 × 1/4 = 3.5 for cleaning. B (1/day → 7) could take
    # only the 3 meals: all 7 to meals. Meals 17.5, cleaning 3.5.
    assert (meal["capacity"], cleaning["capacity"]) == (17.5, 3.5)
    assert (meal["providers"], cleaning["providers"]) == (2, 1)
    assert (meal["shortfall"], cleaning["shortfall"]) == (0, 0)


def test_a_street_and_item_without_a_provider_is_all_shortfall(placed, actors):
    Provider.objects.filter(active=True).update(active=False)
    rows = supply_gap(user=actors["qixia_manager"], days=7)
    by_item = {r["item"]: r for r in rows}
    assert by_item["助餐"]["capacity"] == 0 and by_item["助餐"]["shortfall"] == 3
    assert by_item["助洁"]["shortfall"] == 1
    assert rows[0]["item"] == "助餐"  # the largest shortfall first


def test_one_day_makes_capacity_a_days_worth(placed, actors):
    rows = {r["item"]: r for r in supply_gap(user=actors["qixia_manager"], days=1)}
    # A: 2 × 3/4 = 1.5 and 2 × 1/4 = 0.5; B: 1 for meals → meals 2.5 < 3: shortfall 1.
    assert (rows["助餐"]["capacity"], rows["助洁"]["capacity"]) == (2.5, 0.5)
    assert (rows["助餐"]["shortfall"], rows["助洁"]["shortfall"]) == (1, 1)


def test_other_areas_see_none_of_it(placed, actors):
    assert supply_gap(user=actors["jianye_manager"], days=7) == []
    assert supply_gap(user=actors["maqun_caseworker"], days=7) == []
    assert len(supply_gap(user=actors["city_admin"], days=7)) == 2
