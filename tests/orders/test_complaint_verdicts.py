"""Deciding a complaint: upheld or not, by those who handle the hotline's tickets, once."""

from __future__ import annotations

import pytest

from factories import ComplaintFactory, OrderFactory
from jiuzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.dispatch.policy import TICKET_HANDLERS
from jiuzhu.orders.models import OrderEvent
from jiuzhu.orders.policy import COMPLAINT_JUDGES
from jiuzhu.orders.services.complaints import COMPLAINT_FLOW, complaint_decide


def test_the_judges_are_those_who_handle_tickets():
    assert COMPLAINT_JUDGES == TICKET_HANDLERS


def test_the_state_table():
    for role in COMPLAINT_JUDGES:
        assert COMPLAINT_FLOW.actions_for("pending", role) == ["uphold", "reject"]
        assert COMPLAINT_FLOW.actions_for("upheld", role) == []
        assert COMPLAINT_FLOW.actions_for("rejected", role) == []
    assert COMPLAINT_FLOW.actions_for("pending", "provider_staff") == []


def test_a_complaint_is_decided_once_with_a_reason(market, actors):
    manager = actors["qixia_manager"]
    complaint = ComplaintFactory(order=OrderFactory(household=market["household"]))
    with pytest.raises(ValidationFailed):
        complaint_decide(actor=manager, complaint=complaint, upheld=True, note=" ")
    with pytest.raises(PermissionDenied):
        complaint_decide(
            actor=actors["provider_staff"], complaint=complaint, upheld=False, note="x"
        )
    decided = complaint_decide(actor=manager, complaint=complaint, upheld=True, note="属实")
    assert decided.status == "upheld" and decided.decided_by == manager
    assert OrderEvent.objects.filter(order=complaint.order, action="complaint_uphold").exists()
    with pytest.raises(Conflict):
        complaint_decide(actor=manager, complaint=decided, upheld=False, note="改判")


def test_a_complaint_outside_the_area_is_not_found(market, actors):
    complaint = ComplaintFactory(order=OrderFactory(household=market["household"]))
    with pytest.raises(NotFound):
        complaint_decide(
            actor=actors["jianye_manager"], complaint=complaint, upheld=True, note="属实"
        )


def test_the_hotline_records_the_verdict_on_the_ticket_page(market, areas, actors):
    from django.test import Client
    from django.urls import reverse

    from factories import TicketFactory

    order = OrderFactory(household=market["household"])
    complaint = ComplaintFactory(order=order)
    ticket = TicketFactory(
        district=areas["qixia"],
        household=order.household,
        order=order,
        complaint=complaint,
        created_by=actors["qixia_hotline"],
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(actors["qixia_hotline"])
    page = client.get(reverse("dispatch:ticket_detail", args=[ticket.pk])).content.decode()
    assert "投诉是否属实" in page and "待核实" in page
    url = reverse("dispatch:complaint_verdict", args=[ticket.pk])
    assert client.post(url, {"verdict": "upheld"}).status_code == 422
    done = client.post(url, {"verdict": "upheld", "note": "回访核实，服务人员确实迟到"})
    assert done.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "upheld" and complaint.decided_by == actors["qixia_hotline"]
    page = client.get(reverse("dispatch:ticket_detail", args=[ticket.pk])).content.decode()
    assert "回访核实" in page and "记录核实结论" not in page
