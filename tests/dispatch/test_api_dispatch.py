"""/api/v1/dispatch/board and /api/v1/tickets: shapes, scoping, the error shape for 401, 403,
404, 409 and 422, and bad input that never gives a 500."""

import datetime as dt

import pytest
from django.utils import timezone

from jiuzhu.dispatch.models import OrderSla, Ticket
from jiuzhu.dispatch.services.sla import order_sla_fix
from jiuzhu.dispatch.services.tickets import ticket_open
from jiuzhu.orders.models import Order
from jiuzhu.orders.services.orders import order_create

pytestmark = pytest.mark.django_db

API = "/api/v1"


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def error_shape(response, status, code=None):
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"code", "message", "extra"}
    if code:
        assert body["code"] == code
    return body


@pytest.fixture
def late_order(market):
    order = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - dt.timedelta(hours=30))
    order = Order.objects.select_related("household", "item").get(pk=order.pk)
    OrderSla.objects.filter(order=order).delete()
    order_sla_fix(order=order)
    return order


@pytest.fixture
def ticket(actors, areas, market):
    return ticket_open(
        actor=actors["qixia_hotline"],
        kind="complaint",
        description="没人来",
        district=areas["qixia"],
        household=market["household"],
    )


# ---------------------------------------------------------------- the board


def test_the_board_as_json(client, actors, late_order):
    client.force_login(actors["qixia_manager"])
    body = client.get(f"{API}/dispatch/board").json()
    assert set(body) == {
        "now",
        "by_status",
        "open",
        "at_risk_count",
        "overdue_count",
        "at_risk",
        "overdue",
        "streets",
        "providers",
        "escalations",
        "live_offers",
        "waiting_reasons",
    }
    assert body["by_status"]["waiting"] == 1 and body["overdue_count"] == 1
    assert sum(body["waiting_reasons"].values()) == 1
    (row,) = body["overdue"]
    assert row["number"] == late_order.number and row["minutes_left"] < 0
    assert {p["name"] for p in body["providers"]} == set()


def test_the_board_is_scoped_and_filtered_like_the_page(client, actors, areas, late_order):
    client.force_login(actors["maqun_caseworker"])
    assert client.get(f"{API}/dispatch/board").json()["open"] == 0
    client.force_login(actors["qixia_manager"])
    maqun = client.get(f"{API}/dispatch/board?street={areas['maqun'].pk}").json()
    assert maqun["open"] == 0
    error_shape(
        client.get(f"{API}/dispatch/board?street={areas['shazhou'].pk}"), 422, "validation_error"
    )
    error_shape(client.get(f"{API}/dispatch/board?street=abc"), 422, "validation_error")


@pytest.mark.parametrize("name", ["qixia_hotline", "provider_staff", "volunteer"])
def test_the_board_refuses_other_roles(client, actors, name):
    client.force_login(actors[name])
    error_shape(client.get(f"{API}/dispatch/board"), 403, "forbidden")


def test_signed_out_callers_get_401(client):
    error_shape(client.get(f"{API}/dispatch/board"), 401, "unauthenticated")
    error_shape(client.get(f"{API}/tickets"), 401, "unauthenticated")


# ---------------------------------------------------------------- tickets


def test_list_tickets(client, actors, ticket):
    client.force_login(actors["qixia_hotline"])
    body = client.get(f"{API}/tickets").json()
    assert set(body) == {"items", "count"} and body["count"] == 1
    (item,) = body["items"]
    assert item["number"] == ticket.number and item["status"] == "received"
    assert item["actions"] == ["assign"] and item["overdue"] is False
    assert client.get(f"{API}/tickets?kind=feedback").json()["count"] == 0
    assert client.get(f"{API}/tickets?status=received&overdue=false").json()["count"] == 1
    client.force_login(actors["jianye_manager"])
    assert client.get(f"{API}/tickets").json()["count"] == 0


def test_create_a_ticket(client, actors, market, late_order):
    client.force_login(actors["qixia_hotline"])
    response = post(
        client,
        f"{API}/tickets",
        {
            "kind": "complaint",
            "description": "服务没来",
            "caller_name": "王",
            "caller_phone": "13900002222",
            "order_number": late_order.number,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["order_id"] == late_order.pk and body["household_id"] == market["household"].pk
    assert body["order_number"] == late_order.number
    assert client.get(f"{API}/tickets/{body['id']}").json()["id"] == body["id"]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"kind": "gossip", "description": "x"},
        {"kind": "feedback", "description": ""},
        {"kind": "feedback", "description": "x" * 1001},
        {"kind": "feedback", "description": "x", "household_id": "abc"},
        {"kind": "feedback", "description": "x", "household_id": 999999},
        {"kind": "feedback", "description": "x", "order_id": 999999},
        {"kind": "feedback", "description": "x", "order_number": "JZ000"},
        {"kind": "feedback", "description": "x", "provider_id": 999999},
        {"kind": ["feedback"], "description": {"a": 1}},
    ],
)
def test_bad_tickets_are_422(client, actors, payload):
    client.force_login(actors["qixia_hotline"])
    body = error_shape(post(client, f"{API}/tickets", payload), 422, "validation_error")
    assert body["extra"]["fields"]
    assert not Ticket.objects.exists()


