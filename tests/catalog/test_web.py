"""Catalogue pages: everyone signed in browses; only city administrators edit."""

from __future__ import annotations

import pytest

from jiuzhu.catalog.models import Need, NeedCategory, ServiceItem
from jiuzhu.core.models import AuditEntry

pytestmark = pytest.mark.django_db

NOT_CITY_ADMINS = [
    "beneficiary",
    "qixia_manager",
    "yaohua_caseworker",
    "yaohua_a_worker",
    "qixia_hotline",
    "assessor",
    "provider_staff",
    "volunteer",
    "department",
    "security_admin",
    "audit_admin",
]


@pytest.fixture
def admin_client(client, actors):
    client.force_login(actors["city_admin"])
    return client


def item(code="meal_help"):
    return ServiceItem.objects.get(code=code)


ITEM_POST = {
    "code": "haircut_help",
    "name": "助理发",
    "name_en": "Haircut help",
    "category": "living_care",
    "description": "上门理发。",
    "unit": "session",
    "price": "25",
    "sla_class": "scheduled",
    "max_per_week": "",
    "max_per_month": "2",
    "groups": ["elderly", "disability"],
    "needs": ["personal_care"],
    "position": "",
    "active": "on",
}


def test_anonymous_visitors_are_sent_to_sign_in(client, catalogue):
    response = client.get("/catalog/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("who", ["city_admin", *NOT_CITY_ADMINS])
def test_everyone_signed_in_browses_the_list_and_an_item(client, everyone, catalogue, who):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"  # item names in Chinese
    client.force_login(everyone[who])
    listing = client.get("/catalog/")
    assert listing.status_code == 200
    assert "助餐" in listing.content.decode()
    detail = client.get(f"/catalog/items/{item().pk}/")
    assert detail.status_code == 200
    assert "meal_help" in detail.content.decode()
    needs = client.get("/catalog/needs/")
    assert needs.status_code == 200 and "助餐配餐" in needs.content.decode()
    editor_link = "/catalog/items/new/"
    assert (editor_link in listing.content.decode()) is (who == "city_admin")


@pytest.mark.parametrize("who", NOT_CITY_ADMINS)
def test_others_get_403_on_every_edit_page_and_change_nothing(client, everyone, catalogue, who):
    actors = everyone
    client.force_login(actors[who])
    meal = item()
    need = Need.objects.get(code="meals")
    category = NeedCategory.objects.get(code="daily_living")
    gets = [
        "/catalog/items/new/",
        f"/catalog/items/{meal.pk}/edit/",
        "/catalog/needs/new/",
        f"/catalog/needs/{need.pk}/edit/",
        "/catalog/needs/categories/new/",
        f"/catalog/needs/categories/{category.pk}/edit/",
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
    posts = [
        ("/catalog/items/new/", ITEM_POST),
        (f"/catalog/items/{meal.pk}/edit/", {**ITEM_POST, "price": "1"}),
        (f"/catalog/items/{meal.pk}/active/", {"active": "0"}),
        (f"/catalog/needs/{need.pk}/active/", {"active": "0"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    meal.refresh_from_db()
    need.refresh_from_db()
    assert (meal.price, meal.active, need.active) == (12, True, True)
    assert not ServiceItem.objects.filter(code="haircut_help").exists()
    assert AuditEntry.objects.filter(actor=actors[who], result="denied").count() == len(gets) + 4


def test_filters_by_level_category_group_and_search(admin_client, catalogue):
    def names(query):
        response = admin_client.get("/catalog/", query)
        assert response.status_code == 200
        return {i.name for i in response.context["page_obj"].object_list}

    assert names({"level": "mental_care"}) == {
        "心理咨询",
        "心理辅导",
        "心理干预",
        "情绪疏导",
        "未成年人成长陪伴",
        "探访关爱",
        "社会融入小组",
        "课后托管",
    }
    assert names({"category": "employment_services", "q": "就业"}) == {
        "就业咨询",
        "就业培训",
        "就业介绍",
        "残疾人直播创就业",
    }
    by_group = names({"group": "minors", "level": "capability"})
    assert "就业咨询" not in by_group and "政策解读" in by_group
    assert names({"q": "Meal"}) == {"助餐"}


def test_bad_filter_values_are_ignored_not_errors(admin_client, catalogue):
    response = admin_client.get(
        "/catalog/", {"level": "nope", "group": "martians", "active": "maybe", "page": "x"}
    )
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == ServiceItem.objects.count()


def test_an_htmx_request_gets_only_the_results(admin_client, catalogue):
    response = admin_client.get("/catalog/", {"q": "助浴"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="item-results"')
    assert "<html" not in body


def test_deactivated_items_are_hidden_from_everyone_but_administrators(
    admin_client, client, actors, catalogue
):
    bath = item("bath_help")
    response = admin_client.post(f"/catalog/items/{bath.pk}/active/", {"active": "0"})
    assert response.status_code == 302
    bath.refresh_from_db()
    assert bath.active is False
    inactive = admin_client.get("/catalog/", {"active": "0"}).context["page_obj"].object_list
    assert [i.code for i in inactive] == ["bath_help"]
    client.force_login(actors["yaohua_caseworker"])
    assert client.get(f"/catalog/items/{bath.pk}/").status_code == 404
    assert "助浴" not in client.get("/catalog/").content.decode()


def test_an_administrator_adds_an_item_through_the_form(admin_client, catalogue):
    response = admin_client.post("/catalog/items/new/", ITEM_POST)
    assert response.status_code == 302, response.context["form"].errors
    created = item("haircut_help")
    assert response["Location"] == f"/catalog/items/{created.pk}/"
    assert created.groups == "|disability|elderly|"
    assert created.max_per_month == 2 and created.max_per_week is None
    assert AuditEntry.objects.filter(object_id=str(created.pk), action="create").exists()


def test_the_form_shows_field_errors(admin_client, catalogue):
    bad = {
        **ITEM_POST,
        "code": "meal_help",
        "price": "-3",
        "max_per_week": "5",
        "max_per_month": "2",
        "category": "nope",
    }
    response = admin_client.post("/catalog/items/new/", bad)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"price", "max_per_week", "category"} <= set(errors)
    fixed = {**bad, "price": "3", "max_per_week": "1", "category": "living_care"}
    response = admin_client.post("/catalog/items/new/", fixed)
    assert response.status_code == 200
    assert "code" in response.context["form"].errors  # the duplicate, found by the service


def test_an_administrator_edits_an_item(admin_client, catalogue):
    meal = item()
    form = admin_client.get(f"/catalog/items/{meal.pk}/edit/").context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        price="13.50",
        category="living_care",
        needs=["meals"],
        active="on",
        groups=["elderly", "disability", "serious_illness"],
    )
    response = admin_client.post(f"/catalog/items/{meal.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    meal.refresh_from_db()
    assert str(meal.price) == "13.50" and meal.code == "meal_help"
    entry = AuditEntry.objects.get(object_id=str(meal.pk), action="update")
    assert entry.detail["fields"] == ["price"]


def test_an_administrator_edits_the_needs_list(admin_client, catalogue):
    category = NeedCategory.objects.get(code="social")
    response = admin_client.post(
        "/catalog/needs/new/",
        {
            "code": "digital_skills",
            "name": "数字技能",
            "name_en": "Digital skills",
            "category": "social",
            "groups": ["elderly"],
            "active": "on",
        },
    )
    assert response.status_code == 302
    need = Need.objects.get(code="digital_skills")
    assert need.category == category
    response = admin_client.post(
        f"/catalog/needs/{need.pk}/edit/",
        {"name": "数字技能提升", "category": "social", "groups": [], "active": "on"},
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert (need.name, need.groups) == ("数字技能提升", "")
    assert (
        admin_client.post(f"/catalog/needs/{need.pk}/active/", {"active": "0"}).status_code == 302
    )
    need.refresh_from_db()
    assert need.active is False
    assert (
        AuditEntry.objects.filter(object_type="catalog.need", object_id=str(need.pk)).count() == 3
    )


def test_missing_things_are_404(admin_client, catalogue):
    assert admin_client.get("/catalog/items/999999/").status_code == 404
    assert admin_client.get("/catalog/needs/999999/edit/").status_code == 404
    assert admin_client.get(f"/catalog/items/{item().pk}/active/").status_code == 405
