"""The order state machine through the services: every transition, who may make it, from where."""

import pytest

from jiuzhu.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from jiuzhu.orders.models import Order, OrderStatus
from jiuzhu.orders.services.orders import (
    order_accept,
    order_assign,
    order_cancel,
    order_complain,
    order_complete,
    order_create,
    order_decline,
    order_rate,
    order_start,
)
from jiuzhu.registry.models import ChainEntry

pytestmark = pytest.mark.django_db


def place(market, actor=None, item="meal"):
    return order_create(
        actor=actor or market["beneficiary"],
        household=market["household"],
        item=market[item],
        note="中午送到",
    )


def test_the_whole_life_of_an_order(market, actors):
    order = place(market)
    assert order.status == OrderStatus.WAITING and order.channel == "self"
    assert order.number.startswith("JZ")
    order = order_accept(actor=market["staff_a"], order=order)
    assert (order.status, order.provider) == ("accepted", market["provider_a"])
    order = order_assign(actor=market["staff_a"], order=order, assignee=actors["volunteer"])
    order = order_start(actor=actors["volunteer"], order=order)
    order = order_complete(
        actor=actors["volunteer"], order=order, summary="送餐一份", duration_minutes=30
    )
    assert order.status == OrderStatus.COMPLETED
    order_rate(actor=market["beneficiary"], order=order, score=5, comment="很好")
    titles = list(
        ChainEntry.objects.filter(household=market["household"], source="order").values_list(
            "title", flat=True
        )
    )
    assert len(titles) == 5  # ordered, accepted, started, completed, rated
    assert [e.action for e in order.events.all()] == [
        "create",
        "accept",
        "assign",
        "start",
        "complete",
        "rate",
    ]


def test_a_provider_outside_the_area_cannot_accept(market):
    order = place(market)
    with pytest.raises(PermissionDenied):
        order_accept(actor=market["staff_c"], order=order)


def test_accepting_a_taken_order_is_a_conflict(market):
    order = place(market)
    order_accept(actor=market["staff_a"], order=order)
    with pytest.raises(Conflict) as error:
        order_accept(actor=market["staff_b"], order=Order.objects.get(pk=order.pk))
    assert error.value.status == 409


def test_a_stale_copy_cannot_be_accepted_twice(market):
    order = place(market)
    stale = Order.objects.get(pk=order.pk)
    order_accept(actor=market["staff_a"], order=order)
    with pytest.raises(Conflict) as error:
        order_accept(actor=market["staff_b"], order=stale)
    assert error.value.code == "already_taken"


def test_decline_keeps_the_order_open_for_others(market):
    order = place(market)
    with pytest.raises(ValidationFailed):
        order_decline(actor=market["staff_a"], order=order, reason=" ")
    order_decline(actor=market["staff_a"], order=order, reason="人手不足")
    with pytest.raises(PermissionDenied):
        order_accept(actor=market["staff_a"], order=order)
    assert order_accept(actor=market["staff_b"], order=order).provider == market["provider_b"]


@pytest.mark.parametrize(
    ("who", "action"),
    [
        ("beneficiary", "accept"),
        ("yaohua_caseworker", "accept"),
        ("volunteer", "accept"),
        ("qixia_manager", "cancel"),
        ("provider_staff", "cancel"),
        ("assessor", "cancel"),
    ],
)
def test_roles_that_may_never_make_a_transition(market, actors, who, action):
    order = place(market)
    actor = market["beneficiary"] if who == "beneficiary" else actors[who]
    call = {"accept": order_accept, "cancel": order_cancel}[action]
    with pytest.raises(PermissionDenied):
        call(actor=actor, order=order)


def test_wrong_state_transitions_are_conflicts(market, actors):
    order = place(market)
    with pytest.raises(Conflict):
        order_start(actor=market["staff_a"], order=order)  # not accepted yet
    order = order_accept(actor=market["staff_a"], order=order)
    order = order_start(actor=market["staff_a"], order=order)
    with pytest.raises(Conflict):
        order_cancel(actor=market["beneficiary"], order=order)  # already started
    with pytest.raises(Conflict):
        order_rate(actor=market["beneficiary"], order=order, score=4)  # not completed


def test_only_the_orders_provider_assigns_starts_and_completes(market, actors):
    order = order_accept(actor=market["staff_a"], order=place(market))
    with pytest.raises(PermissionDenied):
        order_assign(actor=market["staff_b"], order=order, assignee=market["staff_b"])
    with pytest.raises(ValidationFailed):
        order_assign(actor=market["staff_a"], order=order, assignee=market["staff_b"])
    with pytest.raises(PermissionDenied):
        order_start(actor=actors["volunteer"], order=order)  # not assigned to them


def test_cancel_while_not_started_by_household_or_community_worker(market, actors):
    order = place(market)
    order_cancel(actor=actors["yaohua_a_worker"], order=order, reason="不需要了")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    second = place(market, actor=actors["qixia_hotline"])
    assert second.channel == "hotline"
    with pytest.raises(PermissionDenied):
        order_cancel(actor=actors["yaohua_b_worker"], order=second)  # another community


def test_eligibility_and_limits_give_clear_messages(market, actors):
    market["meal"].max_per_week = 1
    market["meal"].save()
    place(market)
    with pytest.raises(DomainError) as error:
        place(market)
    assert error.value.code == "limit_reached"
    assert "per week" in error.value.message
    market["cleaning"].groups = "|minors|"
    market["cleaning"].save()
    with pytest.raises(DomainError) as error:
        place(market, item="cleaning")
    assert error.value.code == "not_eligible"


def test_a_beneficiary_orders_only_for_their_own_household(market, actors, areas, caseworker):
    from factories_registry import make_household

    other = make_household(actor=caseworker, community=areas["yaohua_a"])
    with pytest.raises(PermissionDenied):
        order_create(actor=market["beneficiary"], household=other, item=market["meal"])
    with pytest.raises(PermissionDenied):
        order_create(actor=actors["provider_staff"], household=other, item=market["meal"])


def test_rating_once_and_complaints(market, actors):
    order = order_accept(actor=market["staff_a"], order=place(market))
    order = order_start(actor=market["staff_a"], order=order)
    order = order_complete(actor=market["staff_a"], order=order, summary="ok", duration_minutes=20)
    with pytest.raises(ValidationFailed):
        order_rate(actor=market["beneficiary"], order=order, score=6)
    order_rate(actor=market["beneficiary"], order=order, score=2, comment="迟到")
    with pytest.raises(Conflict):
        order_rate(actor=market["beneficiary"], order=order, score=3)
    complaint = order_complain(actor=market["beneficiary"], order=order, text="送餐迟到一小时")
    assert complaint.order == order
    assert actors["qixia_manager"].notifications.filter(title__contains="Complaint").exists()


def test_capacity_per_day(market):
    market["provider_a"].daily_capacity = 1
    market["provider_a"].save()
    order_accept(actor=market["staff_a"], order=place(market))
    with pytest.raises(Conflict) as error:
        order_accept(actor=market["staff_a"], order=place(market, item="cleaning"))
    assert error.value.code == "capacity_reached"
