"""SLA clocks with a controlled clock: policy specificity, built-in defaults, the preferred-time
rule, and that deadlines are fixed when the order is placed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from jiuzhu.core.errors import PermissionDenied, ValidationFailed
from jiuzhu.dispatch import sla
from jiuzhu.dispatch.models import OrderSla, SlaPolicy
from jiuzhu.dispatch.services.sla import order_sla_fix, sla_policy_set
from jiuzhu.orders.models import Order
from jiuzhu.orders.services.orders import order_create
from jiuzhu.registry.models import Household

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


def placed(market, *, created=T0, preferred=None, tag=None, item="meal"):
    """An order whose creation time (and preferred time) the test chooses; the deadlines are
    fixed from them as the ORDER_CREATED handler would."""
    if tag is not None:
        Household.objects.filter(pk=market["household"].pk).update(urgency_tag=tag)
    order = order_create(
        actor=market["beneficiary"], household=market["household"], item=market[item]
    )
    Order.objects.filter(pk=order.pk).update(created_at=created, preferred_time=preferred)
    order = Order.objects.select_related("household", "item").get(pk=order.pk)
    OrderSla.objects.filter(order=order).delete()
    return order_sla_fix(order=order)


def policy(areas, tag, cls, accept, complete):
    return SlaPolicy.objects.create(
        district=areas["qixia"],
        urgency_tag=tag,
        sla_class=cls,
        accept_hours=Decimal(accept),
        complete_hours=Decimal(complete),
    )


# ---------------------------------------------------------------- the pure rules


def test_the_built_in_defaults_apply_without_any_policy():
    assert sla.choose({}, urgency_tag="", sla_class="standard") == (24, 72)
    assert sla.choose({}, urgency_tag="", sla_class="scheduled") == (24, 168)
    assert sla.choose({}, urgency_tag="", sla_class="urgent") == (2, 24)
    assert sla.choose({}, urgency_tag="urgent", sla_class="scheduled") == (2, 24)
    assert sla.choose({}, urgency_tag="care", sla_class="standard") == (24, 72)


def test_the_most_specific_policy_wins():
    policies = {
        ("care", "scheduled"): (Decimal(4), Decimal(20)),
        ("care", ""): (Decimal(6), Decimal(30)),
        ("", "scheduled"): (Decimal(8), Decimal(40)),
        ("", ""): (Decimal(10), Decimal(50)),
    }
    assert sla.choose(policies, urgency_tag="care", sla_class="scheduled") == (4, 20)
    assert sla.choose(policies, urgency_tag="care", sla_class="standard") == (6, 30)
    assert sla.choose(policies, urgency_tag="watch", sla_class="scheduled") == (8, 40)
    assert sla.choose(policies, urgency_tag="watch", sla_class="standard") == (10, 50)
    # A district's own default beats the built-in urgent rule for urgent households.
    assert sla.choose(policies, urgency_tag="urgent", sla_class="standard") == (10, 50)


def test_a_preferred_time_moves_only_the_completion_deadline():
    due = sla.deadlines(
        created=T0,
        accept_hours=Decimal(24),
        complete_hours=Decimal(72),
        preferred_time=T0 + dt.timedelta(days=10),
    )
    assert due.accept_by == T0 + 24 * H
    assert due.complete_by == T0 + dt.timedelta(days=10) + sla.PREFERRED_WINDOW
    early = sla.deadlines(
        created=T0, accept_hours=Decimal(24), complete_hours=Decimal(72), preferred_time=T0 + 2 * H
    )
    assert early.complete_by == T0 + 72 * H


def test_at_risk_is_the_last_quarter_or_the_last_hour():
    deadline = T0 + 24 * H
    assert not sla.at_risk(now=T0 + 17 * H, start=T0, deadline=deadline)
    assert sla.at_risk(now=T0 + 18 * H, start=T0, deadline=deadline)
    assert not sla.at_risk(now=deadline, start=T0, deadline=deadline)  # then it is overdue
    short = T0 + 2 * H  # a quarter is 30 minutes; the last hour is longer
    assert sla.at_risk(now=T0 + 61 * dt.timedelta(minutes=1), start=T0, deadline=short)


# ---------------------------------------------------------------- orders get their deadlines


def test_an_order_without_policies_gets_the_defaults(market):
    due = placed(market)
    assert (due.accept_by, due.complete_by) == (T0 + 24 * H, T0 + 168 * H)
    assert not due.urgent


def test_an_urgent_household_gets_the_urgent_default(market):
    due = placed(market, tag="urgent")
    assert (due.accept_by, due.complete_by) == (T0 + 2 * H, T0 + 24 * H)
    assert due.urgent


def test_district_policies_apply_by_specificity(market, areas):
    policy(areas, "", "", 10, 50)
    assert placed(market).accept_hours == 10
    policy(areas, "", "scheduled", 8, 40)
    assert placed(market).accept_hours == 8
    policy(areas, "care", "", 6, 30)
    assert placed(market, tag="care").accept_hours == 6
    policy(areas, "care", "scheduled", 4, 20)
    due = placed(market, tag="care")
    assert (due.accept_by, due.complete_by) == (T0 + 4 * H, T0 + 20 * H)


def test_another_districts_policy_does_not_apply(market, areas):
    SlaPolicy.objects.create(
        district=areas["jianye"],
        urgency_tag="",
        sla_class="",
        accept_hours=Decimal(1),
        complete_hours=Decimal(2),
    )
    assert placed(market).accept_hours == 24


def test_the_preferred_time_rule_on_an_order(market):
    later = T0 + dt.timedelta(days=9)
    due = placed(market, preferred=later)
    assert due.accept_by == T0 + 24 * H
    assert due.complete_by == later + sla.PREFERRED_WINDOW
    soon = placed(market, preferred=T0 + 3 * H)
    assert soon.complete_by == T0 + 168 * H


def test_deadlines_are_fixed_when_the_order_is_placed(market, areas, actors):
    due = placed(market)
    sla_policy_set(
        actor=actors["qixia_manager"],
        district=areas["qixia"],
        urgency_tag="",
        sla_class="",
        accept_hours=Decimal(1),
        complete_hours=Decimal(2),
    )
    again = order_sla_fix(order=due.order)
    assert again.pk == due.pk and again.accept_by == T0 + 24 * H


# ---------------------------------------------------------------- editing policies


def test_the_district_manager_sets_and_replaces_a_policy(areas, actors):
    manager = actors["qixia_manager"]
    sla_policy_set(
        actor=manager,
        district=areas["qixia"],
        urgency_tag="care",
        sla_class="standard",
        accept_hours=Decimal(5),
        complete_hours=Decimal(30),
    )
    sla_policy_set(
        actor=manager,
        district=areas["qixia"],
        urgency_tag="care",
        sla_class="standard",
        accept_hours=Decimal(3),
        complete_hours=Decimal(30),
    )
    row = SlaPolicy.objects.get(district=areas["qixia"])
    assert row.accept_hours == 3


@pytest.mark.parametrize(
    "name", ["jianye_manager", "yaohua_caseworker", "city_admin", "qixia_hotline"]
)
def test_others_may_not_set_qixias_policies(areas, actors, name):
    with pytest.raises(PermissionDenied):
        sla_policy_set(
            actor=actors[name],
            district=areas["qixia"],
            urgency_tag="",
            sla_class="",
            accept_hours=Decimal(1),
            complete_hours=Decimal(2),
        )


def test_completion_cannot_be_due_before_acceptance(areas, actors):
    with pytest.raises(ValidationFailed) as caught:
        sla_policy_set(
            actor=actors["qixia_manager"],
            district=areas["qixia"],
            urgency_tag="",
            sla_class="",
            accept_hours=Decimal(5),
            complete_hours=Decimal(2),
        )
    assert "complete_hours" in caught.value.fields


def test_the_clock_is_wall_clock_time(market):
    """Nights and Sundays count: an order placed on Saturday evening is due on Sunday."""
    saturday_evening = timezone.make_aware(dt.datetime(2026, 3, 7, 20, 0))
    due = placed(market, created=saturday_evening)
    assert timezone.localtime(due.accept_by).weekday() == 6


def test_a_short_window_is_at_risk_for_its_last_hour_only():
    # A 2-hour window: a quarter is 30 minutes, so the last hour counts: at risk from T0 + 1 h.
    deadline = T0 + 2 * H
    minute = dt.timedelta(minutes=1)
    assert not sla.at_risk(now=T0 + 59 * minute, start=T0, deadline=deadline)
    assert sla.at_risk(now=T0 + H, start=T0, deadline=deadline)
