"""Encryption at rest beyond identity numbers (issue 16 item 15, docs/data-classification.md):
the columns hold no plaintext, the application reads the same values as before, and a whole
phone number still finds its household and signs its member in."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from factories import AssessmentFactory
from factories_registry import add_member, make_household
from jiuzhu.core import crypto
from jiuzhu.core.encrypted_fields import phone_hash
from jiuzhu.registry.models import CaseNote, Household, Member
from jiuzhu.registry.selectors.households import HouseholdFilters, household_list
from jiuzhu.registry.services.beneficiaries import beneficiary_request_code, beneficiary_sign_in
from jiuzhu.registry.services.notes import note_create

pytestmark = pytest.mark.django_db

MOBILE = "13955556666"
PHONE = "025-86661234"
ILLNESS = "慢性肾衰竭，每周透析三次"
FINDINGS = "家中老人独居，右腿骨折未愈"
NEXT_STEP = "联系康复机构上门"
WISHES = "希望有人帮忙买药"


def raw(table: str, columns: str, pk: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()


@pytest.fixture
def recorded(areas, caseworker):
    household = make_household(actor=caseworker, community=areas["yaohua_a"], phone=PHONE)
    member = add_member(
        actor=caseworker,
        household=household,
        name="陈静",
        mobile=MOBILE,
        illness="chronic",
        illness_note=ILLNESS,
    )
    note = note_create(
        actor=caseworker,
        household=household,
        kind="home_visit",
        occurred_on=dt.date.today(),
        findings=FINDINGS,
        next_step=NEXT_STEP,
        sensitive=True,
    )
    return household, member, note


def test_the_columns_hold_tokens_not_the_plaintext(recorded):
    household, member, note = recorded
    stored_phone, stored_phone_hash = raw("registry_household", "phone, phone_hash", household.pk)
    mobile, mobile_hash, illness = raw(
        "registry_member", "mobile, mobile_hash, illness_note", member.pk
    )
    findings, next_step = raw("registry_casenote", "findings, next_step", note.pk)
    for stored, plain in (
        (stored_phone, PHONE),
        (mobile, MOBILE),
        (illness, ILLNESS),
        (findings, FINDINGS),
        (next_step, NEXT_STEP),
    ):
        assert plain not in stored
        assert stored.startswith("gAAAAA")  # a Fernet token
        assert crypto.decrypt(stored) == plain
    assert "6666" not in mobile and "1234" not in stored_phone  # not even a part
    # The hash is HMAC-SHA256 of the number without hyphens, under the field key.
    assert stored_phone_hash == crypto.lookup_hash("phone:02586661234")
    assert mobile_hash == crypto.lookup_hash(f"phone:{MOBILE}")


def test_the_wishes_are_encrypted_too(db):
    assessment = AssessmentFactory(wishes=WISHES)
    (stored,) = raw("assessment_assessment", "wishes", assessment.pk)
    assert WISHES not in stored and crypto.decrypt(stored) == WISHES
    assessment.refresh_from_db()
    assert assessment.wishes == WISHES


def test_the_application_reads_the_same_values(recorded):
    household, member, note = recorded
    assert Household.objects.get(pk=household.pk).phone == PHONE
    member = Member.objects.get(pk=member.pk)
    assert (member.mobile, member.illness_note) == (MOBILE, ILLNESS)
    assert CaseNote.objects.values_list("findings", "next_step").get(pk=note.pk) == (
        FINDINGS,
        NEXT_STEP,
    )


def test_a_blank_value_stays_blank_and_filterable(areas, caseworker):
    household = make_household(actor=caseworker, community=areas["yaohua_a"], phone="")
    member = add_member(actor=caseworker, household=household, name="无电话")
    assert raw("registry_member", "mobile, mobile_hash", member.pk) == ("", "")
    assert raw("registry_household", "phone, phone_hash", household.pk) == ("", "")
    assert list(Member.objects.filter(mobile="").values_list("pk", flat=True)) == [member.pk]


def test_equality_on_an_encrypted_column_is_refused_not_silently_empty(recorded):
    with pytest.raises(TypeError, match="mobile is encrypted"):
        list(Member.objects.filter(mobile=MOBILE))
    with pytest.raises(Exception, match="Unsupported lookup"):
        list(Household.objects.filter(phone__contains="8666"))


def test_the_household_list_finds_the_household_by_a_whole_phone_number(recorded, actors):
    household, _member, _note = recorded
    city = actors["city_admin"]

    def found(q: str) -> list[int]:
        queryset = household_list(user=city, filters=HouseholdFilters(q=q))
        return list(queryset.values_list("pk", flat=True))

    assert found(PHONE) == [household.pk]
    assert found(MOBILE) == [household.pk]
    assert found("025 8666 1234") == [household.pk]
    assert found("8666") == []  # a part of a number is not searchable any more


def test_the_pages_show_the_same_values(client, recorded, caseworker):
    household, member, _note = recorded
    client.force_login(caseworker)
    listing = client.get(reverse("registry:household_list"), {"q": MOBILE})
    assert listing.status_code == 200
    assert f"/households/{household.pk}/" in listing.content.decode()
    page = client.get(reverse("registry:household_detail", args=[household.pk]))
    assert PHONE in page.content.decode()
    form = client.get(reverse("registry:member_edit", args=[member.pk])).content.decode()
    assert f'value="{MOBILE}"' in form and ILLNESS in form


def test_a_member_still_signs_in_by_sms(recorded, settings, tmp_path):
    settings.SMS_OUTBOX = tmp_path / "outbox.jsonl"
    _household, member, _note = recorded
    beneficiary_request_code(mobile=MOBILE)
    lines = settings.SMS_OUTBOX.read_text(encoding="utf-8").splitlines()
    text = json.loads(lines[-1])["text"]
    code = "".join(ch for ch in text if ch.isdigit())[:6]
    user = beneficiary_sign_in(mobile=MOBILE, code=code)
    assert user.beneficiary.member == member


def test_a_changed_mobile_number_moves_its_hash(recorded, caseworker):
    from jiuzhu.registry.services.members import member_update

    _household, member, _note = recorded
    member_update(actor=caseworker, member=member, mobile="13700007777")
    _stored, digest = raw("registry_member", "mobile, mobile_hash", member.pk)
    assert digest == phone_hash("13700007777") != phone_hash(MOBILE)


def test_the_settings_default_audit_key_is_the_field_key():
    """Unset, ``JIUZHU_AUDIT_KEY`` is the field key, so the audit trail's MACs are unchanged."""
    assert settings.AUDIT_KEY == settings.FIELD_ENCRYPTION_KEY
