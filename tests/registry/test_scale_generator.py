"""The scale generator (issue 15 item 3) at a tiny size: households, assessments and orders
across the lifecycle, by the bulk path, searchable, with progress."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from jiuzhu.assessment.models import Assessment
from jiuzhu.dispatch.models import OrderSla
from jiuzhu.dispatch.selectors.board import board_figures
from jiuzhu.dispatch.services.sla import order_sla_fix
from jiuzhu.orders.demo_bulk import YEAR_SECONDS, lifecycle_status, order_age
from jiuzhu.orders.models import Order, Provider, Rating
from jiuzhu.registry.models import Household, Member
from jiuzhu.registry.selectors.households import HouseholdFilters, household_list

pytestmark = pytest.mark.django_db


def test_demo_data_fills_households_assessments_and_orders(actors):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "demo_data",
        "--households=60",
        "--assessments=40",
        "--orders=500",
        "--seed=3",
        "--streets=320113001000",
        stdout=out,
        stderr=err,
    )
    assert Household.objects.count() == 60
    assert "Created 60 households" in out.getvalue()
    assert "Created 40 assessments" in out.getvalue()
    assert "Created 500 orders" in out.getvalue()
    assert "500 / 500 orders" in err.getvalue()  # progress

    assessments = Assessment.objects.all()
    assert assessments.count() == 40
    assert assessments.values("household").distinct().count() == 40
    assert not assessments.exclude(status="submitted").exists()

    orders = Order.objects.all()
    assert orders.count() == 500
    statuses = dict(orders.values_list("status").annotate(n=Count("id")))
    assert set(statuses) <= {
        "waiting", "accepted", "assigned", "in_service", "completed", "cancelled"
    }  # fmt: skip
    assert statuses["completed"] > 400  # 92 % of the orders older than a week
    # Only recent orders are open (lifecycle_status has the shares by age).
    week_ago = timezone.now() - dt.timedelta(days=7, minutes=5)
    open_statuses = ["waiting", "accepted", "assigned", "in_service"]
    assert not orders.filter(status__in=open_statuses, created_at__lt=week_ago).exists()
    # Every taken order has a provider serving the household's street, and dates in order.
    for order in orders.exclude(provider=None).select_related("household", "provider"):
        assert order.household.street_id in {s.pk for s in order.provider.streets.all()}
        assert order.accepted_at >= order.created_at
        if order.completed_at:
            assert order.completed_at > order.started_at > order.accepted_at
    assert not orders.filter(status="waiting").exclude(provider=None).exists()
    assert orders.filter(status="completed", completed_at=None).count() == 0
    created = sorted(orders.values_list("created_at", flat=True))
    assert (created[-1] - created[0]).days > 200  # spread over the year, not "now"
    # Ids follow time, as in the running service: the open orders are the table's last rows.
    by_id = list(orders.order_by("pk").values_list("created_at", flat=True))
    assert by_id == sorted(by_id)
    ratings = Rating.objects.all()
    assert 0 < ratings.count() < statuses["completed"]
    assert not ratings.exclude(order__status="completed").exists()
    assert Provider.objects.count() == 3  # three for the one street

    # Every order has the deadlines the service path would have fixed (checked against
    # order_sla_fix on a copy), so the board shows the old waiting orders as overdue.
    assert "Created 500 order deadlines" in out.getvalue()
    assert OrderSla.objects.count() == 500
    for order in orders.select_related("household", "item", "sla")[:40]:
        written = order.sla
        OrderSla.objects.filter(pk=written.pk).delete()
        fixed = order_sla_fix(
            order=Order.objects.select_related("household", "item").get(pk=order.pk)
        )
        assert (written.accept_by, written.complete_by, written.urgent) == (
            fixed.accept_by,
            fixed.complete_by,
            fixed.urgent,
        )
        assert (written.accept_hours, written.complete_hours) == (
            fixed.accept_hours,
            fixed.complete_hours,
        )
    # The board counts as overdue exactly the open orders past the deadline that applies.
    now = timezone.now()
    past = [
        order
        for order in orders.filter(status__in=open_statuses).select_related("sla")
        if (order.sla.accept_by if order.status == "waiting" else order.sla.complete_by) <= now
    ]
    board = board_figures(user=actors["city_admin"], now=now)
    assert board["overdue_count"] == len(past)
    assert board["open"] == orders.filter(status__in=open_statuses).count()

    # The search table was rebuilt after the paused bulk load.
    member = Member.objects.order_by("id").first()
    city_admin = actors["city_admin"]
    found = household_list(user=city_admin, filters=HouseholdFilters(q=member.name))
    assert member.household_id in set(found.values_list("pk", flat=True))


def test_demo_data_refuses_negative_sizes():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="must not be negative"):
        call_command("demo_data", "--households=1", "--orders=-1")


def test_only_recent_orders_are_drawn_open():
    rng = random.Random(7)
    draws = 20_000
    for age, open_share in (
        (dt.timedelta(hours=5), 0.65),
        (dt.timedelta(days=2), 0.65),
        (dt.timedelta(days=4), 0.10),
        (dt.timedelta(days=7), 0.10),
    ):
        drawn = [lifecycle_status(rng, age) for _ in range(draws)]
        share = sum(s not in ("completed", "cancelled") for s in drawn) / draws
        assert abs(share - open_share) < 0.02, (age, share)
    old = {
        lifecycle_status(rng, dt.timedelta(days=days)) for days in range(8, 366) for _ in range(20)
    }
    assert old == {"completed", "cancelled"}


def test_order_ages_spread_over_the_year_oldest_first():
    rng = random.Random(5)
    ages = [order_age(rng, index, 1000) for index in range(1000)]
    assert ages == sorted(ages, reverse=True)
    assert ages[0] > dt.timedelta(days=364)
    assert ages[-1] < dt.timedelta(seconds=YEAR_SECONDS / 1000)
    # Evenly spread: a tenth of the orders in each tenth of the year.
    tenths = [int(age.total_seconds() * 10 // YEAR_SECONDS) for age in ages]
    assert [tenths.count(k) for k in range(10)] == [100] * 10