def test_a_household_of_another_district_is_422(client, actors, market):
    client.force_login(actors["jianye_manager"])
    response = post(
        client,
        f"{API}/tickets",
        {"kind": "feedback", "description": "x", "household_id": market["household"].pk},
    )
    assert "household_id" in error_shape(response, 422)["extra"]["fields"]


def test_not_json_is_refused_without_a_500(client, actors):
    client.force_login(actors["qixia_hotline"])
    response = client.post(f"{API}/tickets", "{not json", content_type="application/json")
    body = error_shape(response, 400, "http_error")
    assert body["message"] == "Cannot parse request body"
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("name", ["yaohua_caseworker", "city_admin", "provider_staff"])
def test_only_operators_and_managers_create(client, actors, name):
    client.force_login(actors[name])
    error_shape(post(client, f"{API}/tickets", {"kind": "feedback", "description": "x"}), 403)


def test_the_workflow_through_the_api(client, actors, ticket):
    client.force_login(actors["qixia_hotline"])
    base = f"{API}/tickets/{ticket.pk}"
    body = post(client, f"{base}/assign", {"assignee_id": actors["yaohua_caseworker"].pk}).json()
    assert body["status"] == "assigned" and body["assignee_id"] == actors["yaohua_caseworker"].pk
    client.force_login(actors["yaohua_caseworker"])
    assert post(client, f"{base}/handle", {"note": "已处理"}).json()["status"] == "handled"
    body = post(client, f"{base}/call-back", {"note": "回访"}).json()
    assert body["status"] == "called_back" and body["actions"] == ["close"]
    body = post(client, f"{base}/close", {"satisfaction": 3}).json()
    assert body["status"] == "closed" and body["satisfaction"] == 3 and body["closed_at"]


def test_a_step_from_the_wrong_state_is_409(client, actors, ticket):
    client.force_login(actors["qixia_hotline"])
    body = error_shape(
        post(client, f"{API}/tickets/{ticket.pk}/close", {"satisfaction": 5}), 409, "wrong_state"
    )
    assert body["extra"]["ticket_status"] == "received"
    error_shape(post(client, f"{API}/tickets/{ticket.pk}/handle", {"note": "x"}), 409)


def test_bad_workflow_input_is_422(client, actors, ticket):
    client.force_login(actors["qixia_hotline"])
    base = f"{API}/tickets/{ticket.pk}"
    error_shape(post(client, f"{base}/assign", {"assignee_id": actors["jianye_manager"].pk}), 422)
    error_shape(post(client, f"{base}/assign", {"assignee_id": "x"}), 422)
    post(client, f"{base}/assign", {"assignee_id": actors["qixia_hotline"].pk})
    error_shape(post(client, f"{base}/handle", {"note": " "}), 422)
    error_shape(post(client, f"{base}/handle", {}), 422)


def test_a_city_admin_reads_but_may_not_act(client, actors, ticket):
    client.force_login(actors["city_admin"])
    assert client.get(f"{API}/tickets/{ticket.pk}").json()["actions"] == []
    error_shape(
        post(
            client, f"{API}/tickets/{ticket.pk}/assign", {"assignee_id": actors["qixia_hotline"].pk}
        ),
        403,
        "forbidden",
    )


@pytest.mark.parametrize("name", ["jianye_manager", "maqun_caseworker", "provider_staff"])
def test_tickets_out_of_scope_are_404(client, actors, ticket, name):
    client.force_login(actors[name])
    error_shape(client.get(f"{API}/tickets/{ticket.pk}"), 404, "not_found")
    error_shape(post(client, f"{API}/tickets/{ticket.pk}/handle", {"note": "x"}), 404)
    error_shape(client.get(f"{API}/tickets/999999"), 404)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=1000", "limit"),
        ("offset=-1", "offset"),
        ("overdue=maybe", "overdue"),
        ("household=x", "household"),
        ("q=" + "x" * 100, "q"),
    ],
)
def test_bad_list_parameters_are_422_naming_the_field(client, actors, ticket, query, field):
    client.force_login(actors["qixia_hotline"])
    body = error_shape(client.get(f"{API}/tickets?{query}"), 422, "validation_error")
    assert list(body["extra"]["fields"]) == [field]


def test_an_unknown_status_filter_is_ignored(client, actors, ticket):
    client.force_login(actors["qixia_hotline"])
    body = client.get(f"{API}/tickets?status=%00").json()
    assert (body["count"], [t["id"] for t in body["items"]]) == (1, [ticket.pk])
