"""Why an untaken order waits: one test per reason, each set up through the real services.

The market fixture: provider A (staff_a) and provider B (staff_b) serve 尧化街道 with 助餐 and
助洁, capacity 5 a day each; provider C serves only 马群街道."""

import datetime as dt

import pytest
from django.utils import timezone

from factories_registry import add_member, make_household
from jiuzhu.catalog.models import ServiceItem
from jiuzhu.dispatch.models import DispatchOffer, OfferStatus
from jiuzhu.dispatch.selectors.backlog import (
    BacklogFilters,
    BacklogList,
    WaitingReason,
    backlog,
    waiting_reason_counts,
    waiting_reasons,
)
from jiuzhu.dispatch.selectors.board import board_figures
from jiuzhu.orders.models import Order, Provider
from jiuzhu.orders.services.orders import order_accept, order_create, order_decline

pytestmark = pytest.mark.django_db


def _why(order):
    order = Order.objects.select_related("household", "sla").get(pk=order.pk)
    return waiting_reasons([order])[order.pk]


def _meal(market):
    return order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )


def test_an_order_outside_every_service_area(market, areas, actors):
    Provider.objects.filter(pk=market["provider_c"].pk).update(active=False)
    worker = actors["maqun_caseworker"]
    household = make_household(actor=worker, community=areas["maqun_a"])
    add_member(actor=worker, household=household, age=80, employment="retired")
    order = order_create(actor=worker, household=household, item=market["meal"])

    assert _why(order).code == WaitingReason.OUTSIDE_AREA


def test_an_item_no_provider_offers_in_the_street(market):
    bath = ServiceItem.objects.get(code="bath_help")  # A and B offer only meals and cleaning
    order = order_create(actor=market["beneficiary"], household=market["household"], item=bath)

    assert _why(order).code == WaitingReason.NO_ITEM


def test_an_order_declined_by_everyone_eligible(market):
    order = _meal(market)
    order_decline(actor=market["staff_a"], order=order, reason="人手不足")
    assert _why(order).code == WaitingReason.PENDING  # B may still take it
    order_decline(actor=market["staff_b"], order=order, reason="不在服务时间")

    why = _why(order)
    assert why.code == WaitingReason.DECLINED
    assert sorted(why.providers) == sorted(["服务机构甲", "服务机构乙"])


def test_an_offer_left_to_expire_counts_as_a_refusal(market):
    order = _meal(market)
    order_decline(actor=market["staff_a"], order=order, reason="人手不足")
    DispatchOffer.objects.create(
        order=order,
        provider=market["provider_b"],
        respond_by=timezone.now() - dt.timedelta(minutes=1),
        status=OfferStatus.EXPIRED,
    )

    assert _why(order).code == WaitingReason.DECLINED


def test_capacity_used_up_today(market):
    Provider.objects.filter(pk__in=[market["provider_a"].pk, market["provider_b"].pk]).update(
        daily_capacity=1
    )
    order_accept(actor=market["staff_a"], order=_meal(market))
    order_accept(actor=market["staff_b"], order=_meal(market))
    order = _meal(market)

    why = _why(order)
    assert why.code == WaitingReason.NO_CAPACITY


def test_a_live_offer_waits_for_the_providers_answer(market):
    order = _meal(market)
    due = timezone.now() + dt.timedelta(hours=2)
    DispatchOffer.objects.create(order=order, provider=market["provider_b"], respond_by=due)

    why = _why(order)
    assert (why.code, why.providers, why.until) == (WaitingReason.OFFERED, ["服务机构乙"], due)


