"""The audit administrator reads the trail and must see no case data (三权分立): entries name
objects by type and id, beneficiary accounts by a masked number, and search terms are blanked —
on the page and in the export."""

from __future__ import annotations

import io

import openpyxl
import pytest

from factories import UserFactory
from factories_registry import add_member, make_household
from jiuzhu.core import audit
from jiuzhu.core.models import AuditAction, AuditEntry, Role
from jiuzhu.registry.selectors.households import HouseholdFilters
from jiuzhu.registry.services.exports import household_export

pytestmark = pytest.mark.django_db

PERSONAL = ("王秀英", "燕子矶路8号", "13912345678")


@pytest.fixture
def case_trail(caseworker, actors):
    household = make_household(
        actor=caseworker, community=actors["yaohua_a_worker"].area, address="燕子矶路8号"
    )
    add_member(actor=caseworker, household=household, name="王秀英", mobile="13912345678")
    household_export(actor=caseworker, filters=HouseholdFilters(q="王秀英"))
    beneficiary = UserFactory(username="m13912345678", role=Role.BENEFICIARY)
    audit.record(actor=beneficiary, action=AuditAction.VIEW, obj=household)
    return household


def test_entries_about_people_carry_no_personal_data(case_trail):
    for entry in AuditEntry.objects.all():
        text = f"{entry.actor_label} {entry.object_label} {entry.detail}"
        assert not any(value in text for value in PERSONAL), text
    household_entry = AuditEntry.objects.filter(object_type="registry.household").first()
    assert household_entry.object_label == f"#{case_trail.pk}"
    assert AuditEntry.objects.filter(actor_label="m139****5678").exists()
    export = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert export.detail["filters"]["q"] == "***"


def test_public_objects_keep_their_names(actors):
    area = actors["qixia_manager"].area
    entry = audit.record(actor=actors["city_admin"], action=AuditAction.VIEW, obj=area)
    assert entry.object_label == str(area)


def test_the_audit_page_and_export_show_no_personal_data(client, actors, case_trail):
    client.force_login(actors["audit_admin"])
    page = client.get("/audit/").content.decode()
    workbook = openpyxl.load_workbook(
        io.BytesIO(b"".join(client.get("/audit/export.xlsx").streaming_content))
    )
    cells = " ".join(
        str(cell) for row in workbook.active.iter_rows(values_only=True) for cell in row if cell
    )
    for value in PERSONAL:
        assert value not in page
        assert value not in cells
