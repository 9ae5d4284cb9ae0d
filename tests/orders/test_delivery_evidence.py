"""Delivery evidence: time on site, the phone's distance from the service address at check-in,
visits far shorter than usual, and the household's confirmation or dispute — services, pages
and API. The market household lives in 尧化门社区 (32.1 N, 118.9 E)."""

import datetime as dt

import pytest
from django.utils import timezone

from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.orders.models import Confirmation, DeliveryEvidence, Order
from jiuzhu.orders.services.evidence import (
    delivery_confirm,
    delivery_dispute,
    distance_m,
    order_check_in,
    order_check_out,
)
from jiuzhu.orders.services.orders import order_accept, order_create

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def accepted(market):
    def make(item=None, quantity=1):
        order = order_create(
            actor=market["beneficiary"],
            household=market["household"],
            item=item or market["meal"],
            quantity=quantity,
        )
        return order_accept(actor=market["staff_a"], order=order)

    return make


def _started_ago(order, minutes):
    Order.objects.filter(pk=order.pk).update(
        started_at=timezone.now() - dt.timedelta(minutes=minutes)
    )
    return Order.objects.get(pk=order.pk)


def test_distance_is_the_great_circle_distance():
    # One thousandth of a degree of latitude is 111.2 m anywhere.
    assert round(distance_m(32.1, 118.9, 32.101, 118.9)) == 111
    assert distance_m(32.1, 118.9, 32.1, 118.9) == 0


def test_check_in_keeps_the_phones_distance_from_the_service_address(accepted, market):
    order = order_check_in(
        actor=market["staff_a"], order=accepted(), latitude=32.102, longitude=118.9, accuracy=15
    )
    evidence = DeliveryEvidence.objects.get(order=order)
    assert evidence.checked_in_at == order.started_at
    assert evidence.distance_m == 222  # 0.002° of latitude
    assert evidence.accuracy_m == 15


def test_check_in_works_without_a_location_and_refuses_a_nonsense_one(accepted, market):
    order = order_check_in(actor=market["staff_a"], order=accepted())
    assert DeliveryEvidence.objects.get(order=order).distance_m is None
    with pytest.raises(ValidationFailed) as refused:
        order_check_in(actor=market["staff_a"], order=accepted(), latitude=91, longitude=0)
    assert "latitude" in refused.value.fields


def test_a_visit_far_shorter_than_usual_is_flagged(accepted, market):
    # 助餐 usually takes 20 minutes (a meal); 5 minutes on site is less than half of that.
    order = _started_ago(order_check_in(actor=market["staff_a"], order=accepted()), 5)
    order = order_check_out(
        actor=market["staff_a"], order=order, summary="送餐", duration_minutes=20
    )
    evidence = DeliveryEvidence.objects.get(order=order)
    assert (evidence.minutes_on_site, evidence.usual_minutes, evidence.short_visit) == (5, 20, True)


def test_a_visit_of_usual_length_is_not_flagged(accepted, market):
    order = _started_ago(order_check_in(actor=market["staff_a"], order=accepted()), 15)
    order_check_out(actor=market["staff_a"], order=order, summary="送餐", duration_minutes=15)
    evidence = DeliveryEvidence.objects.get(order=order)
    assert (evidence.minutes_on_site, evidence.short_visit) == (15, False)


def test_hourly_items_expect_an_hour_per_unit_ordered(accepted, market):
    # 助洁 is ordered by the hour: 2 hours → 120 minutes usual; 50 minutes is under half.
    order = accepted(item=market["cleaning"], quantity=2)
    order = _started_ago(order_check_in(actor=market["staff_a"], order=order), 50)
    order_check_out(actor=market["staff_a"], order=order, summary="保洁", duration_minutes=50)
    evidence = DeliveryEvidence.objects.get(order=order)
    assert (evidence.usual_minutes, evidence.short_visit) == (120, True)


@pytest.fixture
def completed(accepted, market):
    order = order_check_in(actor=market["staff_a"], order=accepted())
    return order_check_out(
        actor=market["staff_a"], order=order, summary="送餐", duration_minutes=20
    )


def test_the_household_confirms_once(completed, market):
    evidence = delivery_confirm(actor=market["beneficiary"], order=completed)
    assert evidence.confirmation == Confirmation.CONFIRMED
    assert evidence.confirmed_by == market["beneficiary"]
    with pytest.raises(Conflict):
        delivery_dispute(actor=market["beneficiary"], order=completed, reason="改主意")


