"""The hotline's pages: the list (filters, overdue, pagination, export), a new ticket with a
household found by name or phone, and the ticket page's workflow."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jiuzhu.core.models import AuditEntry, ExportJob
from jiuzhu.dispatch.models import Ticket, TicketStatus
from jiuzhu.dispatch.services.tickets import ticket_assign, ticket_open
from jiuzhu.orders.services.orders import order_complain, order_create

pytestmark = pytest.mark.django_db

LIST = "/dispatch/tickets/"
NEW = "/dispatch/tickets/new/"


def act(ticket, action):
    return reverse("dispatch:ticket_act", args=[ticket.pk, action])


@pytest.fixture
def ticket(actors, areas, market):
    return ticket_open(
        actor=actors["qixia_hotline"],
        kind="feedback",
        description="希望增加助浴服务",
        district=areas["qixia"],
        household=market["household"],
        caller_name="李女士",
        caller_phone="13900001111",
    )


@pytest.fixture
def order(market):
    return order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )


# ---------------------------------------------------------------- list and export


def test_the_list_shows_tickets_and_highlights_overdue_ones(client, actors, ticket):
    late = ticket_open(
        actor=actors["qixia_hotline"],
        kind="complaint",
        description="没人来",
        district=ticket.district,
    )
    Ticket.objects.filter(pk=late.pk).update(respond_by=timezone.now() - dt.timedelta(hours=1))
    client.force_login(actors["qixia_hotline"])
    page = client.get(LIST).content.decode()
    assert ticket.number in page and late.number in page
    assert page.count('class="overdue"') == 1
    overdue = client.get(f"{LIST}?overdue=on").content.decode()
    assert late.number in overdue and ticket.number not in overdue
    complaints = client.get(f"{LIST}?kind=complaint").content.decode()
    assert late.number in complaints and ticket.number not in complaints
    fragment = client.get(f"{LIST}?q={ticket.number}", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and ticket.number in fragment and late.number not in fragment


def test_the_list_paginates_and_survives_bad_input(client, actors, areas):
    for n in range(27):
        ticket_open(
            actor=actors["qixia_hotline"],
            kind="consultation",
            description=f"问题{n}",
            district=areas["qixia"],
        )
    client.force_login(actors["qixia_manager"])
    first = client.get(LIST).content.decode()
    assert "Page 1 of 2" in first
    for query in (
        "page=2",
        "page=99",
        "page=x",
        "status=nope",
        "kind=%00",
        "household=abc",
        "order=-5",
        "q=" + "长" * 500,
        "overdue=maybe",
    ):
        assert client.get(f"{LIST}?{query}").status_code == 200, query


@pytest.mark.parametrize(
    ("name", "sees"),
    [
        ("qixia_hotline", True),
        ("qixia_manager", True),
        ("city_admin", True),
        ("yaohua_caseworker", True),
        ("maqun_caseworker", False),
        ("jianye_manager", False),
    ],
)
def test_the_list_is_scoped(client, actors, ticket, name, sees):
    client.force_login(actors[name])
    assert (ticket.number in client.get(LIST).content.decode()) is sees
    detail = client.get(reverse("dispatch:ticket_detail", args=[ticket.pk]))
    assert detail.status_code == (200 if sees else 404)


@pytest.mark.parametrize("name", ["provider_staff", "volunteer", "assessor", "yaohua_a_worker"])
def test_other_roles_have_no_hotline_pages(client, actors, ticket, name):
    client.force_login(actors[name])
    assert client.get(LIST).status_code == 403
    # A ticket the role never sees is not found (404), as every object out of reach.
    assert client.get(reverse("dispatch:ticket_detail", args=[ticket.pk])).status_code == 404
    assert client.get(NEW).status_code == 403


def test_the_export_is_audited_and_leaves_out_the_callers_phone(client, actors, ticket):
    client.force_login(actors["qixia_hotline"])
    response = client.get(f"{LIST}export.xlsx?kind=feedback")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][0] == "Ticket" and rows[1][0] == ticket.number and len(rows) == 2
    assert not any("13900001111" in str(cell) for row in rows for cell in row)
    entry = AuditEntry.objects.get(action="export", object_type="dispatch.ticket")
    assert entry.detail["rows"] == 1 and entry.detail["filters"] == {"kind": "feedback"}


def test_past_the_limit_the_tickets_export_in_the_background_with_every_row(
    client, actors, areas, ticket, settings, django_capture_on_commit_callbacks
):
    second = ticket_open(
        actor=actors["qixia_hotline"],
        kind="feedback",
        description="送餐晚了",
        district=areas["qixia"],
        caller_name="王先生",
        caller_phone="13900002222",
    )
    settings.EXPORT_MAX_ROWS = 1
    client.force_login(actors["qixia_hotline"])
    offer = client.get(f"{LIST}export.xlsx?kind=feedback")
    assert offer.status_code == 200 and offer.context["count"] == 2
    assert offer.context["back"] == f"{LIST}?kind=feedback"
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("core:export_jobs"), {"token": offer.context["token"]})
    job = ExportJob.objects.get()
    assert started["Location"] == reverse("core:export_job", args=[job.pk])
    download = client.get(reverse("core:export_job_file", args=[job.pk]))
    rows = list(load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.values)
    assert rows[0][0] == "Ticket"
    assert sorted(row[0] for row in rows[1:]) == sorted([ticket.number, second.number])
    entry = AuditEntry.objects.get(action="export", object_type="dispatch.ticket")
    assert (entry.detail["rows"], entry.detail["filters"]) == (2, {"kind": "feedback"})


# ---------------------------------------------------------------- a new ticket


def test_an_operator_finds_the_household_by_name_or_phone(client, actors, market):
    client.force_login(actors["qixia_hotline"])
    url = reverse("dispatch:household_search")
    household = market["household"]
    household.refresh_from_db()
    assert household.head_name
    by_name = client.get(url, {"household_q": household.head_name}).content.decode()
    assert f'name="household" value="{household.pk}"' in by_name
    by_phone = client.get(url, {"household_q": household.phone}).content.decode()
    assert f'name="household" value="{household.pk}"' in by_phone
    # Phones are encrypted at rest: a whole number is found by its keyed hash, not a part.
    by_part = client.get(url, {"household_q": "8555"}).content.decode()
    assert f'name="household" value="{household.pk}"' not in by_part
    assert household.phone not in by_phone
    assert "No household" in client.get(url, {"household_q": "无此人"}).content.decode()
    client.force_login(actors["jianye_manager"])
    assert (
        'name="household"'
        not in client.get(url, {"household_q": household.head_name}).content.decode()
    )


def test_a_new_ticket_with_a_household_and_an_order(client, actors, market, order):
    client.force_login(actors["qixia_hotline"])
    assert client.get(NEW).status_code == 200
    response = client.post(
        NEW,
        {
            "kind": "complaint",
            "caller_name": "王先生",
            "caller_phone": "139-0000-2222",
            "description": "上门服务人员态度不好",
            "household": market["household"].pk,
            "order_number": order.number.lower(),
            "provider": market["provider_a"].pk,
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dispatch:ticket_detail", args=[ticket.pk])
    assert (ticket.household, ticket.order, ticket.provider) == (
        market["household"],
        order,
        market["provider_a"],
    )
    page = client.get(response["Location"]).content.decode()
    assert "Respond by" in page and f'href="/orders/{order.pk}/"' in page
    assert f'href="/households/{market["household"].pk}/"' in page
    # Hotline operators place orders for callers: straight to the household's supermarket.
    assert f'href="/orders/households/{market["household"].pk}/market/"' in page


def test_the_no_script_household_search_keeps_what_was_typed(client, actors, market):
    household = market["household"]
    household.refresh_from_db()
    client.force_login(actors["qixia_hotline"])
    response = client.post(
        NEW,
        {
            "kind": "feedback",
            "description": "半句话",
            "household_q": household.head_name,
            "find_household": "1",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and not Ticket.objects.exists()
    assert "半句话" in page
    assert f'name="household" value="{household.pk}"' in page
    assert "Please correct" not in page


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": "gossip", "description": "x"},
        {"kind": "feedback", "description": ""},
        {"kind": "feedback", "description": "x", "caller_phone": "call me"},
        {"kind": "feedback", "description": "x", "household": "abc"},
        {"kind": "feedback", "description": "x", "order_number": "JZ0000"},
        {"kind": "feedback", "description": "x", "provider": "99999"},
        {"kind": "feedback", "description": "长" * 2000},
    ],
)
def test_bad_new_tickets_come_back_with_errors(client, actors, data):
    client.force_login(actors["qixia_hotline"])
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert not Ticket.objects.exists()


def test_a_household_of_another_district_cannot_be_linked(client, actors, market):
    client.force_login(actors["jianye_manager"])
    response = client.post(
        NEW, {"kind": "feedback", "description": "x", "household": market["household"].pk}
    )
    assert response.status_code == 200 and not Ticket.objects.exists()
    assert "not in your area" in response.content.decode()


def test_caseworkers_do_not_open_tickets(client, actors):
    client.force_login(actors["yaohua_caseworker"])
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"kind": "feedback", "description": "x"}).status_code == 403


def test_the_new_ticket_form_starts_from_an_order(client, actors, order):
    client.force_login(actors["qixia_hotline"])
    page = client.get(f"{NEW}?order={order.number}").content.decode()
    assert f'value="{order.number}"' in page


# ---------------------------------------------------------------- the workflow on the page


def test_the_whole_workflow_on_the_ticket_page(client, actors, ticket):
    operator = actors["qixia_hotline"]
    client.force_login(operator)
    page = client.get(reverse("dispatch:ticket_detail", args=[ticket.pk])).content.decode()
    assert act(ticket, "assign") in page and act(ticket, "handle") not in page
    steps = [
        ("assign", {"assignee": actors["yaohua_caseworker"].pk}, TicketStatus.ASSIGNED),
        ("handle", {"note": "已协调服务机构"}, TicketStatus.HANDLED),
        ("call-back", {"note": "回访满意"}, TicketStatus.CALLED_BACK),
        ("close", {"satisfaction": "5"}, TicketStatus.CLOSED),
    ]
    for action, data, status in steps:
        response = client.post(act(ticket, action), data)
        assert response.status_code == 302, action
        ticket.refresh_from_db()
        assert ticket.status == status
    page = client.get(reverse("dispatch:ticket_detail", args=[ticket.pk])).content.decode()
    assert "回访满意" in page and "Satisfaction 5 of 5" in page
    assert act(ticket, "assign") not in page


def test_a_step_from_the_wrong_state_says_so(client, actors, ticket):
    client.force_login(actors["qixia_hotline"])
    response = client.post(act(ticket, "close"), {"satisfaction": "5"}, follow=True)
    assert "cannot move that way now" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RECEIVED


@pytest.mark.parametrize(
    ("action", "data"),
    [("assign", {"assignee": "abc"}), ("assign", {}), ("handle", {"note": ""})],
)
def test_bad_workflow_input_is_422_with_the_form(client, actors, ticket, action, data):
    if action == "handle":
        ticket_assign(
            actor=actors["qixia_hotline"], ticket=ticket, assignee=actors["qixia_hotline"]
        )
    client.force_login(actors["qixia_hotline"])
    response = client.post(act(ticket, action), data)
    assert response.status_code == 422


def test_someone_of_another_district_cannot_be_assigned(client, actors, ticket):
    client.force_login(actors["qixia_hotline"])
    response = client.post(act(ticket, "assign"), {"assignee": actors["jianye_manager"].pk})
    assert response.status_code == 422
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_a_city_admin_reads_but_does_not_act(client, actors, ticket):
    client.force_login(actors["city_admin"])
    page = client.get(reverse("dispatch:ticket_detail", args=[ticket.pk])).content.decode()
    assert ticket.number in page and act(ticket, "assign") not in page
    response = client.post(act(ticket, "assign"), {"assignee": actors["qixia_hotline"].pk})
    assert response.status_code == 403


def test_the_complaint_and_its_ticket_link_both_ways(
    client, actors, market, order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order_complain(actor=market["beneficiary"], order=order, text="饭菜太咸")
    ticket = Ticket.objects.get()
    client.force_login(actors["qixia_hotline"])
    page = client.get(reverse("dispatch:ticket_detail", args=[ticket.pk])).content.decode()
    assert f'href="/orders/{order.pk}/#complaints"' in page
    assert "complaint made on the order" in page
    listed = client.get(f"{LIST}?order={order.pk}").content.decode()
    assert ticket.number in listed
