"""Reading household tables: CSV (UTF-8 with or without BOM, or GBK/GB18030), .xlsx and Parquet.

Columnar reading with pyarrow (imported lazily, so the web process does not load it):

* CSV is parsed by Arrow's multi-threaded reader. Columns that only numeric rules (and sample
  weights) use are parsed straight to float64; other columns are read dictionary-encoded, so
  rules run once per distinct cell (`CodedColumn`). Arrow accepts a subset of what Python's
  float() does and gives the same value; when it refuses a cell, or the file has an irregular
  shape (a row longer or shorter than the header, a quoted header), the reader falls back to the
  exact row-by-row path of the standard library csv module, so results and messages never
  depend on which path ran. GBK/GB18030 files are transcoded by Arrow in streaming chunks.
* .xlsx is read with python-calamine (Rust) when installed, else openpyxl in read-only mode.
* Parquet columns arrive typed (numbers as numbers, nulls missing); `iter_parquet` yields one
  batch of rows at a time so a table far larger than memory can be scored (engine/stream.py).

Empty cells are "" for CSV text, None/NaN elsewhere: all mean "missing" to the engine.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import DataError
from .values import CodedColumn

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
BATCH_ROWS = 1 << 18  # measured: smaller batches stay in cache, larger ones cost more
# Arrow's CSV reader on one thread, the whole file as one block when it is at most this size:
# every column then arrives as one chunk, which numpy takes without a copy (1 MiB blocks made 69
# chunks of a 1,000,000-row file, and joining them cost a fifth of the read; bench/RESULTS.md).
CSV_ONE_BLOCK = 1 << 28
CSV_BLOCK = 1 << 20  # larger files: blocks of this size, columns of many chunks


def usable_cores() -> int:
    """The CPUs this process may run on (its affinity where the platform says, else all)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


# Arrow's thread pool parses blocks in parallel when there is more than one core: on an idle
# 2-core machine it cut `jiuzhu mpi` on a 68 MiB CSV from 0.52 s to about 0.35 s (on cores busy
# with other work it cost more than it saved; bench/RESULTS.md). With threads the file is cut
# into CSV_THREAD_BLOCKS blocks per core, at least CSV_BLOCK each: enough for the pool to share,
# few enough that joining each column's chunks stays cheap.
CSV_THREADS = usable_cores() > 1
CSV_THREAD_BLOCKS = 4


@dataclass(frozen=True)
class Table:
    """Named columns of equal length, in header order.

    `columns` holds the columns that were asked for (every named column when none were);
    `header` lists every named column of the file, for messages about a missing one.
    """

    columns: dict[str, Any]
    n: int
    encoding: str
    header: tuple[str, ...] = ()


def read_table(
    path: str | Path,
    sheet: str | None = None,
    *,
    columns: Collection[str] | None = None,
    numeric: Collection[str] = (),
) -> Table:
    """Read a CSV, workbook or Parquet file; for text files the first row is the header and
    blank rows are skipped.

    `columns` limits the columns returned (names not in the file are left out; compare with
    Table.header); `numeric` names columns that only numeric rules read, which a CSV reader may
    parse straight to float64."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return _select(_read_workbook(path, sheet), columns)
    if suffix == ".xls":
        raise DataError(f"{path}: old .xls workbooks are not supported; save as .xlsx or CSV")
    if sheet is not None:
        raise DataError(f"{path}: --sheet applies only to .xlsx workbooks")
    if suffix in PARQUET_SUFFIXES:
        return _read_parquet(path, columns)
    return _read_csv(path, columns, set(numeric))


def decode(raw: bytes, where: str) -> tuple[str, str]:
    """UTF-8 (BOM optional) first, then GB18030, a superset of GBK used by Chinese Excel."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise DataError(f"{where}: the file is neither UTF-8 nor GBK text")  # pragma: no cover


def sniff_encoding(raw: bytes) -> str:
    """The encoding `decode` would pick, without decoding: UTF-8 (checked by Arrow's validator,
    much faster than Python's decoder on Chinese text) or GB18030."""
    if raw.isascii():
        return "utf-8-sig"
    import pyarrow as pa

    offsets = pa.py_buffer(np.array([0, len(raw)], dtype=np.int64).tobytes())
    try:
        pa.LargeStringArray.from_buffers(1, offsets, pa.py_buffer(raw)).validate(full=True)
    except pa.ArrowInvalid:
        return "gb18030"
    return "utf-8-sig"


def _read_csv(path: Path, wanted: Collection[str] | None, numeric: set[str]) -> Table:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None
    encoding = sniff_encoding(raw)
    table = _read_csv_arrow(raw, str(path), encoding, wanted, numeric)
    if table is not None:
        return table
    return _select(_read_csv_rows(raw, str(path)), wanted)


