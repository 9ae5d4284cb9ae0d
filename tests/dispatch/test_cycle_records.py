"""What one pass of the dispatch cycle reads and records (docs/dispatch.md, "The dispatch cycle"),
each rule at the point where it decides:

- an expired offer is closed at the cycle's ``now``; every overdue order counts in the run;
- a run with nothing to consider records zeros and how long it took;
- an order whose clock has not started yet (its creation event waits in the outbox) is not a
  candidate, and when a dispatcher offers it, its provider has the longest response time (4 h);
- an order cancelled while the cycle plans gets no offer;
- only the organisation's provider staff are told about an offer;
- a dispatcher's exclusion, the declines and the expired offers all hold together; a withdrawn
  offer does not bar its provider;
- the deadlines keep the hours they were computed from; unknown coordinates are NaN;
- the queries of a cycle do not grow with the number of orders and providers.

The market (tests/market_cast.py): providers A and B serve Yaohua street, offer 助餐 and 助洁,
are based where the household lives, have 5 places a day; C serves Maqun only.
"""

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from factories import UserFactory
from jiuzhu.core.models import Notification, Role
from jiuzhu.dispatch.models import DispatchOffer, DispatchRun, Escalation, OfferStatus, OrderSla
from jiuzhu.dispatch.services import cycle
from jiuzhu.dispatch.services.cycle import (
    dispatch_candidates,
    dispatch_cycle,
    plan_dispatch,
    providers_with_capacity,
    respond_by,
)
from jiuzhu.dispatch.sla import deadlines
from jiuzhu.orders.models import Order, OrderStatus, Provider
from jiuzhu.orders.services.orders import order_accept, order_cancel, order_decline

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)


def offered_to(order) -> set[str]:
    return set(
        DispatchOffer.objects.filter(order=order, status=OfferStatus.OFFERED).values_list(
            "provider__organisation__name", flat=True
        )
    )


# ---------------------------------------------------------------- what a run records


def test_an_expired_offer_is_closed_at_the_cycles_now(place, market):
    order = place()
    dispatch_cycle(now=order.created_at + 12 * H)
    offer = DispatchOffer.objects.get(order=order)
    dispatch_cycle(now=offer.respond_by + dt.timedelta(minutes=7))
    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED
    assert offer.closed_at == offer.respond_by + dt.timedelta(minutes=7)


def test_every_overdue_order_counts_once_in_the_run(place, actors):
    first, second = place(), place()
    late = max(first.sla.accept_by, second.sla.accept_by)
    with translation.override("en"):
        result = dispatch_cycle(now=late)
    assert result["escalated"] == 2
    assert DispatchRun.objects.latest("pk").escalated == 2
    assert Escalation.objects.filter(reason="accept_overdue").count() == 2
    told = Notification.objects.filter(user=actors["qixia_manager"], url__contains="/orders/")
    titles = set(told.filter(title__startswith="Order escalated").values_list("title", flat=True))
    assert titles == {"Order escalated: Not accepted in time"}


def test_a_run_with_nothing_to_do_records_zeros_and_its_duration(market):
    result = dispatch_cycle(now=timezone.now())
    assert result == {"expired": 0, "escalated": 0, "considered": 0, "offered": 0}
    run = DispatchRun.objects.get()
    assert (run.considered, run.offered, run.escalated) == (0, 0, 0)
    assert run.finished_at is not None
    assert 0 <= run.seconds < 60  # a monotonic difference, not a sum of clock readings


# ---------------------------------------------------------------- orders without a clock yet


def test_an_order_whose_clock_has_not_started_is_not_a_candidate(place):
    order = place()
    OrderSla.objects.filter(order=order).delete()  # as if its creation event were still queued
    result = dispatch_cycle(now=order.created_at + 30 * H)
    assert result["considered"] == 0 and result["offered"] == 0
    assert dispatch_candidates(now=order.created_at + 30 * H) == []


def test_an_order_without_a_clock_gets_the_longest_response_time(place):
    order = place()
    OrderSla.objects.filter(order=order).delete()
    bare = Order.objects.get(pk=order.pk)
    now = order.created_at + 3 * H
    assert respond_by(bare, now) == now + 4 * H


# ---------------------------------------------------------------- offers and who is told


def test_an_order_cancelled_while_the_cycle_plans_gets_no_offer(place, market, monkeypatch):
    """The cycle re-reads each order's status when it writes the offer: a household may cancel
    between the cycle reading the candidates and offering them."""
    kept, cancelled = place(), place()
    read_providers = cycle.providers_with_capacity

    def providers_then_cancel(*, now):
        providers = read_providers(now=now)
        order_cancel(actor=market["beneficiary"], order=cancelled, reason="不需要了")
        return providers

    monkeypatch.setattr(cycle, "providers_with_capacity", providers_then_cancel)
    result = dispatch_cycle(now=kept.created_at + 13 * H)  # both past half-way
    assert result["considered"] == 2 and result["offered"] == 1
    assert DispatchOffer.objects.filter(order=kept).count() == 1
    assert not DispatchOffer.objects.filter(order=cancelled).exists()
    assert Order.objects.get(pk=cancelled.pk).status == OrderStatus.CANCELLED


