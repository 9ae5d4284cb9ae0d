"""The dispatch centre's reactions to order events: each runs as an outbox delivery, through a
named service that is idempotent (handling the same event again changes nothing) and audited
(once, as the system, naming the event)."""

from __future__ import annotations

import datetime as dt

import pytest

from jiuzhu.core import outbox
from jiuzhu.core.models import AuditEntry, DeliveryStatus, OutboxDelivery, OutboxEvent
from jiuzhu.dispatch.models import DispatchOffer, Escalation, OfferStatus, OrderSla, Ticket
from jiuzhu.dispatch.services.cycle import dispatch_cycle
from jiuzhu.dispatch.services.reactions import (
    complaint_ticket_open,
    offer_decline_record,
    order_deadlines_fix,
    order_escalations_settle,
    order_offers_close,
)
from jiuzhu.orders.services.orders import order_accept, order_complain, order_create

pytestmark = pytest.mark.django_db


def system_entries(**filters):
    return AuditEntry.objects.filter(actor__isnull=True, actor_label="system", **filters)


@pytest.fixture
def order(market, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return order_create(
            actor=market["beneficiary"], household=market["household"], item=market["meal"]
        )


def test_a_new_order_gets_its_deadlines_through_the_outbox_once(order):
    delivery = OutboxDelivery.objects.get(
        event__name="order.created", handler="jiuzhu.dispatch.handlers.fix_deadlines"
    )
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DONE, 1)
    sla = OrderSla.objects.get(order=order)
    assert system_entries(object_type="dispatch.ordersla", object_id=str(sla.pk)).count() == 1
    # The event handled again (a retry after a crash) changes nothing and audits nothing.
    assert order_deadlines_fix(order_id=order.pk) == sla
    assert OrderSla.objects.filter(order=order).count() == 1
    assert system_entries(object_type="dispatch.ordersla").count() == 1


def test_accepting_closes_offers_and_settles_escalations_once(
    order, market, django_capture_on_commit_callbacks
):
    dispatch_cycle(now=order.created_at + dt.timedelta(hours=25))  # offered and escalated late
    offer = DispatchOffer.objects.get(order=order)
    assert Escalation.objects.filter(order=order, resolved_at__isnull=True).count() == 1
    staff = market["staff_a"] if offer.provider == market["provider_a"] else market["staff_b"]
    with django_capture_on_commit_callbacks(execute=True):
        order_accept(actor=staff, order=order)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED
    assert not Escalation.objects.filter(order=order, resolved_at__isnull=True).exists()
    entries = system_entries(object_type="orders.order", object_id=str(order.pk))
    assert sorted((e.detail["event"], sorted(e.detail)) for e in entries) == [
        ("order.accepted", ["channel", "escalations_resolved", "event"]),
        ("order.accepted", ["channel", "event", "offers_accepted", "offers_withdrawn"]),
    ]
    # Handled again: nothing is open any more, so nothing changes and nothing is audited.
    before = entries.count()
    assert order_offers_close(
        order_id=order.pk, event="order.accepted", accepted_by=offer.provider_id
    ) == {"accepted": 0, "withdrawn": 0}
    assert order_escalations_settle(order_id=order.pk, event="order.accepted", note="x") == 0
    assert entries.count() == before


def test_a_recorded_decline_is_recorded_once(order, market):
    dispatch_cycle(now=order.created_at + dt.timedelta(hours=12))
    offer = DispatchOffer.objects.get(order=order)
    assert offer_decline_record(order_id=order.pk, provider_id=offer.provider_id) == 1
    assert offer_decline_record(order_id=order.pk, provider_id=offer.provider_id) == 0
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED
    entries = system_entries(object_type="orders.order", object_id=str(order.pk))
    assert [e.detail["offers_declined"] for e in entries] == [1]


def test_a_complaint_becomes_one_ticket_however_often_it_is_handled(
    order, market, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = order_complain(actor=market["beneficiary"], order=order, text="饭菜是凉的")
    ticket = Ticket.objects.get(complaint=complaint)
    assert complaint_ticket_open(complaint_id=complaint.pk) == ticket
    assert Ticket.objects.filter(complaint=complaint).count() == 1
    # The delivery is done; draining the outbox again opens no second ticket.
    delivery = OutboxDelivery.objects.get(event__name="order.complained")
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DONE, 1)
    outbox.drain()
    assert Ticket.objects.filter(complaint=complaint).count() == 1


def test_a_failed_reaction_is_retried_by_the_worker_and_leaves_the_order_alone(
    market, settings, monkeypatch
):
    """The order commits even when its reaction fails; the worker's retry then succeeds."""
    from jiuzhu.dispatch import handlers

    calls = {"n": 0}
    real = handlers.order_deadlines_fix

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database hiccup")
        return real(**kwargs)

    monkeypatch.setattr(handlers, "order_deadlines_fix", flaky)
    settings.EVENTS_INLINE = False
    made = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    event = OutboxEvent.objects.get(name="order.created", payload__order_id=made.pk)
    later = made.created_at + dt.timedelta(days=1)
    assert outbox.deliver_event(event.pk, now=later)["failed"] == 1
    assert not OrderSla.objects.filter(order=made).exists()
    delivery = event.deliveries.get(handler="jiuzhu.dispatch.handlers.fix_deadlines")
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    outbox.drain(now=later + dt.timedelta(minutes=5))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DONE, 2)
    assert OrderSla.objects.filter(order=made).count() == 1
