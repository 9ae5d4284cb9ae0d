"""Provider facts in one selector: eligibility (seen from the order and from the provider),
acceptances on a day without cancelled ones, capacity left, ratings over a period."""

import datetime as dt

import pytest
from django.utils import timezone

from jiuzhu.core.errors import Conflict
from jiuzhu.orders.models import Order, Provider, Rating
from jiuzhu.orders.selectors import provider_facts as facts
from jiuzhu.orders.services.placing import order_create
from jiuzhu.orders.services.transitions import order_accept, order_cancel, order_decline

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(market):
    def make(item=None) -> Order:
        return order_create(
            actor=market["beneficiary"],
            household=market["household"],
            item=item or market["meal"],
        )

    return make


def names(providers) -> set[str]:
    return {p.organisation.name for p in providers}


def test_eligible_providers_serve_the_street_offer_the_item_and_did_not_decline(market, place):
    order = place()
    # A and B serve 尧化 street with 助餐; C serves only 马群.
    assert names(facts.eligible_providers(order)) == {
        "服务机构乙",
        market["staff_a"].organisation.name,
    }
    order_decline(actor=market["staff_b"], order=order, reason="人手不足")
    assert set(facts.eligible_providers(order)) == {market["provider_a"]}
    Provider.objects.filter(pk=market["provider_a"].pk).update(active=False)
    assert not facts.eligible_providers(order).exists()


def test_a_provider_serving_the_community_is_eligible_too(market, place, areas):
    c = market["provider_c"]
    c.communities.set([areas["yaohua_a"]])
    assert c in facts.eligible_providers(place())


def test_eligibility_reads_the_same_from_the_order_and_from_the_provider(market, place):
    orders = [place(), place(market["cleaning"]), place()]
    order_decline(actor=market["staff_a"], order=orders[2], reason="太远")
    for provider in (market["provider_a"], market["provider_b"], market["provider_c"]):
        open_orders = set(Order.objects.filter(facts.open_to_provider(provider)))
        for order in orders:
            assert (order in open_orders) == facts.is_eligible(provider, order), (provider, order)


def test_a_cancelled_acceptance_does_not_use_capacity(market, place):
    a = market["provider_a"]
    first, second = place(), place()
    order_accept(actor=market["staff_a"], order=first)
    order_accept(actor=market["staff_a"], order=second)
    today = timezone.localdate()
    assert facts.accepted_on(a, today) == 2
    order_cancel(actor=market["beneficiary"], order=Order.objects.get(pk=second.pk), reason="")
    # Hand count: two accepted today, one of them cancelled → 1; capacity 5 → 4 left.
    assert facts.accepted_on(a, today) == 1
    assert facts.capacity_left(a, today) == 4
    annotated = Provider.objects.annotate(n=facts.accepted_on_subquery(today)).get(pk=a.pk)
    assert annotated.n == 1
    assert facts.accepted_on(a, today - dt.timedelta(days=1)) == 0


def test_capacity_freed_by_a_cancellation_can_be_used_again(market, place):
    Provider.objects.filter(pk=market["provider_a"].pk).update(daily_capacity=1)
    first = place()
    order_accept(actor=market["staff_a"], order=first)
    with pytest.raises(Conflict) as full:
        order_accept(actor=market["staff_a"], order=place())
    assert full.value.code == "capacity_reached"
    order_cancel(actor=market["beneficiary"], order=Order.objects.get(pk=first.pk))
    assert order_accept(actor=market["staff_a"], order=place()).status == "accepted"


def test_ratings_over_a_period_count_the_ratings_given_in_it(market, place, actors):
    a = market["provider_a"]
    now = timezone.now()
    for score, days_ago in ((5, 1), (3, 10), (1, 100)):
        order = place()
        Order.objects.filter(pk=order.pk).update(provider=a, status="completed")
        rating = Rating.objects.create(order=order, score=score)
        Rating.objects.filter(pk=rating.pk).update(at=now - dt.timedelta(days=days_ago))
    # Last 90 days: 5 and 3 → 4.0 over 2; all time: (5 + 3 + 1) / 3 = 3.0.
    assert facts.rating_summary(a, since=now - dt.timedelta(days=90)) == facts.RatingSummary(4.0, 2)
    assert facts.rating_summary(a) == facts.RatingSummary(3.0, 3)
    assert facts.rating_summary(a, since=now - dt.timedelta(days=5)) == facts.RatingSummary(5.0, 1)
    assert facts.rating_averages([a.pk])[a.pk] == facts.RatingSummary(3.0, 3)
    annotated = Provider.objects.annotate(avg=facts.rating_average_subquery()).get(pk=a.pk)
    assert float(annotated.avg) == 3.0
    assert facts.rating_summary(market["provider_b"]) == facts.RatingSummary(None, 0)
