"""Masked identity numbers cannot be rebuilt (issue 16 item 1, docs/data-classification.md).

The identity number is area (6) + birth date (8) + sequence (3) + check (1). A role that sees
``**************2464`` knows the last four; with the member's birth date and the issuing area a
rebuilt number needs at most a guess of the area. So no page, API answer or export gives a birth
date (they give age and birth year), the audited reveal is the only way to the date, and the
database column holds the date encrypted like the number. Ages are computed from the decrypted
date exactly as before: someone born 2008-03-03 turns 18 at midnight on 3 March 2026 in Nanjing
(16:00 UTC on 2 March).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import types

import pytest
from django.db import connection
from openpyxl import load_workbook

from factories import identity_number
from factories_registry import add_member, make_household
from jiuzhu.core import crypto
from jiuzhu.core.models import AuditAction, AuditEntry, AuditResult
from jiuzhu.discovery.models import PotentialCase
from jiuzhu.registry.models import Member
from jiuzhu.registry.services.households import household_refresh_groups

pytestmark = pytest.mark.django_db

BORN = dt.date(2008, 3, 3)
NUMBER = identity_number(BORN, sex="F")
#: Every way a page, an API answer or a workbook might spell the date.
SPELLINGS = ("2008-03-03", "20080303", "2008/03/03", "2008/3/3", "2008年3月3日", "03/03/2008")
#: 17 until the end of 2 March 2026 in Nanjing (Asia/Shanghai, UTC+8), 18 from its midnight.
LAST_MINUTE_17 = dt.datetime(2026, 3, 2, 15, 59, tzinfo=dt.UTC)  # 23:59 on 2 March, Nanjing
FIRST_MINUTE_18 = dt.datetime(2026, 3, 2, 16, 0, tzinfo=dt.UTC)  # 00:00 on 3 March, Nanjing


@pytest.fixture
def member(areas, caseworker):
    household = make_household(actor=caseworker, community=areas["yaohua_a"])
    return add_member(
        actor=caseworker,
        household=household,
        name="林小雨",
        id_number=NUMBER,
        employment="student",
        schooling="enrolled",
    )


def no_date_in(text: str) -> None:
    for spelling in SPELLINGS:
        assert spelling not in text, spelling


def api_get(client, path: str):
    return client.get(f"/api/v1{path}", HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize("role", ["qixia_hotline", "yaohua_caseworker", "qixia_manager"])
def test_the_member_api_gives_birth_year_and_age_never_the_date(client, actors, member, role):
    client.force_login(actors[role])
    one = api_get(client, f"/members/{member.pk}")
    listed = api_get(client, f"/households/{member.household_id}/members")
    assert one.status_code == listed.status_code == 200
    for response in (one, listed):
        no_date_in(response.content.decode())
    body = one.json()
    assert "birth_date" not in body
    assert body["birth_year"] == 2008
    assert body["id_number_masked"] == "*" * 14 + NUMBER[-4:]
    assert listed.json()["items"][0]["birth_year"] == 2008


def test_writing_through_the_api_answers_without_the_date(client, caseworker, member):
    client.force_login(caseworker)
    response = client.patch(
        f"/api/v1/members/{member.pk}",
        data=json.dumps({"name": "林小雨", "reason": "更正"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    no_date_in(response.content.decode())


@pytest.mark.parametrize("role", ["qixia_hotline", "yaohua_caseworker"])
def test_the_household_page_shows_age_not_the_date(client, actors, member, clock, role):
    clock.set(FIRST_MINUTE_18)
    client.force_login(actors[role])
    response = client.get(f"/households/{member.household_id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    no_date_in(page)
    assert "林小雨" in page and "*" * 14 + NUMBER[-4:] in page


def test_the_export_has_ages_and_no_birth_date(client, caseworker, member, clock):
    clock.set(FIRST_MINUTE_18)
    client.force_login(caseworker)
    response = client.get("/households/export.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    cells = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    ]
    no_date_in(" ".join(str(cell) for cell in cells if cell is not None))
    assert not [cell for cell in cells if isinstance(cell, dt.date) and cell.year == 2008]
    _households, members = workbook.worksheets
    header, row = list(members.iter_rows(values_only=True))[:2]
    assert row[header.index("Age")] == 18


def test_the_date_comes_only_with_the_audited_reveal(client, actors, member):
    client.force_login(actors["yaohua_caseworker"])
    revealed = client.post(f"/api/v1/members/{member.pk}/reveal")
    assert revealed.json() == {"id_number": NUMBER, "birth_date": "2008-03-03"}
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL, object_id=str(member.pk))
    assert entry.result == AuditResult.SUCCESS and entry.actor == actors["yaohua_caseworker"]

    client.force_login(actors["qixia_hotline"])
    refused = client.post(f"/api/v1/members/{member.pk}/reveal")
    assert refused.status_code == 403
    no_date_in(refused.content.decode())
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.REVEAL, object_id=str(member.pk), result=AuditResult.DENIED
        ).count()
        == 1
    )


def raw_row(table: str, pk: int) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def test_the_database_row_holds_no_clear_birth_date(member):
    row = raw_row("registry_member", member.pk)
    for column, value in row.items():
        assert not (isinstance(value, dt.date) and value.year == 2008), column
        no_date_in(str(value))
    assert row["birth_date"].startswith("gAAAAA")  # a Fernet token
    assert crypto.decrypt(row["birth_date"]) == "2008-03-03"
    assert row["id_last4"] == NUMBER[-4:]  # kept in clear for the mask and search
    assert Member.objects.get(pk=member.pk).birth_date == BORN  # read back as a date


def test_a_potential_cases_birth_date_is_encrypted_too(db):
    case = PotentialCase.objects.create(
        id_number_encrypted=crypto.encrypt(NUMBER),
        id_number_hash=crypto.lookup_hash(NUMBER),
        id_last4=NUMBER[-4:],
        name="路人",
        birth_date=BORN,
    )
    stored = raw_row("discovery_potentialcase", case.pk)["birth_date"]
    assert stored.startswith("gAAAAA") and crypto.decrypt(stored) == "2008-03-03"
    assert PotentialCase.objects.get(pk=case.pk).birth_date == BORN
    blank = PotentialCase.objects.create(
        id_number_encrypted="x", id_number_hash="y", id_last4="0000", name="无"
    )
    assert raw_row("discovery_potentialcase", blank.pk)["birth_date"] is None
    assert list(PotentialCase.objects.filter(birth_date__isnull=True)) == [blank]


def test_ages_are_counted_in_nanjing_from_the_decrypted_date(client, caseworker, member, clock):
    """Hand-worked: born 2008-03-03, 17 on 2 March 2026 and 18 on 3 March 2026 (local date)."""
    client.force_login(caseworker)
    household = member.household

    clock.set(LAST_MINUTE_17)
    assert api_get(client, f"/members/{member.pk}").json()["age"] == 17
    household_refresh_groups(household=household)
    household.refresh_from_db()
    assert "minors" in household.group_list
    page = client.get(f"/households/{household.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Female · 17 ·" in page.content.decode()

    clock.set(FIRST_MINUTE_18)
    assert api_get(client, f"/members/{member.pk}").json()["age"] == 18
    household_refresh_groups(household=household)
    household.refresh_from_db()
    assert "minors" not in household.group_list
    page = client.get(f"/households/{household.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Female · 18 ·" in page.content.decode()


def test_an_adult_guardian_check_reads_the_encrypted_date(caseworker, member, clock):
    """The guardian rule (an adult) computes with the decrypted date: 17 refused, 18 accepted."""
    from jiuzhu.core.errors import ValidationFailed
    from jiuzhu.registry.services.members import member_update

    child = add_member(
        actor=caseworker,
        household=member.household,
        name="林小小",
        relation="sibling",
        age=5,
        employment="child",
    )
    clock.set(LAST_MINUTE_17)
    with pytest.raises(ValidationFailed) as refused:
        member_update(actor=caseworker, member=child, guardian=member)
    assert "guardian" in refused.value.extra["fields"]
    clock.set(FIRST_MINUTE_18)
    assert member_update(actor=caseworker, member=child, guardian=member).guardian == member


def _migration(app: str):
    import importlib

    return importlib.import_module(f"jiuzhu.{app}.migrations.0007_pii_encrypt_birth_date")


def test_the_migration_encrypts_existing_rows_and_decrypts_them_back(member):
    """The data steps of the migration, forward and backward, on a row written as it was before
    (an ISO date in the clear, which the field reads as that date)."""
    from django.apps import apps

    migration = _migration("registry")
    editor = types.SimpleNamespace(connection=connection)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_member SET birth_date = %s WHERE id = %s", ["2008-03-03", member.pk]
        )
    assert Member.objects.get(pk=member.pk).birth_date == BORN  # a clear date reads as is

    migration.encrypt_rows(apps, editor)
    stored = raw_row("registry_member", member.pk)["birth_date"]
    assert stored.startswith("gAAAAA") and crypto.decrypt(stored) == "2008-03-03"

    migration.decrypt_rows(apps, editor)
    assert raw_row("registry_member", member.pk)["birth_date"] == "2008-03-03"


def test_the_discovery_migration_keeps_a_missing_date_missing(db):
    from django.apps import apps

    migration = _migration("discovery")
    editor = types.SimpleNamespace(connection=connection)
    dated = PotentialCase.objects.create(
        id_number_encrypted="a", id_number_hash="a", id_last4="0001", name="甲", birth_date=BORN
    )
    undated = PotentialCase.objects.create(
        id_number_encrypted="b", id_number_hash="b", id_last4="0002", name="乙"
    )
    migration.decrypt_rows(apps, editor)
    assert raw_row("discovery_potentialcase", dated.pk)["birth_date"] == "2008-03-03"
    assert raw_row("discovery_potentialcase", undated.pk)["birth_date"] is None
    migration.encrypt_rows(apps, editor)
    assert raw_row("discovery_potentialcase", dated.pk)["birth_date"].startswith("gAAAAA")
    assert raw_row("discovery_potentialcase", undated.pk)["birth_date"] is None
