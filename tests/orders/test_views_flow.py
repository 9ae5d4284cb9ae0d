"""The cloud supermarket through the web client, as each person uses it: a household orders,
a provider accepts, assigns, checks in and out with a photo, the household rates; a community
worker orders for a household; a provider declines; a household cancels; a limit is reached."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jiuzhu.orders.models import DeliveryRecord, Order, OrderDecline, OrderStatus, Rating
from jiuzhu.orders.services.orders import order_accept, order_create

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def login(client, user):
    client.force_login(user)
    return client


def tomorrow_form(**extra):
    day = timezone.localdate() + dt.timedelta(days=1)
    return {
        "quantity": "1",
        "preferred_date": day.isoformat(),
        "preferred_clock": "11:30",
        "note": "中午送到",
        "token": extra.pop("token", "tok-1"),
        **extra,
    }


def test_a_household_orders_and_the_provider_delivers_and_the_household_rates(
    client, market, actors
):
    meal = market["meal"]
    login(client, market["beneficiary"])
    page = client.get(reverse("orders:market"))
    assert page.status_code == 200
    assert "Meal help" in page.content.decode()
    assert "Paid by the government" in page.content.decode()

    response = client.post(reverse("orders:item_order", args=[meal.pk]), tomorrow_form())
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:order_detail", args=[order.pk])
    assert (order.channel, order.quantity, order.note) == ("self", 1, "中午送到")
    assert timezone.localtime(order.preferred_time).strftime("%H:%M") == "11:30"
    mine = client.get(reverse("orders:my_orders")).content.decode()
    assert order.number in mine and "Waiting for a provider" in mine

    # The provider sees it in the inbox, accepts it and assigns the volunteer.
    login(client, market["staff_a"])
    inbox = client.get(reverse("orders:inbox")).content.decode()
    assert order.number in inbox
    response = client.post(reverse("orders:order_accept", args=[order.pk]))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED and order.provider == market["provider_a"]
    page = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert "Assign a worker" in page and str(actors["volunteer"]) in page
    response = client.post(
        reverse("orders:order_assign", args=[order.pk]), {"assignee": actors["volunteer"].pk}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.ASSIGNED and order.assignee == actors["volunteer"]

    # The volunteer finds the task, checks in, and checks out with a photo.
    login(client, actors["volunteer"])
    tasks = client.get(reverse("orders:tasks")).content.decode()
    assert reverse("orders:order_start", args=[order.pk]) in tasks
    assert client.post(reverse("orders:order_start", args=[order.pk])).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_SERVICE
    response = client.post(
        reverse("orders:order_complete", args=[order.pk]),
        {
            "summary": "送餐一份",
            "duration_minutes": "30",
            "notes": "",
            "photo": SimpleUploadedFile("家里.png", PNG, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    delivery = DeliveryRecord.objects.get(order=order)
    assert delivery.photo.name.endswith(".png") and "家里" not in delivery.photo.name

    # The household sees the photo through the scoped view and rates the order.
    login(client, market["beneficiary"])
    photo = client.get(reverse("orders:delivery_photo", args=[order.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert b"".join(photo.streaming_content) == PNG
    page = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert "How was the service?" in page
    response = client.post(
        reverse("orders:order_rate", args=[order.pk]), {"score": "4", "comment": "很好"}
    )
    assert response.status_code == 302
    assert Rating.objects.get(order=order).score == 4
    page = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert "How was the service?" not in page
    for label in ("Order placed", "Accepted", "Worker assigned", "Service started", "Rated"):
        assert label in page


def test_a_community_worker_orders_for_a_household_from_its_page(client, market, actors):
    worker = actors["yaohua_a_worker"]
    household = market["household"]
    login(client, worker)
    box = client.get(reverse("orders:household_box", args=[household.pk])).content.decode()
    market_url = reverse("orders:household_market", args=[household.pk])
    assert market_url in box
    page = client.get(market_url).content.decode()
    assert "Ordering for household" in page
    url = reverse("orders:household_item_order", args=[household.pk, market["cleaning"].pk])
    response = client.post(url, tomorrow_form(note="请下午来"))
    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.channel, order.placed_by, order.household) == ("community", worker, household)


def test_the_hotline_orders_for_a_caller_and_the_channel_says_so(client, market, actors):
    login(client, actors["qixia_hotline"])
    url = reverse("orders:household_item_order", args=[market["household"].pk, market["meal"].pk])
    assert client.post(url, tomorrow_form()).status_code == 302
    assert Order.objects.get().channel == "hotline"


def test_a_resent_order_form_places_one_order(client, market):
    login(client, market["beneficiary"])
    url = reverse("orders:item_order", args=[market["meal"].pk])
    first = client.post(url, tomorrow_form(token="same"))
    second = client.post(url, tomorrow_form(token="same"))
    assert Order.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_provider_declines_with_a_reason_and_the_order_leaves_its_inbox(client, market):
    order = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    login(client, market["staff_a"])
    empty = client.post(reverse("orders:order_decline", args=[order.pk]), {"reason": " "})
    assert empty.status_code == 422
    assert "This field is required." in empty.content.decode()
    response = client.post(
        reverse("orders:order_decline", args=[order.pk]), {"reason": "今天人手不足"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("orders:inbox")
    assert OrderDecline.objects.get(order=order).reason == "今天人手不足"
    assert order.number not in client.get(reverse("orders:inbox")).content.decode()
    assert client.get(reverse("orders:order_detail", args=[order.pk])).status_code == 404
    # Provider B still sees it.
    login(client, market["staff_b"])
    assert order.number in client.get(reverse("orders:inbox")).content.decode()


def test_a_household_cancels_a_waiting_order_and_cannot_cancel_twice(client, market):
    order = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    login(client, market["beneficiary"])
    url = reverse("orders:order_cancel", args=[order.pk])
    response = client.post(url, {"reason": "不需要了"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "不需要了")
    again = client.post(url, {"reason": "再取消"})
    assert again.status_code == 409
    assert "it cannot be changed that way now" in again.content.decode()


def test_the_limit_is_explained_when_it_is_reached(client, market):
    bath = market["meal"].category.items.get(code="bath_help")  # 2 a week
    login(client, market["beneficiary"])
    url = reverse("orders:item_order", args=[bath.pk])
    response = client.post(url, tomorrow_form(quantity="3"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "The limit is 2 per week and 0 are already ordered this week." in page
    assert 'value="3"' in page and "中午送到" in page  # nothing typed is lost
    assert Order.objects.count() == 0
    client.post(url, tomorrow_form(quantity="2", token="t2"))
    page = client.get(url).content.decode()
    assert "The limit is 2 per week and 2 are already ordered this week." in page
    assert "Place the order" not in page


def test_an_item_the_household_is_not_eligible_for_says_so(client, market):
    from jiuzhu.catalog.models import ServiceItem

    job = ServiceItem.objects.get(code="job_training")
    login(client, market["beneficiary"])
    url = reverse("orders:item_order", args=[job.pk])
    page = client.get(url).content.decode()
    assert "This service is not available to this household." in page
    response = client.post(url, tomorrow_form())
    assert "This service is not available to this household." in response.content.decode()
    assert Order.objects.count() == 0
    assert "Job training" not in client.get(reverse("orders:market")).content.decode()


def test_an_order_form_with_bad_input_comes_back_with_the_input(client, market):
    login(client, market["beneficiary"])
    url = reverse("orders:item_order", args=[market["meal"].pk])
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    for data in (
        tomorrow_form(quantity="abc"),
        tomorrow_form(quantity="0"),
        tomorrow_form(quantity="999"),
        tomorrow_form(preferred_date=yesterday),
        tomorrow_form(preferred_date="", preferred_clock="10:00"),
        tomorrow_form(preferred_date="2024-13-45"),
        tomorrow_form(note="x" * 301),
        {"token": "t"},
        {},
    ):
        response = client.post(url, data)
        assert response.status_code == 200, data
        assert "Please correct the fields marked below." in response.content.decode(), data
    assert Order.objects.count() == 0


def test_taking_an_order_another_provider_took_says_so(client, market):
    order = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    order_accept(actor=market["staff_b"], order=order)
    login(client, market["staff_a"])
    response = client.post(reverse("orders:order_accept", args=[order.pk]))
    assert response.status_code == 404  # no longer in provider A's view


def test_check_out_refuses_a_file_that_is_not_a_photo_and_keeps_the_text(client, market, actors):
    order = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    order_accept(actor=market["staff_a"], order=order)
    login(client, market["staff_a"])
    client.post(reverse("orders:order_start", args=[order.pk]))
    response = client.post(
        reverse("orders:order_complete", args=[order.pk]),
        {
            "summary": "打扫卫生",
            "duration_minutes": "45",
            "photo": SimpleUploadedFile("x.svg", b"<svg onload=alert(1)>", "image/svg+xml"),
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Upload a photo (JPEG, PNG or WebP)." in page and "打扫卫生" in page
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_SERVICE
    response = client.post(
        reverse("orders:order_complete", args=[order.pk]),
        {"summary": "打扫卫生", "duration_minutes": "2000"},
    )
    assert response.status_code == 422
    assert (
        client.post(
            reverse("orders:order_complete", args=[order.pk]),
            {"summary": "打扫卫生", "duration_minutes": "45"},
        ).status_code
        == 302
    )
    assert client.get(reverse("orders:delivery_photo", args=[order.pk])).status_code == 404


def test_rating_is_refused_with_a_bad_score_and_a_complaint_needs_text(client, market):
    order = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    login(client, market["beneficiary"])
    # Not completed: the rating form is not offered, and a post says so.
    response = client.post(reverse("orders:order_rate", args=[order.pk]), {"score": "9"})
    assert response.status_code == 302
    response = client.post(reverse("orders:order_rate", args=[order.pk]), {"score": "5"})
    assert response.status_code == 409
    assert "Only a completed order can be rated." in response.content.decode()
    empty = client.post(reverse("orders:order_complain", args=[order.pk]), {"text": ""})
    assert empty.status_code == 422
    response = client.post(
        reverse("orders:order_complain", args=[order.pk]), {"text": "电话打不通"}
    )
    assert response.status_code == 302
    page = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert "电话打不通" in page
