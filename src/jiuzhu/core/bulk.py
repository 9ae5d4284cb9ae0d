"""Writing many rows at once, for imports and jobs that write tens of thousands of rows.

Profiled on a 100,000-row department import, the ORM's ``bulk_create`` spent more time building
model instances, preparing every value through its field and compiling SQL (one statement per
~100 rows on SQLite, whose parameter limit splits the batches) than the database spent writing.
Here the caller gives each row's values already in the database's form (``connection.ops``'
``adapt_*`` for dates, times and JSON) and one prepared INSERT runs through ``executemany``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.db import connection, models


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``, field names) into ``model``'s table.
    No defaults are filled in, no signals sent and no ids returned: the caller writes every
    column it needs and reads ids back by a unique key when it needs them."""
    quote = connection.ops.quote_name
    column_of = {field.name: field.column for field in model._meta.concrete_fields}
    names = ", ".join(quote(column_of[name]) for name in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            # Table and column names from the model, placeholders only: no input in the SQL.
            f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})",  # noqa: S608
            list(rows),
        )


def ids_by(
    model: type[models.Model], key: str, values: Sequence[Any], chunk: int = 900
) -> dict[Any, int]:
    """The primary keys of the rows whose unique ``key`` column holds these values (for rows
    just written by :func:`insert_rows`), asked ``chunk`` values at a time."""
    found: dict[Any, int] = {}
    quote = connection.ops.quote_name
    column = quote(model._meta.get_field(key).column)
    pk = quote(model._meta.pk.column)
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(values), chunk):
            part = values[start : start + chunk]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(
                f"SELECT {column}, {pk} FROM {table} WHERE {column} IN ({marks})",  # noqa: S608
                list(part),
            )
            found.update(cursor.fetchall())
    return found


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
