"""Reading household tables: CSV (UTF-8 with or without BOM, or GBK/GB18030) and .xlsx.

Kept on the standard library csv module and openpyxl (already runtime dependencies) so the
engine does not pull pandas into production. Columns come back as numpy text arrays for CSV
(empty cells are "", i.e. missing) and object arrays for workbooks (empty cells are None).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import DataError

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}


@dataclass(frozen=True)
class Table:
    """Named columns of equal length, in header order."""

    columns: dict[str, np.ndarray]
    n: int
    encoding: str


def read_table(path: str | Path, sheet: str | None = None) -> Table:
    """Read a CSV or workbook file; the first row is the header, blank rows are skipped."""
    path = Path(path)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return _read_workbook(path, sheet)
    if path.suffix.lower() == ".xls":
        raise DataError(f"{path}: old .xls workbooks are not supported; save as .xlsx or CSV")
    if sheet is not None:
        raise DataError(f"{path}: --sheet applies only to .xlsx workbooks")
    return _read_csv(path)


def decode(raw: bytes, where: str) -> tuple[str, str]:
    """UTF-8 (BOM optional) first, then GB18030, a superset of GBK used by Chinese Excel."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise DataError(f"{where}: the file is neither UTF-8 nor GBK text")  # pragma: no cover


def _read_csv(path: Path) -> Table:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None
    source, encoding = decode(raw, str(path))
    try:
        rows = list(csv.reader(io.StringIO(source, newline="")))
    except csv.Error as exc:
        raise DataError(f"{path}: malformed CSV: {exc}") from None
    return _table(rows, str(path), encoding, blank="")


def _read_workbook(path: Path, sheet: str | None) -> Table:
    import zipfile

    import openpyxl  # imported lazily: only workbook users pay for it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DataError(f"cannot read workbook {path}: {exc}") from None
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            names = ", ".join(repr(s) for s in book.sheetnames)
            raise DataError(f"{path}: no sheet named {sheet!r} (sheets: {names})")
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    return _table(rows, str(path), "xlsx", blank=None)


def _table(rows: list[list[object]], where: str, encoding: str, blank: object) -> Table:
    rows = [r for r in rows if any(_filled(c) for c in r)]
    if not rows:
        raise DataError(f"{where}: no header row (the file is empty)")
    header = [("" if c is None else str(c).strip()) for c in rows[0]]
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise DataError(f"{where}: column {name!r} appears twice in the header")
        seen.add(name)
    width = len(header)
    body = rows[1:]
    for number, row in enumerate(body, start=1):
        if len(row) > width and any(_filled(c) for c in row[width:]):
            raise DataError(f"{where}: data row {number} has more cells than the header")
    padded = [list(r[:width]) + [blank] * (width - len(r)) for r in body]
    cells = list(zip(*padded, strict=True)) if padded else [() for _ in header]
    columns: dict[str, np.ndarray] = {}
    for name, values in zip(header, cells, strict=True):
        if not name:
            continue
        if blank == "":
            columns[name] = np.array(values, dtype=str) if values else np.array([], dtype=str)
        else:
            arr = np.empty(len(values), dtype=object)
            arr[:] = list(values)
            columns[name] = arr
    return Table(columns=columns, n=len(body), encoding=encoding)


def _filled(cell: object) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())
