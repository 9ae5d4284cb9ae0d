"""The dashboards' additive parts (analytics/selectors/figures.py), family by family, with every
figure written out by hand for a small world, and each period's edges tried: a row at the first
instant of the period counts, one a second before it or at the first instant after it does not.

The period is March 2026 in Nanjing time. Streets: 尧化 (Yaohua, communities yaohua_a and
yaohua_b) and 马群 (Maqun), both in 栖霞 (Qixia).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from factories import (
    DepositFactory,
    EarlyWarningFactory,
    OrderFactory,
    OrderSlaFactory,
    ProviderFactory,
    RatingFactory,
    ServiceItemFactory,
    TimebankAccountFactory,
)
from factories_registry import make_household
from jiuzhu.analytics.selectors.figures import (
    STOCK_KEYS,
    Period,
    households_parts,
    orders_parts,
    provider_parts,
    ratings_parts,
    timebank_parts,
    warnings_parts,
)
from jiuzhu.discovery.models import EarlyWarning, WarningStatus
from jiuzhu.orders.models import Order, Rating
from jiuzhu.registry.models import Household
from jiuzhu.timebank.models import Deposit

pytestmark = pytest.mark.django_db

MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 4, 1))
START, END = MARCH.bounds
SECOND = dt.timedelta(seconds=1)
H = dt.timedelta(hours=1)


def test_a_month_runs_from_its_first_day_to_the_first_day_of_the_next():
    assert Period.month(dt.date(2026, 1, 31)) == Period(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    assert Period.month(dt.date(2026, 2, 1)) == Period(dt.date(2026, 2, 1), dt.date(2026, 3, 1))
    assert Period.month(dt.date(2026, 12, 15)) == Period(dt.date(2026, 12, 1), dt.date(2027, 1, 1))
    assert Period.month(dt.date(2026, 2, 20)).days == 28
    assert dt.datetime(2026, 3, 1, tzinfo=timezone.get_current_timezone()) == START


@pytest.fixture
def streets(areas):
    return {
        "yaohua": (areas["qixia"].pk, areas["yaohua"].pk),
        "maqun": (areas["qixia"].pk, areas["maqun"].pk),
    }


def test_active_households_by_tier_group_and_urgency_tag(actors, areas, streets):
    rows = [  # community, tier, groups, urgency tag, status
        ("yaohua_a", "dibao", "|elderly|disability|", "urgent", "active"),
        ("yaohua_a", "tekun", "|elderly|", "", "active"),
        ("yaohua_b", "near_dibao", "", "care", "active"),
        ("maqun_a", "dibao", "|minors|", "watch", "active"),
        ("yaohua_a", "dibao", "|elderly|", "urgent", "exited"),  # never counted
    ]
    for community, tier, groups, tag, status in rows:
        household = make_household(actor=actors["city_admin"], community=areas[community])
        Household.objects.filter(pk=household.pk).update(
            tier=tier, groups=groups, urgency_tag=tag, status=status, exit_reason="迁出"
        )
    zero = dict.fromkeys(STOCK_KEYS, 0)
    assert households_parts(Household.objects.all()) == {
        streets["yaohua"]: zero
        | {
            "households.active": 3,
            "households.tier.dibao": 1,
            "households.tier.tekun": 1,
            "households.tier.near_dibao": 1,
            "households.group.elderly": 2,
            "households.group.disability": 1,
            "households.urgency.urgent": 1,
            "households.urgency.care": 1,
        },
        streets["maqun"]: zero
        | {
            "households.active": 1,
            "households.tier.dibao": 1,
            "households.group.minors": 1,
            "households.urgency.watch": 1,
        },
    }


@pytest.fixture
def orders(actors, areas):
    """Orders of one Yaohua household, created at the period's edges and inside it."""
    household = make_household(actor=actors["city_admin"], community=areas["yaohua_a"])
    item = ServiceItemFactory(price=Decimal("30"))
    p1, p2 = ProviderFactory(), ProviderFactory()

    def order(created_at, status, provider=None, complete_by=None, **times):
        made = OrderFactory(household=household, item=item, status=status, provider=provider)
        Order.objects.filter(pk=made.pk).update(created_at=created_at, **times)
        if complete_by is not None:
            OrderSlaFactory(order=made, complete_by=complete_by)
        return made

    done = {"accepted_at": START + H, "started_at": START + 2 * H, "completed_at": START + 3 * H}
    on_time = order(START, "completed", p1, START + 5 * H, **done)  # the first instant
    late = order(END - SECOND, "accepted", p2, END - H / 2, accepted_at=END - SECOND)
    # Accepted, then cancelled: it had a deadline, but is not due.
    cancelled = order(START + 48 * H, "cancelled", p1, START + 50 * H, accepted_at=START + 49 * H)
    waiting = order(START + 72 * H, "waiting")
    before = order(START - SECOND, "completed", p1, START, **done)
    after = order(END, "completed", p1, END + H, **done)
    Order.objects.filter(pk=on_time.pk).update(quantity=2)
    return {
        "p1": p1,
        "p2": p2,
        "on_time": on_time,
        "late": late,
        "cancelled": cancelled,
        "waiting": waiting,
        "before": before,
        "after": after,
    }