def _read_csv_rows(raw: bytes, where: str) -> Table:
    """The exact row-by-row reader (standard library csv): irregular files end up here."""
    source, encoding = decode(raw, where)
    try:
        rows = list(csv.reader(io.StringIO(source, newline="")))
    except csv.Error as exc:
        raise DataError(f"{where}: malformed CSV: {exc}") from None
    return _table(rows, where, encoding, blank="")


def _first_line_header(raw: bytes, encoding: str) -> list[str] | None:
    """The header when the file's first line is a plain, filled header row, else None."""
    end = raw.find(b"\n")
    line = raw if end < 0 else raw[:end]
    if line.count(b'"') % 2:
        return None  # an open quote: the header spans lines; leave it to the exact reader
    try:
        text = line.decode(encoding).rstrip("\r")
    except UnicodeDecodeError:
        return None
    cells = next(csv.reader([text]), [])
    if not any(_filled(c) for c in cells):
        return None
    return [c.strip() for c in cells]


def _read_csv_arrow(
    raw: bytes, where: str, encoding: str, wanted: Collection[str] | None, numeric: set[str]
) -> Table | None:
    """Arrow's columnar reader; None when the file needs the exact row-by-row reader."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    header = _first_line_header(raw, encoding)
    if header is None:
        return None
    names = _check_header(header, where)
    keys = [f"c{j}" for j in range(len(header))]  # positional: header names may repeat or be ""
    chosen = [(name, keys[j]) for j, name in enumerate(header) if name in names]
    if wanted is not None:
        chosen = [(name, key) for name, key in chosen if name in wanted]
    # GBK/GB18030 keeps ASCII bytes as ASCII and never uses "," '"' CR or LF inside a
    # character, so the file is parsed as it is, text columns as bytes, and only their distinct
    # cells are decoded: no transcoding of the whole file.
    utf8 = encoding == "utf-8-sig"
    coded = pa.dictionary(pa.int32(), pa.string() if utf8 else pa.binary())

    def read(types: dict[str, Any], include: list[str]) -> Any:
        return pacsv.read_csv(
            pa.BufferReader(raw),
            read_options=pacsv.ReadOptions(
                column_names=keys,
                skip_rows=1,
                block_size=_block_size(len(raw)),
                use_threads=CSV_THREADS,
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                include_columns=include,
                column_types=types,
                null_values=[""],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=utf8,
            ),
        )

    include = [key for _, key in chosen]
    floats = {key: pa.float64() for name, key in chosen if name in numeric}
    types = {key: floats.get(key, coded) for _, key in chosen}
    try:
        if not include:  # only the row count is needed (an empty list would mean "all")
            data = read({keys[0]: pa.binary()}, [keys[0]])
        else:
            try:
                data = read(types, include)
            except pa.ArrowInvalid as exc:
                if "conversion error" not in str(exc):
                    raise
                data = read(dict.fromkeys(include, coded), include)  # float() must judge a cell
        n = data.num_rows
        out = {name: _column(data.column(key), encoding) for name, key in chosen}
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None  # irregular rows, bad quoting, undecodable bytes: exact reader
    blank = _blank_rows(out, n)
    if blank is not None:
        try:
            every = read(dict.fromkeys(keys, pa.binary()), keys)
            rows = [
                {k: (v.decode(encoding) if isinstance(v, bytes) else v) for k, v in row.items()}
                for row in every.take(pa.array(blank)).to_pylist()
            ]
        except (pa.ArrowInvalid, UnicodeDecodeError):
            return None
        drop = [i for i, row in zip(blank.tolist(), rows, strict=True) if not _any_filled(row)]
        if drop:
            keep = np.ones(n, dtype=bool)
            keep[drop] = False
            out = {name: _take(col, keep) for name, col in out.items()}
            n = int(keep.sum())
    return Table(columns=out, n=n, encoding=encoding, header=tuple(names))


def _block_size(size: int) -> int:
    """On one thread the whole file as one block up to CSV_ONE_BLOCK (one chunk per column),
    else CSV_BLOCK; with threads CSV_THREAD_BLOCKS blocks per core, each at least CSV_BLOCK and at
    most CSV_ONE_BLOCK."""
    if CSV_THREADS:
        share = size // (CSV_THREAD_BLOCKS * usable_cores()) + 1
        return max(CSV_BLOCK, min(share, CSV_ONE_BLOCK))
    if size >= CSV_ONE_BLOCK:
        return CSV_BLOCK
    return size + 1


def _blank_rows(columns: dict[str, Any], n: int) -> np.ndarray | None:
    """Rows whose returned cells are all empty (they may be wholly blank: check the rest)."""
    if not columns:
        return None
    empty = np.ones(n, dtype=bool)
    for col in columns.values():
        if isinstance(col, CodedColumn):
            cell_empty = np.array([not _filled(c) for c in col.cells.tolist()], dtype=bool)
            empty &= cell_empty[col.codes] if len(col.cells) else np.ones(n, dtype=bool)
        else:
            empty &= np.isnan(col)
    return np.flatnonzero(empty) if empty.any() else None


def _any_filled(row: dict[str, Any]) -> bool:
    return any(_filled(c) for c in row.values())


def _take(col: Any, keep: np.ndarray) -> Any:
    if isinstance(col, CodedColumn):
        return CodedColumn(col.codes[keep], col.cells)
    return col[keep]


def _column(chunked: Any, encoding: str = "utf-8") -> Any:
    """An Arrow column as the engine takes it: numpy for numbers, CodedColumn for text
    (binary cells are decoded with `encoding`)."""
    import pyarrow as pa

    kind = chunked.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        chunked = chunked.dictionary_encode()
        kind = chunked.type
    if pa.types.is_dictionary(kind):
        return _coded(chunked, encoding)
    if pa.types.is_floating(kind) or pa.types.is_integer(kind):
        return _numbers(chunked)
    return chunked.to_numpy(zero_copy_only=False)  # booleans, dates...: the object path


def _numpy_dtype(kind: Any) -> np.dtype:
    import pyarrow as pa

    code = "f" if pa.types.is_floating(kind) else "i" if pa.types.is_signed_integer(kind) else "u"
    return np.dtype(f"{code}{kind.bit_width // 8}")


def _numbers(chunked: Any) -> np.ndarray:
    """A numeric Arrow column as one numpy array, nulls as NaN (i.e. missing; the column is then
    float64). Read from the Arrow buffers: pyarrow's own to_numpy() imports pandas, a third of
    `jiuzhu mpi`'s time on a million-row CSV when run as a command."""
    parts = []
    for chunk in chunked.chunks:
        if not len(chunk):
            continue
        dtype = _numpy_dtype(chunk.type)
        validity, data = chunk.buffers()[:2]
        values = np.frombuffer(
            data, dtype=dtype, count=len(chunk), offset=chunk.offset * dtype.itemsize
        )
        if chunk.null_count:
            bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
            valid = bits[chunk.offset : chunk.offset + len(chunk)].astype(bool)
            values = values.astype(np.float64)
            values[~valid] = np.nan
        parts.append(values)
    if not parts:
        return np.empty(0, dtype=_numpy_dtype(chunked.type))
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _coded(chunked: Any, encoding: str = "utf-8") -> CodedColumn:
    import pyarrow as pa

    chunks = chunked.unify_dictionaries().chunks if chunked.num_chunks else []
    if not chunks:
        return CodedColumn(np.zeros(0, dtype=np.intp), np.array([], dtype=str))
    dictionary = chunks[0].dictionary
    indices = pa.chunked_array([c.indices for c in chunks], type=chunks[0].indices.type)
    cells = dictionary.to_pylist()
    if pa.types.is_binary(dictionary.type):
        cells = [c.decode(encoding) for c in cells]  # UnicodeDecodeError: the exact reader
    numbers = _numbers(indices)  # float64 with NaN where a cell is null
    if indices.null_count or chunked.null_count:
        codes = np.where(np.isnan(numbers), len(cells), numbers).astype(np.intp)
        cells.append(None)
    else:
        codes = numbers.astype(np.intp)
    if all(isinstance(c, str) for c in cells):
        array = np.array(cells, dtype=str) if cells else np.array([], dtype=str)
    else:
        array = np.empty(len(cells), dtype=object)
        array[:] = cells
    return CodedColumn(codes, array)


