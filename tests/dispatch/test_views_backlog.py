"""The backlog and supply-gap pages: who sees them, every row reachable through pages and
filters, the Excel exports (audited), and the board's links, district filter and report."""

import datetime as dt
import io

import openpyxl
import pytest

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.models import AuditAction, AuditEntry
from jiuzhu.dispatch.models import OrderSla
from jiuzhu.dispatch.views.backlog import PER_PAGE
from jiuzhu.orders.models import Order
from jiuzhu.orders.services.orders import order_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(market, django_capture_on_commit_callbacks):
    """PER_PAGE + 5 waiting meal and cleaning orders, all overdue (placed 30 hours ago)."""
    orders = []
    ServiceItem.objects.update(max_per_week=None, max_per_month=None)  # many for one household
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(PER_PAGE + 5):
            item = ServiceItem.objects.get(pk=(market["meal"] if n % 2 else market["cleaning"]).pk)
            orders.append(
                order_create(actor=market["beneficiary"], household=market["household"], item=item)
            )
    shift = dt.timedelta(hours=30)
    for order in orders:
        Order.objects.filter(pk=order.pk).update(created_at=order.created_at - shift)
        sla = OrderSla.objects.get(order=order)
        OrderSla.objects.filter(pk=sla.pk).update(
            accept_by=sla.accept_by - shift, complete_by=sla.complete_by - shift
        )
    return orders


@pytest.mark.parametrize("name", ["qixia_manager", "yaohua_caseworker", "city_admin"])
def test_every_overdue_order_is_reachable_page_by_page(client, actors, many, name):
    client.force_login(actors[name])
    first = client.get("/dispatch/backlog/?list=overdue").content.decode()
    second = client.get("/dispatch/backlog/?list=overdue&page=2").content.decode()
    seen = {o.number for o in many if o.number in first} | {
        o.number for o in many if o.number in second
    }
    assert seen == {o.number for o in many}
    assert "Page 1 of 2" in first


def test_filters_narrow_the_backlog(client, actors, many, market):
    client.force_login(actors["qixia_manager"])
    page = client.get(f"/dispatch/backlog/?item={market['meal'].pk}").content.decode()
    meals = [o for o in many if o.item_id == market["meal"].pk]
    assert f"{len(meals)} orders" in page
    page = client.get(f"/dispatch/backlog/?q={many[0].number}").content.decode()
    assert "1 order" in page
    # bad values are ignored, never a 500
    assert client.get("/dispatch/backlog/?list=x&street=abc&reason=zzz&page=99").status_code == 200


@pytest.mark.parametrize("name", ["qixia_hotline", "provider_staff", "volunteer", "beneficiary"])
def test_other_roles_are_refused(client, actors, market, name):
    user = market["beneficiary"] if name == "beneficiary" else actors[name]
    client.force_login(user)
    for url in ("/dispatch/backlog/", "/dispatch/supply/", "/dispatch/backlog/export.xlsx"):
        assert client.get(url).status_code == 403


def test_the_backlog_export_holds_every_filtered_row_and_is_audited(client, actors, many):
    client.force_login(actors["qixia_manager"])
    response = client.get("/dispatch/backlog/export.xlsx?list=overdue")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == len(many) + 1
    assert {row[0] for row in rows[1:]} == {o.number for o in many}
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT, object_type="dispatch.backlog")
    assert entry.detail["rows"] == len(many)


def test_the_supply_gap_page_and_export(client, actors, many):
    client.force_login(actors["qixia_manager"])
    page = client.get("/dispatch/supply/?days=30").content.decode()
    assert "助餐" in page and "助洁" in page
    response = client.get("/dispatch/supply/export.xlsx?days=7")
    assert response.status_code == 200
    assert AuditEntry.objects.filter(object_type="dispatch.supply_gap").exists()
    assert client.get("/dispatch/supply/?days=abc&district=x").status_code == 200


def test_the_board_links_to_every_overdue_order_and_counts_reasons(client, actors, many):
    client.force_login(actors["qixia_manager"])
    page = client.get("/dispatch/board/").content.decode()
    assert f"See all {len(many)}" in page
    assert "/dispatch/backlog/?list=overdue" in page
    assert "Why orders are still waiting" in page


def test_city_users_filter_and_break_the_board_down_by_district(client, actors, areas, many):
    client.force_login(actors["city_admin"])
    page = client.get("/dispatch/board/").content.decode()
    assert "By district" in page and "栖霞区" in page
    assert "建邺区" in page  # a district without open orders has its row too
    page = client.get(f"/dispatch/board/?district={areas['jianye'].pk}").content.decode()
    assert "By district" not in page
    assert "No open orders." in page
    client.force_login(actors["qixia_manager"])
    assert "By district" not in client.get("/dispatch/board/").content.decode()


def test_dispatch_now_says_why_orders_stayed(client, actors, market):
    order_create(actor=market["beneficiary"], household=market["household"], item=market["meal"])
    client.force_login(actors["qixia_manager"])
    response = client.post("/dispatch/board/dispatch-now/", follow=True)
    text = response.content.decode()
    assert "Dispatch run finished" in text
    assert "1 order still waits: A provider has room: to be offered 1." in text
