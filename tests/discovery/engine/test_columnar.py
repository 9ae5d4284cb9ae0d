"""The bulk (column-wise) checker against the one-row reference: the same accepted rows, row
hashes, errors and tally on files full of unusual cells; its vectorised check character
against python-stdnum's."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from jiuzhu.discovery.engine.columnar import (
    certify_dates,
    certify_id_numbers,
    scan_columns,
)
from jiuzhu.discovery.engine.reader import read_rows
from jiuzhu.discovery.engine.sources import SOURCES
from jiuzhu.discovery.engine.validate import Tally, check_character, scan

TODAY = dt.date(2026, 6, 1)
MAX = 64 * 2**20


def ident(first17: str) -> str:
    return first17 + check_character(first17)


GOOD = ident("32011319500101001")
X_ID = next(
    ident(f"3201131980010100{i}")
    for i in range(10)
    if check_character(f"3201131980010100{i}") == "X"
)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def reference(path, source):
    tally = Tally()
    out = []
    for result in scan(
        SOURCES[source], read_rows(path, max_bytes=MAX), today=TODAY, digest=digest, tally=tally
    ):
        if isinstance(result, list):
            out.append(result)
        else:
            record, key = result
            out.append((record.row, record.id_number, record.name, record.on, record.values, key))
    return out, tally


def bulk(path, source, chunk_rows):
    tally = Tally()
    out = []
    for chunk in scan_columns(
        SOURCES[source],
        read_rows(path, max_bytes=MAX),
        today=TODAY,
        digest=digest,
        tally=tally,
        chunk_rows=chunk_rows,
    ):
        out.extend(chunk.errors)
        out.extend(
            (line, number, name, dt.date.fromisoformat(on), values, key)
            for line, number, name, on, values, key in zip(
                chunk.lines,
                chunk.numbers,
                chunk.names,
                chunk.on,
                chunk.values,
                chunk.keys,
                strict=True,
            )
        )
    out.sort(key=lambda r: r[0].row if isinstance(r, list) else r[0])
    return out, tally


IDS = [
    GOOD,
    X_ID,
    X_ID[:-1] + "x",  # lower-case x: the reference upper-cases it
    GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1"),  # wrong check character
    f" {GOOD} ",
    "３２０１１３１９５００１０１００１" + GOOD[-1],  # full-width digits
    GOOD[:17],  # too short
    ident("32011319500230001"),  # 30 February
    ident("32011320270101001"),  # born after TODAY
    ident("32011318790101001"),  # before 1880
    "3201131950010100A1",
    "",
]
DATES = [
    "2026-05-01",
    "2026-5-1",
    "2026/05/01",
    "20260501",
    "2026年5月1日",
    "2026-02-29",
    "2027-01-01",
    "1879-12-31",
    "2026-06-01",
    "2026-13-01",
    "２０２６-０５-０１",
    "yesterday",
    "",
]
AMOUNTS = ["12.50", "0", "0.5", "007", "1,234.50", "¥12", "-5", "abc", "1e3", "123456789", ""]


def write_csv(tmp_path, header, rows, name="f.csv"):
    path = tmp_path / name
    text = header + "\n" + "".join(",".join(row) + "\n" for row in rows)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("chunk_rows", [7, 20_000])
def test_medical_rows_of_every_kind_give_the_reference_answer(tmp_path, chunk_rows):
    rows = [
        [number, name, date, amount]
        for number, date, amount in itertools.product(IDS, DATES, AMOUNTS)
        for name in ("张三",)
    ]
    rows += [[GOOD, "", "2026-05-01", "1"], [GOOD, "张三", "2026-05-01", "12.50"], [GOOD]]
    path = write_csv(tmp_path, "身份证号,姓名,结算日期,个人自付", rows)
    expected, expected_tally = reference(path, "medical")
    got, tally = bulk(path, "medical", chunk_rows)
    assert got == expected and tally == expected_tally
    # By hand: two distinct valid numbers (GOOD; X_ID, also written with a lower-case x), two
    # distinct valid days (2026-05-01 in six spellings; 2026-06-01) and seven distinct amounts
    # (12.50, 0, 0.5, 7, 1234.50, 12, 1E+3): 28 records; every other row is rejected.
    assert tally.accepted == 2 * 2 * 7 and tally.rows == len(rows)
    assert any(isinstance(r, list) and r[0].code == "duplicate" for r in got)


@pytest.mark.parametrize(
    ("source", "header", "cells"),
    [
        (
            "disability",
            "身份证号,姓名,认定日期,残疾等级,残疾类别",
            ["1", "2", "四级", "5", "", "一"],
        ),
        ("housing", "身份证号,姓名,鉴定日期,危房等级", ["A", "D", "c", "C级", "E", ""]),
        ("unemployment", "身份证号,姓名,失业登记日期,终止日期", ["", "2026-01-02", "bad"]),
        ("illness", "身份证号,姓名,诊断日期,是否大病", ["是", "", "否"]),
    ],
)
def test_other_sources_give_the_reference_answer(tmp_path, source, header, cells):
    rows = [
        [number, "李四", date, cell, "肢体"][: header.count(",") + 1]
        for number, date, cell in itertools.product(IDS[:6], DATES[:4], cells)
    ]
    path = write_csv(tmp_path, header, rows)
    expected, expected_tally = reference(path, source)
    got, tally = bulk(path, source, 5)
    assert got == expected and tally == expected_tally
    assert tally.accepted > 0 and tally.rejected > 0


def test_a_file_refused_part_way_counts_the_rows_before_it(tmp_path):
    """A too-wide row refuses the file; the rows before it are still checked and counted, as
    the reference counts them (the refused batch's report)."""
    from jiuzhu.discovery.engine.reader import FileRefused

    rows = [[GOOD, "a", "2026-05-01", "1"], [GOOD, "b", "bad", "1"], ["x"] * 70]
    path = write_csv(tmp_path, "身份证号,姓名,结算日期,个人自付", rows)
    tally = Tally()
    seen = []
    with pytest.raises(FileRefused) as caught:
        for chunk in scan_columns(
            SOURCES["medical"],
            read_rows(path, max_bytes=MAX),
            today=TODAY,
            digest=digest,
            tally=tally,
        ):
            seen.extend(e.code for errors in chunk.errors for e in errors)
    assert (caught.value.code, caught.value.line) == ("too_wide", 4)
    assert (tally.rows, tally.accepted, tally.rejected) == (2, 1, 1)
    assert seen == ["date_format"]


born = st.dates(min_value=dt.date(1880, 1, 1), max_value=TODAY)


@settings(suppress_health_check=[HealthCheck.too_slow])  # the shared machine is often loaded
@given(born, st.integers(0, 999), st.sampled_from("0123456789X"))
def test_the_vectorised_check_character_agrees_with_python_stdnum(birth, serial, last):
    number = f"320113{birth:%Y%m%d}{serial:03d}{last}"
    assert certify_id_numbers([number], TODAY) == [last == ric.calc_check_digit(number)]


def test_birth_dates_and_calendar_dates_are_checked_by_hand():
    # 2000 was a leap year, 1900 was not; 29 February 2024 was a day.
    numbers = [ident(f"320113{day}001") for day in ("20000229", "19000229", "19500431")]
    assert certify_id_numbers(numbers, TODAY) == [True, False, False]
    assert certify_dates(
        ["2024-02-29", "2023-02-29", "2026-06-01", "2026-06-02", "1880-01-01", "2026-04-31"],
        TODAY,
    ) == [True, False, True, False, True, False]
