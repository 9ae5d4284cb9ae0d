"""The dispatch cycle's rules at their boundaries (docs/dispatch.md), with a controlled clock:
every cycle runs at a ``now`` the test chooses, counted from the order's own creation time.

- an order is overdue for acceptance *at* its accept-by instant (past or at the deadline), and a
  taken order — accepted, assigned or in service — at its complete-by instant;
- an offered provider must answer within 1 hour for urgent orders, otherwise the rest of the
  acceptance window, at least 1 hour and at most 4;
- an urgent order no eligible provider has capacity for escalates at once (``no_capacity``); a
  standard one waits for the next cycle;
- an order is urgent when its household is tagged for urgent intervention *or* its item's SLA
  class is urgent;
- only live offers expire; accepted and declined ones keep their state;
- a provider's capacity left today is its daily capacity less the orders it accepted today and
  the live offers it holds.
"""

import datetime as dt

import pytest

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.dispatch.models import DispatchOffer, Escalation, OfferStatus, OrderSla
from jiuzhu.dispatch.services.cycle import dispatch_cycle
from jiuzhu.orders.models import Order, OrderStatus, Provider
from jiuzhu.orders.services.orders import (
    order_accept,
    order_assign,
    order_decline,
    order_start,
)
from jiuzhu.registry.models import Household

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)
S = dt.timedelta(seconds=1)


def reasons(order) -> set[str]:
    return set(Escalation.objects.filter(order=order).values_list("reason", flat=True))


def only_provider_a(market, capacity=5):
    """Provider B stops offering anything, so A is the one eligible provider."""
    market["provider_b"].items.clear()
    Provider.objects.filter(pk=market["provider_a"].pk).update(daily_capacity=capacity)


# ---------------------------------------------------------------- overdue, at the instant


def test_acceptance_is_overdue_at_the_accept_by_instant(place):
    order = place()
    accept_by = order.sla.accept_by
    assert accept_by - order.created_at == 24 * H  # 助餐: scheduled class, 24 h to accept
    dispatch_cycle(now=accept_by - S)
    assert "accept_overdue" not in reasons(order)
    dispatch_cycle(now=accept_by)
    assert "accept_overdue" in reasons(order)


@pytest.mark.parametrize("state", ["accepted", "assigned", "in_service"])
def test_a_taken_order_is_overdue_for_completion_at_the_complete_by_instant(
    place, market, state, django_capture_on_commit_callbacks
):
    order = place()
    staff = market["staff_a"]
    with django_capture_on_commit_callbacks(execute=True):
        order = order_accept(actor=staff, order=order)
        if state == "assigned":
            order = order_assign(actor=staff, order=order, assignee=staff)
        if state == "in_service":
            order = order_start(actor=staff, order=order)
    assert Order.objects.get(pk=order.pk).status == state
    complete_by = OrderSla.objects.get(order=order).complete_by
    dispatch_cycle(now=complete_by - S)
    assert reasons(order) == set()
    dispatch_cycle(now=complete_by)
    assert reasons(order) == {"complete_overdue"}


def test_a_waiting_order_is_not_escalated_for_completion(place):
    """A waiting order is late to be accepted; "not completed in time" is for taken orders."""
    order = place()
    dispatch_cycle(now=order.sla.complete_by)
    assert reasons(order) == {"accept_overdue"}


# ---------------------------------------------------------------- how long a provider may think


def offered_at(order, now):
    dispatch_cycle(now=now)
    offer = DispatchOffer.objects.get(order=order, status=OfferStatus.OFFERED)
    return offer.respond_by - now


def test_a_standard_offer_must_be_answered_within_four_hours_at_most(place):
    order = place()
    # Half-way, 12 hours of the 24-hour window are left: the answer is due in 4, not 12.
    assert offered_at(order, order.created_at + 12 * H) == 4 * H


