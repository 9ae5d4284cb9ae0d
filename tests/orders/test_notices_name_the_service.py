"""Every notification about an order names the service in its title; a complaint's
confirmation gives the hotline ticket number and the reply deadline."""

import datetime as dt

import pytest
from django.utils import timezone

from jiuzhu.core.models import Notification
from jiuzhu.dispatch.models import Ticket
from jiuzhu.orders.followups import Receipt
from jiuzhu.orders.services.orders import (
    order_accept,
    order_assign,
    order_cancel,
    order_complain,
    order_complete,
    order_create,
    order_decline,
    order_start,
)

pytestmark = pytest.mark.django_db


def _titles(user):
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


def test_each_order_notification_names_the_service(market, actors):
    bene, staff_a, staff_b = market["beneficiary"], market["staff_a"], market["staff_b"]
    order = order_create(actor=bene, household=market["household"], item=market["meal"])
    order_accept(actor=staff_a, order=order)
    order_assign(actor=staff_a, order=order, assignee=actors["volunteer"])
    order_start(actor=actors["volunteer"], order=order)
    order_complete(actor=actors["volunteer"], order=order, summary="送餐", duration_minutes=20)
    declined = order_create(actor=bene, household=market["household"], item=market["cleaning"])
    order_decline(actor=staff_a, order=declined, reason="没人")
    order_decline(actor=staff_b, order=declined, reason="没人")
    cancelled = order_create(actor=bene, household=market["household"], item=market["meal"])
    order_accept(actor=staff_b, order=cancelled)
    order_cancel(actor=bene, order=cancelled, reason="不需要")
    order_complain(actor=bene, order=order, text="迟到")

    titles = (
        _titles(bene)
        + _titles(actors["volunteer"])
        + _titles(staff_b)
        + _titles(actors["qixia_manager"])
    )
    assert titles, "notifications were sent"
    for title in titles:
        assert "助餐" in title or "助洁" in title, title


def test_the_order_page_gives_each_complaints_ticket_and_reply_deadline(
    client, market, django_capture_on_commit_callbacks
):
    order = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    client.force_login(market["beneficiary"])
    with django_capture_on_commit_callbacks(execute=True):  # the ticket is opened on commit
        client.post(f"/orders/{order.pk}/complain/", {"text": "送餐迟到两小时"})
    ticket = Ticket.objects.get(order=order)
    # A complaint is answered within 24 hours of being recorded.
    assert abs(ticket.respond_by - ticket.created_at - dt.timedelta(hours=24)).total_seconds() < 1
    page = client.get(f"/orders/{order.pk}/").content.decode()
    when = timezone.localtime(ticket.respond_by).strftime("%Y-%m-%d %H:%M")
    assert f"Hotline ticket {ticket.number}; a reply is due by {when}." in page


def test_the_complaint_message_gives_the_ticket_when_it_is_already_open(
    client, market, monkeypatch
):
    # Outside a test transaction the ticket is opened as the complaint commits, before the
    # view writes its message; here the look-up is given that ticket directly.
    due = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 30))
    monkeypatch.setattr(
        "jiuzhu.orders.views.detail.complaint_receipt",
        lambda complaint: Receipt("RX20260301000007", due),
    )
    order = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    client.force_login(market["beneficiary"])
    page = client.post(
        f"/orders/{order.pk}/complain/", {"text": "送餐迟到"}, follow=True
    ).content.decode()
    assert (
        "Your ticket number is RX20260301000007; the hotline will reply by 2026-03-02 09:30."
        in page
    )
