import json

import pytest

from jiuzhu.orders.models import Order

pytestmark = pytest.mark.django_db


def call(client, user, method, path, body=None, **headers):
    client.force_login(user)
    return getattr(client, method)(
        f"/api/v1{path}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        **headers,
    )


def test_create_and_walk_an_order_through_the_api(client, market, actors):
    created = call(
        client,
        market["beneficiary"],
        "post",
        "/orders",
        {"household_id": market["household"].pk, "item_id": market["meal"].pk},
    )
    assert created.status_code == 201, created.content
    order_id = created.json()["id"]
    assert created.json()["actions"] == ["cancel"]
    inbox = call(client, market["staff_a"], "get", "/orders?status=waiting").json()
    assert [o["id"] for o in inbox["items"]] == [order_id]
    assert inbox["items"][0]["actions"] == ["accept", "decline"]
    accepted = call(client, market["staff_a"], "post", f"/orders/{order_id}/accept")
    assert accepted.json()["status"] == "accepted"
    again = call(client, market["staff_b"], "post", f"/orders/{order_id}/accept")
    assert again.status_code == 404  # taken by another provider: no longer visible to B
    assigned = call(
        client,
        market["staff_a"],
        "post",
        f"/orders/{order_id}/assign",
        {"assignee_id": actors["volunteer"].pk},
    )
    assert assigned.json()["status"] == "assigned"
    assert call(client, actors["volunteer"], "post", f"/orders/{order_id}/start").status_code == 200
    done = call(
        client,
        actors["volunteer"],
        "post",
        f"/orders/{order_id}/complete",
        {"summary": "送餐", "duration_minutes": 25},
    )
    assert done.json()["status"] == "completed"
    rated = call(
        client,
        market["beneficiary"],
        "post",
        f"/orders/{order_id}/rate",
        {"score": 4, "comment": "好"},
    )
    assert rated.json()["rating"] == 4


def test_status_codes_403_404_409(client, market, actors):
    order_id = call(
        client,
        market["beneficiary"],
        "post",
        "/orders",
        {"household_id": market["household"].pk, "item_id": market["meal"].pk},
    ).json()["id"]
    # the community worker of the household may see it, but never accept: 403
    response = call(client, actors["yaohua_a_worker"], "post", f"/orders/{order_id}/accept")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    # provider C (Maqun) cannot see it: 404
    assert call(client, market["staff_c"], "get", f"/orders/{order_id}").status_code == 404
    # wrong state: 409
    response = call(client, market["staff_a"], "post", f"/orders/{order_id}/start")
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_state"


def test_idempotency_key_returns_the_first_response(client, market):
    body = {"household_id": market["household"].pk, "item_id": market["meal"].pk}
    first = call(
        client, market["beneficiary"], "post", "/orders", body, HTTP_IDEMPOTENCY_KEY="abc-1"
    )
    second = call(
        client, market["beneficiary"], "post", "/orders", body, HTTP_IDEMPOTENCY_KEY="abc-1"
    )
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Order.objects.count() == 1
    other = call(
        client,
        market["beneficiary"],
        "post",
        "/orders",
        {**body, "note": "different"},
        HTTP_IDEMPOTENCY_KEY="abc-1",
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


def test_a_failed_request_is_not_remembered(client, market):
    market["meal"].max_per_week = 1
    market["meal"].save()
    body = {"household_id": market["household"].pk, "item_id": market["meal"].pk}
    assert call(client, market["beneficiary"], "post", "/orders", body).status_code == 201
    refused = call(
        client, market["beneficiary"], "post", "/orders", body, HTTP_IDEMPOTENCY_KEY="k2"
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "limit_reached"


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "names"),
    [
        ("post", "/orders", {"household_id": "x"}, 422, {"household_id", "item_id"}),
        ("post", "/orders", {"household_id": 999999, "item_id": 1}, 404, "household"),
        ("get", "/orders?limit=0", None, 422, {"limit"}),
        ("post", "/orders/999999/accept", None, 404, "order"),
        ("post", "/orders/1/rate", {"score": "five"}, 422, {"score"}),
        ("get", "/providers?offset=-1", None, 422, {"offset"}),
    ],
)
def test_bad_input_is_refused_naming_what_is_wrong(
    client, market, method, path, body, status, names
):
    response = call(client, market["beneficiary"], method, path, body)
    assert response.status_code == status, response.content[:200]
    error = response.json()
    assert set(error) == {"code", "message", "extra"}
    if status == 422:
        assert (error["code"], set(error["extra"]["fields"])) == ("validation_error", names)
    else:
        assert (error["code"], error["extra"]["object"]) == ("not_found", names)