def test_a_standard_offer_gets_the_rest_of_the_window_between_one_and_four_hours(place, market):
    order = place()
    assert offered_at(order, order.sla.accept_by - 150 * dt.timedelta(minutes=1)) == 150 * (
        dt.timedelta(minutes=1)
    )
    second = place()
    # 20 minutes left: the provider still gets an hour (the order escalates meanwhile).
    assert offered_at(second, second.sla.accept_by - 20 * dt.timedelta(minutes=1)) == H


def test_an_urgent_offer_must_be_answered_within_an_hour(place, market):
    Household.objects.filter(pk=market["household"].pk).update(urgency_tag="urgent")
    order = place()
    assert order.sla.urgent
    assert offered_at(order, order.created_at) == H


# ---------------------------------------------------------------- no capacity


def test_an_urgent_order_without_capacity_escalates_at_once(place, market):
    only_provider_a(market, capacity=0)
    Household.objects.filter(pk=market["household"].pk).update(urgency_tag="urgent")
    order = place()
    dispatch_cycle(now=order.created_at)
    assert not DispatchOffer.objects.filter(order=order).exists()
    assert reasons(order) == {"no_capacity"}


def test_a_standard_order_without_capacity_waits(place, market):
    only_provider_a(market, capacity=0)
    order = place()
    dispatch_cycle(now=order.created_at + 12 * H)
    assert not DispatchOffer.objects.filter(order=order).exists()
    assert reasons(order) == set()


def test_live_offers_use_up_capacity(place, market):
    only_provider_a(market, capacity=1)
    first = place()
    dispatch_cycle(now=first.created_at + 12 * H)
    assert DispatchOffer.objects.get(order=first).provider == market["provider_a"]
    second = place()
    # A's one order for today is held by the live offer: nothing is left for the second order.
    result = dispatch_cycle(now=second.created_at + 12 * H)
    assert (result["considered"], result["offered"]) == (1, 0)
    assert not DispatchOffer.objects.filter(order=second).exists()


# ---------------------------------------------------------------- urgency


def test_an_urgent_service_item_makes_the_order_urgent(place, market):
    ServiceItem.objects.filter(pk=market["meal"].pk).update(sla_class="urgent")
    order = place()
    assert (order.sla.urgent, order.sla.accept_by - order.created_at) == (True, 2 * H)
    # Urgent orders are offered at once, not half-way through their window.
    dispatch_cycle(now=order.created_at)
    assert DispatchOffer.objects.filter(order=order, status=OfferStatus.OFFERED).exists()


def test_a_standard_item_for_an_untagged_household_is_not_urgent(place):
    order = place()
    assert not order.sla.urgent
    dispatch_cycle(now=order.created_at)
    assert not DispatchOffer.objects.filter(order=order).exists()


# ---------------------------------------------------------------- only live offers expire


def test_only_live_offers_expire(place, market, django_capture_on_commit_callbacks):
    accepted, declined, live = place(), place(), place()
    dispatch_cycle(now=live.created_at + 12 * H)  # the last placed is half-way too
    offers = {o.order_id: o for o in DispatchOffer.objects.all()}
    assert set(offers) == {accepted.pk, declined.pk, live.pk}

    def staff_of(offer):
        return market["staff_a"] if offer.provider == market["provider_a"] else market["staff_b"]

    with django_capture_on_commit_callbacks(execute=True):
        order_accept(actor=staff_of(offers[accepted.pk]), order=accepted)
        order_decline(actor=staff_of(offers[declined.pk]), order=declined, reason="人手不足")
    deadline = max(o.respond_by for o in offers.values())
    dispatch_cycle(now=deadline)
    status = dict(
        DispatchOffer.objects.filter(pk__in=[o.pk for o in offers.values()]).values_list(
            "order_id", "status"
        )
    )
    assert status == {
        accepted.pk: OfferStatus.ACCEPTED,
        declined.pk: OfferStatus.DECLINED,
        live.pk: OfferStatus.EXPIRED,
    }
    assert Order.objects.get(pk=accepted.pk).status == OrderStatus.ACCEPTED


