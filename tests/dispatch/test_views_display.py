"""Wall-screen display links: made by the district manager, shown once, stored as a digest,
working without a session, showing no personal data, and dead at the next poll once revoked."""

import datetime as dt
import hashlib
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from jiuzhu.core.errors import Conflict, PermissionDenied
from jiuzhu.dispatch.models import DisplayToken, OrderSla
from jiuzhu.dispatch.services.display import (
    display_token_create,
    display_token_resolve,
    display_token_revoke,
)
from jiuzhu.dispatch.services.sla import order_sla_fix
from jiuzhu.orders.models import Order
from jiuzhu.orders.services.orders import order_accept, order_create

pytestmark = pytest.mark.django_db

POLL = {"HTTP_HX_REQUEST": "true", "HTTP_X_JIUZHU_POLL": "1"}
DISPLAYS = "/dispatch/displays/"


@pytest.fixture
def busy(market):
    """A late waiting order and an accepted one in Yaohua."""
    orders = []
    for hours in (30, 2):
        order = order_create(
            actor=market["beneficiary"], household=market["household"], item=market["meal"]
        )
        Order.objects.filter(pk=order.pk).update(
            created_at=timezone.now() - dt.timedelta(hours=hours)
        )
        order = Order.objects.select_related("household", "item").get(pk=order.pk)
        OrderSla.objects.filter(order=order).delete()
        order_sla_fix(order=order)
        orders.append(order)
    order_accept(actor=market["staff_a"], order=orders[1])
    return orders


def _link(page: str) -> str:
    match = re.search(r'value="(http://testserver/dispatch/display/[^"/]+/)"', page)
    assert match, "the new link is shown"
    return match.group(1).removeprefix("http://testserver")


def test_a_manager_makes_a_link_that_is_shown_once(client, actors):
    client.force_login(actors["qixia_manager"])
    response = client.post(DISPLAYS, {"name": "调度中心大屏"})
    assert response.status_code == 302
    page = client.get(DISPLAYS).content.decode()
    link = _link(page)
    secret = link.split("/")[-2]
    token = DisplayToken.objects.get()
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in token.digest and token.name == "调度中心大屏"
    again = client.get(DISPLAYS).content.decode()
    assert secret not in again and "调度中心大屏" in again


def test_the_display_works_without_a_session_and_shows_no_personal_data(
    client, actors, market, busy
):
    _token, secret = display_token_create(actor=actors["qixia_manager"], name="大屏")
    response = client.get(f"/dispatch/display/{secret}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert busy[0].number in page  # order numbers are shown …
    assert "尧化街道" in page  # … with streets and providers (in the chart's data)
    assert json.dumps("服务机构甲")[1:-1] in page
    household = market["household"]
    for private in ("张三", household.address, household.phone, "13912340000", "尧化门社区"):
        assert private not in page, private
    assert f"/orders/{busy[0].pk}/" not in page and "/households/" not in page
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    poll = client.get(f"/dispatch/display/{secret}/", **POLL)
    assert poll.status_code == 200 and "<html" not in poll.content.decode()


def test_a_revoked_link_is_404_at_the_next_poll(client, actors):
    token, secret = display_token_create(actor=actors["qixia_manager"], name="大屏")
    url = f"/dispatch/display/{secret}/"
    assert client.get(url, **POLL).status_code == 200
    client.force_login(actors["qixia_manager"])
    assert client.post(reverse("dispatch:display_revoke", args=[token.pk])).status_code == 302
    client.logout()
    poll = client.get(url, **POLL)
    assert poll.status_code == 404
    assert "no longer works" in poll.content.decode()
    assert client.get(url).status_code == 404
    assert display_token_resolve(secret) is None


@pytest.mark.parametrize("secret", ["x", "A" * 43, "A" * 500, "..%2f"])
def test_unknown_links_are_404(client, secret):
    assert client.get(f"/dispatch/display/{secret}/").status_code == 404


def test_only_the_districts_manager_manages_its_links(client, actors):
    token, _secret = display_token_create(actor=actors["qixia_manager"], name="大屏")
    with pytest.raises(PermissionDenied):
        display_token_revoke(actor=actors["jianye_manager"], token=token)
    with pytest.raises(PermissionDenied):
        display_token_create(actor=actors["yaohua_caseworker"], name="x")
    client.force_login(actors["jianye_manager"])
    assert client.post(reverse("dispatch:display_revoke", args=[token.pk])).status_code == 404
    assert DISPLAYS and "大屏" not in client.get(DISPLAYS).content.decode()
    for name in ("yaohua_caseworker", "city_admin", "qixia_hotline"):
        client.force_login(actors[name])
        assert client.get(DISPLAYS).status_code == 403, name


def test_revoking_twice_is_a_conflict(actors):
    token, _secret = display_token_create(actor=actors["qixia_manager"], name="大屏")
    display_token_revoke(actor=actors["qixia_manager"], token=token)
    with pytest.raises(Conflict):
        display_token_revoke(actor=actors["qixia_manager"], token=token)


def test_a_nameless_link_is_refused(client, actors):
    client.force_login(actors["qixia_manager"])
    response = client.post(DISPLAYS, {"name": "   "})
    assert response.status_code == 200
    assert not DisplayToken.objects.exists()
