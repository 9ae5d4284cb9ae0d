"""Checking each row of a department file against its source's schema.

:func:`scan` turns the reader's rows into :class:`Record` values (clean, typed) or lists of
:class:`RowError` (row, column, value, reason code and its parameters: the service words them
in the user's language). A row repeating an earlier row of the same file is an error too.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from jiuzhu.discovery.engine.reader import FileRefused
from jiuzhu.discovery.engine.sources import (
    AMOUNT,
    DATE,
    GRADE,
    ID_NUMBER,
    LEVEL,
    Source,
    header_map,
)

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
EARLIEST = dt.date(1880, 1, 1)
MAX_AMOUNT = Decimal("100000000")
_DATE_FORMATS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str
    value: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Record:
    """A valid row: the identity number (only in memory), the name, the record's date and the
    kept values (dates as ISO strings, amounts as decimal strings, grades as ints)."""

    row: int
    id_number: str
    name: str
    on: dt.date
    values: dict[str, Any]

    def key(self, source: str) -> str:
        """What makes two rows the same record (the service hashes it with a secret key)."""
        parts = [source, self.id_number, *(f"{k}={self.values[k]}" for k in sorted(self.values))]
        return "|".join(parts)


_PLAIN = re.compile(r"^[0-9A-Za-z\-/.:]*$")
_SPACE = re.compile(r"\s+")
_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_AMOUNT_SHAPE = re.compile(r"^[0-9]{1,8}(\.[0-9]{1,2})?$")


def check_character(first17: str) -> str:
    return CHECK[sum(map(int.__mul__, map(int, first17), WEIGHTS)) % 11]


def normalise(raw: str) -> str:
    """Full-width characters to ASCII, spaces out, upper case. Plain ASCII (the usual case)
    skips the Unicode normalisation."""
    if _PLAIN.match(raw):
        return raw.upper()
    return _SPACE.sub("", unicodedata.normalize("NFKC", raw)).upper()


def check_id_number(raw: str, today: dt.date) -> tuple[str, str, dict[str, Any]]:
    """(number, error code, params); the code is "" for a valid number."""
    number = normalise(raw)
    if len(number) != 18:
        return number, "id_length", {"n": len(number)}
    if not _ID_SHAPE.match(number):
        return number, "id_format", {}
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return number, "id_birth_date", {"date": number[6:14]}
    if birth > today or birth < EARLIEST:
        return number, "id_birth_date", {"date": number[6:14]}
    expected = check_character(number[:17])
    if number[17] != expected:
        return number, "id_check", {"expected": expected, "given": number[17]}
    return number, "", {}


def parse_date(raw: str, today: dt.date) -> tuple[dt.date | None, str]:
    if len(raw) == 10 and raw[4] == "-" and raw[7] == "-":  # the usual YYYY-MM-DD
        try:
            value = dt.date.fromisoformat(raw)
        except ValueError:
            pass
        else:
            if value > today:
                return None, "date_future"
            return (value, "") if value >= EARLIEST else (None, "date_impossible")
    text = normalise(raw)
    for pattern in _DATE_FORMATS:
        match = pattern.match(text)
        if match:
            try:
                value = dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                return None, "date_impossible"
            if value > today:
                return None, "date_future"
            if value < EARLIEST:
                return None, "date_impossible"
            return value, ""
    return None, "date_format"


def parse_amount(raw: str) -> tuple[Decimal | None, str]:
    if _AMOUNT_SHAPE.match(raw):  # the usual plain amount
        return Decimal(raw), ""
    text = normalise(raw).replace(",", "").replace("¥", "").replace("元", "").replace("￥", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, "amount_format"
    if not value.is_finite():
        return None, "amount_format"
    if value < 0:
        return None, "amount_negative"
    if value >= MAX_AMOUNT or value.as_tuple().exponent < -2:  # type: ignore[operator]
        return None, "amount_format"
    return value, ""


def check_row(
    source: Source, positions: dict[str, int], line: int, cells: list[str], today: dt.date
) -> Record | list[RowError]:
    errors: list[RowError] = []
    values: dict[str, Any] = {}
    number = name = ""
    on: dt.date | None = None
    for column in source.columns:
        index = positions.get(column.name)
        raw = cells[index].strip() if index is not None and index < len(cells) else ""
        if raw == "":
            if column.required:
                errors.append(RowError(line, column.name, "", "required"))
            continue
        if column.kind == ID_NUMBER:
            number, code, params = check_id_number(raw, today)
            if code:
                errors.append(RowError(line, column.name, raw, code, params))
        elif column.kind == DATE:
            date, code = parse_date(raw, today)
            if code:
                errors.append(RowError(line, column.name, raw, code))
            elif date is not None:
                if column.name == source.date_column:
                    on = date
                if column.keep:
                    values[column.name] = date.isoformat()
        elif column.kind == AMOUNT:
            amount, code = parse_amount(raw)
            if code:
                errors.append(RowError(line, column.name, raw, code))
            elif column.keep:
                values[column.name] = str(amount)
        elif column.kind == GRADE:
            text = normalise(raw).removesuffix("级")
            grade = {"一": "1", "二": "2", "三": "3", "四": "4"}.get(text, text)
            if grade not in ("1", "2", "3", "4"):
                errors.append(RowError(line, column.name, raw, "grade"))
            elif column.keep:
                values[column.name] = int(grade)
        elif column.kind == LEVEL:
            level = normalise(raw).removesuffix("级")
            if level not in ("A", "B", "C", "D"):
                errors.append(RowError(line, column.name, raw, "level"))
            elif column.keep:
                values[column.name] = level
        else:
            if column.name == "name":
                name = raw
            elif column.keep:
                values[column.name] = raw
    if errors or on is None:
        return errors or [RowError(line, source.date_column, "", "required")]
    return Record(line, number, name, on, values)


@dataclass
class Tally:
    rows: int = 0
    accepted: int = 0
    rejected: int = 0


def read_header(source: Source, rows: Iterator[tuple[int, list[str]]]) -> dict[str, int]:
    """Take the header row off ``rows``: where each of the source's columns stands. Raises
    :class:`FileRefused` for an empty file or one missing a required column."""
    try:
        _line, header = next(rows)
    except StopIteration:
        raise FileRefused("empty") from None
    positions, missing = header_map(source, header)
    if missing:
        raise FileRefused("missing_columns", 1, {"columns": missing})
    return positions


def scan(
    source: Source,
    rows: Iterator[tuple[int, list[str]]],
    *,
    today: dt.date,
    digest: Callable[[str], str],
    tally: Tally | None = None,
) -> Iterator[tuple[Record, str] | list[RowError]]:
    """Check the header, then each row: yields ``(record, keyed hash of its key)`` or the row's
    errors. ``digest`` is the keyed hash (the service's secret; identity numbers are never
    hashed without a key). Raises :class:`FileRefused` for a file without a header, with only
    a header, or missing required columns."""
    tally = tally if tally is not None else Tally()
    positions = read_header(source, rows)
    seen: dict[str, int] = {}
    for line, cells in rows:
        tally.rows += 1
        result = check_row(source, positions, line, cells, today)
        if isinstance(result, list):
            tally.rejected += 1
            yield result
            continue
        key = digest(result.key(source.code))
        first = seen.get(key)
        if first is not None:
            tally.rejected += 1
            yield [RowError(line, "", "", "duplicate", {"first": first})]
            continue
        seen[key] = line
        tally.accepted += 1
        yield result, key
    if tally.rows == 0:
        raise FileRefused("header_only", 1)