def _read_parquet(path: Path, wanted: Collection[str] | None) -> Table:
    pf = parquet_file(path)
    names = list(pf.schema_arrow.names)
    chosen = [n for n in names if wanted is None or n in wanted]
    try:
        data = pf.read(columns=chosen)
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read Parquet file {path}: {exc}") from None
    out = {name: _column(data.column(name)) for name in chosen}
    return Table(columns=out, n=data.num_rows, encoding="parquet", header=tuple(names))


def parquet_file(path: str | Path) -> Any:
    """Open a Parquet file (a DataError if it is not one)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        # Without pre_buffer=False the reader keeps every row group it has read: RSS grew
        # with the file (740 MiB for 25,000,000 households, 330 MiB without).
        return pq.ParquetFile(path, pre_buffer=False)
    except FileNotFoundError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (OSError, pa.ArrowException) as exc:
        raise DataError(f"cannot read Parquet file {path}: {exc}") from None


def iter_parquet(
    path: str | Path, columns: Collection[str], batch_rows: int = BATCH_ROWS, prefetch: int = 2
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(first row, columns) for successive batches of at most batch_rows rows, read row group
    by row group so memory stays bounded whatever the file's size.

    A reader thread decodes up to `prefetch` batches ahead while the caller scores the current
    one (Arrow and numpy release the GIL), so reading and scoring overlap on two cores."""
    import pyarrow as pa

    pf = parquet_file(path)
    chosen = [n for n in pf.schema_arrow.names if n in set(columns)]

    def batches() -> Iterator[tuple[int, dict[str, Any]]]:
        start = 0
        # One decoding thread (ours): Arrow's own pool costs more CPU than it saves here.
        for batch in pf.iter_batches(batch_size=batch_rows, columns=chosen, use_threads=False):
            data = pa.Table.from_batches([batch])
            yield start, {name: _column(data.column(name)) for name in chosen}
            start += batch.num_rows

    try:
        yield from (_prefetched(batches(), prefetch) if prefetch else batches())
    except (OSError, pa.ArrowException) as exc:
        raise DataError(f"cannot read Parquet file {path}: {exc}") from None


