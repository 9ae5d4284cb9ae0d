import json

import pytest

from assets import external_assets
from factories import identity_number, years_ago
from factories_registry import add_member, make_household
from jiuzhu.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, caseworker):
    client.force_login(caseworker)

    def call(method, path, body=None, **extra):
        return getattr(client, method)(
            f"/api/v1{path}",
            data=json.dumps(body) if body is not None else None,
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
            **extra,
        )

    return call


def test_create_household_then_add_members(api, areas):
    created = api(
        "post",
        "/households",
        {
            "community_id": areas["yaohua_a"].pk,
            "address": "尧化街道1号",
            "tier": "dibao",
            "monthly_income": "980.50",
        },
    )
    assert created.status_code == 201, created.content
    household = created.json()
    assert (household["street"], household["district"]) == ("尧化街道", "栖霞区")
    number = identity_number(years_ago(72), sex="M")
    added = api(
        "post",
        f"/households/{household['id']}/members",
        {
            "name": "王大爷",
            "id_number": number,
            "relation": "head",
            "employment": "retired",
            "mobile": "13912345678",
        },
    )
    assert added.status_code == 201, added.content
    member = added.json()
    assert member["id_number_masked"] == "*" * 14 + number[-4:]
    assert number not in added.content.decode()
    assert (member["sex"], member["age"] >= 71) == ("M", True)
    again = api("get", f"/households/{household['id']}").json()
    assert again["groups"] == ["elderly"]
    assert again["head_name"] == "王大爷"


def test_validation_errors_have_the_project_shape(api, areas):
    response = api(
        "post",
        "/households",
        {
            "community_id": areas["yaohua_a"].pk,
            "address": "",
            "tier": "nonsense",
            "monthly_income": "-5",
        },
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert set(body["extra"]["fields"]) == {"address", "tier", "monthly_income"}


def test_schema_errors_use_the_same_shape(api):
    response = api("post", "/households", {"address": "x"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert "community_id" in body["extra"]["fields"]


def test_a_wrong_identity_number_is_a_field_error(api, areas, caseworker):
    household = make_household(actor=caseworker, community=areas["yaohua_a"])
    number = identity_number()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    response = api(
        "post",
        f"/households/{household.pk}/members",
        {"name": "张三", "id_number": wrong, "relation": "head", "employment": "employed"},
    )
    assert response.status_code == 422
    assert "check character" in response.json()["extra"]["fields"]["id_number"][0]


REQUIRED = {"community_id", "address", "tier", "monthly_income"}


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "names"),
    [
        ("get", "/households?limit=abc", None, 422, {"limit"}),
        ("get", "/households?limit=100000", None, 422, {"limit"}),
        ("get", "/households?district=xyz", None, 422, {"district"}),
        ("get", "/households/99999999999999999999999", None, 404, "household"),
        ("get", "/households/abc", None, 422, {"household_id"}),
        ("post", "/households", "not json", 422, REQUIRED),
        ("post", "/households", [1, 2], 422, REQUIRED),
        ("patch", "/members/1", {"disability_grade": "seven"}, 422, {"disability_grade"}),
        ("post", "/members/1/leave", {"occurred_on": "2026-13-45"}, 422, {"occurred_on"}),
    ],
)
def test_bad_input_is_refused_naming_what_is_wrong(api, method, path, body, status, names):
    response = api(method, path, body)
    assert response.status_code == status, response.content[:300]
    error = response.json()
    assert set(error) == {"code", "message", "extra"}
    if status == 422:
        assert error["code"] == "validation_error"
        assert names <= set(error["extra"]["fields"])
    else:
        assert (error["code"], error["extra"]["object"]) == ("not_found", names)


def test_an_unknown_sort_is_ignored(api):
    response = api("get", "/households?sort=;drop", None)
    assert response.status_code == 200
    assert set(response.json()) == {"count", "items"}


def test_patch_member_records_an_employment_change(api, areas, caseworker):
    household = make_household(actor=caseworker, community=areas["yaohua_a"])
    member = add_member(actor=caseworker, household=household, age=35)
    response = api(
        "patch", f"/members/{member.pk}", {"employment": "unemployed", "reason": "工厂倒闭"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["employment"] == "unemployed"
    changes = api("get", f"/households/{household.pk}/changes").json()
    assert changes[0]["kind"] == "employment"
    assert changes[0]["reason"] == "工厂倒闭"


def test_reveal_returns_the_number_and_is_audited(api, areas, caseworker):
    household = make_household(actor=caseworker, community=areas["yaohua_a"])
    number = identity_number()
    member = add_member(actor=caseworker, household=household, id_number=number)
    response = api("post", f"/members/{member.pk}/reveal")
    # The birth date only with the reveal (issue 16 item 1): member answers carry the year.
    assert response.json() == {
        "id_number": number,
        "birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
    }
    assert AuditEntry.objects.filter(action="reveal", object_id=str(member.pk)).count() == 1


def test_hotline_may_read_but_not_write_or_reveal(client, actors, areas, caseworker):
    household = make_household(actor=caseworker, community=areas["yaohua_a"])
    member = add_member(actor=caseworker, household=household)
    client.force_login(actors["qixia_hotline"])
    assert client.get(f"/api/v1/households/{household.pk}").status_code == 200
    assert client.post(f"/api/v1/members/{member.pk}/reveal").status_code == 403
    response = client.patch(
        f"/api/v1/households/{household.pk}",
        data=json.dumps({"address": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_member_leave_through_the_api(api, areas, caseworker):
    household = make_household(actor=caseworker, community=areas["yaohua_a"])
    member = add_member(actor=caseworker, household=household)
    response = api(
        "post",
        f"/members/{member.pk}/leave",
        {"died": True, "occurred_on": "2026-11-01", "reason": "病故"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False


def test_list_filters_and_search(api, areas, caseworker):
    a = make_household(actor=caseworker, community=areas["yaohua_a"], tier="tekun")
    b = make_household(actor=caseworker, community=areas["yaohua_b"])
    number = identity_number()
    add_member(actor=caseworker, household=a, name="赵明", id_number=number)
    add_member(actor=caseworker, household=b, name="钱亮", age=70)

    def ids(query):
        return [item["id"] for item in api("get", f"/households?{query}").json()["items"]]

    assert ids("tier=tekun") == [a.pk]
    assert ids(f"community={areas['yaohua_b'].pk}") == [b.pk]
    assert ids("group=elderly") == [b.pk]
    assert ids("q=赵明") == [a.pk]
    assert ids(f"q={number[-4:]}") == [a.pk]
    assert ids("sort=id") == [a.pk, b.pk]


def test_openapi_and_docs_are_served(client, caseworker):
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "jiuzhu API"
    client.force_login(caseworker)
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert external_assets(docs.content.decode()) == []
