"""A dispatcher offers an order to a chosen provider, re-offers it, or escalates it — one at a
time and in bulk — through the services, the web pages and the API."""

import datetime as dt

import pytest
from django.utils import timezone

from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditEntry
from jiuzhu.dispatch.models import DispatchOffer, Escalation, EscalationReason, OfferStatus
from jiuzhu.dispatch.services.interventions import (
    order_escalate,
    order_offer_to,
    order_reoffer,
    orders_bulk,
)
from jiuzhu.orders.models import Order, OrderStatus, Provider
from jiuzhu.orders.services.orders import order_accept, order_create, order_decline

pytestmark = pytest.mark.django_db
API = "/api/v1"


def test_a_manager_offers_an_order_to_a_chosen_provider_with_a_reason(place, market, actors):
    order = place()
    offer = order_offer_to(
        actor=actors["qixia_manager"],
        order=order,
        provider=market["provider_b"],
        reason="电话确认可接",
    )
    assert offer.status == OfferStatus.OFFERED
    assert offer.why == {"manual": True, "reason": "电话确认可接", "by": "qixia_manager"}
    assert AuditEntry.objects.filter(object_type="dispatch.dispatchoffer").count() == 1
    # The provider accepts through the state machine; the offer closes as accepted.
    assert Order.objects.get(pk=order.pk).status == OrderStatus.WAITING


def test_offering_to_another_provider_withdraws_the_live_offer(place, market, actors):
    order = place()
    manager = actors["qixia_manager"]
    first = order_offer_to(actor=manager, order=order, provider=market["provider_a"], reason="a")
    order_offer_to(actor=manager, order=order, provider=market["provider_b"], reason="b")
    first.refresh_from_db()
    assert first.status == OfferStatus.WITHDRAWN
    live = DispatchOffer.objects.get(order=order, status=OfferStatus.OFFERED)
    assert live.provider == market["provider_b"]
    with pytest.raises(Conflict):
        order_offer_to(actor=manager, order=order, provider=market["provider_b"], reason="again")


@pytest.mark.parametrize(
    "case, message",
    [
        ("no_reason", "reason"),
        ("wrong_area", "provider"),
        ("declined", "provider"),
        ("full", "provider"),
    ],
)
def test_an_offer_the_provider_could_not_take_is_refused(place, market, actors, case, message):
    order = place()
    provider, reason = market["provider_b"], "理由"
    if case == "no_reason":
        reason = "  "
    elif case == "wrong_area":
        provider = market["provider_c"]  # serves Maqun only
    elif case == "declined":
        order_decline(actor=market["staff_b"], order=order, reason="没人")
    else:
        Provider.objects.filter(pk=provider.pk).update(daily_capacity=0)
    with pytest.raises(ValidationFailed) as refused:
        order_offer_to(actor=actors["qixia_manager"], order=order, provider=provider, reason=reason)
    assert message in refused.value.fields
    assert not DispatchOffer.objects.exists()


@pytest.mark.parametrize("name", ["yaohua_caseworker", "qixia_hotline", "provider_staff"])
def test_only_managers_offer_by_hand(place, market, actors, name):
    with pytest.raises(PermissionDenied):
        order_offer_to(actor=actors[name], order=place(), provider=market["provider_b"], reason="x")


def test_a_manager_of_another_district_cannot_touch_the_order(place, market, actors):
    with pytest.raises(PermissionDenied):
        order_offer_to(
            actor=actors["jianye_manager"], order=place(), provider=market["provider_b"], reason="x"
        )


def test_taken_orders_are_not_offered(place, market, actors):
    order = order_accept(actor=market["staff_a"], order=place())
    with pytest.raises(Conflict):
        order_offer_to(
            actor=actors["qixia_manager"], order=order, provider=market["provider_b"], reason="x"
        )


def test_a_reoffer_goes_to_the_next_best_provider_not_the_one_it_withdraws(place, market, actors):
    order = place()
    manager = actors["qixia_manager"]
    first = order_offer_to(actor=manager, order=order, provider=market["provider_a"], reason="a")
    second = order_reoffer(actor=manager, order=order)
    assert second.provider == market["provider_b"]
    first.refresh_from_db()
    assert first.status == OfferStatus.WITHDRAWN
    assert second.why.get("reoffer") is True
    # Now B's offer is live and A has not refused: the next re-offer goes back to A.
    assert order_reoffer(actor=manager, order=order).provider == market["provider_a"]


