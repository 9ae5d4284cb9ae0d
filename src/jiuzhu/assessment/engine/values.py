"""Turning raw column values (CSV text, workbook cells, Python objects) into arrays.

One place decides what "missing" means so that every rule agrees: None, NaN, and text that is
empty after stripping are missing; nothing else is. Columns arrive as numpy arrays (fast paths
for numeric and text dtypes) or as arbitrary sequences (an element-by-element path that can name
the exact offending row).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from .errors import DataError


@dataclass(frozen=True)
class CodedColumn:
    """A column held as codes into its distinct cells: it means exactly ``cells[codes]``.

    Readers produce it from dictionary-encoded data (Arrow, Parquet). Every rule then runs once
    per distinct cell instead of once per row, which is what makes text and 0/1 columns of
    millions of rows cheap. `cells` may hold cells no code points to; they are never reported.
    """

    codes: np.ndarray
    cells: np.ndarray

    def __len__(self) -> int:
        return len(self.codes)

    def decoded(self) -> np.ndarray:
        """The column as a plain array (used to name the exact row of a bad cell)."""
        decoded: np.ndarray = self.cells[self.codes]
        return decoded

    def rows(self, start: int, stop: int) -> CodedColumn:
        """Rows start..stop-1 (a view of the codes, the same cells)."""
        return CodedColumn(self.codes[start:stop], self.cells)

    def tolist(self) -> list[object]:
        """The cells row by row, as plain Python values."""
        values: list[object] = self.decoded().tolist()
        return values

    def used(self) -> np.ndarray:
        """Indices of the cells that at least one row points to."""
        return np.flatnonzero(np.bincount(self.codes, minlength=len(self.cells)))


ColumnLike = Sequence[object] | np.ndarray | CodedColumn

#: NumPy's dtype kinds: numbers (bool, signed, unsigned, float) and text (unicode, bytes).
NUMBER_KINDS = frozenset("biuf")
TEXT_KINDS = frozenset("US")

TRUE_WORDS = {"1": True, "true": True, "yes": True, "是": True}
FALSE_WORDS = {"0": False, "false": False, "no": False, "否": False}
BOOL_WORDS = {**TRUE_WORDS, **FALSE_WORDS}


@dataclass(frozen=True)
class Place:
    """Where a column lives, for error messages (rows are numbered from 1, header excluded)."""

    label: str
    with_rows: bool = True
    offset: int = 0

    def at(self, row: int) -> str:
        """Describe one cell of the column (row counts from 0 after `offset` earlier rows)."""
        return f"{self.label}, row {self.offset + row + 1}" if self.with_rows else self.label


def as_column(values: ColumnLike) -> np.ndarray:
    """A 1-D numpy array; plain sequences become object arrays so no type is coerced silently.

    A CodedColumn is passed through as it is (the rules below handle it)."""
    if isinstance(values, CodedColumn):
        return values  # type: ignore[return-value]
    if isinstance(values, np.ndarray):
        arr = values
    else:
        arr = np.empty(len(values), dtype=object)
        arr[:] = list(values)
    if arr.ndim != 1:
        raise DataError(f"a column must be one-dimensional, got shape {arr.shape}")
    return arr


def column_rows(column: ColumnLike, start: int, stop: int) -> ColumnLike:
    """Rows start..stop-1 of a column (a view where the column allows one)."""
    if isinstance(column, CodedColumn):
        return column.rows(start, stop)
    return column[start:stop]  # type: ignore[index]


def values_label(place: Place) -> str:
    """The place of a column's distinct cells (only seen if a message escapes the fallback)."""
    return f"{place.label}, distinct cells"


def shown(value: object) -> object:
    """A numpy scalar as its plain Python value, so messages read 2 rather than np.int64(2)."""
    return value.item() if isinstance(value, np.generic) else value


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, Decimal) and value.is_nan()


def _to_float(value: object) -> float:
    if isinstance(value, bool | np.bool_):
        return float(value)
    if isinstance(value, int | float | Decimal | np.number):
        return float(value)
    if isinstance(value, str):
        return float(value.strip())
    raise ValueError(value)