# ---------------------------------------------------------------- escalations (issue 17)


def test_one_open_escalation_per_order_and_reason_and_the_districts_managers_are_told(
    place, actors, monkeypatch, django_capture_on_commit_callbacks
):
    """docs/dispatch.md, Escalations: at most one open escalation per order and reason; the
    district's (active) managers are notified in the app and by SMS when one opens."""
    from django.urls import reverse
    from django.utils import timezone

    from jiuzhu.core.models import Notification
    from jiuzhu.core.services import notifications
    from jiuzhu.dispatch.services.cycle import escalate

    sent = []
    monkeypatch.setattr(notifications, "send_sms", lambda mobile, text: sent.append(mobile))
    qixia, jianye = actors["qixia_manager"], actors["jianye_manager"]
    for manager, mobile in ((qixia, "13900000001"), (jianye, "13900000002")):
        manager.mobile = mobile
        manager.save(update_fields=["mobile"])
    retired = type(qixia).objects.create(
        username="retired_qixia", role=qixia.role, area=qixia.area, is_active=False
    )
    order, other = place(), place()
    earlier = list(Notification.objects.values_list("pk", flat=True))  # of placing the orders
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate(order=order, reason="accept_overdue") is True
    assert escalate(order=order, reason="accept_overdue") is False  # already open
    assert escalate(order=order, reason="complete_overdue") is True  # another reason
    assert escalate(order=other, reason="accept_overdue") is True  # another order
    assert reasons(order) == {"accept_overdue", "complete_overdue"}
    Escalation.objects.filter(order=order, reason="accept_overdue").update(
        resolved_at=timezone.now()
    )
    assert escalate(order=order, reason="accept_overdue") is True  # the first was resolved
    told = Notification.objects.exclude(pk__in=earlier).filter(
        url=reverse("orders:order_detail", args=[order.pk])
    )
    assert set(told.values_list("user__username", flat=True)) == {"qixia_manager"}
    assert all(order.number in body for body in told.values_list("body", flat=True))
    assert told.filter(user=retired).count() == 0 and told.filter(user=jianye).count() == 0
    assert sent == ["13900000001"]  # the first escalation, sent after commit


def test_orders_accepted_today_use_up_capacity(place, market, clock):
    """A provider's capacity left today is its daily capacity less the orders it accepted today
    (and its live offers)."""
    only_provider_a(market, capacity=1)
    ServiceItem.objects.filter(pk=market["meal"].pk).update(sla_class="urgent")
    first = place()
    order_accept(actor=market["staff_a"], order=first)
    second = place()
    result = dispatch_cycle(now=second.created_at)
    assert result["offered"] == 0 and reasons(second) == {"no_capacity"}
    Provider.objects.filter(pk=market["provider_a"].pk).update(daily_capacity=2)
    result = dispatch_cycle(now=second.created_at)
    assert DispatchOffer.objects.get(order=second).provider == market["provider_a"]


def test_capacity_counts_the_orders_accepted_on_the_cycles_own_day(place, market, clock):
    """ "Today" is the local day of the cycle's ``now``, not of the wall clock: a cycle run for
    tomorrow (a replay, or a worker that fell behind past midnight) starts each provider's day
    afresh, and one run for today counts what was accepted today."""
    from jiuzhu.dispatch.services.cycle import providers_with_capacity

    only_provider_a(market, capacity=1)
    first = place()
    order_accept(actor=market["staff_a"], order=first)
    accepted_today = {p.pk: p.accepted_today for p in providers_with_capacity(now=clock.now)}
    tomorrow = clock.now + dt.timedelta(days=1)
    accepted_tomorrow = {p.pk: p.accepted_today for p in providers_with_capacity(now=tomorrow)}
    assert accepted_today[market["provider_a"].pk] == 1
    assert accepted_tomorrow[market["provider_a"].pk] == 0
