"""The bulk import path on a small file with bad rows, in UTF-8, GBK and XLSX: accepted and
rejected rows (with their reasons), matches, potential cases and warnings, all worked out by
hand from the rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import ProtectedError
from openpyxl import Workbook

from discovery_cast import HEAD_ID, STRANGER_ID
from jiuzhu.discovery.engine import parallel
from jiuzhu.discovery.models import DepartmentRecord, EarlyWarning, PotentialCase
from jiuzhu.discovery.services import import_store
from jiuzhu.discovery.services.imports import import_file

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def day(days_ago: int) -> dt.date:
    return TODAY - dt.timedelta(days=days_ago)


BAD_CHECK = HEAD_ID[:-1] + ("1" if HEAD_ID[-1] != "1" else "2")
HEADER = ["身份证号", "姓名", "结算日期", "个人自付"]
ROWS = [
    [HEAD_ID, "户主", day(10).isoformat(), "3000.00"],  # 2: matched
    [HEAD_ID, "户主", day(20).isoformat(), "2000"],  # 3: matched
    [STRANGER_ID, "王某", day(10).isoformat(), "1500.5"],  # 4: a potential case
    [BAD_CHECK, "x", day(10).isoformat(), "-5"],  # 5: two errors
    [HEAD_ID, "户主", "2025-02-29", "1"],  # 6: no such day
    [HEAD_ID, "户主", day(10).isoformat(), "3000.00"],  # 7: repeats row 2
    [f" {HEAD_ID} ", "户主", f"{day(5):%Y/%m/%d}", "12"],  # 8: spaces, slashes: accepted
    [STRANGER_ID, "王某", day(30).isoformat(), "0012.50"],  # 9: leading zeros: 12.50
    [HEAD_ID, "", day(40).isoformat(), "8"],  # 10: no name
]


def write(tmp_path, kind: str):
    if kind == "xlsx":
        book = Workbook()
        sheet = book.active
        for row in [HEADER, *ROWS]:
            sheet.append(row)
        path = tmp_path / "medical.xlsx"
        book.save(path)
        return path
    path = tmp_path / "medical.csv"
    text = "".join(",".join(row) + "\n" for row in [HEADER, *ROWS])
    path.write_bytes(text.encode("gbk" if kind == "gbk" else "utf-8"))
    return path


EXPECTED_ERRORS = [
    (5, "id_number", "id_check", {"expected": HEAD_ID[-1], "given": BAD_CHECK[-1]}),
    (5, "out_of_pocket", "amount_negative", {}),
    (6, "settled_on", "date_impossible", {}),
    (7, "", "duplicate", {"first": 2}),
    (10, "name", "required", {}),
]


@pytest.fixture(params=["inline", "child", "rules_read_back"])
def route(request, monkeypatch):
    """How a large file would go: checked in this process (a small file's way) or in a child
    process (``engine.parallel``); its rules reading the import's records from memory, or, past
    REMEMBER_MAX, every record back from the database. The outcome must not depend on it."""
    monkeypatch.setattr(parallel, "use_child", lambda path: request.param == "child")
    if request.param == "rules_read_back":
        monkeypatch.setattr(import_store, "REMEMBER_MAX", 0)
    return request.param


@pytest.mark.parametrize("kind", ["utf-8", "gbk", "xlsx"])
def test_valid_rows_only_stores_the_good_rows_matches_and_warns(
    department, registered, tmp_path, kind, route
):
    household, head = registered
    batch = import_file(
        actor=department,
        source="medical",
        path=write(tmp_path, kind),
        channel="cli",
        valid_rows_only=True,
    )
    assert (batch.status, batch.rows, batch.accepted, batch.rejected) == ("partial", 9, 5, 4)
    assert (batch.new_records, batch.matched, batch.potential_cases) == (5, 3, 1)
    assert [(e["row"], e["column"], e["code"], e["params"]) for e in batch.errors] == (
        EXPECTED_ERRORS
    )
    # The mistyped number is masked to its last four in the report.
    assert batch.errors[0]["value"] == "*" * 14 + BAD_CHECK[-4:]
    stored = {
        (r.member_id, r.potential_case_id, r.on, r.values["settled_on"], r.values["out_of_pocket"])
        for r in DepartmentRecord.objects.all()
    }
    case = PotentialCase.objects.get()
    assert (case.name, case.id_last4) == ("王某", STRANGER_ID[-4:])
    assert stored == {
        (head.pk, None, day(10), day(10).isoformat(), "3000.00"),
        (head.pk, None, day(20), day(20).isoformat(), "2000"),
        (head.pk, None, day(5), day(5).isoformat(), "12"),
        (None, case.pk, day(10), day(10).isoformat(), "1500.5"),
        (None, case.pk, day(30), day(30).isoformat(), "12.50"),
    }
    assert all(
        list(r.values) == ["settled_on", "out_of_pocket"] for r in DepartmentRecord.objects.all()
    )
    # The household: 3,000.00 + 2,000 + 12 = 5,012.00 over 12 months, above 40 % of 12 months of
    # its 1,000 income (4,800.00): one warning, on the latest record (5 days ago). The stranger:
    # 1,512.00 is below the 20,000 amount (no income known): none.
    assert batch.warnings == 1
    warning = EarlyWarning.objects.get()
    latest = DepartmentRecord.objects.get(member=head, on=day(5))
    assert warning.household == household and warning.record_id == latest.pk
    assert (warning.explanation["value"], warning.explanation["threshold"]) == (
        "5012.00",
        "4800.00",
    )
    assert warning.explanation["records"] == 3


@pytest.mark.parametrize("kind", ["utf-8", "gbk", "xlsx"])
def test_the_whole_file_is_refused_with_the_same_report(
    department, registered, tmp_path, kind, route
):
    batch = import_file(
        actor=department, source="medical", path=write(tmp_path, kind), channel="cli"
    )
    assert (batch.status, batch.refusal["code"], batch.rows, batch.accepted) == (
        "refused",
        "rows_rejected",
        9,
        5,
    )
    assert [(e["row"], e["column"], e["code"], e["params"]) for e in batch.errors] == (
        EXPECTED_ERRORS
    )
    assert DepartmentRecord.objects.count() == 0 and PotentialCase.objects.count() == 0
    assert EarlyWarning.objects.count() == 0


def test_an_earlier_files_records_count_with_the_new_ones(department, registered, write_csv, route):
    """The rules read the import's own records from memory and only the earlier ones from the
    database; the sum crosses the threshold only with both. By hand: 3,000 in the first file
    is below 40 % of twelve months of a 1,000 income (4,800.00), 3,000 + 2,000 = 5,000 is not."""
    household, head = registered
    first = import_file(
        actor=department,
        source="medical",
        path=write_csv([[HEAD_ID, "户主", day(30).isoformat(), "3000"]], name="first.csv"),
        channel="cli",
    )
    assert (first.new_records, first.warnings) == (1, 0)
    second = import_file(
        actor=department,
        source="medical",
        path=write_csv(
            [
                [HEAD_ID, "户主", day(30).isoformat(), "3000"],  # the first file's row again
                [HEAD_ID, "户主", day(3).isoformat(), "2000"],
            ],
            name="second.csv",
        ),
        channel="cli",
    )
    assert (second.new_records, second.warnings) == (1, 1)
    warning = EarlyWarning.objects.get()
    assert warning.household == household
    assert warning.record_id == DepartmentRecord.objects.get(on=day(3)).pk
    assert (warning.explanation["value"], warning.explanation["threshold"]) == (
        "5000",
        "4800.00",
    )
    assert warning.explanation["records"] == 2


def test_records_still_protect_their_member_household_and_case(department, registered, write_csv):
    """The references carry no database constraint (the import's speed, see DepartmentRecord);
    Django's PROTECT still refuses to delete what a record points to."""
    household, head = registered
    import_file(
        actor=department,
        source="medical",
        path=write_csv(
            [
                [HEAD_ID, "户主", day(3).isoformat(), "20"],
                [STRANGER_ID, "王某", day(3).isoformat(), "30"],
            ]
        ),
        channel="cli",
    )
    for obj in (head, household, PotentialCase.objects.get()):
        with pytest.raises(ProtectedError):
            obj.delete()
    assert DepartmentRecord.objects.count() == 2