def test_an_order_whose_sla_clock_has_not_started_can_be_reoffered(market, actors, client, clock):
    """Found by the API fuzzer (issue 16 item 18): the clock is started by the order's creation
    event, which may still wait in the outbox; re-offering such an order answered 500."""
    order = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    assert not hasattr(Order.objects.get(pk=order.pk), "sla")  # the event did not run
    client.force_login(actors["qixia_manager"])
    response = client.post(f"{API}/dispatch/orders/{order.pk}/reoffer")
    assert response.status_code == 200, response.content
    offer = DispatchOffer.objects.get(order=order, status=OfferStatus.OFFERED)
    assert offer.provider in (market["provider_a"], market["provider_b"])
    # no acceptance deadline known: the provider gets the longest response time, four hours
    assert offer.respond_by == dt.datetime(2026, 3, 2, 21, 0, tzinfo=dt.UTC)  # 17:00 + 4 h


def test_an_order_whose_sla_clock_has_not_started_can_be_offered_by_hand(market, actors, clock):
    order = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    order = Order.objects.get(pk=order.pk)
    manager, provider = actors["qixia_manager"], market["provider_b"]
    offer = order_offer_to(actor=manager, order=order, provider=provider, reason="就近")
    assert offer.provider == provider
    assert offer.respond_by == dt.datetime(2026, 3, 2, 21, 0, tzinfo=dt.UTC)  # 17:00 + 4 h


def test_a_reoffer_with_nobody_left_changes_nothing(place, market, actors):
    order = place()
    order_decline(actor=market["staff_a"], order=order, reason="没人")
    order_decline(actor=market["staff_b"], order=order, reason="没人")
    assert order_reoffer(actor=actors["qixia_manager"], order=order) is None
    assert not DispatchOffer.objects.exists()


def test_escalating_notes_why_and_happens_once(place, actors):
    order = place()
    escalation = order_escalate(actor=actors["yaohua_caseworker"], order=order, note="老人急需")
    assert (escalation.reason, escalation.raised_note, escalation.raised_by) == (
        EscalationReason.BY_DISPATCHER,
        "老人急需",
        actors["yaohua_caseworker"],
    )
    with pytest.raises(Conflict):
        order_escalate(actor=actors["qixia_manager"], order=order, note="again")
    with pytest.raises(ValidationFailed):
        order_escalate(actor=actors["qixia_manager"], order=place(), note=" ")


def test_bulk_does_what_it_can_and_says_why_the_rest_stayed(place, market, actors):
    fine = [place(), place()]
    taken = order_accept(actor=market["staff_a"], order=place())
    declined = place()
    order_decline(actor=market["staff_b"], order=declined, reason="没人")
    result = orders_bulk(
        actor=actors["qixia_manager"],
        action="offer",
        orders=[*fine, taken, declined],
        provider=market["provider_b"],
        reason="统一派给乙",
    )
    assert result.done == 2
    assert sum(result.skipped.values()) == 2
    assert len(result.skipped) == 2  # two different reasons, each said once
    assert DispatchOffer.objects.filter(provider=market["provider_b"]).count() == 2


def test_bulk_escalate_and_reoffer(place, market, actors):
    orders = [place(), place()]
    result = orders_bulk(
        actor=actors["qixia_manager"], action="escalate", orders=orders, reason="积压"
    )
    assert result.done == 2
    assert Escalation.objects.filter(reason=EscalationReason.BY_DISPATCHER).count() == 2
    result = orders_bulk(actor=actors["qixia_manager"], action="reoffer", orders=orders)
    assert result.done == 2
    with pytest.raises(ValidationFailed):
        orders_bulk(actor=actors["qixia_manager"], action="offer", orders=orders, reason="x")
    with pytest.raises(ValidationFailed):
        orders_bulk(actor=actors["qixia_manager"], action="nonsense", orders=orders)


# ---------------------------------------------------------------- web


def test_the_order_dispatch_page_offers_and_escalates(client, place, market, actors):
    order = place()
    client.force_login(actors["qixia_manager"])
    page = client.get(f"/dispatch/orders/{order.pk}/").content.decode()
    assert "服务机构甲" in page and "服务机构乙" in page
    response = client.post(
        f"/dispatch/orders/{order.pk}/offer/",
        {"provider": market["provider_b"].pk, "reason": "电话确认"},
    )
    assert response.status_code == 302
    assert DispatchOffer.objects.get(order=order).provider == market["provider_b"]
    response = client.post(f"/dispatch/orders/{order.pk}/offer/", {"provider": "", "reason": ""})
    assert response.status_code == 422
    response = client.post(f"/dispatch/orders/{order.pk}/escalate/", {"note": "老人急需送餐"})
    assert response.status_code == 302
    assert Escalation.objects.filter(order=order).exists()
    assert "老人急需送餐" in client.get("/dispatch/escalations/").content.decode()
    response = client.post(f"/dispatch/orders/{order.pk}/escalate/", {"note": "再次"})
    assert response.status_code == 409  # already escalated: shown on the form
    response = client.post(f"/dispatch/orders/{order.pk}/reoffer/")
    assert response.status_code == 302


