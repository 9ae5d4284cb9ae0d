"""Which provider the cycle offers an order to, and who may run the cycle at once — the rules of
docs/dispatch.md ("Automatic dispatch") and docs/dispatch-matching.md ("The cost of a pair"),
each at the point where it decides, with the figures worked out by hand:

- a provider that declined the order or let an offer for it expire is not offered it again;
- urgent orders weigh twice a standard one: when capacity is short, an urgent order is served
  before a standard one even when the standard one is cheaper;
- the rating term is (5 − r) / 4; a provider without ratings gets the average term of the rated
  providers;
- the specialisation term is 1 − (share of the provider's items in the order item's category);
- the load term is load / (load + capacity left), with load = orders in hand (accepted, assigned,
  in service — not finished ones), and capacity left = daily capacity − accepted today − live
  offers (not expired or declined ones);
- "Dispatch now" is for district managers and city administrators, runs the cycle once, and is
  audited.

The market (tests/market_cast.py): providers A and B serve Yaohua street, offer 助餐 and 助洁,
are based where the household lives, have 5 places a day and no ratings; C serves Maqun only.
"""

import datetime as dt
from decimal import Decimal

import pytest

from factories_registry import add_member, make_household
from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.errors import PermissionDenied
from jiuzhu.core.models import AuditEntry
from jiuzhu.dispatch.models import DispatchOffer, DispatchRun, Escalation, OfferStatus
from jiuzhu.dispatch.services.cycle import dispatch_cycle, dispatch_now
from jiuzhu.orders.models import Order, OrderStatus, Provider, Rating
from jiuzhu.orders.services.orders import order_decline
from jiuzhu.registry.models import Area, Household

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)


def reasons(order) -> set[str]:
    return set(Escalation.objects.filter(order=order).values_list("reason", flat=True))


def offer_of(order) -> DispatchOffer:
    return DispatchOffer.objects.get(order=order, status=OfferStatus.OFFERED)


def only(market, *names, capacity=5):
    """Only the named providers offer anything; they get ``capacity`` places a day."""
    for name in ("provider_a", "provider_b", "provider_c"):
        if name not in names:
            market[name].items.clear()
    Provider.objects.filter(pk__in=[market[n].pk for n in names]).update(daily_capacity=capacity)


def held(order, provider, status, *, accepted_at):
    """Make ``order`` one the provider took earlier and now holds in ``status`` (set-up only)."""
    Order.objects.filter(pk=order.pk).update(
        provider=provider, status=status, accepted_at=accepted_at
    )


# ---------------------------------------------------------------- not offered again


def test_a_provider_that_let_its_offer_expire_is_not_offered_the_order_again(place, market):
    only(market, "provider_a")
    order = place()
    dispatch_cycle(now=order.created_at + 12 * H)
    first = offer_of(order)
    assert first.provider == market["provider_a"]
    # 12 h + 4 h to answer: still 8 h before accept-by, so nothing is overdue yet.
    result = dispatch_cycle(now=first.respond_by)
    assert (result["expired"], result["considered"], result["offered"]) == (1, 1, 0)
    assert list(DispatchOffer.objects.filter(order=order).values_list("status", flat=True)) == [
        OfferStatus.EXPIRED
    ]
    # A was the only provider: nobody else can take the order, so it escalates at once.
    assert reasons(order) == {"no_provider"}


def test_a_provider_that_declined_is_not_offered_the_order_again(
    place, market, django_capture_on_commit_callbacks
):
    only(market, "provider_a")
    order = place()
    dispatch_cycle(now=order.created_at + 12 * H)
    assert offer_of(order).provider == market["provider_a"]
    with django_capture_on_commit_callbacks(execute=True):
        order_decline(actor=market["staff_a"], order=order, reason="人手不足")
    result = dispatch_cycle(now=order.created_at + 13 * H)
    assert (result["considered"], result["offered"]) == (1, 0)
    assert not DispatchOffer.objects.filter(order=order, status=OfferStatus.OFFERED).exists()
    assert reasons(order) == {"no_provider"}


# ---------------------------------------------------------------- urgency when capacity is short


