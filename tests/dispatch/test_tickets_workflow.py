"""The hotline's ticket workflow through the services: every transition, the wrong state, the
roles, response deadlines, and complaints on orders becoming tickets."""

import datetime as dt

import pytest
from django.utils import timezone

from factories import UserFactory
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditEntry, Notification, Role
from jiuzhu.dispatch.models import Ticket, TicketStatus
from jiuzhu.dispatch.selectors.tickets import TicketFilters, ticket_assignees, ticket_list
from jiuzhu.dispatch.services.tickets import (
    RESPONSE_HOURS,
    ticket_actions,
    ticket_assign,
    ticket_call_back,
    ticket_close,
    ticket_handle,
    ticket_open,
)
from jiuzhu.orders.services.orders import order_complain, order_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(actors, areas, market):
    return ticket_open(
        actor=actors["qixia_hotline"],
        kind="complaint",
        description="送餐迟到两小时",
        district=areas["qixia"],
        household=market["household"],
        caller_name="李女士",
        caller_phone="13900001111",
    )


def test_a_call_becomes_a_ticket_with_a_response_deadline(ticket, actors):
    assert ticket.status == TicketStatus.RECEIVED and ticket.number.startswith("RX")
    hours = (ticket.respond_by - ticket.created_at).total_seconds() / 3600
    assert round(hours) == RESPONSE_HOURS["complaint"] == 24
    assert AuditEntry.objects.filter(object_type="dispatch.ticket", action="create").exists()
    assert Notification.objects.filter(user=actors["qixia_hotline"]).exists()


def test_every_transition_in_order(ticket, actors):
    operator, worker = actors["qixia_hotline"], actors["yaohua_caseworker"]
    assert ticket_actions(ticket, operator) == ["assign"]
    ticket = ticket_assign(actor=operator, ticket=ticket, assignee=worker)
    assert (ticket.status, ticket.assignee) == (TicketStatus.ASSIGNED, worker)
    assert Notification.objects.filter(user=worker).exists()
    assert set(ticket_actions(ticket, worker)) == {"assign", "handle"}
    ticket = ticket_assign(actor=operator, ticket=ticket, assignee=actors["qixia_manager"])
    ticket = ticket_handle(actor=worker, ticket=ticket, note="联系服务机构，今日补送")
    assert ticket.status == TicketStatus.HANDLED and ticket.handled_at
    ticket = ticket_call_back(actor=operator, ticket=ticket, note="回访：已收到，满意")
    assert ticket.status == TicketStatus.CALLED_BACK
    ticket = ticket_close(actor=operator, ticket=ticket, satisfaction=4)
    assert (ticket.status, ticket.satisfaction) == (TicketStatus.CLOSED, 4)
    assert ticket_actions(ticket, operator) == []
    transitions = AuditEntry.objects.filter(object_type="dispatch.ticket", action="update")
    assert [e.detail["transition"] for e in transitions.order_by("id")] == [
        "assign",
        "assign",
        "handle",
        "call_back",
        "close",
    ]


@pytest.mark.parametrize(
    ("run", "kwargs"),
    [
        (ticket_handle, {"note": "x"}),
        (ticket_call_back, {"note": "x"}),
        (ticket_close, {"satisfaction": 5}),
    ],
)
def test_a_step_from_the_wrong_state_is_a_conflict(ticket, actors, run, kwargs):
    with pytest.raises(Conflict) as caught:
        run(actor=actors["qixia_hotline"], ticket=ticket, **kwargs)
    assert caught.value.status == 409 and caught.value.extra["ticket_status"] == "received"
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RECEIVED


def test_a_closed_ticket_cannot_be_reassigned(ticket, actors):
    operator = actors["qixia_hotline"]
    ticket = ticket_assign(actor=operator, ticket=ticket, assignee=operator)
    ticket = ticket_handle(actor=operator, ticket=ticket, note="ok")
    ticket = ticket_call_back(actor=operator, ticket=ticket, note="ok")
    ticket = ticket_close(actor=operator, ticket=ticket, satisfaction=5)
    with pytest.raises(Conflict):
        ticket_assign(actor=operator, ticket=ticket, assignee=operator)


