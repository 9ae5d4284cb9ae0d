"""Writing many rows at once, for imports and jobs that write tens of thousands of rows.

Profiled on a 100,000-row department import, the ORM's ``bulk_create`` spent more time building
model instances, preparing every value through its field and compiling SQL (one statement per
~100 rows on SQLite, whose parameter limit splits the batches) than the database spent writing.
Here the caller gives each row's values already in the database's form (``connection.ops``'
``adapt_*`` for dates, times and JSON) and prepared INSERTs run through ``executemany``.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.db import connection, models

#: Parameters per multi-row INSERT on SQLite (999, the limit of every SQLite build).
SQLITE_PARAMS = 999
#: Parameters per multi-row INSERT on PostgreSQL (its limit is 65,535).
RETURNING_PARAMS = 30_000


def _insert_head(model: type[models.Model], columns: Sequence[str]) -> str:
    """``INSERT INTO table (columns) VALUES`` for the model's fields (names from the model, no
    input in the SQL)."""
    quote = connection.ops.quote_name
    column_of = {field.name: field.column for field in model._meta.concrete_fields}
    names = ", ".join(quote(column_of[name]) for name in columns)
    return f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES "  # noqa: S608


def _values(width: int, count: int) -> str:
    row = "(" + ", ".join(["%s"] * width) + ")"
    return ", ".join([row] * count)


def _insert_sqlite(cursor: Any, head: str, width: int, rows: Sequence[Sequence[Any]]) -> None:
    """Rows in multi-row statements. SQLite runs each statement of an ``executemany`` on its
    own, and for an AUTOINCREMENT table each looks its sequence up in ``sqlite_sequence`` (a
    table scan, one row per table of the schema) and writes it back: a third of the time of
    inserting a row one at a time, measured on the department records of a full database."""
    per = max(1, SQLITE_PARAMS // width)
    full = len(rows) - len(rows) % per
    if full:
        cursor.executemany(
            head + _values(width, per),
            [[v for row in rows[i : i + per] for v in row] for i in range(0, full, per)],
        )
    if full < len(rows):
        rest = rows[full:]
        cursor.execute(head + _values(width, len(rest)), [v for row in rest for v in row])


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``, field names) into ``model``'s table.
    No defaults are filled in, no signals sent and no ids returned: the caller writes every
    column it needs (and uses :func:`insert_rows_returning_ids` when it needs the ids)."""
    head = _insert_head(model, columns)
    rows = list(rows)
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            _insert_sqlite(cursor, head, len(columns), rows)
        else:
            cursor.executemany(head + _values(len(columns), 1), rows)


def insert_rows_returning_ids(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[int]:
    """:func:`insert_rows`, giving the new rows' primary keys in the order of ``rows``; call it
    inside a transaction.

    SQLite: multi-row statements, then ``last_insert_rowid()``. The ids are consecutive:
    Django's SQLite tables use AUTOINCREMENT (each new id is one above the largest ever given,
    in the order of the VALUES), the transaction holds the database's only write lock, and
    nothing else inserts on this connection meanwhile. PostgreSQL: multi-row
    ``INSERT … RETURNING``, whose rows come back in the order of its VALUES (as
    ``bulk_create`` relies on too)."""
    if not rows:
        return []
    head = _insert_head(model, columns)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            _insert_sqlite(cursor, head, len(columns), rows)
            cursor.execute("SELECT last_insert_rowid()")
            (last,) = cursor.fetchone()
            return list(range(last - len(rows) + 1, last + 1))
        if connection.vendor != "postgresql":
            raise NotImplementedError(connection.vendor)
        pk = connection.ops.quote_name(model._meta.pk.column)
        ids: list[int] = []
        per_statement = max(1, RETURNING_PARAMS // len(columns))
        for start in range(0, len(rows), per_statement):
            part = rows[start : start + per_statement]
            cursor.execute(
                f"{head}{_values(len(columns), len(part))} RETURNING {pk}",
                [value for row in part for value in row],
            )
            ids.extend(row[0] for row in cursor.fetchall())
        return ids


def json_adapter(model: type[models.Model], field_name: str) -> Callable[[Any], Any]:
    """A function giving a JSON field's database form, as the ORM would write it. On SQLite one
    encoder is made once (``json.dumps(cls=…)`` builds one per value: a fifth of storing a
    department record); elsewhere the backend's own adapter."""
    encoder = model._meta.get_field(field_name).encoder  # type: ignore[attr-defined]
    if connection.vendor == "sqlite":
        return (encoder or json.JSONEncoder)().encode
    return partial(connection.ops.adapt_json_value, encoder=encoder)


@contextmanager
def large_sqlite_cache(mebibytes: int = 256) -> Iterator[None]:
    """On SQLite, a page cache of ``mebibytes`` for this connection while a bulk job runs (the
    default 2 MiB thrashes once a table's indexes outgrow it: a million department records with
    seven indexes took twice as long to insert); then the earlier size again. A no-op
    elsewhere."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-int(mebibytes) * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a bulk job runs, then as it was. A million-row
    import builds millions of small objects that live until it ends (the records kept for its
    rules); each of the collector's full passes walks all of them, which took a tenth of the
    import. Reference counting still frees everything else at once; what a job leaves in
    cycles waits for the next collection. The pause is process-wide, so only for jobs of
    bounded length."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
