"""Providers and volunteers get what delivery needs, never the household record (PIPL: minimum
necessary; the record holds health, disability and income)."""

import pytest

from jiuzhu.orders.services.orders import order_accept, order_assign, order_create

pytestmark = pytest.mark.django_db


def test_the_provider_sees_the_address_on_the_order_but_not_the_household(client, market, actors):
    household = market["household"]
    order = order_create(actor=market["beneficiary"], household=household, item=market["meal"])
    order = order_accept(actor=market["staff_a"], order=order)
    order_assign(actor=market["staff_a"], order=order, assignee=actors["volunteer"])
    for user in (market["staff_a"], actors["volunteer"]):
        client.force_login(user)
        page = client.get(f"/orders/{order.pk}/").content.decode()
        assert household.address in page
        assert client.get(f"/households/{household.pk}/").status_code == 404
        assert client.get(f"/api/v1/households/{household.pk}").status_code == 404
        assert client.get(f"/api/v1/households/{household.pk}/members").status_code == 404
    client.force_login(market["staff_b"])  # another provider: not even the order
    assert client.get(f"/orders/{order.pk}/").status_code == 404
