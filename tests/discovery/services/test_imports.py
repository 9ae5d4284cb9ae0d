"""Importing department files: whole or nothing, valid rows only, dry runs, idempotent
re-imports, matching by the keyed hash, potential cases, and warnings with explanations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from discovery_cast import HEAD_ID, STRANGER_ID
from jiuzhu.core import crypto
from jiuzhu.core.errors import PermissionDenied
from jiuzhu.discovery.models import (
    DepartmentRecord,
    EarlyWarning,
    ImportBatch,
    PotentialCase,
)
from jiuzhu.discovery.services.imports import batch_report_rows, import_file

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
DAY = (TODAY - dt.timedelta(days=10)).isoformat()


def run(actor, path, **kwargs):
    kwargs.setdefault("channel", "cli")
    return import_file(actor=actor, source="medical", path=path, **kwargs)


def test_a_medical_file_matches_members_and_raises_an_explained_warning(
    department, registered, write_csv
):
    household, head = registered
    batch = run(department, write_csv([[HEAD_ID, "户主", DAY, "21000.00"]]))
    assert (batch.status, batch.rows, batch.accepted, batch.matched) == ("imported", 1, 1, 1)
    record = DepartmentRecord.objects.get()
    assert record.member == head and record.household == household
    # Minimum necessary: no name, no identity number, only the columns the rules use.
    assert record.values == {"settled_on": DAY, "out_of_pocket": "21000.00"}
    assert HEAD_ID not in str(record.values) and record.id_number_hash != HEAD_ID
    warning = EarlyWarning.objects.get()
    assert warning.household == household and warning.community == household.community
    assert warning.rule.code == "medical_12m" and warning.grade == "orange"
    explanation = warning.explanation
    assert explanation["record"] == record.pk and explanation["value"] == "21000.00"
    assert explanation["indicator"] == "health" and explanation["version"] == 1
    # 40 % of 12 × 1,000 = 4,800 is below the 20,000 amount: the share decides.
    assert explanation["threshold"] == "4800.00" and explanation["basis"] == "share"
    assert batch.warnings == 1


def test_a_large_file_matches_through_the_preloaded_hashes(
    department, registered, write_csv, monkeypatch
):
    """From ``PRELOAD_BYTES`` on, members' hashes are loaded once into a dict: same result."""
    from jiuzhu.discovery.services import imports

    monkeypatch.setattr(imports, "PRELOAD_BYTES", 0)
    household, head = registered
    batch = run(
        department,
        write_csv([[HEAD_ID, "户主", DAY, "21000.00"], [STRANGER_ID, "王某", DAY, "30000"]]),
    )
    assert (batch.matched, batch.potential_cases, batch.warnings) == (1, 1, 2)
    assert DepartmentRecord.objects.get(member=head).household == household


def test_the_same_file_imported_again_changes_nothing(department, registered, write_csv):
    path = write_csv([[HEAD_ID, "户主", DAY, "21000"]])
    run(department, path)
    again = run(department, path)
    assert (again.status, again.accepted, again.new_records, again.warnings) == (
        "imported",
        1,
        0,
        0,
    )
    assert DepartmentRecord.objects.count() == 1 and EarlyWarning.objects.count() == 1


def test_a_file_with_a_bad_row_imports_nothing_and_reports_the_row(
    department, registered, write_csv
):
    path = write_csv([[HEAD_ID, "户主", DAY, "100"], [HEAD_ID[:-1] + "9", "x", DAY, "-1"]])
    batch = run(department, path)
    assert batch.status == "refused" and batch.refusal["code"] == "rows_rejected"
    assert (batch.rows, batch.accepted, batch.rejected) == (2, 1, 1)
    assert DepartmentRecord.objects.count() == 0
    codes = {(e["row"], e["column"], e["code"]) for e in batch.errors}
    masked = next(e["value"] for e in batch.errors if e["column"] == "id_number")
    assert masked == "*" * 14 + HEAD_ID[-4:-1] + "9" and HEAD_ID[:-1] not in str(batch.errors)
    assert codes == {(3, "id_number", "id_check"), (3, "out_of_pocket", "amount_negative")}
    report = list(batch_report_rows(batch))
    assert report[0] == ["Row", "Column", "Value", "Reason"]
    assert any("check character" in row[3] for row in report)


