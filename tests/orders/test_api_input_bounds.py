"""Every JSON body is bounded before an endpoint sees it (core/api_input.py): a far-future date
once made the district's order pages answer 500 for everyone, and a 2,000,000-character note was
accepted; a naive date-time failed deep in a service."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from jiuzhu.orders.models import Order

pytestmark = pytest.mark.django_db


def _order(client, market, **fields):
    client.force_login(market["beneficiary"])
    body = {"household_id": market["household"].pk, "item_id": market["meal"].pk, **fields}
    return client.post("/api/v1/orders", json.dumps(body), content_type="application/json")


def _fields(response) -> dict:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    return body["extra"]["fields"]


@pytest.mark.parametrize(
    "when", ["9999-12-31T00:00:00+08:00", "1899-12-31T23:59:00Z", "0001-01-01"]
)
def test_a_date_outside_1900_to_2100_is_refused_naming_the_field(client, market, when):
    assert _fields(_order(client, market, preferred_time=when)) == {
        "preferred_time": ["A date between 1900 and 2100."]
    }
    assert not Order.objects.exists()


def test_a_date_on_the_bounds_is_accepted(client, market):
    assert _order(client, market, preferred_time="2100-12-31T23:00:00+08:00").status_code == 201


def test_text_is_at_most_ten_thousand_characters_anywhere(client, market):
    assert _fields(_order(client, market, note="好" * 10_001)) == {
        "note": ["At most 10000 characters."]
    }


def test_a_field_with_its_own_limit_keeps_it_on_every_database(client, market):
    assert _order(client, market, note="好" * 300).status_code == 201
    Order.objects.all().delete()
    assert list(_fields(_order(client, market, note="好" * 301))) == ["note"]


def test_a_lone_surrogate_is_refused(client, market):
    client.force_login(market["beneficiary"])
    body = (
        f'{{"household_id": {market["household"].pk}, "item_id": {market["meal"].pk}, '
        '"note": "\\udc00 bad"}'
    )
    response = client.post("/api/v1/orders", body, content_type="application/json")
    assert _fields(response) == {"note": ["This text holds characters that are not valid."]}


def test_a_naive_date_time_is_read_as_beijing_time(client, market):
    response = _order(client, market, preferred_time="2026-12-20T09:30:00")
    assert response.status_code == 201, response.content
    order = Order.objects.get()
    beijing = dt.timezone(dt.timedelta(hours=8))
    assert order.preferred_time == dt.datetime(2026, 12, 20, 9, 30, tzinfo=beijing)