def test_the_community_worker_disputes_with_a_reason(completed, actors):
    worker = actors["yaohua_a_worker"]
    with pytest.raises(ValidationFailed):
        delivery_dispute(actor=worker, order=completed, reason="  ")
    evidence = delivery_dispute(actor=worker, order=completed, reason="老人说没人来过")
    assert (evidence.confirmation, evidence.dispute_reason) == (
        Confirmation.DISPUTED,
        "老人说没人来过",
    )
    assert completed.events.filter(action="dispute").exists()


@pytest.mark.parametrize(
    "name", ["provider_staff", "yaohua_b_worker", "qixia_manager", "yaohua_caseworker"]
)
def test_only_the_household_and_its_community_worker_answer(completed, actors, name):
    with pytest.raises(PermissionDenied):
        delivery_confirm(actor=actors[name], order=completed)


def test_an_unfinished_service_cannot_be_confirmed(accepted, market):
    order = order_check_in(actor=market["staff_a"], order=accepted())
    with pytest.raises(Conflict):
        delivery_confirm(actor=market["beneficiary"], order=order)


# ---------------------------------------------------------------- pages


def test_checking_in_on_the_page_records_the_location_and_the_household_confirms(
    client, accepted, market
):
    order = accepted()
    client.force_login(market["staff_a"])
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "data-geolocate" in page
    client.post(
        f"/orders/{order.pk}/start/", {"latitude": "32.1", "longitude": "118.901", "accuracy": "9"}
    )
    assert DeliveryEvidence.objects.get(order=order).distance_m == 94  # 0.001° of longitude at 32°
    client.post(f"/orders/{order.pk}/complete/", {"summary": "送餐", "duration_minutes": "20"})
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "94 m from the service address" in page
    client.force_login(market["beneficiary"])
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "Yes, the service took place" in page
    client.post(f"/orders/{order.pk}/confirm/")
    assert DeliveryEvidence.objects.get(order=order).confirmation == Confirmation.CONFIRMED
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "Yes, the service took place" not in page
    assert "Confirmed by the household" in page


def test_a_malformed_location_on_the_page_still_checks_in(client, accepted, market):
    order = accepted()
    client.force_login(market["staff_a"])
    client.post(f"/orders/{order.pk}/start/", {"latitude": "abc", "longitude": "999"})
    assert Order.objects.get(pk=order.pk).status == "in_service"
    assert DeliveryEvidence.objects.get(order=order).latitude is None


def test_dispute_page_needs_a_reason(client, completed, market):
    client.force_login(market["beneficiary"])
    client.post(f"/orders/{completed.pk}/dispute/", {"reason": ""})
    assert DeliveryEvidence.objects.get(order=completed).confirmation == Confirmation.PENDING
    client.post(f"/orders/{completed.pk}/dispute/", {"reason": "没有来"})
    assert DeliveryEvidence.objects.get(order=completed).confirmation == Confirmation.DISPUTED
    client.force_login(market["staff_a"])
    assert client.post(f"/orders/{completed.pk}/confirm/").status_code == 403


# ---------------------------------------------------------------- API


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_api_check_in_evidence_and_confirmation(client, accepted, market):
    order = accepted()
    client.force_login(market["staff_a"])
    response = post(
        client, f"{API}/orders/{order.pk}/check-in", {"latitude": 32.1, "longitude": 118.9}
    )
    assert response.status_code == 200 and response.json()["status"] == "in_service"
    response = post(
        client, f"{API}/orders/{order.pk}/complete", {"summary": "送餐", "duration_minutes": 20}
    )
    assert response.status_code == 200
    body = client.get(f"{API}/orders/{order.pk}/evidence").json()
    assert body["distance_m"] == 0 and body["confirmation"] == "pending"
    assert body["minutes_on_site"] == 0 and body["short_visit"] is True
    assert post(client, f"{API}/orders/{order.pk}/evidence/confirm").status_code == 403
    client.force_login(market["beneficiary"])
    response = post(client, f"{API}/orders/{order.pk}/evidence/dispute", {"reason": ""})
    assert response.status_code == 422
    response = post(client, f"{API}/orders/{order.pk}/evidence/dispute", {"reason": "没来"})
    assert response.status_code == 200 and response.json()["confirmation"] == "disputed"
    assert post(client, f"{API}/orders/{order.pk}/evidence/confirm").status_code == 409


def test_api_check_in_refuses_bad_coordinates(client, accepted, market):
    order = accepted()
    client.force_login(market["staff_a"])
    response = post(
        client, f"{API}/orders/{order.pk}/check-in", {"latitude": 32.1, "longitude": 500}
    )
    assert response.status_code == 422
    assert set(response.json()) == {"code", "message", "extra"}
    response = post(client, f"{API}/orders/{order.pk}/check-in", {"latitude": "x"})
    assert response.status_code == 422
