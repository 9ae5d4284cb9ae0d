"""Frequency limits at their boundaries (docs/orders.md, "Eligibility and limits"): units ordered
and not cancelled in the current calendar week (Monday–Sunday) or month, plus the new quantity,
must stay *within* max_per_week / max_per_month — reaching the limit exactly is allowed.

The clock is controlled: 2026-03-03 (local) is a Tuesday; its week is 2 March (Monday) to 8 March
(Sunday), its month March.
"""

import datetime as dt

import pytest
from django.utils import timezone

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.errors import DomainError
from jiuzhu.orders.services.orders import order_cancel, order_create

pytestmark = pytest.mark.django_db


def at(clock, day: dt.date, hour: int = 10):
    clock.set(timezone.make_aware(dt.datetime.combine(day, dt.time(hour))))


def limits(market, *, week=None, month=None):
    ServiceItem.objects.filter(pk=market["meal"].pk).update(max_per_week=week, max_per_month=month)
    market["meal"].refresh_from_db()


def order(market, quantity=1):
    return order_create(
        actor=market["beneficiary"],
        household=market["household"],
        item=market["meal"],
        quantity=quantity,
    )


def refused(market, quantity=1) -> DomainError:
    with pytest.raises(DomainError) as caught:
        order(market, quantity)
    assert caught.value.code == "limit_reached"
    return caught.value


def test_the_monthly_limit_allows_exactly_the_limit(clock, market):
    limits(market, month=3)
    at(clock, dt.date(2026, 3, 3))
    order(market, 2)
    order(market, 1)  # 2 + 1 = 3: at the limit, allowed
    error = refused(market, 1)
    assert error.message == "The limit is 3 per month and 3 are already ordered this month."
    assert (error.extra["period"], error.extra["limit"], error.extra["used"]) == ("month", 3, 3)


def test_the_weekly_limit_allows_exactly_the_limit(clock, market):
    limits(market, week=2, month=20)
    at(clock, dt.date(2026, 3, 3))
    order(market, 1)
    order(market, 1)
    error = refused(market)
    assert error.extra == {"period": "week", "limit": 2, "used": 2}
    assert error.message == "The limit is 2 per week and 2 are already ordered this week."


def test_a_quantity_that_would_pass_the_limit_is_refused(clock, market):
    limits(market, month=3)
    at(clock, dt.date(2026, 3, 3))
    order(market, 2)
    assert refused(market, 2).extra["used"] == 2


def test_cancelled_orders_do_not_count(clock, market):
    limits(market, week=3, month=3)
    at(clock, dt.date(2026, 3, 3))
    first = order(market, 3)
    order_cancel(actor=market["beneficiary"], order=first, reason="不需要了")
    order(market, 3)  # the cancelled three no longer count
    assert refused(market).extra["used"] == 3


def test_the_week_runs_monday_to_sunday(clock, market):
    limits(market, week=1, month=20)
    at(clock, dt.date(2026, 3, 1), hour=23)  # Sunday: the week before
    order(market)
    at(clock, dt.date(2026, 3, 2), hour=0)  # Monday just after midnight: a new week
    order(market)
    at(clock, dt.date(2026, 3, 8), hour=23)  # Sunday of the same week
    refused(market)


def test_the_month_runs_from_the_first_to_the_last_day(clock, market):
    limits(market, month=1)
    at(clock, dt.date(2026, 2, 28), hour=23)  # the last day of February
    order(market)
    at(clock, dt.date(2026, 3, 1), hour=0)
    order(market)
    at(clock, dt.date(2026, 3, 31), hour=23)
    refused(market)


# ---------------------------------------------------------------- what counts (mutation run)


