"""The event deliveries page: the city administrator sees what failed and why, and can retry a
delivery now (audited); nobody else sees it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import override_settings
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from jiuzhu.core import events, outbox
from jiuzhu.core.models import AuditAction, AuditEntry, DeliveryStatus, OutboxDelivery

pytestmark = pytest.mark.django_db

PAGE = "/events/"
NOTICE = events.declare("test.notice", "used by the event deliveries page tests")


@pytest.fixture
def broken_partner(settings):
    """A handler that fails until ``state['up']``; it is dead after three attempts."""
    settings.EVENTS_INLINE = False
    settings.EVENTS_MAX_ATTEMPTS = 3
    settings.EVENTS_RETRY_SECONDS = 10
    state = {"up": False, "calls": 0}

    def tell_partner(event):
        state["calls"] += 1
        if not state["up"]:
            raise ConnectionError("partner gateway refused the connection")

    def keep_count(event):
        state.setdefault("counted", 0)
        state["counted"] += 1

    events.on(NOTICE)(tell_partner)
    events.on(NOTICE)(keep_count)
    yield state
    events._registry[NOTICE].handlers.clear()


def fail_until_dead() -> OutboxDelivery:
    events.publish(NOTICE, household_id=42)
    start = timezone.now() + dt.timedelta(minutes=1)
    for offset in (0, 10, 30):
        outbox.drain(now=start + dt.timedelta(seconds=offset))
    return OutboxDelivery.objects.get(handler__endswith="tell_partner")


@pytest.mark.parametrize(
    "name", ["security_admin", "audit_admin", "qixia_manager", "provider_staff", "assessor"]
)
def test_only_the_city_admin_sees_event_deliveries(client, actors, broken_partner, name):
    dead = fail_until_dead()
    client.force_login(actors[name])
    assert client.get(PAGE).status_code == 403
    assert client.post(f"/events/{dead.pk}/retry/").status_code == 403
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == ("dead", 3)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get(PAGE).status_code == 302


def test_a_dead_delivery_is_listed_with_its_attempts_and_error(client, actors, broken_partner):
    dead = fail_until_dead()
    assert (dead.status, dead.attempts) == (DeliveryStatus.DEAD, 3)
    client.force_login(actors["city_admin"])
    page = client.get(PAGE).content.decode()
    assert "test.notice" in page and f"#{dead.event_id}" in page
    assert escape(dead.handler) in page
    assert "ConnectionError: partner gateway refused the connection" in page
    assert "Retry now" in page
    # The other handler of the event succeeded the first time and is not listed.
    assert "keep_count" not in page
    assert broken_partner["counted"] == 1


def test_the_city_admin_finds_the_page_in_the_menu(client, actors):
    client.force_login(actors["city_admin"])
    assert 'href="/events/"' in client.get(PAGE).content.decode()  # the navigation bar
    client.force_login(actors["qixia_manager"])
    assert 'href="/events/"' not in client.get("/dispatch/board/").content.decode()


def test_retry_now_delivers_and_is_audited(client, actors, broken_partner, settings):
    dead = fail_until_dead()
    broken_partner["up"] = True
    settings.EVENTS_INLINE = True
    client.force_login(actors["city_admin"])
    response = client.post(f"/events/{dead.pk}/retry/", {"next": "/events/?view=dead"})
    assert response.status_code == 302 and response["Location"] == "/events/?view=dead"
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == (DeliveryStatus.DONE, 4)
    entry = AuditEntry.objects.get(object_type="core.outboxdelivery", object_id=str(dead.pk))
    assert entry.actor == actors["city_admin"] and entry.action == "update"
    assert entry.detail["retry"] is True and entry.detail["was"] == "dead"
    assert broken_partner["counted"] == 1  # the other handler did not run again
    page = client.get(PAGE).content.decode()
    assert "Delivered: the handler ran successfully." in page
    assert "partner gateway refused" not in page


def test_a_retry_that_fails_again_stays_dead_and_says_so(client, actors, broken_partner, settings):
    dead = fail_until_dead()
    settings.EVENTS_INLINE = True
    client.force_login(actors["city_admin"])
    response = client.post(f"/events/{dead.pk}/retry/", follow=True)
    assert "The handler failed again" in response.content.decode()
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == (DeliveryStatus.DEAD, 4)


def test_without_inline_delivery_a_retry_is_queued_for_the_worker(client, actors, broken_partner):
    dead = fail_until_dead()
    client.force_login(actors["city_admin"])
    response = client.post(f"/events/{dead.pk}/retry/", follow=True)
    assert "Queued" in response.content.decode()
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.PENDING and dead.next_attempt_at <= timezone.now()


def test_retrying_a_delivered_or_unknown_delivery_is_refused_cleanly(
    client, actors, broken_partner
):
    fail_until_dead()
    done = OutboxDelivery.objects.get(handler__endswith="keep_count")
    client.force_login(actors["city_admin"])
    response = client.post(f"/events/{done.pk}/retry/", follow=True)
    assert "already been delivered" in response.content.decode()
    assert client.post("/events/999999/retry/").status_code == 404
    assert client.get(f"/events/{done.pk}/retry/").status_code == 405


def test_the_page_is_in_chinese(client, actors, broken_partner):
    fail_until_dead()
    client.force_login(actors["city_admin"])
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "事件投递" in page and "立即重试" in page


@pytest.mark.parametrize("view", ["problems", "failing", "dead", "waiting", "nonsense", ""])
def test_every_view_filter_answers(client, actors, broken_partner, view):
    fail_until_dead()
    client.force_login(actors["city_admin"])
    response = client.get(PAGE, {"view": view, "page": "x"})
    assert response.status_code == 200


def test_event_deliveries_export_for_the_city_admin_only(client, actors, broken_partner):
    dead = fail_until_dead()
    client.force_login(actors["city_admin"])
    assert 'href="?export=xlsx"' in client.get("/events/").content.decode()
    response = client.get("/events/?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # the failing handler's delivery only: the other handler of the event succeeded
    assert len(rows) == 1
    assert rows[0][0] == "test.notice" and rows[0][1] == dead.event_id
    assert rows[0][5] == 3
    assert rows[0][8] == "ConnectionError: partner gateway refused the connection"
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).latest("pk")
    assert (entry.detail["list"], entry.detail["filters"], entry.detail["rows"]) == (
        "core.event_deliveries",
        {},
        1,
    )
    client.force_login(actors["security_admin"])
    assert client.get("/events/?export=xlsx").status_code == 403


def test_event_deliveries_past_the_limit_are_not_exported_at_once(client, actors, broken_partner):
    fail_until_dead()
    events.publish(NOTICE, household_id=43)  # a second failing delivery
    outbox.drain(now=timezone.now() + dt.timedelta(minutes=1))
    client.force_login(actors["city_admin"])
    with override_settings(EXPORT_MAX_ROWS=1):
        response = client.get("/events/?export=xlsx")
    assert not response.has_header("Content-Disposition")
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()
