"""The live board page: who sees it, the polled fragment keeps its filter, "dispatch now", and
polling that does not keep a session alive."""

import datetime as dt
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from jiuzhu.core.models import AuditEntry
from jiuzhu.dispatch.models import DispatchRun, OrderSla
from jiuzhu.dispatch.services.sla import order_sla_fix
from jiuzhu.orders.models import Order
from jiuzhu.orders.services.orders import order_create

pytestmark = pytest.mark.django_db

BOARD = "/dispatch/board/"
POLL = {"HTTP_HX_REQUEST": "true", "HTTP_X_JIUZHU_POLL": "1"}
MIDDLEWARE = "jiuzhu.core.middleware.PollIsNotActivityMiddleware"


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


@pytest.mark.parametrize("name", ["qixia_manager", "yaohua_caseworker", "city_admin"])
def test_managers_and_caseworkers_see_the_board(client, actors, late_order, name):
    client.force_login(actors[name])
    page = client.get(BOARD).content.decode()
    assert "Dispatch board" in page
    assert f'href="/dispatch/orders/{late_order.pk}/"' in page  # drill down to the order
    assert 'hx-trigger="every 15s"' in page and '"X-Jiuzhu-Poll": "1"' in page


@pytest.mark.parametrize(
    "name", ["qixia_hotline", "provider_staff", "volunteer", "assessor", "security_admin"]
)
def test_other_roles_are_refused(client, actors, name):
    client.force_login(actors[name])
    assert client.get(BOARD).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(BOARD)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_polled_fragment_keeps_the_street_filter(client, actors, areas, late_order):
    client.force_login(actors["qixia_manager"])
    street = areas["yaohua"].pk
    page = client.get(f"{BOARD}?street={street}").content.decode()
    assert f'hx-get="/dispatch/board/?street={street}"' in page
    fragment = client.get(f"{BOARD}?street={street}", **POLL)
    text = fragment.content.decode()
    assert fragment.status_code == 200
    assert text.lstrip().startswith('<section id="board"') and "<html" not in text
    assert f'hx-get="/dispatch/board/?street={street}"' in text
    assert late_order.number in text


def test_a_foreign_or_bad_street_is_ignored(client, actors, areas):
    client.force_login(actors["qixia_manager"])
    for value in (areas["shazhou"].pk, "abc", "-1", "9" * 30):
        response = client.get(f"{BOARD}?street={value}")
        assert response.status_code == 200
        assert 'hx-get="/dispatch/board/"' in response.content.decode()


def test_a_caseworker_has_no_street_filter(client, actors):
    client.force_login(actors["yaohua_caseworker"])
    page = client.get(BOARD).content.decode()
    assert 'name="street"' not in page


def test_a_signed_out_poll_gets_401_and_a_notice(client):
    response = client.get(BOARD, **POLL)
    assert response.status_code == 401
    assert "Signed out" in response.content.decode()
    assert "Sign in again" in response.content.decode()


def test_dispatch_now_runs_the_cycle(client, actors, areas):
    client.force_login(actors["qixia_manager"])
    response = client.post(reverse("dispatch:dispatch_now"), {"street": areas["yaohua"].pk})
    assert response.status_code == 302
    assert response["Location"] == f"{BOARD}?street={areas['yaohua'].pk}"
    assert DispatchRun.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="dispatch.run").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Dispatch run finished" in page


def test_only_managers_dispatch_now(client, actors):
    client.force_login(actors["yaohua_caseworker"])
    assert client.post(reverse("dispatch:dispatch_now")).status_code == 403
    client.force_login(actors["qixia_manager"])
    assert client.get(reverse("dispatch:dispatch_now")).status_code == 405
    assert not DispatchRun.objects.exists()


# ---------------------------------------------------------------- idle timeout vs polling


