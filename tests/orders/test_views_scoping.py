"""Every cloud supermarket page tried by actors in and out of scope: what they see is what the
scoping grants, anything else is a 404 (cannot see) or a 403 (may see, may not do)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from factories import UserFactory
from jiuzhu.core.models import Role
from jiuzhu.orders.models import Order, OrderStatus
from jiuzhu.orders.services.orders import order_accept, order_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(market):
    return order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )


def status_for(client, user, url, method="get", data=None):
    client.force_login(user)
    response = getattr(client, method)(url, data or {})
    client.logout()
    return response.status_code


def cast(market, actors):
    return {
        **actors,
        "beneficiary": market["beneficiary"],
        "staff_b": market["staff_b"],
        "staff_c": market["staff_c"],
    }


ORDER_PAGE = {
    "beneficiary": 200,
    "yaohua_a_worker": 200,
    "yaohua_b_worker": 404,
    "yaohua_caseworker": 200,
    "maqun_caseworker": 404,
    "qixia_manager": 200,
    "jianye_manager": 404,
    "city_admin": 200,
    "qixia_hotline": 200,
    "provider_staff": 200,  # waiting, in its area, for an item it offers
    "staff_b": 200,
    "staff_c": 404,  # serves Maqun only
    "volunteer": 404,
    "assessor": 404,
    "department": 404,
    "security_admin": 404,
    "audit_admin": 404,
}


@pytest.mark.parametrize(("who", "expected"), ORDER_PAGE.items())
def test_the_order_page_is_seen_only_in_scope(client, market, actors, order, who, expected):
    url = reverse("orders:order_detail", args=[order.pk])
    assert status_for(client, cast(market, actors)[who], url) == expected


def test_an_accepted_order_leaves_the_other_providers_view(client, market, order):
    order_accept(actor=market["staff_a"], order=order)
    url = reverse("orders:order_detail", args=[order.pk])
    assert status_for(client, market["staff_a"], url) == 200
    assert status_for(client, market["staff_b"], url) == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, market, order):
    for url in (
        reverse("orders:order_detail", args=[order.pk]),
        reverse("orders:market"),
        reverse("orders:order_list"),
        reverse("orders:inbox"),
        reverse("orders:provider_list"),
        reverse("core:notifications"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


MARKET_FOR_HOUSEHOLD = {
    "yaohua_a_worker": 200,
    "yaohua_caseworker": 200,
    "qixia_hotline": 200,
    "yaohua_b_worker": 404,
    "maqun_caseworker": 404,
    "jianye_manager": 404,
    "qixia_manager": 403,  # sees the household, does not place orders
    "city_admin": 403,
    "provider_staff": 404,
    "volunteer": 404,
    "assessor": 404,
}


@pytest.mark.parametrize(("who", "expected"), MARKET_FOR_HOUSEHOLD.items())
def test_ordering_for_a_household_needs_an_ordering_role_in_scope(
    client, market, actors, who, expected
):
    household = market["household"]
    user = actors[who]
    assert status_for(client, user, reverse("orders:household_market", args=[household.pk])) == (
        expected
    )
    url = reverse("orders:household_item_order", args=[household.pk, market["meal"].pk])
    assert status_for(client, user, url) == expected
    placed = status_for(client, user, url, "post", {"quantity": "1", "token": "x"})
    assert placed == (302 if expected == 200 else expected)
    assert Order.objects.exists() is (expected == 200)


def test_the_own_supermarket_is_for_beneficiaries(client, market, actors):
    url = reverse("orders:market")
    assert status_for(client, market["beneficiary"], url) == 200
    # Staff are refused the household's own page (they open a household's supermarket).
    assert status_for(client, actors["yaohua_a_worker"], url) == 403
    assert status_for(client, actors["provider_staff"], url) == 403
    orphan = UserFactory(username="orphan", role=Role.BENEFICIARY)
    assert status_for(client, orphan, url) == 404


def test_an_unknown_or_inactive_item_is_handled(client, market):
    client.force_login(market["beneficiary"])
    assert client.get(reverse("orders:item_order", args=[999999])).status_code == 404
    meal = market["meal"]
    meal.active = False
    meal.save()
    # The catalogue hides inactive items from households.
    assert client.get(reverse("orders:item_order", args=[meal.pk])).status_code == 404
    assert "Meal help" not in client.get(reverse("orders:market")).content.decode()


BOX = {
    "yaohua_a_worker": (200, True),
    "yaohua_caseworker": (200, True),
    "qixia_hotline": (200, True),
    "qixia_manager": (200, False),
    "yaohua_b_worker": (404, False),
    "jianye_manager": (404, False),
    "provider_staff": (404, False),
    "assessor": (404, False),
}


@pytest.mark.parametrize(("who", "expected"), BOX.items())
def test_the_household_box_lists_orders_and_offers_ordering_to_ordering_roles(
    client, market, actors, order, who, expected
):
    status, offers = expected
    client.force_login(actors[who])
    response = client.get(reverse("orders:household_box", args=[market["household"].pk]))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert order.item.name_en in page
        assert ("Place an order" in page) is offers


def test_the_household_page_carries_the_orders_box(client, market, actors):
    client.force_login(actors["yaohua_a_worker"])
    page = client.get(reverse("registry:household_detail", args=[market["household"].pk]))
    assert reverse("orders:household_box", args=[market["household"].pk]) in page.content.decode()


def test_the_staff_list_is_for_area_roles_and_others_go_to_their_own(client, market, actors):
    url = reverse("orders:order_list")
    for who in (
        "yaohua_a_worker",
        "yaohua_caseworker",
        "qixia_manager",
        "city_admin",
        "qixia_hotline",
    ):
        assert status_for(client, actors[who], url) == 200, who
    client.force_login(market["beneficiary"])
    assert client.get(url)["Location"] == reverse("orders:my_orders")
    client.force_login(actors["provider_staff"])
    assert client.get(url)["Location"] == reverse("orders:my_orders")
    client.force_login(actors["volunteer"])
    assert client.get(url)["Location"] == reverse("orders:tasks")
    for who in ("assessor", "department", "security_admin", "audit_admin"):
        assert status_for(client, actors[who], url) == 403, who


def test_the_staff_list_shows_only_orders_in_scope(client, market, actors, order):
    client.force_login(actors["yaohua_a_worker"])
    assert order.number in client.get(reverse("orders:order_list")).content.decode()
    client.force_login(actors["yaohua_b_worker"])
    assert order.number not in client.get(reverse("orders:order_list")).content.decode()
    client.force_login(actors["jianye_manager"])
    assert order.number not in client.get(reverse("orders:order_list")).content.decode()


def test_inbox_my_orders_and_tasks_are_for_their_roles(client, market, actors):
    inbox, tasks, mine = (
        reverse("orders:inbox"),
        reverse("orders:tasks"),
        reverse("orders:my_orders"),
    )
    assert status_for(client, market["staff_a"], inbox) == 200
    assert status_for(client, market["staff_a"], mine) == 200
    assert status_for(client, market["staff_a"], tasks) == 200
    assert status_for(client, actors["volunteer"], tasks) == 200
    assert status_for(client, market["beneficiary"], mine) == 200
    for who in ("beneficiary", "yaohua_a_worker", "volunteer"):
        assert status_for(client, cast(market, actors)[who], inbox) == 403, who
    for who in ("beneficiary", "qixia_manager"):
        assert status_for(client, cast(market, actors)[who], tasks) == 403, who
    assert status_for(client, actors["qixia_manager"], mine) == 302
    unlinked = UserFactory(username="unlinked", role=Role.PROVIDER_STAFF)
    assert status_for(client, unlinked, inbox) == 200
    assert status_for(client, unlinked, mine) == 403


def test_the_inbox_shows_only_what_the_provider_can_take(client, market, order):
    client.force_login(market["staff_a"])
    assert order.number in client.get(reverse("orders:inbox")).content.decode()
    client.force_login(market["staff_c"])
    assert order.number not in client.get(reverse("orders:inbox")).content.decode()


def test_actions_out_of_role_are_403_and_out_of_scope_are_404(client, market, actors, order):
    accept = reverse("orders:order_accept", args=[order.pk])
    assert status_for(client, market["beneficiary"], accept, "post") == 403
    assert status_for(client, actors["yaohua_a_worker"], accept, "post") == 403
    assert status_for(client, market["staff_c"], accept, "post") == 404
    assert status_for(client, actors["volunteer"], accept, "post") == 404
    cancel = reverse("orders:order_cancel", args=[order.pk])
    assert status_for(client, market["staff_a"], cancel, "post") == 403
    assert status_for(client, actors["yaohua_b_worker"], cancel, "post") == 404
    decline = reverse("orders:order_decline", args=[order.pk])
    assert status_for(client, market["beneficiary"], decline, "post", {"reason": ""}) == 403
    start = reverse("orders:order_start", args=[order.pk])
    assert status_for(client, actors["yaohua_caseworker"], start, "post") == 403
    rate = reverse("orders:order_rate", args=[order.pk])
    assert status_for(client, actors["qixia_manager"], rate, "post", {"score": "x"}) == 403
    complain = reverse("orders:order_complain", args=[order.pk])
    assert status_for(client, actors["qixia_manager"], complain, "post", {"text": "x"}) == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.WAITING


def test_actions_are_post_only(client, market, order):
    client.force_login(market["staff_a"])
    for name in ("order_accept", "order_decline", "order_start", "order_cancel", "order_rate"):
        assert client.get(reverse(f"orders:{name}", args=[order.pk])).status_code == 405


def test_assigning_someone_who_is_not_staff_or_a_volunteer_is_refused(
    client, market, actors, order
):
    order_accept(actor=market["staff_a"], order=order)
    client.force_login(market["staff_a"])
    url = reverse("orders:order_assign", args=[order.pk])
    for bad in (actors["qixia_manager"].pk, market["staff_b"].pk, "abc", 999999, ""):
        response = client.post(url, {"assignee": bad})
        assert response.status_code == 422, bad
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED and order.assignee is None


def test_a_volunteer_only_acts_on_their_own_tasks(client, market, actors, order):
    order_accept(actor=market["staff_a"], order=order)
    other = UserFactory(username="vol2", role=Role.VOLUNTEER)
    client.force_login(market["staff_a"])
    client.post(reverse("orders:order_assign", args=[order.pk]), {"assignee": other.pk})
    assert (
        status_for(client, actors["volunteer"], reverse("orders:order_detail", args=[order.pk]))
        == 404
    )
    client.force_login(other)
    page = client.get(reverse("orders:tasks")).content.decode()
    assert reverse("orders:order_start", args=[order.pk]) in page


def test_the_photo_is_served_only_to_those_who_see_the_order(client, market, actors, order):
    url = reverse("orders:delivery_photo", args=[order.pk])
    assert status_for(client, market["beneficiary"], url) == 404  # no delivery yet
    assert status_for(client, actors["yaohua_b_worker"], url) == 404
    assert status_for(client, actors["jianye_manager"], url) == 404


@pytest.mark.parametrize(
    "query",
    [
        "?status=bogus",
        "?item=abc",
        "?item=999999",
        "?street=abc",
        "?provider=-1",
        "?channel=<script>",
        "?sort=zzz",
        "?page=abc",
        "?page=99999",
        "?household=abc",
        "?q=" + "x" * 500,
    ],
)
def test_bad_list_filters_never_break_the_list(client, market, actors, order, query):
    client.force_login(actors["qixia_manager"])
    # A filter value that makes no sense is ignored: the order is still listed and exported.
    listed = client.get(reverse("orders:order_list") + query)
    assert listed.status_code == 200 and order.number in listed.content.decode()
    export = client.get(reverse("orders:order_export") + query)
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(market["beneficiary"])
    mine = client.get(reverse("orders:my_orders") + query)
    assert mine.status_code == 200 and order.number in mine.content.decode()
    providers = client.get(reverse("orders:provider_list") + query)
    assert providers.status_code == 200 and "服务机构乙" in providers.content.decode()


def test_the_staff_list_filters_and_sorts(client, market, actors, order):
    other = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["cleaning"]
    )
    order_accept(actor=market["staff_a"], order=other)
    client.force_login(actors["qixia_manager"])
    url = reverse("orders:order_list")
    page = client.get(url, {"status": "accepted"}).content.decode()
    assert other.number in page and order.number not in page
    page = client.get(url, {"item": market["meal"].pk}).content.decode()
    assert order.number in page and other.number not in page
    page = client.get(url, {"provider": market["provider_a"].pk}).content.decode()
    assert other.number in page and order.number not in page
    page = client.get(url, {"street": actors["yaohua_caseworker"].area_id}).content.decode()
    assert order.number in page and other.number in page
    page = client.get(url, {"sort": "old"}).content.decode()
    assert page.index(order.number) < page.index(other.number)
    fragment = client.get(url, {"q": other.number}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and other.number in fragment.content.decode()
