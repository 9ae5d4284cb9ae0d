"""The periodic cycle with a controlled clock: offers, expiry and re-dispatch, escalation."""

import datetime as dt

import pytest
from django.utils import timezone

from jiuzhu.dispatch.models import DispatchOffer, Escalation, OfferStatus, OrderSla
from jiuzhu.dispatch.services.cycle import dispatch_cycle
from jiuzhu.orders.services.orders import order_accept, order_create, order_decline

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(market, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return order_create(
            actor=market["beneficiary"], household=market["household"], item=market["meal"]
        )


def test_an_order_carries_its_deadlines_from_creation(order):
    sla = OrderSla.objects.get(order=order)
    # 助餐 is a scheduled item and the household is not tagged: the built-in policy for the
    # scheduled class gives 24 h to accept and a week (168 h) to finish.
    assert sla.accept_by - order.created_at == dt.timedelta(hours=24)
    assert sla.complete_by - order.created_at == dt.timedelta(hours=168)
    assert not sla.urgent


def test_nothing_is_offered_before_half_the_window(order):
    result = dispatch_cycle(now=order.created_at + dt.timedelta(hours=11))
    assert result["offered"] == 0
    assert not DispatchOffer.objects.exists()


def test_half_way_the_order_is_offered_to_one_provider_with_a_reason(order, market):
    dispatch_cycle(now=order.created_at + dt.timedelta(hours=12))
    offer = DispatchOffer.objects.get(order=order)
    assert offer.provider in (market["provider_a"], market["provider_b"])
    assert {"distance_km", "cost", "rank", "eligible"} <= set(offer.why)
    assert offer.why["eligible"] == 2  # A and B serve Yaohua and offer 助餐; C does not
    # A second cycle does not offer it again while the offer is live.
    assert dispatch_cycle(now=order.created_at + dt.timedelta(hours=13))["offered"] == 0


def test_an_expired_offer_moves_the_order_to_the_next_provider(order, market):
    start = order.created_at
    dispatch_cycle(now=start + dt.timedelta(hours=12))
    first = DispatchOffer.objects.get(order=order)
    dispatch_cycle(now=first.respond_by + dt.timedelta(minutes=1))
    first.refresh_from_db()
    assert first.status == OfferStatus.EXPIRED
    second = DispatchOffer.objects.get(order=order, status=OfferStatus.OFFERED)
    assert second.provider != first.provider


def test_a_decline_moves_the_order_on(order, market, django_capture_on_commit_callbacks):
    dispatch_cycle(now=order.created_at + dt.timedelta(hours=12))
    offer = DispatchOffer.objects.get(order=order)
    staff = market["staff_a"] if offer.provider == market["provider_a"] else market["staff_b"]
    with django_capture_on_commit_callbacks(execute=True):
        order_decline(actor=staff, order=order, reason="今天人手不足")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED
    dispatch_cycle(now=order.created_at + dt.timedelta(hours=12, minutes=5))
    again = DispatchOffer.objects.get(order=order, status=OfferStatus.OFFERED)
    assert again.provider != offer.provider


def test_accepting_closes_the_offer(order, market, django_capture_on_commit_callbacks):
    dispatch_cycle(now=order.created_at + dt.timedelta(hours=12))
    offer = DispatchOffer.objects.get(order=order)
    staff = market["staff_a"] if offer.provider == market["provider_a"] else market["staff_b"]
    with django_capture_on_commit_callbacks(execute=True):
        order_accept(actor=staff, order=order)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED


def test_no_eligible_provider_escalates_at_once(market, actors, django_capture_on_commit_callbacks):
    market["meal"].providers.clear()  # nobody offers 助餐 any more
    with django_capture_on_commit_callbacks(execute=True):
        order = order_create(
            actor=market["beneficiary"], household=market["household"], item=market["meal"]
        )
    dispatch_cycle(now=order.created_at + dt.timedelta(hours=12))
    escalation = Escalation.objects.get(order=order)
    assert escalation.reason == "no_provider"
    assert actors["qixia_manager"].notifications.filter(title__contains="escalated").exists()


def test_overdue_acceptance_escalates_once(order):
    late = order.created_at + dt.timedelta(hours=25)
    dispatch_cycle(now=late)
    dispatch_cycle(now=late + dt.timedelta(minutes=5))
    assert Escalation.objects.filter(order=order, reason="accept_overdue").count() == 1


def test_urgent_households_are_dispatched_at_once(market, django_capture_on_commit_callbacks):
    from jiuzhu.registry.models import Household

    household = market["household"]
    Household.objects.filter(pk=household.pk).update(urgency_tag="urgent")
    with django_capture_on_commit_callbacks(execute=True):
        order = order_create(actor=market["beneficiary"], household=household, item=market["meal"])
    sla = OrderSla.objects.get(order=order)
    assert (sla.accept_by - order.created_at, sla.urgent) == (dt.timedelta(hours=2), True)
    dispatch_cycle(now=timezone.now())
    offer = DispatchOffer.objects.get(order=order)
    assert offer.respond_by - offer.offered_at <= dt.timedelta(hours=1, seconds=5)


def test_the_worker_runs_the_cycle_once(order, capsys):
    from django.core.management import call_command

    call_command("worker", "--once")
    assert "dispatch.cycle" in capsys.readouterr().out


def test_a_provider_serving_only_the_community_is_eligible(order, market, areas):
    # Provider C serves Maqun street only; give it the household's community (尧化门) as well.
    market["provider_c"].communities.set([areas["yaohua_a"]])
    dispatch_cycle(now=order.created_at + dt.timedelta(hours=12))
    assert DispatchOffer.objects.get(order=order).why["eligible"] == 3  # A, B (street) and C