def test_a_fresh_order_a_provider_could_take_is_pending_until_half_its_window(
    market, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the deadlines are set on commit
        order = _meal(market)
    order = Order.objects.select_related("sla").get(pk=order.pk)

    why = _why(order)
    assert why.code == WaitingReason.PENDING
    half = order.created_at + (order.sla.accept_by - order.created_at) / 2
    assert why.until == half


def test_taken_orders_have_no_reason_and_the_counts_add_up(market, actors):
    order_accept(actor=market["staff_a"], order=_meal(market))
    declined = _meal(market)
    order_decline(actor=market["staff_a"], order=declined, reason="人手不足")
    order_decline(actor=market["staff_b"], order=declined, reason="人手不足")
    _meal(market)
    bath = ServiceItem.objects.get(code="bath_help")
    order_create(actor=market["beneficiary"], household=market["household"], item=bath)

    counts = waiting_reason_counts(user=actors["qixia_manager"])
    assert counts == {
        "offered": 0,
        "outside_area": 0,
        "no_item": 1,
        "declined": 1,
        "no_capacity": 0,
        "pending": 1,
    }
    waiting = backlog(
        user=actors["qixia_manager"], filters=BacklogFilters(list=BacklogList.WAITING)
    )
    assert len(waiting) == 3
    everything = backlog(user=actors["qixia_manager"])
    assert len(everything) == 4
    only_declined = backlog(
        user=actors["qixia_manager"], filters=BacklogFilters(reason=WaitingReason.DECLINED)
    )
    assert [o.pk for o in only_declined.orders] == [declined.pk]
    # out of scope: the Maqun caseworker sees none of Yaohua's orders
    assert len(backlog(user=actors["maqun_caseworker"])) == 0


def test_the_counts_equal_the_reasons_of_each_order(market, areas, actors):
    # Counted by (street, community, item) in the database, the refused orders one by one;
    # the expected counts are worked out by hand from the module's rules, then checked against
    # the per-order reasons of the backlog.
    Provider.objects.filter(pk__in=[market["provider_a"].pk, market["provider_b"].pk]).update(
        daily_capacity=1
    )
    Provider.objects.filter(pk=market["provider_c"].pk).update(active=False)
    order_accept(actor=market["staff_a"], order=_meal(market))  # A has no room left
    offered = _meal(market)  # B's room goes to its live offer
    DispatchOffer.objects.create(
        order=offered,
        provider=market["provider_b"],
        respond_by=timezone.now() + dt.timedelta(hours=1),
    )
    _meal(market), _meal(market)  # no room anywhere
    declined_by_a = _meal(market)  # B could take it, but has no room
    order_decline(actor=market["staff_a"], order=declined_by_a, reason="人手不足")
    refused_by_all = _meal(market)
    order_decline(actor=market["staff_a"], order=refused_by_all, reason="人手不足")
    DispatchOffer.objects.create(
        order=refused_by_all,
        provider=market["provider_b"],
        respond_by=timezone.now() - dt.timedelta(minutes=1),
        status=OfferStatus.EXPIRED,
    )
    bath = ServiceItem.objects.get(code="bath_help")
    for _ in range(2):
        order_create(actor=market["beneficiary"], household=market["household"], item=bath)
    worker = actors["maqun_caseworker"]
    household = make_household(actor=worker, community=areas["maqun_a"])
    add_member(actor=worker, household=household, age=80, employment="retired")
    order_create(actor=worker, household=household, item=market["meal"])
    manager = actors["qixia_manager"]

    def per_order():
        entry = backlog(user=manager, filters=BacklogFilters(list=BacklogList.WAITING))
        counted = dict.fromkeys(WaitingReason.values, 0)
        for why in waiting_reasons(list(entry.orders)).values():
            counted[why.code] += 1
        return counted

    expected = {
        "offered": 1,
        "outside_area": 1,
        "no_item": 2,
        "declined": 1,
        "no_capacity": 3,
        "pending": 0,
    }
    assert waiting_reason_counts(user=manager) == expected == per_order()
    # The board counts them from its own read of the open orders: the same figures.
    assert board_figures(user=manager)["waiting_reasons"] == expected

    Provider.objects.filter(pk=market["provider_a"].pk).update(daily_capacity=10)
    expected.update(no_capacity=1, pending=2)  # A has room again, but declined one of them
    assert waiting_reason_counts(user=manager) == expected == per_order()
    assert board_figures(user=manager)["waiting_reasons"] == expected

    # Filtering by a reason (groups and refused orders, in the database) lists exactly the
    # orders whose own reason it is.
    every = waiting_reasons(
        list(backlog(user=manager, filters=BacklogFilters(list=BacklogList.WAITING)).orders)
    )
    for code in WaitingReason.values:
        listed = backlog(user=manager, filters=BacklogFilters(reason=code))
        want = {pk for pk, why in every.items() if why.code == code}
        assert {order.pk for order in listed.orders} == want
        assert len(listed) == expected[code] == listed.reason_counts[code]


def _three_counts(user, now=None):
    """The reasons counted three ways: for "dispatch now", by the backlog and by the board."""
    counted = waiting_reason_counts(user=user, now=now)
    assert backlog(user=user, now=now).reason_counts == counted
    assert board_figures(user=user, now=now)["waiting_reasons"] == counted
    return {code: n for code, n in counted.items() if n}


def test_counts_see_each_offer_community_service_and_the_day(market, areas, actors):
    manager = actors["qixia_manager"]
    # Two live offers: two orders on offer.
    first = _meal(market)
    for order, provider in ((first, "provider_a"), (_meal(market), "provider_b")):
        DispatchOffer.objects.create(
            order=order,
            provider=market[provider],
            respond_by=timezone.now() + dt.timedelta(hours=1),
        )
    assert _three_counts(manager) == {"offered": 2}
    DispatchOffer.objects.update(status=OfferStatus.WITHDRAWN)
    DispatchOffer.objects.create(
        order=first,
        provider=market["provider_b"],
        respond_by=timezone.now(),
        status=OfferStatus.WITHDRAWN,
    )
    # A withdrawn offer is not a refusal: A and B may still take both, though both
    # providers' offers of the first were withdrawn.
    assert _three_counts(manager) == {"pending": 2}

    # C serves a community of Maqun, not its street: a Maqun order is C's to take, refused by
    # another provider or not.
    provider_c = market["provider_c"]
    provider_c.streets.set([])
    provider_c.communities.set([areas["maqun_a"]])
    worker = actors["maqun_caseworker"]
    household = make_household(actor=worker, community=areas["maqun_a"])
    add_member(actor=worker, household=household, age=80, employment="retired")
    order_create(actor=worker, household=household, item=market["meal"])
    assert _three_counts(manager) == {"pending": 3}
    refused = order_create(actor=worker, household=household, item=market["meal"])
    DispatchOffer.objects.create(
        order=refused,
        provider=market["provider_a"],
        respond_by=timezone.now() - dt.timedelta(minutes=1),
        status=OfferStatus.EXPIRED,
    )
    assert _three_counts(manager) == {"pending": 4}

    # Room is counted on the day asked about: today A, B and C have none left, tomorrow
    # they have.
    Provider.objects.update(daily_capacity=1)
    order_accept(actor=market["staff_a"], order=_meal(market))
    order_accept(actor=market["staff_b"], order=_meal(market))
    order_accept(actor=market["staff_c"], order=refused)
    assert _three_counts(manager) == {"no_capacity": 3}
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert _three_counts(manager, now=tomorrow) == {"pending": 3}
