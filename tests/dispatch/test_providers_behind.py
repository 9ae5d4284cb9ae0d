"""Providers falling behind (issue 10, item 1): a district manager's task list of providers with
orders of the district open past their completion deadline, or a low on-time rate; its count is
its list (one aggregate over the same queryset)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from factories import OrderFactory, OrderSlaFactory
from jiuzhu.core.worklist import source_get_for, task_lines, task_rows
from jiuzhu.dispatch.models import OrderSla
from jiuzhu.dispatch.tasks import ON_TIME_MIN
from jiuzhu.orders.models import Order, OrderStatus

pytestmark = pytest.mark.django_db


def _accepted(market, provider_key, **sla):
    """An order the provider holds, with its deadlines (the service's SLA clock starts on
    commit, which a test transaction never reaches)."""
    order = OrderFactory(
        household=market["household"],
        item=market["meal"],
        provider=market[provider_key],
        status=OrderStatus.ACCEPTED,
        accepted_at=timezone.now(),
    )
    OrderSlaFactory(order=order, **sla)
    return order


def test_a_provider_with_an_order_past_its_deadline_is_listed_and_counted(market, actors):
    _accepted(market, "provider_a", complete_by=timezone.now() - dt.timedelta(hours=5))
    _accepted(market, "provider_b")  # provider B is within its deadline
    manager = actors["qixia_manager"]
    source = source_get_for(user=manager, key="providers_behind")
    rows = list(task_rows(source=source, user=manager))
    assert [p.pk for p in rows] == [market["provider_a"].pk]
    counts = source.counts(manager)
    assert (counts.count, counts.overdue) == (1, 1)
    line = task_lines(source=source, objects=rows)[0]
    assert line.title == market["provider_a"].organisation.name and line.overdue
    # Another district's manager does not see it.
    other = actors["jianye_manager"]
    assert source.counts(other).count == 0 == len(task_rows(source=source, user=other))


def test_a_low_on_time_rate_lists_a_provider_without_open_late_orders(market, actors):
    now = timezone.now()
    orders = [_accepted(market, "provider_a") for _ in range(ON_TIME_MIN)]
    Order.objects.filter(pk__in=[o.pk for o in orders]).update(
        status=OrderStatus.COMPLETED, completed_at=now - dt.timedelta(days=1)
    )
    # Two of five on time: 40 %.
    OrderSla.objects.filter(order__in=orders[:2]).update(complete_by=now)
    OrderSla.objects.filter(order__in=orders[2:]).update(complete_by=now - dt.timedelta(days=2))
    manager = actors["qixia_manager"]
    source = source_get_for(user=manager, key="providers_behind")
    rows = list(task_rows(source=source, user=manager))
    assert [p.pk for p in rows] == [market["provider_a"].pk]
    assert source.counts(manager).count == 1
    assert "40%" in task_lines(source=source, objects=rows)[0].detail
