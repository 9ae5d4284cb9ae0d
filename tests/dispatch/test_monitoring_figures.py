"""Provider monitoring against hand-computed cases: every offer counts against the provider it
was made to (declined and expired ones too), time to accept runs from the offer, and orders left
open past their deadline count as late."""

import datetime as dt

import pytest
from django.utils import timezone

from jiuzhu.dispatch.models import DispatchOffer, OfferStatus, OrderSla
from jiuzhu.dispatch.selectors.monitoring import provider_metrics
from jiuzhu.orders.models import Order, OrderDecline, Provider
from jiuzhu.orders.services.placing import order_create
from jiuzhu.orders.services.transitions import order_complete, order_start

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
T0 = NOW - dt.timedelta(hours=6)


@pytest.fixture
def place(market, django_capture_on_commit_callbacks):
    def make() -> Order:
        with django_capture_on_commit_callbacks(execute=True):
            return order_create(
                actor=market["beneficiary"], household=market["household"], item=market["meal"]
            )

    return make


def offer(order, provider, *, status, at=T0, respond_by=None):
    made = DispatchOffer.objects.create(
        order=order, provider=provider, status=status, respond_by=respond_by or at
    )
    DispatchOffer.objects.filter(pk=made.pk).update(offered_at=at)
    return made


def accepted(order, provider, *, at):
    Order.objects.filter(pk=order.pk).update(status="accepted", provider=provider, accepted_at=at)


def figures(market):
    rows = provider_metrics(
        providers=Provider.objects.filter(
            pk__in=[market[k].pk for k in ("provider_a", "provider_b", "provider_c")]
        ),
        start=NOW - dt.timedelta(days=1),
        end=NOW + dt.timedelta(days=1),
        now=NOW,
    )
    return {row["name"]: row for row in rows}


@pytest.fixture
def scene(market, place):
    a, b = market["provider_a"], market["provider_b"]
    # Provider A: offered o1 and accepted it 10 minutes later; declined o2; let o3 expire; o4
    # is still open 30 minutes past its reply deadline (the cycle has not marked it yet); o5 is
    # open with an hour left; o6 it took from its inbox 60 minutes after it was placed.
    o1, o2, o3, o4, o5, o6 = (place() for _ in range(6))
    offer(o1, a, status=OfferStatus.ACCEPTED)
    accepted(o1, a, at=T0 + dt.timedelta(minutes=10))
    offer(o2, a, status=OfferStatus.DECLINED)
    OrderDecline.objects.create(order=o2, provider=a, reason="今天人手不足")
    offer(o3, a, status=OfferStatus.EXPIRED)
    offer(o4, a, status=OfferStatus.OFFERED, respond_by=NOW - dt.timedelta(minutes=30))
    offer(o5, a, status=OfferStatus.OFFERED, respond_by=NOW + dt.timedelta(hours=1))
    Order.objects.filter(pk=o6.pk).update(created_at=T0 - dt.timedelta(minutes=60))
    accepted(o6, a, at=T0)
    # o1 is delivered on time; o6's completion deadline has passed and it is still open.
    order = Order.objects.get(pk=o1.pk)
    order = order_start(actor=market["staff_a"], order=order)
    order_complete(actor=market["staff_a"], order=order, summary="送餐", duration_minutes=30)
    OrderSla.objects.filter(order=o6).update(complete_by=NOW - dt.timedelta(hours=1))
    # Provider B lets every offer made to it expire: three orders, no answer.
    for _ in range(3):
        offer(place(), b, status=OfferStatus.EXPIRED)
    return market


def test_every_offer_counts_against_the_provider_it_was_made_to(scene):
    rows = figures(scene)
    a = rows[scene["provider_a"].organisation.name]
    # asked = accepted 2 (o1, o6) + declined 1 (o2) + expired 2 (o3, o4); o5 is pending.
    assert (a["asked"], a["accepted"], a["declined"], a["expired"], a["pending"]) == (
        5,
        2,
        1,
        2,
        1,
    )
    assert a["acceptance_rate"] == pytest.approx(2 / 5)
    # Waits: 10 minutes from the offer (o1), 60 from placing for the inbox order (o6).
    assert a["median_minutes_to_accept"] == pytest.approx(35)
    assert a["decline_reasons"] == [{"reason": "今天人手不足", "count": 1}]


def test_a_provider_who_lets_offers_expire_shows_zero_not_a_hundred(scene):
    b = figures(scene)["服务机构乙"]
    assert (b["asked"], b["accepted"], b["expired"]) == (3, 0, 3)
    assert b["acceptance_rate"] == 0
    assert b["median_minutes_to_accept"] is None


def test_orders_open_past_their_deadline_count_as_late(scene):
    a = figures(scene)[scene["provider_a"].organisation.name]
    # o1 completed on time; o6 still open an hour past its completion deadline: 1 of 2.
    assert (a["completed"], a["overdue_open"]) == (1, 1)
    assert a["on_time_rate"] == pytest.approx(0.5)


def test_a_provider_never_asked_has_no_rates(scene):
    c = figures(scene)["服务机构丙"]
    assert c["asked"] == 0
    assert c["acceptance_rate"] is None and c["on_time_rate"] is None


def test_an_offer_made_before_the_period_is_not_counted_again_when_accepted_in_it(market, place):
    a = market["provider_a"]
    order = place()
    offer(order, a, status=OfferStatus.ACCEPTED, at=NOW - dt.timedelta(days=3))
    accepted(order, a, at=NOW - dt.timedelta(hours=1))
    row = figures(market)[a.organisation.name]
    assert (row["asked"], row["accepted"]) == (0, 0)
