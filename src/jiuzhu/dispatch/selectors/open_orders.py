"""The user's open orders as plain rows, read once: the board and the backlog derive every
figure from one read of them (each figure read them again before: three reads took about a
second at a million households, each open order costing lookups of its household and its
deadlines; bench/RESULTS.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from django.db import connections
from django.db.models import BigIntegerField, F, Func, QuerySet

from jiuzhu.dispatch.selectors import deadlines
from jiuzhu.orders.models import Order

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class Microseconds(Func):
    """An instant as whole microseconds since 1970 (UTC), exactly. The board reads two instants
    of each of tens of thousands of open orders: as timestamps, psycopg parses each in Python
    through Django's time-zone loader (about 4 µs each, half of the board's time at a million
    households); as integers they cost the driver nothing."""

    output_field = BigIntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # EXTRACT gives an exact numeric (PostgreSQL 14 and later, as Django 5.2 requires).
        template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django stores 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC): whole seconds (``unixepoch``,
        # SQLite 3.38 and later), then the six digits of the fraction (none when it is
        # zero). Only plain columns come here: the column appears twice in the template.
        template = (
            "(unixepoch(%(expressions)s) * 1000000"
            " + CAST(substr(%(expressions)s, 21, 6) AS INTEGER))"
        )
        return self.as_sql(compiler, connection, template=template, **extra)


def instant(microseconds: int | None) -> dt.datetime | None:
    """The aware instant ``Microseconds`` gave as an integer."""
    return None if microseconds is None else EPOCH + dt.timedelta(microseconds=microseconds)


class OpenOrder(NamedTuple):
    pk: int
    status: str
    district: int
    street: int
    community: int
    item: int
    provider: int | None
    created: dt.datetime
    #: The deadline that applies now (``deadlines.applies``); None without deadlines.
    due: dt.datetime | None

    def state(self, now: dt.datetime) -> str:
        """``overdue``, ``at_risk`` or ``ok`` at ``now`` (``deadlines.state``)."""
        return deadlines.state(self.created, self.due, now)

    def place(self) -> tuple[int, int, int, int]:
        """(id, street, community, item): what ``count_reasons`` needs of a waiting order."""
        return self.pk, self.street, self.community, self.item


def open_orders(orders: QuerySet[Order]) -> list[OpenOrder]:
    """Each of ``orders`` (the user's open orders, filtered) as an ``OpenOrder``, in one
    query with its household's place and its deadlines."""
    query = (
        orders.order_by()
        .annotate(
            created_us=Microseconds(F("created_at")),
            accept_us=Microseconds(F("sla__accept_by")),
            complete_us=Microseconds(F("sla__complete_by")),
        )
        .values_list(
            "pk",
            "status",
            "household__district_id",
            "household__street_id",
            "household__community_id",
            "item_id",
            "provider_id",
            "created_us",
            "accept_us",
            "complete_us",
        )
    )
    # The ORM builds the (scoped) query; its rows are fetched at once as plain tuples. Django's
    # row-by-row iteration (chunks of 100, a converter call per integer) cost 40 ms of a city's
    # board.
    sql, params = query.query.sql_with_params()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        OpenOrder(
            pk,
            status,
            district,
            street,
            community,
            item,
            provider,
            created=EPOCH + dt.timedelta(microseconds=created),
            due=instant(deadlines.applies(status, accept, complete)),
        )
        for pk, status, district, street, community, item, provider, created, accept, complete in (
            rows
        )
    ]