def test_the_dispatch_page_is_404_outside_the_area_and_403_for_other_roles(client, place, actors):
    order = place()
    client.force_login(actors["jianye_manager"])
    assert client.get(f"/dispatch/orders/{order.pk}/").status_code == 404
    client.force_login(actors["provider_staff"])
    assert client.get(f"/dispatch/orders/{order.pk}/").status_code == 403
    client.force_login(actors["yaohua_caseworker"])
    assert client.post(f"/dispatch/orders/{order.pk}/reoffer/").status_code == 302
    assert not DispatchOffer.objects.exists()  # told off, nothing done


def test_bulk_form_reports_counts(client, place, market, actors):
    orders = [place(), place()]
    client.force_login(actors["qixia_manager"])
    response = client.post(
        "/dispatch/backlog/bulk/",
        {"action": "escalate", "orders": [o.pk for o in orders], "reason": "积压"},
        follow=True,
    )
    text = response.content.decode()
    assert "2 of 2 orders done." in text
    response = client.post(
        "/dispatch/backlog/bulk/", {"action": "offer", "orders": [orders[0].pk]}, follow=True
    )
    assert "Choose the provider." in response.content.decode()


# ---------------------------------------------------------------- API


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_api_offer_reoffer_escalate_and_bulk(client, place, market, actors):
    order = place()
    client.force_login(actors["qixia_manager"])
    response = post(
        client,
        f"{API}/dispatch/orders/{order.pk}/offer",
        {"provider_id": market["provider_b"].pk, "reason": "电话确认"},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["why"]["manual"] is True
    response = post(client, f"{API}/dispatch/orders/{order.pk}/reoffer")
    assert response.status_code == 200 and response.json()["offered"] is True
    response = post(client, f"{API}/dispatch/orders/{order.pk}/escalate", {"note": "急"})
    assert response.status_code == 201 and response.json()["reason"] == "by_dispatcher"
    response = post(client, f"{API}/dispatch/orders/{order.pk}/escalate", {"note": "急"})
    assert response.status_code == 409
    other = place()
    response = post(
        client,
        f"{API}/dispatch/orders/bulk",
        {"action": "escalate", "order_ids": [other.pk, order.pk], "reason": "积压"},
    )
    assert response.status_code == 200
    assert response.json()["done"] == 1 and sum(response.json()["skipped"].values()) == 1


def test_api_refusals_have_the_error_shape(client, place, market, actors):
    order = place()
    client.force_login(actors["jianye_manager"])
    response = post(client, f"{API}/dispatch/orders/{order.pk}/reoffer")
    assert response.status_code == 404
    client.force_login(actors["provider_staff"])
    response = post(client, f"{API}/dispatch/orders/{order.pk}/reoffer")
    assert response.status_code == 403
    client.force_login(actors["qixia_manager"])
    response = post(
        client, f"{API}/dispatch/orders/{order.pk}/offer", {"provider_id": 99999, "reason": "x"}
    )
    assert response.status_code == 422
    assert set(response.json()) == {"code", "message", "extra"}
    response = post(
        client, f"{API}/dispatch/orders/{order.pk}/offer", {"provider_id": "abc", "reason": "x"}
    )
    assert response.status_code == 422


def test_api_backlog_lists_every_row_with_reasons(client, place, market, actors):
    orders = [place() for _ in range(3)]
    order_accept(actor=market["staff_a"], order=orders[0])
    Order.objects.filter(pk=orders[1].pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(actors["qixia_manager"])
    body = client.get(f"{API}/dispatch/backlog?limit=2").json()
    assert body["count"] == 3 and len(body["items"]) == 2
    assert body["reasons"]["pending"] == 2
    body = client.get(f"{API}/dispatch/backlog?list=waiting&offset=1&limit=5").json()
    assert body["count"] == 2 and len(body["items"]) == 1
    assert body["items"][0]["why"]["code"] == "pending"
    assert client.get(f"{API}/dispatch/backlog?list=nope").status_code == 422
    assert client.get(f"{API}/dispatch/backlog?street=999999").status_code == 422
    gap = client.get(f"{API}/dispatch/supply-gap?days=7").json()
    assert gap[0]["demand"] == 3
    assert client.get(f"{API}/dispatch/supply-gap?days=5").status_code == 422
