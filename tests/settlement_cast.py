"""Settlement test world: a purchased-service project for provider A in Qixia, with confirmed
deliveries in March 2026 (fixtures ``project`` and ``march_deliveries``)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from factories import (
    DeliveryEvidenceFactory,
    DeliveryRecordFactory,
    OrderFactory,
    ProjectFactory,
    ProjectItemFactory,
)
from market_cast import market  # noqa: F401


def march(day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 3, day, hour))


def deliver(*, household, provider, item, at, quantity=1, confirmation="confirmed"):
    order = OrderFactory(
        household=household,
        provider=provider,
        item=item,
        quantity=quantity,
        status="completed",
        accepted_at=at - dt.timedelta(hours=2),
        started_at=at - dt.timedelta(minutes=40),
        completed_at=at,
    )
    DeliveryRecordFactory(order=order)
    DeliveryEvidenceFactory(
        order=order,
        checked_in_at=at - dt.timedelta(minutes=40),
        checked_out_at=at,
        confirmation=confirmation,
        dispute_reason="没有上门" if confirmation == "disputed" else "",
    )
    return order


@pytest.fixture
def project(market, areas, actors):  # noqa: F811
    project = ProjectFactory(
        code="GP-QX-2026-001",
        provider=market["provider_a"],
        district=areas["qixia"],
        created_by=actors["qixia_manager"],
        kpi_weights={"confirmed": 1},
    )
    ProjectItemFactory(project=project, item=market["meal"], unit_price=Decimal("15.00"))
    ProjectItemFactory(project=project, item=market["cleaning"], unit_price=Decimal("33.33"))
    return project


@pytest.fixture
def march_deliveries(project, market):  # noqa: F811
    household, provider = market["household"], market["provider_a"]
    return [
        deliver(household=household, provider=provider, item=market["meal"], at=march(3)),
        deliver(household=household, provider=provider, item=market["meal"], at=march(4)),
        deliver(household=household, provider=provider, item=market["cleaning"], at=march(5)),
    ]