def test_valid_rows_only_imports_the_good_rows(department, registered, write_csv):
    path = write_csv([[HEAD_ID, "户主", DAY, "100"], ["123", "x", DAY, "1"]])
    batch = run(department, path, valid_rows_only=True)
    assert (batch.status, batch.accepted, batch.rejected) == ("partial", 1, 1)
    assert DepartmentRecord.objects.count() == 1


def test_a_dry_run_checks_and_keeps_nothing(department, registered, write_csv):
    batch = run(department, write_csv([[HEAD_ID, "户主", DAY, "100"]]), dry_run=True)
    assert batch.status == "checked" and batch.accepted == 1
    assert DepartmentRecord.objects.count() == 0


def test_a_refused_file_is_recorded_with_its_reason(department, write_csv):
    batch = run(department, write_csv([], header="身份证号,姓名"))
    assert batch.status == "refused" and batch.refusal["code"] == "missing_columns"
    assert ImportBatch.objects.count() == 1 and DepartmentRecord.objects.count() == 0


def test_an_interrupted_import_leaves_no_batch(department, registered, write_csv, monkeypatch):
    from jiuzhu.discovery.services import import_store

    def boom(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(import_store.RecordStore, "flush", boom)
    with pytest.raises(KeyboardInterrupt):
        run(department, write_csv([[HEAD_ID, "户主", DAY, "100"]]))
    assert ImportBatch.objects.count() == 0 and DepartmentRecord.objects.count() == 0


def test_an_unknown_person_becomes_a_potential_case_with_the_number_encrypted(
    department, write_csv
):
    batch = run(department, write_csv([[STRANGER_ID, "陌生人", DAY, "25000"]]))
    case = PotentialCase.objects.get()
    assert batch.potential_cases == 1 and case.name == "陌生人"
    assert case.id_last4 == STRANGER_ID[-4:] and STRANGER_ID not in case.id_number_encrypted
    assert case.district.code == "320113"
    warning = EarlyWarning.objects.get()
    assert warning.potential_case == case and warning.household is None
    # 25,000 against the 20,000 amount (no income known).
    assert warning.explanation["threshold"] == "20000"


def test_a_gbk_file_imports(department, registered, write_csv):
    path = write_csv([[HEAD_ID, "户主", DAY, "100"]], encoding="gbk")
    assert run(department, path).status == "imported"


def test_roles_that_may_not_import_are_refused(actors, write_csv):
    with pytest.raises(PermissionDenied):
        run(actors["yaohua_a_worker"], write_csv([[HEAD_ID, "x", DAY, "1"]]))


def test_the_rows_written_in_bulk_are_complete(department, registered, write_csv):
    """Records and potential cases are written with one prepared INSERT each chunk, warnings
    with their history and audit entries per chunk of subjects: every column is there, and the
    audit trail verifies (each entry's MAC)."""
    from jiuzhu.core.audit_chain import verify
    from jiuzhu.core.models import AuditEntry
    from jiuzhu.discovery.models import WarningEvent

    household, head = registered
    batch = run(
        department,
        write_csv([[HEAD_ID, "户主", DAY, "21000.00"], [STRANGER_ID, "王某", DAY, "30000"]]),
    )
    case = PotentialCase.objects.get()
    assert case.first_batch == batch and case.status == "open" and case.created_at is not None
    born = STRANGER_ID[6:14]
    assert case.birth_date == dt.date(int(born[:4]), int(born[4:6]), int(born[6:]))
    # Encrypted like the number: the last four are in clear, the date would rebuild it.
    with connection.cursor() as cursor:
        cursor.execute("SELECT birth_date FROM discovery_potentialcase WHERE id = %s", [case.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("gAAAAA") and born not in stored
    assert crypto.decrypt(stored) == f"{born[:4]}-{born[4:6]}-{born[6:]}"
    stranger = DepartmentRecord.objects.get(potential_case=case)
    assert (stranger.batch, stranger.source, stranger.on) == (
        batch,
        "medical",
        TODAY - dt.timedelta(days=10),
    )
    assert stranger.values == {"settled_on": DAY, "out_of_pocket": "30000"}
    assert stranger.member is None and stranger.household is None
    warnings = list(EarlyWarning.objects.order_by("pk"))
    assert len(warnings) == batch.warnings == 2
    for warning in warnings:
        assert list(WarningEvent.objects.filter(warning=warning).values_list("action")) == [
            ("raise",)
        ]
        entry = AuditEntry.objects.get(
            object_type="discovery.earlywarning", object_id=str(warning.pk)
        )
        assert (entry.action, entry.actor_id, entry.actor_label) == ("create", None, "system")
        assert entry.detail["origin"] == "department" and entry.detail["grade"] == warning.grade
        assert entry.object_label == f"#{warning.pk}"
        assert (warning.status, warning.escalation_level, warning.outcome_note) == ("open", 0, "")
        assert warning.origin == "department" and warning.record.batch == batch
        assert warning.due_at - warning.created_at == dt.timedelta(days=warning.rule.verify_days)
        assert warning.explanation["rule"] == warning.rule.code
    by_household = EarlyWarning.objects.get(household=household)
    assert (by_household.district, by_household.street, by_household.community) == (
        household.district,
        household.street,
        household.community,
    )
    by_case = EarlyWarning.objects.get(potential_case=case)
    assert by_case.district == case.district and by_case.household is None
    assert verify().ok


def test_a_child_leaving_school_warns_for_a_member_and_for_a_stranger(
    department, registered, write_csv
):
    """The one rule that reads an age: a child member (their household is warned) and a child
    the registry does not know (their potential case is warned); adults are not. Ages are
    taken on the day the child left school."""
    from factories import MemberFactory
    from jiuzhu.discovery.engine.validate import check_character

    def ident(first17):
        return first17 + check_character(first17)

    household, _head = registered
    child_id = ident("32011320120506003")  # born 6 May 2012
    MemberFactory(
        household=household, relation="child", birth_date=dt.date(2012, 5, 6), id_number=child_id
    )
    stranger_child = ident("32011320111111004")  # born 11 November 2011, not registered
    left = dt.date.fromisoformat(DAY)
    rows = [
        [HEAD_ID, "户主", DAY],  # 56 years old or so: no warning
        [child_id, "孩子", DAY],
        [stranger_child, "陌生孩子", DAY],
        [STRANGER_ID, "王某", DAY],  # born 1985: no warning
    ]
    batch = import_file(
        actor=department,
        source="school",
        path=write_csv(rows, header="身份证号,姓名,离校日期", name="school.csv"),
        channel="cli",
    )
    assert (batch.status, batch.matched, batch.potential_cases) == ("imported", 2, 2)

    def age(born):
        return left.year - born.year - ((left.month, left.day) < (born.month, born.day))

    warnings = EarlyWarning.objects.filter(rule__code="school_leaving")
    by_subject = {
        (w.household_id, w.potential_case and w.potential_case.id_last4): w for w in warnings
    }
    assert set(by_subject) == {(household.pk, None), (None, stranger_child[-4:])}
    member_warning = by_subject[(household.pk, None)]
    case_warning = by_subject[(None, stranger_child[-4:])]
    assert member_warning.explanation["value"] == str(age(dt.date(2012, 5, 6)))
    assert case_warning.explanation["value"] == str(age(dt.date(2011, 11, 11)))
    assert member_warning.explanation["threshold"] == "18"
