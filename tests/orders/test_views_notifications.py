"""Notifications in the web UI: the bell's unread count on every page, the list newest first,
opening one (marks it read, follows a local link only), and "mark all read"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiuzhu.core.models import Notification
from jiuzhu.core.services.notifications import notify
from jiuzhu.orders.services.orders import order_accept, order_create

pytestmark = pytest.mark.django_db


def test_placing_an_order_rings_the_providers_bell(client, market):
    order = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    client.force_login(market["staff_a"])
    page = client.get(reverse("orders:inbox")).content.decode()
    assert 'data-unread="1"' in page and 'class="bell-count"' in page
    listing = client.get(reverse("core:notifications")).content.decode()
    assert "New order in your area: 助餐" in listing
    assert order.number in listing
    client.force_login(market["staff_c"])  # serves another street
    assert 'data-unread="0"' in client.get(reverse("orders:inbox")).content.decode()


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, market):
    order = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    order_accept(actor=market["staff_a"], order=order)
    notice = Notification.objects.get(user=market["beneficiary"])
    client.force_login(market["beneficiary"])
    response = client.get(reverse("core:notification_open", args=[notice.pk]))
    assert response["Location"] == reverse("orders:order_detail", args=[order.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert 'data-unread="0"' in client.get(reverse("orders:my_orders")).content.decode()


def test_the_list_is_newest_first_and_mark_all_read_clears_the_bell(client, actors):
    user = actors["volunteer"]
    notify(users=[user], title="第一条", url="/orders/1/")
    notify(users=[user], title="第二条", url="/orders/2/")
    client.force_login(user)
    page = client.get(reverse("core:notifications")).content.decode()
    assert page.index("第二条") < page.index("第一条")
    assert 'data-unread="2"' in page
    response = client.post(reverse("core:notifications_read"))
    assert response["Location"] == reverse("core:notifications")
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert 'data-unread="0"' in client.get(reverse("core:notifications")).content.decode()


def test_another_users_notification_and_foreign_links_are_not_followed(client, actors):
    notify(users=[actors["volunteer"]], title="别人的")
    notify(users=[actors["assessor"]], title="外链", url="https://evil.example/")
    theirs = Notification.objects.get(title="别人的")
    mine = Notification.objects.get(title="外链")
    client.force_login(actors["assessor"])
    assert client.get(reverse("core:notification_open", args=[theirs.pk])).status_code == 404
    response = client.get(reverse("core:notification_open", args=[mine.pk]))
    assert response["Location"] == reverse("core:notifications")
    assert client.get(reverse("core:notifications_read")).status_code == 405


def test_every_signed_in_page_has_the_bell_and_signed_out_pages_do_not(client, actors):
    client.force_login(actors["audit_admin"])
    assert reverse("core:notifications") in client.get(reverse("core:audit_log")).content.decode()
    client.logout()
    assert reverse("core:notifications") not in client.get(reverse("core:login")).content.decode()


def test_the_bell_counts_once_per_page(client, actors):
    notify(users=[actors["volunteer"]], title="一条")
    client.force_login(actors["volunteer"])
    client.get(reverse("orders:tasks"))  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("orders:tasks"))
    counts = [q["sql"] for q in queries if "core_notification" in q["sql"]]
    assert len(counts) == 1