def test_the_limit_counts_this_households_orders_of_this_item_only(clock, market, caseworker):
    """docs/orders.md: the limits are per household and per service item. Another household's
    助餐 and this household's 助洁 leave this household's 助餐 allowance whole."""
    from factories_registry import add_member, make_household

    limits(market, week=1, month=1)
    at(clock, dt.date(2026, 3, 3))
    neighbour = make_household(actor=caseworker, community=market["household"].community)
    add_member(actor=caseworker, household=neighbour, age=80, employment="retired")
    order_create(actor=caseworker, household=neighbour, item=market["meal"])
    order_create(
        actor=market["beneficiary"], household=market["household"], item=market["cleaning"]
    )
    order(market)  # the household's first 助餐 this week and month: allowed
    assert refused(market).extra == {"period": "week", "limit": 1, "used": 1}


def test_orders_of_a_later_week_do_not_count_in_an_earlier_one(clock, market):
    """The week is its own seven days: an order placed on Monday 9 March is not one of the week
    of 2–8 March (asked about directly, as the check for that week would be)."""
    from jiuzhu.orders.services.placing import check_can_order, used_in_period
    from jiuzhu.registry.models import Household

    limits(market, week=1, month=20)
    at(clock, dt.date(2026, 3, 9), hour=0)
    order(market)
    household, meal = Household.objects.get(pk=market["household"].pk), market["meal"]
    assert used_in_period(household, meal, dt.date(2026, 3, 2), dt.date(2026, 3, 9)) == 0
    assert used_in_period(household, meal, dt.date(2026, 3, 9), dt.date(2026, 3, 16)) == 1
    check_can_order(household=household, item=meal, quantity=1, on=dt.date(2026, 3, 8))


def test_orders_of_the_next_month_do_not_count_in_this_one(clock, market):
    """The month is its own calendar month: an order placed at local midnight on 1 April does
    not use up March's limit, asked on 31 March (the month's last day), and counts in April."""
    from jiuzhu.orders.services.placing import check_can_order, used_in_period
    from jiuzhu.registry.models import Household

    limits(market, month=1)
    at(clock, dt.date(2026, 4, 1), hour=0)
    order(market)
    household, meal = Household.objects.get(pk=market["household"].pk), market["meal"]
    assert used_in_period(household, meal, dt.date(2026, 3, 1), dt.date(2026, 4, 1)) == 0
    check_can_order(household=household, item=meal, quantity=1, on=dt.date(2026, 3, 31))
    with pytest.raises(DomainError) as caught:
        check_can_order(household=household, item=meal, quantity=1, on=dt.date(2026, 4, 30))
    assert caught.value.extra["used"] == 1


def test_a_household_that_left_assistance_cannot_order(clock, market):
    from jiuzhu.registry.models import Household, HouseholdStatus

    Household.objects.filter(pk=market["household"].pk).update(
        status=HouseholdStatus.EXITED, exit_reason="迁出本市"
    )
    at(clock, dt.date(2026, 3, 3))
    with pytest.raises(DomainError) as caught:
        order(market)
    assert (caught.value.code, caught.value.message) == (
        "household_exited",
        "This household no longer receives assistance.",
    )


@pytest.mark.parametrize(
    ("field", "listed", "other", "reason"),
    [("tier", "tekun", "dibao", "tier"), ("urgency_tag", "care", "watch", "urgency")],
)
def test_an_item_for_some_tiers_or_urgency_tags_is_refused_to_the_others(
    clock, market, field, listed, other, reason
):
    """docs/orders.md: an item that lists assistance tiers or urgency tags is only for households
    with one of them (``not_eligible``, with the reason); the household's own value decides."""
    from jiuzhu.registry.models import Household

    codes = {"tier": "tiers", "urgency_tag": "urgency_tags"}[field]
    ServiceItem.objects.filter(pk=market["meal"].pk).update(**{codes: f"|{listed}|"})
    market["meal"].refresh_from_db()
    at(clock, dt.date(2026, 3, 3))
    Household.objects.filter(pk=market["household"].pk).update(**{field: other})
    with pytest.raises(DomainError) as caught:
        order(market)
    assert (caught.value.code, caught.value.message, caught.value.extra) == (
        "not_eligible",
        "This service is not available to this household.",
        {"reasons": [reason]},
    )
    Household.objects.filter(pk=market["household"].pk).update(**{field: listed})
    assert order(market).item == market["meal"]