def test_an_urgent_order_gets_the_last_place_before_a_cheaper_standard_one(
    place, market, areas, caseworker, clock
):
    """One place left (A, capacity 1). The standard order lives where A is based (distance term
    0); the urgent one lives 0.1° of latitude north, 11.1 km away (distance term 11.1 / 5 ≈ 2.2).
    Served orders are weighed first (urgent 2, standard 1), cost only second: the urgent order
    gets the place. With equal weights the cheaper standard order would."""
    only(market, "provider_a", capacity=1)
    far = areas["yaohua_b"]
    Area.objects.filter(pk=far.pk).update(latitude=Decimal("32.2"))
    household = make_household(actor=caseworker, community=far)
    add_member(actor=caseworker, household=household, age=80, employment="retired")
    Household.objects.filter(pk=household.pk).update(urgency_tag="urgent")

    standard = place()
    clock.advance(hours=12)  # the standard order is now half-way through its 24 h window
    urgent = place(household=household, actor=caseworker)
    assert (standard.sla.urgent, urgent.sla.urgent) == (False, True)
    result = dispatch_cycle(now=urgent.created_at)
    assert (result["considered"], result["offered"]) == (2, 1)
    offer = offer_of(urgent)
    assert offer.provider == market["provider_a"]
    assert offer.why["distance_km"] == pytest.approx(11.1, abs=0.1)
    assert not DispatchOffer.objects.filter(order=standard).exists()
    assert reasons(standard) == set()  # a standard order without a place waits


# ---------------------------------------------------------------- rating


def rate(place, provider, score):
    """A finished order of ``provider`` that the household rated ``score``."""
    order = place("cleaning")
    held(order, provider, OrderStatus.COMPLETED, accepted_at=order.created_at)
    Rating.objects.create(order=order, score=score)


def test_the_best_rated_provider_is_chosen_and_an_unrated_one_counts_as_average(
    place, market, areas
):
    """C is rated 5 (term (5 − 5) / 4 = 0), B is rated 1 (term (5 − 1) / 4 = 1), A has no
    ratings: it gets the rated providers' average term, 0.5. Everything else is equal, so the
    order goes to C; when C lets its offer expire, to A (0.5) before B (1)."""
    market["provider_c"].streets.add(areas["yaohua"])
    rate(place, market["provider_c"], 5)
    rate(place, market["provider_b"], 1)
    order = place()
    dispatch_cycle(now=order.created_at + 12 * H)
    first = offer_of(order)
    assert first.provider == market["provider_c"]
    assert (first.why["rating"], first.why["terms"]["rating"]) == (5.0, 0.0)
    assert (first.why["rank"], first.why["eligible"]) == (1, 3)
    dispatch_cycle(now=first.respond_by)
    second = offer_of(order)
    assert second.provider == market["provider_a"]
    assert (second.why["rating"], second.why["terms"]["rating"]) == (None, 0.5)


# ---------------------------------------------------------------- specialisation


@pytest.mark.parametrize("specialist", ["provider_a", "provider_b"])
def test_a_provider_working_only_in_the_items_category_is_preferred(place, market, specialist):
    """Both offer two items. The specialist's are 助餐 and 助洁, both daily living care: share 1,
    term 0. The other offers 助餐 and an item of another category: share 1/2, term
    0.5 × (1 − 1/2) = 0.25. Counted without categories both would be 1/2."""
    meal, cleaning = market["meal"], market["cleaning"]
    assert meal.category_id == cleaning.category_id
    elsewhere = ServiceItem.objects.exclude(category_id=meal.category_id).first()
    other = "provider_b" if specialist == "provider_a" else "provider_a"
    market[other].items.set([meal, elsewhere])
    market[specialist].items.set([meal, cleaning])
    order = place()
    dispatch_cycle(now=order.created_at + 12 * H)
    offer = offer_of(order)
    assert offer.provider == market[specialist]
    assert (offer.why["specialisation"], offer.why["terms"]["specialisation"]) == (1.0, 0.0)
    # Same place (0), idle (0), a specialist (0); nobody is rated, so the rating term is the
    # neutral 0.5.
    assert offer.why["cost"] == 0.5


