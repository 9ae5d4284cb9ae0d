"""/api/v1/catalog: list, filters, shape; edits only by city administrators; errors in the
project shape; bad input never 500."""

from __future__ import annotations

import json

import pytest

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW_ITEM = {
    "code": "haircut_help",
    "name": "助理发",
    "name_en": "Haircut help",
    "category": "living_care",
    "unit": "session",
    "price": "25.00",
    "sla_class": "scheduled",
    "max_per_month": 2,
    "groups": ["elderly"],
    "needs": ["personal_care"],
}


@pytest.fixture
def call(client, everyone):
    def call(who, method, path, body=None, **params):
        client.force_login(everyone[who])
        kwargs = {"content_type": "application/json"}
        if body is not None:
            kwargs["data"] = json.dumps(body)
        elif params:
            kwargs["data"] = params
        return getattr(client, method)(f"/api/v1/catalog{path}", **kwargs)

    return call


def test_the_list_has_the_documented_shape(call, catalogue):
    response = call("beneficiary", "get", "/items")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "count"}
    assert body["count"] == len(body["items"]) == ServiceItem.objects.count()
    meal = next(i for i in body["items"] if i["code"] == "meal_help")
    assert meal == {
        **meal,
        "name": "助餐",
        "name_en": "Meal help",
        "level": "basic_care",
        "level_name": "基本生活照料与支持服务",
        "category": "living_care",
        "unit": "meal",
        "price": "12.00",
        "groups": ["disability", "elderly", "serious_illness"],
        "tiers": [],
        "urgency_tags": [],
        "max_per_week": 14,
        "max_per_month": 62,
        "sla_class": "scheduled",
        "needs": ["meals"],
        "active": True,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"level": "health_rehab"}, 7),
        ({"category": "psychological"}, 4),
        ({"category": "psychological", "group": "elderly"}, 2),
        ({"level": "capability", "group": "minors"}, 3),  # only the items open to any group
        ({"tier": "near_dibao", "category": "living_support"}, 8),  # not home_repair
        ({"urgency": "watch", "category": "living_support"}, 8),  # not hardship_help
        ({"q": "康复"}, 2),
        ({"q": "rehabilitation"}, 2),
        ({"active": "false"}, 0),
        ({"level": "no_such_level"}, 0),
    ],
)
def test_filters(call, catalogue, params, expected):
    response = call("yaohua_caseworker", "get", "/items", **params)
    assert response.status_code == 200, response.content
    assert response.json()["count"] == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"group": "martians"}, "group"),
        ({"tier": "rich"}, "tier"),
        ({"urgency": "whenever"}, "urgency"),
        ({"active": "maybe"}, "active"),
        ({"q": "x" * 65}, "q"),
    ],
)
def test_bad_filters_are_422_in_the_project_shape(call, catalogue, params, field):
    response = call("city_admin", "get", "/items", **params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in body["extra"]["fields"]


def test_one_item_and_a_missing_one(call, catalogue):
    item = ServiceItem.objects.get(code="psych_intervention")
    response = call("volunteer", "get", f"/items/{item.pk}")
    assert response.status_code == 200
    assert response.json()["sla_class"] == "urgent"
    missing = call("volunteer", "get", "/items/999999")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert call("volunteer", "get", "/items/abc").status_code == 422


def test_the_needs_list(call, catalogue):
    body = call("beneficiary", "get", "/needs").json()
    assert body["count"] == 25
    assert len(body["categories"]) == 8
    first = body["categories"][0]
    assert (first["code"], first["name"]) == ("daily_living", "生活照料")
    assert first["needs"][0] == {
        **first["needs"][0],
        "code": "meals",
        "category": "daily_living",
        "groups": ["disability", "elderly", "serious_illness"],
    }


def test_the_levels_and_categories(call, catalogue):
    body = call("provider_staff", "get", "/categories").json()
    assert body["count"] == 4
    assert [level["code"] for level in body["levels"]] == [
        "basic_care",
        "mental_care",
        "health_rehab",
        "capability",
    ]
    counts = {c["code"]: c["item_count"] for level in body["levels"] for c in level["categories"]}
    assert len(counts) == 8
    assert sum(counts.values()) == 39
    assert counts["living_support"] == 9


def test_inactive_items_are_counted_only_for_administrators(call, catalogue):
    ServiceItem.objects.filter(code="bath_help").update(active=False)
    assert call("beneficiary", "get", "/items").json()["count"] == 38
    assert call("city_admin", "get", "/items").json()["count"] == 39
    assert call("city_admin", "get", "/items", active="false").json()["count"] == 1
    counts = call("beneficiary", "get", "/categories").json()["levels"][0]["categories"]
    assert counts[0]["item_count"] == 6


def test_the_api_needs_a_signed_in_caller(client, catalogue):
    response = client.get("/api/v1/catalog/items")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_city_admin_creates_and_patches_an_item(call, catalogue):
    created = call("city_admin", "post", "/items", NEW_ITEM)
    assert created.status_code == 201, created.content
    item = created.json()
    assert (item["code"], item["price"], item["needs"]) == (
        "haircut_help",
        "25.00",
        ["personal_care"],
    )
    patched = call(
        "city_admin",
        "patch",
        f"/items/{item['id']}",
        {
            "price": "30",
            "max_per_week": None,
            "tiers": ["dibao"],
            "active": False,
            "reason": "试点结束",
        },
    )
    assert patched.status_code == 200, patched.content
    body = patched.json()
    assert (body["price"], body["tiers"], body["active"]) == ("30.00", ["dibao"], False)
    assert body["max_per_month"] == 2  # untouched
    entries = AuditEntry.objects.filter(object_id=str(item["id"])).order_by("id")
    assert [e.action for e in entries] == ["create", "update", "update"]
    assert entries[2].detail == {**entries[2].detail, "active": False, "reason": "试点结束"}


@pytest.mark.parametrize(
    "who", ["beneficiary", "qixia_manager", "yaohua_caseworker", "provider_staff", "security_admin"]
)
def test_others_get_403_even_with_bad_input(call, catalogue, who):
    meal = ServiceItem.objects.get(code="meal_help")
    for method, path, body in [
        ("post", "/items", NEW_ITEM),
        ("post", "/items", {"code": "Bad", "price": "-1"}),
        ("patch", f"/items/{meal.pk}", {"price": "1"}),
        ("patch", f"/items/{meal.pk}", {"active": False}),
    ]:
        response = call(who, method, path, body)
        assert response.status_code == 403, (method, body, response.content)
        assert response.json()["code"] == "forbidden"
    meal.refresh_from_db()
    assert (meal.price, meal.active) == (12, True)


def test_validation_errors_have_the_project_shape(call, catalogue):
    response = call(
        "city_admin",
        "post",
        "/items",
        {
            **NEW_ITEM,
            "code": "Bad Code",
            "price": "-1",
            "category": "nope",
            "unit": "fortnight",
            "groups": ["martians"],
            "needs": ["nope"],
            "max_per_week": 0,
        },
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert set(body["extra"]["fields"]) == {
        "code",
        "price",
        "category",
        "unit",
        "groups",
        "needs",
        "max_per_week",
    }


def test_cross_record_problems_come_back_the_same_way(call, catalogue):
    duplicate = call("city_admin", "post", "/items", {**NEW_ITEM, "code": "meal_help"})
    assert duplicate.status_code == 422
    assert list(duplicate.json()["extra"]["fields"]) == ["code"]
    meal = ServiceItem.objects.get(code="meal_help")
    limits = call("city_admin", "patch", f"/items/{meal.pk}", {"max_per_week": 100})
    assert limits.status_code == 422
    assert list(limits.json()["extra"]["fields"]) == ["max_per_week"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"code": None},  # the code is not patchable
        {"price": "lots"},
        {"price": "1e9999"},
        {"groups": "elderly"},
        {"needs": [1, 2]},
        {"max_per_week": "many"},
        {"max_per_month": 10**12},
        {"name": "x" * 500},
        {"position": -1},
    ],
)
def test_bad_input_is_422_never_500(call, catalogue, body):
    meal = ServiceItem.objects.get(code="meal_help")
    created = call("city_admin", "post", "/items", {**NEW_ITEM, **body} if body else body)
    assert created.status_code == 422, created.content
    patched = call("city_admin", "patch", f"/items/{meal.pk}", body)
    assert patched.status_code in (200, 422), patched.content
    assert patched.status_code == 422 or body == {}
    assert created.json()["code"] == "validation_error"


def test_malformed_json_is_not_a_500(client, actors, catalogue):
    client.force_login(actors["city_admin"])
    response = client.post(
        "/api/v1/catalog/items", data="{not json", content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert "code" in response.json()


def test_the_openapi_document_describes_the_bodies(client, actors):
    client.force_login(actors["city_admin"])
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    post = response.json()["paths"]["/api/v1/catalog/items"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert {"code", "name", "category", "price"} <= set(schema["required"])
