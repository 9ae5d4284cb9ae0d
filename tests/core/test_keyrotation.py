"""``jiuzhu rotate-key`` (issue 16 item 15): every encrypted field and lookup hash moves to the
new key, and reads — pages' values, phone and identity-number search, SMS sign-in — work before,
during (old and new keys configured, rows half moved) and after the rotation."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from factories import identity_number, years_ago
from factories_registry import add_member, make_household
from jiuzhu.core import audit_chain, crypto
from jiuzhu.core.keyrotation import encrypted_models, rotate
from jiuzhu.registry.models import CaseNote, Member
from jiuzhu.registry.selectors.households import HouseholdFilters, household_list
from jiuzhu.registry.services.beneficiaries import beneficiary_request_code, beneficiary_sign_in
from jiuzhu.registry.services.notes import note_create

pytestmark = pytest.mark.django_db

NEW_KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()
PHONE, MOBILE, ILLNESS = "025-86660001", "13955550001", "糖尿病"
NUMBER = identity_number(years_ago(70), sex="F")


@pytest.fixture
def recorded(areas, caseworker):
    household = make_household(actor=caseworker, community=areas["yaohua_a"], phone=PHONE)
    head = add_member(
        actor=caseworker,
        household=household,
        name="周芳",
        id_number=NUMBER,
        mobile=MOBILE,
        illness="chronic",
        illness_note=ILLNESS,
    )
    add_member(actor=caseworker, household=household, name="周小", relation="child", age=30)
    note = note_create(
        actor=caseworker,
        household=household,
        kind="note",
        occurred_on=dt.date.today(),
        findings="低血糖发作两次",
        sensitive=True,
    )
    return household, head, note


def raw_column(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY id")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def reads_work(user, household, head, note) -> None:
    def found(q: str) -> list[int]:
        return list(
            household_list(user=user, filters=HouseholdFilters(q=q)).values_list("pk", flat=True)
        )

    assert found(PHONE) == found(MOBILE) == found(NUMBER) == found("周芳") == [household.pk]
    member = Member.objects.get(pk=head.pk)
    assert (member.mobile, member.illness_note) == (MOBILE, ILLNESS)
    assert crypto.decrypt(member.id_number_encrypted) == NUMBER
    assert member.birth_date.strftime("%Y%m%d") == NUMBER[6:14]  # encrypted too (issue 16)
    assert CaseNote.objects.get(pk=note.pk).findings == "低血糖发作两次"


def sign_in(settings) -> Member:
    beneficiary_request_code(mobile=MOBILE)
    text = json.loads(settings.SMS_OUTBOX.read_text(encoding="utf-8").splitlines()[-1])["text"]
    code = "".join(ch for ch in text if ch.isdigit())[:6]
    return beneficiary_sign_in(mobile=MOBILE, code=code).beneficiary.member


def test_rotation_with_reads_before_during_and_after(recorded, actors, settings, tmp_path):
    settings.SMS_OUTBOX = tmp_path / "outbox.jsonl"
    household, head, note = recorded
    city = actors["city_admin"]
    old_key = settings.FIELD_ENCRYPTION_KEY
    old_hashes = raw_column("registry_member", "id_number_hash")
    reads_work(city, household, head, note)  # before

    settings.FIELD_ENCRYPTION_KEY = NEW_KEY
    settings.FIELD_ENCRYPTION_KEYS_OLD = (old_key,)
    settings.AUDIT_KEY = old_key
    reads_work(city, household, head, note)  # new key configured, nothing moved yet

    seen_half_moved = []

    def during(label: str, done: int, total: int) -> None:
        if label == "registry.Member" and done == 1:
            hashes = raw_column("registry_member", "id_number_hash")
            # One member moved to the new key's hash, the other still on the old one.
            assert hashes[0] != old_hashes[0] and hashes[1] == old_hashes[1]
            seen_half_moved.append(True)
        reads_work(city, household, head, note)

    counts = rotate(batch_size=1, progress=during)
    assert seen_half_moved == [True]
    assert counts["registry.Member"] == 2 and counts["registry.Household"] == 1
    assert sign_in(settings) == head  # the member's hash was moved; the code's is new

    settings.FIELD_ENCRYPTION_KEYS_OLD = ()  # the old key is gone
    reads_work(city, household, head, note)  # after
    tokens = (
        raw_column("registry_household", "phone")
        + raw_column("registry_member", "mobile")
        + raw_column("registry_member", "id_number_encrypted")
        + raw_column("registry_member", "birth_date")
        + raw_column("registry_casenote", "findings")
    )
    with settings_key(settings, old_key):
        for token in filter(None, tokens):
            with pytest.raises(ValueError, match="cannot decrypt"):
                crypto.decrypt(token)
    assert raw_column("registry_member", "id_number_hash")[0] == crypto.lookup_hash(NUMBER)
    assert audit_chain.verify().ok  # the audit trail's MACs are keyed apart from the field key


class settings_key:  # noqa: N801 - used as a context manager
    def __init__(self, settings, key: str) -> None:
        self.settings, self.key = settings, key

    def __enter__(self) -> None:
        self.saved = self.settings.FIELD_ENCRYPTION_KEY
        self.settings.FIELD_ENCRYPTION_KEY = self.key

    def __exit__(self, *exc: object) -> None:
        self.settings.FIELD_ENCRYPTION_KEY = self.saved


def test_the_command_reports_progress_in_batches(recorded, settings):
    settings.FIELD_ENCRYPTION_KEYS_OLD = (settings.FIELD_ENCRYPTION_KEY,)
    settings.FIELD_ENCRYPTION_KEY = NEW_KEY
    out = io.StringIO()
    call_command("rotate_key", "--batch-size", "1", stdout=out)
    lines = out.getvalue().splitlines()
    assert "registry.Member: 1/2" in lines and "registry.Member: 2/2" in lines
    assert "registry.Household: 1/1" in lines
    assert lines[-1].endswith("JIUZHU_FIELD_KEY_OLD can now be removed.")


def test_a_plaintext_left_in_a_column_is_encrypted_by_the_rotation(recorded):
    _household, head, _note = recorded
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_member SET illness_note = %s WHERE id = %s", ["旧", head.pk]
        )
    assert Member.objects.get(pk=head.pk).illness_note == "旧"  # read as it is
    rotate()
    stored = raw_column("registry_member", "illness_note")[0]
    assert stored != "旧" and crypto.decrypt(stored) == "旧"


def test_every_encrypted_field_is_found():
    found = {spec.label: set(spec.encrypted) for spec in encrypted_models()}
    hashes = {spec.label: {f.name for f in spec.hashes} for spec in encrypted_models()}
    assert found["registry.Household"] == {"phone"}
    assert found["registry.Member"] == {"mobile", "illness_note", "birth_date"}
    assert found["discovery.PotentialCase"] == {"birth_date"}
    assert found["registry.CaseNote"] == {"findings", "next_step"}
    assert found["assessment.Assessment"] == {"wishes"}
    assert hashes["registry.Member"] == {"id_number_hash", "mobile_hash"}
    assert hashes["registry.Household"] == {"phone_hash"}
    assert hashes["discovery.PotentialCase"] == {"id_number_hash"}


def test_a_clear_birth_date_left_in_a_column_is_encrypted_by_the_rotation(recorded):
    _household, head, _note = recorded
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_member SET birth_date = %s WHERE id = %s", ["1956-01-02", head.pk]
        )
    assert Member.objects.get(pk=head.pk).birth_date == dt.date(1956, 1, 2)  # read as it is
    rotate()
    stored = raw_column("registry_member", "birth_date")[0]
    assert stored.startswith("gAAAAA") and crypto.decrypt(stored) == "1956-01-02"