# ---------------------------------------------------------------- load and capacity left


@pytest.mark.parametrize("busy", ["provider_a", "provider_b"])
def test_the_provider_with_fewer_orders_in_hand_is_preferred(place, market, clock, busy):
    """The busy provider holds two orders (accepted yesterday, so today's capacity is whole):
    load term 0.5 × 2 / (2 + 5) ≈ 0.14; the other holds none (0) and gets the order."""
    yesterday = clock.now - 24 * H
    for order, status in ((place(), OrderStatus.ACCEPTED), (place(), OrderStatus.IN_SERVICE)):
        held(order, market[busy], status, accepted_at=yesterday)
    order = place()
    result = dispatch_cycle(now=order.created_at + 12 * H)
    assert (result["considered"], result["offered"]) == (1, 1)
    offer = offer_of(order)
    idle = "provider_b" if busy == "provider_a" else "provider_a"
    assert offer.provider == market[idle]
    assert (offer.why["load"], offer.why["load_share"]) == (0, 0.0)


def test_orders_in_hand_and_live_offers_are_counted_once_each(place, market, clock):
    """A (4 places a day) holds two orders accepted yesterday and finished a third; it has two
    live offers for other orders, and two that are over (one expired, one declined). So: load 2
    (finished orders are not in hand), capacity left 4 − 0 accepted today − 2 live offers = 2,
    load share 2 / (2 + 2) = 0.5."""
    only(market, "provider_a", capacity=4)
    a = market["provider_a"]
    yesterday = clock.now - 24 * H
    in_hand = [place(), place()]
    for order in in_hand:
        held(order, a, OrderStatus.ACCEPTED, accepted_at=yesterday)
    held(place(), a, OrderStatus.COMPLETED, accepted_at=yesterday)
    later = clock.now + 20 * H
    for order in (place(), place()):
        DispatchOffer.objects.create(order=order, provider=a, respond_by=later)
    for order, status in zip(in_hand, (OfferStatus.EXPIRED, OfferStatus.DECLINED), strict=True):
        DispatchOffer.objects.create(order=order, provider=a, respond_by=yesterday, status=status)
    new = place()
    result = dispatch_cycle(now=new.created_at + 12 * H)
    assert (result["considered"], result["offered"]) == (1, 1)
    why = offer_of(new).why
    assert (why["load"], why["capacity_left"], why["load_share"]) == (2, 2, 0.5)


def test_live_offers_leave_no_place_when_they_fill_the_day(place, market, clock):
    """A (2 places a day) holds two orders accepted yesterday and two live offers: 2 − 0 − 2 = 0
    places left, so an urgent order escalates for want of capacity."""
    only(market, "provider_a", capacity=2)
    a = market["provider_a"]
    for order in (place(), place()):
        held(order, a, OrderStatus.IN_SERVICE, accepted_at=clock.now - 24 * H)
    for order in (place(), place()):
        DispatchOffer.objects.create(order=order, provider=a, respond_by=clock.now + 20 * H)
    ServiceItem.objects.filter(pk=market["meal"].pk).update(sla_class="urgent")
    new = place()
    assert new.sla.urgent
    result = dispatch_cycle(now=new.created_at)
    assert (result["considered"], result["offered"]) == (1, 0)
    assert reasons(new) == {"no_capacity"}
    # One more place a day (3 − 0 − 2 = 1) and the order is offered.
    Provider.objects.filter(pk=a.pk).update(daily_capacity=3)
    assert dispatch_cycle(now=new.created_at)["offered"] == 1


# ---------------------------------------------------------------- dispatch now


@pytest.mark.parametrize("who", ["qixia_manager", "city_admin"])
def test_dispatch_now_runs_the_cycle_once_and_is_audited(place, market, actors, clock, who):
    order = place()
    clock.advance(hours=12)  # half-way: the order is due to be offered
    before = DispatchRun.objects.count()
    result = dispatch_now(actor=actors[who])
    assert result == {"expired": 0, "escalated": 0, "considered": 1, "offered": 1}
    assert DispatchOffer.objects.filter(order=order, status=OfferStatus.OFFERED).count() == 1
    assert DispatchRun.objects.count() == before + 1
    run = DispatchRun.objects.latest("pk")
    assert (run.considered, run.offered, run.escalated) == (1, 1, 0)
    assert run.finished_at == clock.now and run.seconds >= 0
    entry = AuditEntry.objects.latest("pk")
    assert (entry.actor, entry.action, entry.object_type, entry.object_label) == (
        actors[who],
        "update",
        "dispatch.run",
        "dispatch now",
    )
    assert {key: entry.detail[key] for key in result} == result