def numeric(values: ColumnLike, place: Place) -> tuple[np.ndarray, np.ndarray]:
    """Float values and the missing mask; a non-numeric value is a DataError naming its row."""
    if isinstance(values, CodedColumn):
        try:
            x, missing = numeric(values.cells, Place(values_label(place), with_rows=False))
        except DataError:  # some cell is bad: find its first row on the decoded column
            return numeric(values.decoded(), place)
        return x[values.codes], missing[values.codes]
    arr = as_column(values)
    if arr.dtype.kind in NUMBER_KINDS:
        x = arr.astype(np.float64, copy=False)
        return x, np.isnan(x)
    if arr.dtype.kind in TEXT_KINDS:
        text = np.char.strip(arr.astype(str))
        missing = text == ""
        try:
            x = np.where(missing, "nan", text).astype(np.float64)
        except ValueError:
            _raise_first_non_numeric(arr, place)
        return x, missing | np.isnan(x)
    x = np.empty(len(arr), dtype=np.float64)
    for i, v in enumerate(arr.tolist()):
        if _is_missing(v):
            x[i] = np.nan
            continue
        try:
            x[i] = _to_float(v)
        except (ValueError, TypeError, OverflowError):
            raise DataError(f"{place.at(i)}: {v!r} is not a number") from None
    return x, np.isnan(x)


def _raise_first_non_numeric(arr: np.ndarray, place: Place) -> None:
    for i, v in enumerate(arr.tolist()):
        if _is_missing(v):
            continue
        try:
            _to_float(v)
        except (ValueError, TypeError):
            raise DataError(f"{place.at(i)}: {v!r} is not a number") from None
    raise DataError(f"{place.label}: values are not numbers")  # pragma: no cover


def text_label(value: object) -> str:
    """Text form of a cell: integral numbers lose their ".0" (workbooks store 3 as 3.0)."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value.strip()
    return str(value)


def text(values: ColumnLike) -> tuple[np.ndarray, np.ndarray]:
    """Stripped text values ("" where missing) and the missing mask."""
    if isinstance(values, CodedColumn):
        out, missing = text(values.cells)
        return out[values.codes], missing[values.codes]
    arr = as_column(values)
    if arr.dtype.kind in TEXT_KINDS:
        out = np.char.strip(arr.astype(str))
        return out, out == ""
    if arr.dtype.kind in NUMBER_KINDS:
        uniq, inverse = np.unique(arr, return_inverse=True)
        labels = np.array([("" if _is_missing(u) else text_label(u)) for u in uniq.tolist()])
        out = labels[inverse] if len(arr) else np.array([], dtype=str)
        return out, out == ""
    texts = ["" if _is_missing(v) else text_label(v) for v in arr.tolist()]
    out = np.array(texts, dtype=str) if texts else np.array([], dtype=str)
    return out, out == ""


def boolean(values: ColumnLike, place: Place) -> tuple[np.ndarray, np.ndarray]:
    """Truth values for a "true" rule: 0/1, true/false, yes/no, 是/否 (case-insensitive).

    A coded column is decoded here; ``Rule.apply`` passes its distinct cells instead."""
    arr = values.decoded() if isinstance(values, CodedColumn) else as_column(values)
    if arr.dtype == np.bool_:
        return arr, np.zeros(len(arr), dtype=bool)
    if arr.dtype.kind in NUMBER_KINDS:
        x = arr.astype(np.float64, copy=False)
        missing = np.isnan(x)
        bad = ~missing & (x != 0) & (x != 1)
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(
                f"{place.at(i)}: {shown(arr[i])!r} is not 0/1, true/false, yes/no or 是/否"
            )
        return x == 1, missing
    words, missing = text(arr)
    uniq, inverse = np.unique(np.char.lower(words), return_inverse=True)
    truth = np.zeros(len(uniq), dtype=bool)
    for u_index, word in enumerate(uniq.tolist()):
        if word == "":
            continue
        value = _bool_word(word)
        if value is None:
            i = int(np.argmax(inverse == u_index))
            raise DataError(
                f"{place.at(i)}: {shown(arr[i])!r} is not 0/1, true/false, yes/no or 是/否"
            )
        truth[u_index] = value
    return truth[inverse] if len(arr) else np.zeros(0, dtype=bool), missing


def _bool_word(word: str) -> bool | None:
    if word in BOOL_WORDS:
        return BOOL_WORDS[word]
    try:
        number = float(word)
    except ValueError:
        return None
    return {0.0: False, 1.0: True}.get(number)
