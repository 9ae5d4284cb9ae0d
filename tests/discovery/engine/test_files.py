"""The bad-file corpus at the engine level: each file is refused, or its rows rejected, with the
right reason; good files in UTF-8, GBK and XLSX read the same."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from jiuzhu.discovery.engine.reader import MAX_CELLS, FileRefused, read_rows
from jiuzhu.discovery.engine.sources import SOURCES
from jiuzhu.discovery.engine.validate import (
    Record,
    Tally,
    check_character,
    check_id_number,
    parse_amount,
    scan,
)

TODAY = dt.date(2026, 6, 1)
MAX = 64 * 2**20


def ident(first17: str = "32011319500101001") -> str:
    return first17 + check_character(first17)


GOOD = ident()
HEADER = "身份证号,姓名,结算日期,个人自付\n"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def run(path, source="medical"):
    tally = Tally()
    results = list(
        scan(
            SOURCES[source], read_rows(path, max_bytes=MAX), today=TODAY, digest=digest, tally=tally
        )
    )
    return results, tally


def write(tmp_path, text: str, name="f.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def refused(path) -> FileRefused:
    with pytest.raises(FileRefused) as caught:
        run(path)
    return caught.value


def errors(results):
    return [e for r in results if isinstance(r, list) for e in r]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_good_file_reads_the_same_in_each_encoding(tmp_path, encoding):
    path = write(tmp_path, HEADER + f"{GOOD},张三,2026-05-01,1234.50\n", encoding=encoding)
    results, tally = run(path)
    ((record, _key),) = results
    assert isinstance(record, Record)
    assert record.name == "张三" and record.on == dt.date(2026, 5, 1)
    assert record.values == {"settled_on": "2026-05-01", "out_of_pocket": "1234.50"}
    assert (tally.rows, tally.accepted, tally.rejected) == (1, 1, 0)


def test_english_headers_are_accepted(tmp_path):
    path = write(tmp_path, f"id_number,name,settled_on,out_of_pocket\n{GOOD},x,2026/5/1,10\n")
    results, _ = run(path)
    assert not errors(results)


def test_an_xlsx_workbook_reads_like_a_csv(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["身份证号", "姓名", "结算日期", "个人自付"])
    sheet.append([GOOD, "李四", dt.datetime(2026, 4, 2), 300])
    path = tmp_path / "m.xlsx"
    book.save(path)
    results, _ = run(path)
    ((record, _key),) = results
    assert record.values == {"settled_on": "2026-04-02", "out_of_pocket": "300"}


def test_wrong_encoding_is_refused(tmp_path):
    assert refused(write(tmp_path, HEADER, encoding="utf-16")).code == "encoding"


def test_missing_columns_are_named(tmp_path):
    error = refused(write(tmp_path, "身份证号,姓名\n" + f"{GOOD},x\n"))
    assert error.code == "missing_columns"
    assert error.params["columns"] == ["settled_on", "out_of_pocket"]


def test_an_empty_file_and_a_header_only_file_are_refused(tmp_path):
    assert refused(write(tmp_path, "")).code == "empty"
    assert refused(write(tmp_path, HEADER, name="h.csv")).code == "header_only"


def test_an_xlsx_renamed_to_csv_is_refused(tmp_path):
    book = Workbook()
    book.active.append(["身份证号"])
    path = tmp_path / "real.xlsx"
    book.save(path)
    renamed = tmp_path / "renamed.csv"
    renamed.write_bytes(path.read_bytes())
    assert refused(renamed).code == "xlsx_named_csv"


def test_a_very_wide_row_is_refused(tmp_path):
    wide = ",".join(["x"] * (MAX_CELLS + 1))
    error = refused(write(tmp_path, HEADER + wide + "\n"))
    assert (error.code, error.line) == ("too_wide", 2)


def test_a_very_long_cell_is_refused(tmp_path):
    error = refused(write(tmp_path, HEADER + f"{GOOD},{'x' * 5000},2026-05-01,1\n"))
    assert error.code == "cell_too_long"


def test_a_100_mb_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "wb") as stream:
        stream.truncate(100 * 2**20)
    with pytest.raises(FileRefused) as caught:
        list(read_rows(path, max_bytes=MAX))
    assert caught.value.code == "too_large"


@pytest.mark.parametrize(
    ("row", "column", "code"),
    [
        (f"{GOOD[:-1]}{'0' if GOOD[-1] != '0' else '1'},x,2026-05-01,1", "id_number", "id_check"),
        ("3201131950010100,x,2026-05-01,1", "id_number", "id_length"),
        (f"{GOOD},x,2026-02-30,1", "settled_on", "date_impossible"),
        (f"{GOOD},x,2027-01-01,1", "settled_on", "date_future"),
        (f"{GOOD},x,yesterday,1", "settled_on", "date_format"),
        (f"{GOOD},x,2026-05-01,-5", "out_of_pocket", "amount_negative"),
        (f"{GOOD},x,2026-05-01,abc", "out_of_pocket", "amount_format"),
        (f"{GOOD},x,2026-05-01,", "out_of_pocket", "required"),
    ],
)
def test_each_bad_row_says_what_is_wrong(tmp_path, row, column, code):
    results, tally = run(write(tmp_path, HEADER + row + "\n"))
    (error,) = errors(results)
    assert (error.row, error.column, error.code) == (2, column, code)
    assert tally.rejected == 1


def test_a_repeated_row_is_a_duplicate_of_the_first(tmp_path):
    line = f"{GOOD},x,2026-05-01,10\n"
    results, _ = run(write(tmp_path, HEADER + line + line))
    (error,) = errors(results)
    assert (error.row, error.code, error.params) == (3, "duplicate", {"first": 2})


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_a_computed_check_character_makes_a_valid_number_if_the_date_is(first17):
    number, code, _params = check_id_number(first17 + check_character(first17), TODAY)
    assert code in ("", "id_birth_date")


@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.sampled_from("0123456789X"))
def test_any_other_check_character_is_refused(first17, last):
    if last == check_character(first17):
        return
    _number, code, _params = check_id_number(first17 + last, TODAY)
    assert code in ("id_check", "id_birth_date")


@given(st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False))
def test_amounts_round_trip(amount):
    value, code = parse_amount(str(amount))
    assert code == "" and value == amount