def _prefetched(source: Iterator[Any], depth: int) -> Iterator[Any]:
    """The items of source, produced by a daemon thread at most `depth` items ahead."""
    import queue
    import threading

    items: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in source:
                while not stop.is_set():
                    try:
                        items.put(("item", item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            items.put(("end", None))
        except BaseException as exc:  # handed to the consumer, which raises it
            items.put(("error", exc))

    thread = threading.Thread(target=produce, name="parquet-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = items.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()


def parquet_header(path: str | Path) -> tuple[tuple[str, ...], int]:
    """Column names and row count of a Parquet file, from its footer."""
    pf = parquet_file(path)
    return tuple(pf.schema_arrow.names), pf.metadata.num_rows


def _read_workbook(path: Path, sheet: str | None) -> Table:
    try:
        import python_calamine  # noqa: F401
    except ImportError:  # pragma: no cover - the optional fast reader is missing
        return _read_workbook_openpyxl(path, sheet)
    return _read_workbook_calamine(path, sheet)


def _read_workbook_calamine(path: Path, sheet: str | None) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except (OSError, CalamineError, ValueError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise DataError(f"cannot read workbook {path}: {exc.strerror or exc}") from None
        raise DataError(f"cannot read workbook {path}: {exc}") from None
    try:
        names = list(book.sheet_names)
        if not names:
            raise DataError(f"{path}: the workbook has no sheets")
        if sheet is not None and sheet not in names:
            shown = ", ".join(repr(s) for s in names)
            raise DataError(f"{path}: no sheet named {sheet!r} (sheets: {shown})")
        rows = book.get_sheet_by_name(sheet or names[0]).to_python(skip_empty_area=False)
    except CalamineError as exc:
        raise DataError(f"cannot read workbook {path}: {exc}") from None
    finally:
        book.close()
    return _table(rows, str(path), "xlsx", blank=None)


def _read_workbook_openpyxl(path: Path, sheet: str | None) -> Table:
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


def _select(table: Table, wanted: Collection[str] | None) -> Table:
    if wanted is None:
        return table
    columns = {k: v for k, v in table.columns.items() if k in wanted}
    return Table(columns=columns, n=table.n, encoding=table.encoding, header=table.header)


def _check_header(header: list[str], where: str) -> list[str]:
    """Named columns in order; a name used twice is an error."""
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise DataError(f"{where}: column {name!r} appears twice in the header")
        seen.add(name)
    return [name for name in header if name]


def _table(raw_rows: Sequence[Sequence[object]], where: str, encoding: str, blank: object) -> Table:
    rows = [list(r) for r in raw_rows if any(_filled(c) for c in r)]
    if not rows:
        raise DataError(f"{where}: no header row (the file is empty)")
    header = [("" if c is None else str(c).strip()) for c in rows[0]]
    names = _check_header(header, where)
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
            columns[name] = _workbook_column(values)
    return Table(columns=columns, n=len(body), encoding=encoding, header=tuple(names))


def _workbook_column(values: tuple[object, ...]) -> np.ndarray:
    """A workbook column: float64 (NaN for empty) when every cell is a float or empty (as
    calamine gives numbers), which the engine treats exactly like the cells themselves but
    without a Python loop; otherwise an object array of the cells."""
    if values and all((type(v) is float or v is None or v == "") for v in values):
        return np.array([np.nan if (v is None or v == "") else v for v in values], dtype=float)
    arr = np.empty(len(values), dtype=object)
    arr[:] = list(values)
    return arr


def _filled(cell: object) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())