def test_only_the_organisations_provider_staff_are_told_of_an_offer(place, market):
    market["provider_b"].items.clear()
    organisation = market["provider_a"].organisation
    assessor = UserFactory(username="org_assessor", role=Role.ASSESSOR, organisation=organisation)
    order = place()
    dispatch_cycle(now=order.created_at + 12 * H)
    assert offered_to(order) == {organisation.name}
    told = set(
        Notification.objects.filter(title__contains=market["meal"].name).values_list(
            "user__username", flat=True
        )
    )
    assert market["staff_a"].username in told
    assert assessor.username not in told


# ---------------------------------------------------------------- exclusions together


def test_a_dispatchers_exclusion_a_decline_and_an_expiry_all_hold_together(
    place, market, django_capture_on_commit_callbacks
):
    """Provider A declined, B let its offer expire, and the dispatcher excludes C (whom we make
    eligible): nobody is left. Any one of the three forgotten, that provider would get it."""
    market["provider_c"].streets.add(market["household"].street)
    order = place()
    with django_capture_on_commit_callbacks(execute=True):
        order_decline(actor=market["staff_a"], order=order, reason="人手不足")
    run = DispatchRun.objects.create()
    DispatchOffer.objects.create(
        order=order,
        provider=market["provider_b"],
        run=run,
        respond_by=order.created_at + H,
        status=OfferStatus.EXPIRED,
    )
    providers = providers_with_capacity(now=order.created_at + 12 * H)
    order = Order.objects.select_related("sla", "household__community").get(pk=order.pk)
    alone = {(order.pk, market["provider_c"].pk)}
    [decision] = plan_dispatch(orders=[order], providers=providers, also_excluded=alone)
    assert decision["provider"] is None and decision["reason"] == "no_provider"
    [decision] = plan_dispatch(orders=[order], providers=providers)
    assert decision["provider"] == market["provider_c"]


def test_a_provider_whose_offer_was_withdrawn_may_be_offered_the_order_again(place, market):
    """Only a decline or an expiry bars a provider (docs/dispatch.md); a dispatcher's withdrawal
    is about that moment, not about the provider."""
    market["provider_b"].items.clear()
    order = place()
    DispatchOffer.objects.create(
        order=order,
        provider=market["provider_a"],
        run=DispatchRun.objects.create(),
        respond_by=order.created_at + H,
        status=OfferStatus.WITHDRAWN,
    )
    dispatch_cycle(now=order.created_at + 12 * H)
    assert offered_to(order) == {market["provider_a"].organisation.name}


def test_capacity_is_of_the_cycles_own_day_when_it_dispatches(place, market, clock):
    """Provider A has one place a day and took an order today; a cycle run for tomorrow offers it
    the next order, one run for today does not."""
    market["provider_b"].items.clear()
    Provider.objects.filter(pk=market["provider_a"].pk).update(daily_capacity=1)
    first = place()
    order_accept(actor=market["staff_a"], order=first)
    second = place()
    assert dispatch_cycle(now=second.created_at + 12 * H)["offered"] == 0
    tomorrow = second.created_at + 23 * H  # local midnight, before its 24 h acceptance deadline
    assert timezone.localdate(tomorrow) != timezone.localdate(clock.now)
    assert dispatch_cycle(now=tomorrow)["offered"] == 1


# ---------------------------------------------------------------- small rules


def test_deadlines_keep_the_hours_they_were_computed_from():
    created = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    got = deadlines(created=created, accept_hours=Decimal("2.5"), complete_hours=Decimal(24))
    assert (got.accept_hours, got.complete_hours) == (Decimal("2.5"), Decimal(24))
    assert got.accept_by == created + dt.timedelta(hours=2, minutes=30)
    assert got.complete_by == created + 24 * H


def test_unknown_coordinates_are_nan_and_known_ones_their_value():
    assert math.isnan(cycle._coordinate(None))
    assert cycle._coordinate(Decimal("32.118")) == pytest.approx(32.118)


# ---------------------------------------------------------------- no query per row


def _queries(callable_) -> int:
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured.captured_queries)


def test_planning_reads_a_constant_number_of_queries(place, market, areas):
    """Reading the candidates and the providers and planning costs the same number of queries
    for one order and one provider as for three of each (issue 15, "No query per row")."""

    def plan(now):
        orders = dispatch_candidates(now=now)
        providers = providers_with_capacity(now=now)
        decisions = plan_dispatch(orders=orders, providers=providers)
        read = []  # what auto_dispatch and the offer's notice read
        for decision in decisions:
            order = decision["order"]
            read += [order.sla.urgent, order.item.name, order.household.street_id]
            if decision["provider"] is not None:
                read.append(decision["provider"].organisation_id)
        return read

    market["provider_b"].items.clear()
    Provider.objects.filter(pk=market["provider_c"].pk).update(active=False)
    first = place()
    now = first.created_at + 13 * H  # every order placed in this test is past half-way
    one = _queries(lambda: plan(now))
    Provider.objects.filter(pk=market["provider_c"].pk).update(active=True)
    market["provider_b"].items.add(market["meal"])
    market["provider_c"].communities.add(areas["yaohua_a"])
    place(), place()
    assert len(dispatch_candidates(now=now)) == 3
    assert _queries(lambda: plan(now)) == one
