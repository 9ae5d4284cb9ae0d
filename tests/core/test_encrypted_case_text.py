"""Free text that carries health and hardship in people's own words is encrypted at rest
(issue 16 item 15, docs/data-classification.md): plan notes, a hotline ticket's caller phone,
description and handling notes, and complaints. The columns hold no plaintext; the
application reads the same values as before; key rotation finds every one of these fields."""

from __future__ import annotations

import pytest
from django.db import connection

from factories import ComplaintFactory, PlanFactory, PlanItemFactory, TicketFactory
from jiuzhu.assessment.models import Plan, PlanItem
from jiuzhu.core import crypto
from jiuzhu.core.keyrotation import encrypted_models
from jiuzhu.dispatch.models import Ticket
from jiuzhu.orders.models import Complaint

pytestmark = pytest.mark.django_db

PLAN_NOTE = "老人患糖尿病，需每周上门测血糖"
ITEM_NOTE = "透析日不安排"
CALLER_PHONE = "13912345678"
DESCRIPTION = "来电人称母亲卧床，护工三天未上门"
HANDLING = "已联系机构，明日补服务"
CALLBACK = "回访：已补上门，家属满意"
COMPLAINT = "护工态度差，未按时翻身"


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_plan_notes_are_stored_encrypted_and_read_as_written():
    plan = PlanFactory(note=PLAN_NOTE)
    item = PlanItemFactory(plan=plan, note=ITEM_NOTE)
    for table, pk, clear in (
        ("assessment_plan", plan.pk, PLAN_NOTE),
        ("assessment_planitem", item.pk, ITEM_NOTE),
    ):
        stored = raw(table, "note", pk)
        assert clear not in stored and crypto.decrypt(stored) == clear
    assert Plan.objects.get(pk=plan.pk).note == PLAN_NOTE
    assert PlanItem.objects.get(pk=item.pk).note == ITEM_NOTE


def test_a_tickets_caller_phone_and_texts_are_stored_encrypted():
    ticket = TicketFactory(
        caller_phone=CALLER_PHONE,
        description=DESCRIPTION,
        handling_note=HANDLING,
        callback_note=CALLBACK,
    )
    expected = {
        "caller_phone": CALLER_PHONE,
        "description": DESCRIPTION,
        "handling_note": HANDLING,
        "callback_note": CALLBACK,
    }
    for column, clear in expected.items():
        stored = raw("dispatch_ticket", column, ticket.pk)
        assert clear not in stored and crypto.decrypt(stored) == clear
    read = Ticket.objects.values(*expected).get(pk=ticket.pk)
    assert read == expected


def test_a_complaints_text_is_stored_encrypted():
    complaint = ComplaintFactory(text=COMPLAINT)
    stored = raw("orders_complaint", "text", complaint.pk)
    assert COMPLAINT not in stored and crypto.decrypt(stored) == COMPLAINT
    assert Complaint.objects.get(pk=complaint.pk).text == COMPLAINT


def test_a_blank_note_stays_blank_so_filters_on_it_keep_working():
    plan = PlanFactory(note="")
    assert raw("assessment_plan", "note", plan.pk) == ""
    assert Plan.objects.filter(pk=plan.pk, note="").exists()


def test_key_rotation_finds_these_fields():
    found = {spec.label: set(spec.encrypted) for spec in encrypted_models()}
    assert found["assessment.Plan"] == {"note"}
    assert found["assessment.PlanItem"] == {"note"}
    assert found["dispatch.Ticket"] == {
        "caller_phone",
        "description",
        "handling_note",
        "callback_note",
    }
    assert found["orders.Complaint"] == {"text"}
