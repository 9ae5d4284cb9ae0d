"""Reading a department file as rows of text cells, streaming: CSV in UTF-8 (with or without a
byte-order mark) or GBK/GB18030, or an XLSX workbook's first sheet.

Nothing here knows a schema; :mod:`.validate` checks the cells. A file that cannot be read at
all raises :class:`FileRefused` with a code (the service words it in the user's language) and
the line where reading stopped.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

#: At most this many cells in a row, and characters in a cell: a wider row is not a department
#: record but a broken file (or an attack on memory).
MAX_CELLS = 64
MAX_CELL_CHARS = 1000
SNIFF_BYTES = 64 * 1024
ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class FileRefused(Exception):
    """The whole file is refused. ``code`` is one of: empty, too_large, encoding, xlsx_named_csv,
    not_xlsx, unknown_type, too_wide, cell_too_long, no_header, header_only, missing_columns."""

    code: str
    line: int = 0
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code} (line {self.line}) {self.params}"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def detect_encoding(head: bytes) -> str:
    """``utf-8-sig`` when the first bytes decode as UTF-8 (a multi-byte character cut at the
    end of the sample is fine), else ``gb18030`` (a superset of GBK) when they decode as that;
    UTF-16 and binary files (NUL bytes) are refused."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        raise FileRefused("encoding")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise FileRefused("encoding") from None


def _csv_rows(stream: IO[bytes], encoding: str) -> Iterator[list[str]]:
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    reader = csv.reader(text)
    line = 0
    try:
        for cells in reader:
            line = reader.line_num
            yield cells
    except UnicodeDecodeError:
        raise FileRefused("encoding", line + 1) from None
    except csv.Error:
        raise FileRefused("cell_too_long", line + 1, {"max": MAX_CELL_CHARS}) from None


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FileRefused("not_xlsx") from None
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            cells = [_cell(v) for v in values]
            while cells and cells[-1] == "":
                cells.pop()
            yield cells
    finally:
        workbook.close()


def read_rows(path: str | Path, *, max_bytes: int) -> Iterator[tuple[int, list[str]]]:
    """The file's rows with their line numbers (the header first), blank rows skipped.
    Checks that the file is of a readable kind before the first row; each row has at most
    :data:`MAX_CELLS` cells of at most :data:`MAX_CELL_CHARS` characters."""
    path = Path(path)
    size = os.path.getsize(path)
    if size == 0:
        raise FileRefused("empty")
    if size > max_bytes:
        raise FileRefused(
            "too_large", params={"size_mb": size // 2**20, "max_mb": max_bytes // 2**20}
        )
    with open(path, "rb") as stream:
        head = stream.read(SNIFF_BYTES)
    suffix = path.suffix.lower()
    is_zip = head.startswith(ZIP_MAGIC)
    if suffix in (".xlsx", ".xlsm"):
        if not is_zip:
            raise FileRefused("not_xlsx")
        rows: Iterator[list[str]] = _xlsx_rows(path)
    elif is_zip:
        raise FileRefused("xlsx_named_csv")
    elif suffix in (".csv", ".txt", ""):
        encoding = detect_encoding(head)
        rows = _csv_rows(open(path, "rb"), encoding)  # noqa: SIM115 - closed by the generator
    else:
        raise FileRefused("unknown_type", params={"suffix": suffix})
    return _checked(rows)


def _checked(rows: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    csv.field_size_limit(MAX_CELL_CHARS * 4)
    # Per row: blank when its cells joined are only spaces (as when each cell is); then the
    # width and the longest cell. Written for speed: a big import reads a million rows.
    for line, cells in enumerate(rows, start=1):
        if not "".join(cells).strip():
            continue
        if len(cells) > MAX_CELLS:
            raise FileRefused("too_wide", line, {"cells": len(cells), "max": MAX_CELLS})
        if max(map(len, cells)) > MAX_CELL_CHARS:
            raise FileRefused("cell_too_long", line, {"max": MAX_CELL_CHARS})
        yield line, cells