@pytest.mark.parametrize("who", ["qixia_hotline", "yaohua_caseworker", "provider_staff"])
def test_only_managers_may_dispatch_now(place, actors, clock, who):
    place()
    clock.advance(hours=12)
    runs, entries = DispatchRun.objects.count(), AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        dispatch_now(actor=actors[who])
    assert (DispatchRun.objects.count(), DispatchOffer.objects.count()) == (runs, 0)
    assert AuditEntry.objects.count() == entries


def test_the_run_counts_overdue_and_dispatch_escalations_together(place, market, clock):
    """The run records every escalation it opened: the first order is overdue for acceptance and
    no provider can take it (2); the second, placed an hour later, only the latter (1)."""
    order = place()
    market["provider_a"].items.clear()
    market["provider_b"].items.clear()
    clock.advance(hours=1)
    second = place()
    result = dispatch_cycle(now=order.sla.accept_by)
    assert reasons(order) == {"accept_overdue", "no_provider"}
    assert reasons(second) == {"no_provider"}
    assert result["escalated"] == 3
    assert DispatchRun.objects.latest("pk").escalated == 3


def test_the_chosen_providers_active_staff_are_told_of_each_offer_with_its_deadline(
    place, market, monkeypatch, django_capture_on_commit_callbacks
):
    """docs/dispatch.md, Automatic dispatch: each offer goes to the provider's active staff, in
    the app and by SMS, saying by when to accept (local time); the offers belong to the run."""
    from django.urls import reverse
    from django.utils import timezone

    from jiuzhu.core.models import Notification, Role, User
    from jiuzhu.core.services import notifications

    only(market, "provider_a")
    ServiceItem.objects.filter(pk=market["meal"].pk).update(sla_class="urgent")
    staff_a = market["staff_a"]
    User.objects.filter(pk=staff_a.pk).update(mobile="13900000011")
    User.objects.create(
        username="left_a", role=Role.PROVIDER_STAFF, organisation=staff_a.organisation,
        is_active=False, mobile="13900000012",
    )  # fmt: skip
    User.objects.filter(pk=market["staff_b"].pk).update(mobile="13900000013")
    first, second = place(), place()
    before = set(Notification.objects.values_list("pk", flat=True))
    sent = []
    monkeypatch.setattr(notifications, "send_sms", lambda mobile, text: sent.append(mobile))
    now = second.created_at
    with django_capture_on_commit_callbacks(execute=True):
        result = dispatch_cycle(now=now)
    assert result["offered"] == 2
    run = DispatchRun.objects.latest("pk")
    assert {offer_of(o).run_id for o in (first, second)} == {run.pk}
    told = Notification.objects.exclude(pk__in=before)
    accept_by = timezone.localtime(now + H).strftime("%H:%M")  # urgent: one hour to answer
    assert sorted(told.values_list("user__username", "title", "body", "url")) == sorted(
        (
            staff_a.username,
            f"The dispatch centre offers you an order: {market['meal'].name}",
            f"Accept by {accept_by}",
            reverse("orders:order_detail", args=[o.pk]),
        )
        for o in (first, second)
    )
    assert sent == ["13900000011", "13900000011"]


def test_each_urgent_order_without_capacity_is_counted_as_escalated(place, market):
    only(market, "provider_a", capacity=0)
    ServiceItem.objects.filter(pk=market["meal"].pk).update(sla_class="urgent")
    first, second = place(), place()
    result = dispatch_cycle(now=second.created_at)
    assert (result["offered"], result["escalated"]) == (0, 2)
    assert reasons(first) == reasons(second) == {"no_capacity"}
