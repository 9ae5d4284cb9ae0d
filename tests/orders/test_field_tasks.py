"""Field task cards (issue 10, item 7): tap to call, copy the address, open the phone's map app;
by scheduled time, then by distance from the worker's provider when both ends have coordinates
(the platform's own: the provider's base and the household's community; nothing is geocoded)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.utils import timezone

from factories import HouseholdFactory, OrderFactory
from jiuzhu.core.models import Area
from jiuzhu.orders.models import OrderStatus, Provider

pytestmark = pytest.mark.django_db


def _visit(market, household, when, assignee):
    return OrderFactory(
        household=household,
        item=market["meal"],
        provider=market["provider_a"],
        status=OrderStatus.ASSIGNED,
        assignee=assignee,
        preferred_time=when,
    )


@pytest.fixture
def visits(market, areas, caseworker, actors):
    # The provider sits in community A; community B is ~5 km east.
    Provider.objects.filter(pk=market["provider_a"].pk).update(
        latitude=Decimal("32.100000"), longitude=Decimal("118.800000")
    )
    Area.objects.filter(pk=areas["yaohua_a"].pk).update(
        latitude=Decimal("32.101000"), longitude=Decimal("118.801000")
    )
    Area.objects.filter(pk=areas["yaohua_b"].pk).update(
        latitude=Decimal("32.100000"), longitude=Decimal("118.853000")
    )
    far_home = HouseholdFactory(community=areas["yaohua_b"], address="远处路9号")
    near_home = market["household"]
    when = timezone.now() + dt.timedelta(days=1)
    staff = market["staff_a"]
    far = _visit(market, far_home, when, staff)
    near = _visit(market, near_home, when, staff)
    later = _visit(market, near_home, when + dt.timedelta(hours=3), staff)
    volunteer_far = _visit(market, far_home, when, actors["volunteer"])
    volunteer_near = _visit(market, near_home, when + dt.timedelta(hours=1), actors["volunteer"])
    return {
        "staff": staff,
        "volunteer": actors["volunteer"],
        "far": far,
        "near": near,
        "later": later,
        "volunteer_far": volunteer_far,
        "volunteer_near": volunteer_near,
        "near_home": near_home,
    }


def _order_of_cards(page: str, orders) -> list:
    found = sorted(orders, key=lambda o: page.index(f"/orders/{o.pk}/"))
    return [o.pk for o in found]


def test_staff_cards_are_by_time_then_nearest_first_with_field_actions(client, visits):
    client.force_login(visits["staff"])
    page = client.get("/orders/tasks/").content.decode()
    assert _order_of_cards(page, [visits["far"], visits["near"], visits["later"]]) == [
        visits["near"].pk,
        visits["far"].pk,
        visits["later"].pk,
    ]
    home = visits["near_home"]
    assert f'href="tel:{home.phone}"' in page
    assert f'data-copy="{home.address}"' in page
    assert "geo:0,0?q=" + quote(f"{home.community.name} {home.address}", safe="") in page
    assert 'class="task-distance"' in page  # the distance is shown
    assert "<script>" not in page.split("</head>")[1]  # no inline script (CSP)


def test_volunteer_cards_are_by_time_only(client, visits):
    client.force_login(visits["volunteer"])
    page = client.get("/orders/tasks/").content.decode()
    assert _order_of_cards(page, [visits["volunteer_near"], visits["volunteer_far"]]) == [
        visits["volunteer_far"].pk,
        visits["volunteer_near"].pk,
    ]
    # No distance on a volunteer's cards (not the letters "km", which a random CSRF token
    # in the page's forms may hold).
    assert 'class="task-distance"' not in page