@pytest.fixture
def poll_middleware(settings):
    if MIDDLEWARE not in settings.MIDDLEWARE:
        stack = list(settings.MIDDLEWARE)
        stack.insert(
            stack.index("django.contrib.sessions.middleware.SessionMiddleware") + 1, MIDDLEWARE
        )
        settings.MIDDLEWARE = stack


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def _set_expiry(client, when):
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=when)


def test_an_ordinary_request_extends_the_session(client, actors, poll_middleware):
    client.force_login(actors["qixia_manager"])
    soon = timezone.now() + dt.timedelta(minutes=1)
    _set_expiry(client, soon)
    response = client.get(BOARD)
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME in response.cookies
    assert _expiry(client) > soon + dt.timedelta(minutes=20)


def test_polls_do_not_extend_the_session(client, actors, poll_middleware):
    client.force_login(actors["qixia_manager"])
    soon = timezone.now() + dt.timedelta(minutes=1)
    _set_expiry(client, soon)
    for _ in range(3):
        response = client.get(BOARD, **POLL)
        assert response.status_code == 200
        assert settings.SESSION_COOKIE_NAME not in response.cookies  # no fresh cookie expiry
    assert _expiry(client) == soon


def test_the_session_expires_with_only_polls(client, actors, poll_middleware, settings):
    """Idle time with the board polling: the session runs out and the poll says so (here the
    idle limit is 3 seconds instead of 30 minutes)."""
    settings.SESSION_COOKIE_AGE = 3
    client.force_login(actors["qixia_manager"])
    started = time.monotonic()
    for _ in range(3):
        assert client.get(BOARD, **POLL).status_code == 200
        time.sleep(0.6)
    assert time.monotonic() - started < 3
    time.sleep(max(0.0, 3.3 - (time.monotonic() - started)))
    response = client.get(BOARD, **POLL)
    assert response.status_code == 401
    assert "Signed out" in response.content.decode()


def test_the_expired_session_without_polls_would_have_lived(client, actors, settings):
    """The same requests without the poll header keep the session alive."""
    settings.SESSION_COOKIE_AGE = 3
    client.force_login(actors["qixia_manager"])
    for _ in range(3):
        assert client.get(BOARD, HTTP_HX_REQUEST="true").status_code == 200
        time.sleep(1.2)
    assert client.get(BOARD, HTTP_HX_REQUEST="true").status_code == 200


def test_a_poll_header_on_a_post_is_not_a_poll(client, actors, poll_middleware):
    client.force_login(actors["qixia_manager"])
    soon = timezone.now() + dt.timedelta(minutes=1)
    _set_expiry(client, soon)
    client.post(reverse("dispatch:dispatch_now"), HTTP_X_JIUZHU_POLL="1")
    assert _expiry(client) > soon


def test_the_board_lists_the_most_overdue_orders_of_more_than_it_shows(client, actors, place):
    """15 overdue orders, 12 rows shown: the 12 most late, most late first."""
    now = timezone.now()
    orders = []
    for _ in range(15):
        orders.append(place())
        # Placed in an earlier week, so the item's weekly limit leaves room for the next.
        Order.objects.filter(pk=orders[-1].pk).update(created_at=now - dt.timedelta(days=20))
    # Accept-by deadlines 1 to 15 hours ago, in an order unrelated to the ids.
    hours = [7, 2, 12, 5, 15, 1, 9, 14, 3, 11, 6, 13, 4, 10, 8]
    for order, late in zip(orders, hours, strict=True):
        OrderSla.objects.filter(order=order).update(accept_by=now - dt.timedelta(hours=late))
    client.force_login(actors["qixia_manager"])
    page = client.get(BOARD).content.decode()
    ranked = sorted(zip(orders, hours, strict=True), key=lambda pair: -pair[1])
    by_lateness = [order.number for order, _ in ranked]
    shown = [number for number in by_lateness if number in page]
    assert shown == by_lateness[:12]  # the three least late (1, 2, 3 hours) are not listed
    positions = [page.index(number) for number in shown]
    assert positions == sorted(positions)