@pytest.mark.parametrize("name", ["city_admin", "provider_staff", "volunteer", "assessor"])
def test_other_roles_may_not_work_on_tickets(ticket, actors, name):
    with pytest.raises(PermissionDenied):
        ticket_assign(actor=actors[name], ticket=ticket, assignee=actors["qixia_hotline"])


@pytest.mark.parametrize("name", ["yaohua_caseworker", "city_admin", "provider_staff"])
def test_only_operators_and_managers_open_tickets(actors, areas, name):
    with pytest.raises(PermissionDenied):
        ticket_open(actor=actors[name], kind="feedback", description="x", district=areas["qixia"])


def test_tickets_need_a_kind_and_a_description(actors, areas):
    with pytest.raises(ValidationFailed) as caught:
        ticket_open(
            actor=actors["qixia_hotline"], kind="gossip", description="  ", district=areas["qixia"]
        )
    assert set(caught.value.fields) == {"kind", "description"}


def test_notes_and_satisfaction_are_checked(ticket, actors):
    operator = actors["qixia_hotline"]
    with pytest.raises(ValidationFailed):
        ticket_assign(actor=operator, ticket=ticket, assignee=actors["volunteer"])
    ticket = ticket_assign(actor=operator, ticket=ticket, assignee=operator)
    with pytest.raises(ValidationFailed):
        ticket_handle(actor=operator, ticket=ticket, note="  ")
    ticket = ticket_handle(actor=operator, ticket=ticket, note="ok")
    ticket = ticket_call_back(actor=operator, ticket=ticket, note="ok")
    for score in (0, 6, -1):
        with pytest.raises(ValidationFailed):
            ticket_close(actor=operator, ticket=ticket, satisfaction=score)


def test_a_household_outside_the_area_is_refused(actors, areas, market):
    with pytest.raises(PermissionDenied):
        ticket_open(
            actor=actors["jianye_manager"],
            kind="feedback",
            description="x",
            district=areas["jianye"],
            household=market["household"],
        )


def test_complaints_on_orders_become_tickets(market, actors, django_capture_on_commit_callbacks):
    order = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        complaint = order_complain(actor=market["beneficiary"], order=order, text="送来的饭是凉的")
    ticket = Ticket.objects.get(complaint=complaint)
    assert (ticket.kind, ticket.order, ticket.household) == (
        "complaint",
        order,
        market["household"],
    )
    assert ticket.description == "送来的饭是凉的" and ticket.district.code == "320113"
    assert ticket.created_by == market["beneficiary"]
    assert ticket in ticket_list(user=actors["qixia_hotline"])
    assert ticket in ticket_list(user=actors["yaohua_caseworker"])  # about their street
    assert ticket not in ticket_list(user=actors["maqun_caseworker"])
    assert ticket not in ticket_list(user=actors["jianye_manager"])


def test_overdue_means_past_the_deadline_and_not_closed(ticket, actors):
    operator = actors["qixia_hotline"]
    late = timezone.now() + dt.timedelta(hours=25)
    assert list(ticket_list(user=operator, filters=TicketFilters(overdue=True), now=late)) == [
        ticket
    ]
    assert not ticket_list(user=operator, filters=TicketFilters(overdue=True)).exists()
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.CLOSED)
    assert not ticket_list(user=operator, filters=TicketFilters(overdue=True), now=late).exists()


def test_tickets_go_to_people_of_the_district(ticket, actors, areas):
    other = UserFactory(username="jianye_hotline", role=Role.HOTLINE_OPERATOR, area=areas["jianye"])
    people = set(ticket_assignees(ticket=ticket))
    assert {
        actors["qixia_hotline"],
        actors["qixia_manager"],
        actors["yaohua_caseworker"],
        actors["maqun_caseworker"],
    } <= people
    assert other not in people and actors["jianye_manager"] not in people
    assert actors["yaohua_a_worker"] not in people