def test_the_order_funnel_sla_money_and_person_times_of_the_period(orders, streets):
    assert orders_parts(Order.objects.all(), MARCH, now=END + 24 * H) == {
        streets["yaohua"]: {
            "orders.placed": 4,  # on time, late, cancelled, waiting
            "orders.accepted": 3,  # on time, late, cancelled
            "orders.started": 1,
            "orders.completed": 1,
            "orders.cancelled": 1,
            "orders.waiting": 1,
            "sla.due": 2,  # the completed one and the late one; the cancelled one is not due
            "sla.on_time": 1,
            "money.spent": Decimal("60"),  # 2 × 30 yuan
            "served.person_times": 1,
        }
    }


def test_an_order_is_late_only_once_its_deadline_has_come(orders, streets):
    parts = orders_parts(Order.objects.all(), MARCH, now=END - H)  # before the late one's
    assert (parts[streets["yaohua"]]["sla.due"], parts[streets["yaohua"]]["sla.on_time"]) == (1, 1)


def test_each_providers_orders_of_the_period_and_their_ratings(orders, streets):
    RatingFactory(order=orders["on_time"], score=4)
    RatingFactory(order=orders["before"], score=1)  # an order of February: not counted
    district, street = streets["yaohua"]
    zero = {"placed": 0, "completed": 0, "due": 0, "on_time": 0, "rated": 0, "rating_sum": 0}
    # Without ``now`` the deadlines are read against the present (December 2026).
    assert provider_parts(Order.objects.all(), MARCH) == {
        (district, street, orders["p1"].pk): zero
        | {"placed": 2, "completed": 1, "due": 1, "on_time": 1, "rated": 1, "rating_sum": 4},
        (district, street, orders["p2"].pk): zero | {"placed": 1, "due": 1},
    }


def test_ratings_given_in_the_period(orders, streets):
    given = {
        START: (orders["on_time"], 4),
        START - SECOND: (orders["before"], 1),
        END: (orders["after"], 2),
        END - SECOND: (orders["late"], 5),
    }
    for at, (order, score) in given.items():
        rating = RatingFactory(order=order, score=score)
        Rating.objects.filter(pk=rating.pk).update(at=at)
    assert ratings_parts(Rating.objects.all(), MARCH) == {
        streets["yaohua"]: {"rating.count": 2, "rating.sum": 9}
    }


def test_warnings_raised_in_the_period_and_how_they_ended(actors, areas, streets):
    household = make_household(actor=actors["city_admin"], community=areas["maqun_a"])
    made = [  # created at, origin, status, verified
        (START, "referral", "registered", True),
        (START + H, "referral", "dismissed", True),
        (START + 2 * H, "department", "reassessment", True),
        (END - SECOND, "department", "open", False),
        (START - SECOND, "referral", "registered", True),  # February
        (END, "referral", "reassessment", True),  # April
    ]
    for created_at, origin, status, verified in made:
        warning = EarlyWarningFactory(
            household=household,
            origin=origin,
            status=status,
            verified_at=created_at + H if verified else None,
        )
        EarlyWarning.objects.filter(pk=warning.pk).update(created_at=created_at)
    by_status = {f"warnings.status.{s.value}": 1 for s in WarningStatus}
    assert warnings_parts(EarlyWarning.objects.all(), MARCH) == {
        streets["maqun"]: by_status
        | {
            "warnings.raised": 4,
            "warnings.verified": 3,
            "referrals.made": 2,
            "referrals.converted": 1,
        }
    }


def test_volunteer_minutes_confirmed_in_the_period(areas, streets):
    account = TimebankAccountFactory(district=areas["qixia"])
    made = [  # confirmed at, status, minutes
        (START, "confirmed", 90),
        (END - SECOND, "confirmed", 30),
        (START + H, "escalated", 45),  # not confirmed (a stray date is ignored)
        (START - SECOND, "confirmed", 60),
        (END, "confirmed", 15),
    ]
    for confirmed_at, status, minutes in made:
        deposit = DepositFactory(account=account, street=areas["yaohua"], minutes=minutes)
        Deposit.objects.filter(pk=deposit.pk).update(status=status, confirmed_at=confirmed_at)
    assert timebank_parts(Deposit.objects.all(), MARCH) == {
        streets["yaohua"]: {"timebank.deposits": 2, "timebank.minutes": 120}
    }
