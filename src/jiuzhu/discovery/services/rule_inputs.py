"""What the warning rules read about the subjects an import touched: their department records
as plain values, and birth dates only where a rule needs an age.

The records are read with one plain query per chunk of subjects. Through the ORM, SQLite (which
has no statistics on a fresh database) answered ``source IN (…)`` with the unique index on
(source, row_key), scanning every record of the source once per chunk: 7.7 of an import's 19
seconds at 100,000 rows, and quadratic in the file's size. ``source || ''`` keeps the filter
but takes it out of the planner's index choice, so the subject's own index is used; PostgreSQL
plans the same query the same way with or without it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection

from jiuzhu.discovery.models import DepartmentRecord, PotentialCase
from jiuzhu.registry.models import Member

#: The source whose records count whatever their age (a registration of unemployment stays
#: in force until it ends); every other source is read back ``since`` a date.
UNDATED_SOURCE = "unemployment"


class RuleRecord(NamedTuple):
    """A department record as the rules read it (plain values: a big import loads hundreds of
    thousands, and model instances cost more than the rules)."""

    pk: int
    source: str
    on: dt.date
    values: dict[str, Any]
    member_id: int | None
    owner_id: int  # the household or the potential case


class Remember(NamedTuple):
    """What an import keeps in memory of the records it writes, for its rules: those of
    ``sources`` (the rules in force read them), a household's only from ``since`` on (the
    rules' horizon) unless the source is undated; a potential case's all (as
    :func:`records_by_owner` reads them)."""

    sources: frozenset[str]
    since: dt.date


@dataclass
class FreshRecords:
    """The records an import wrote, by household and by potential case; every record with an
    id above ``up_to_id`` is the import's (its transaction holds them)."""

    up_to_id: int
    households: dict[int, list[RuleRecord]] = field(default_factory=dict)
    cases: dict[int, list[RuleRecord]] = field(default_factory=dict)
    count: int = 0


def _marks(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def records_by_owner(
    owner: str,
    ids: Sequence[int],
    sources: Iterable[str],
    since: dt.date | None = None,
    up_to_id: int | None = None,
) -> dict[int, list[RuleRecord]]:
    """The records of these households (``owner="household"``) or potential cases
    (``"potential_case"``) from these sources, by owner; with ``since``, only records on or
    after it, except the undated source's; with ``up_to_id``, only records up to that id (the
    ones written before an import, which keeps its own in memory: :class:`FreshRecords`)."""
    sources = sorted(sources)
    if not ids or not sources:
        return {}
    if owner not in ("household", "potential_case"):
        raise ValueError(owner)
    quote = connection.ops.quote_name
    fields = {f.name: f.column for f in DepartmentRecord._meta.concrete_fields}
    column = quote(fields[owner])
    source, on = quote(fields["source"]), quote(fields["on"])
    columns = ", ".join(
        quote(fields[name]) for name in ("id", "source", "on", "values", "member", owner)
    )
    sql = (
        f"SELECT {columns} FROM {quote(DepartmentRecord._meta.db_table)}"  # noqa: S608
        f" WHERE {column} IN ({_marks(ids)}) AND ({source} || '') IN ({_marks(sources)})"
    )
    params: list[Any] = [*ids, *sources]
    if since is not None:
        sql += f" AND ({on} >= %s OR ({source} || '') = %s)"
        params += [connection.ops.adapt_datefield_value(since), UNDATED_SOURCE]
    if up_to_id is not None:
        sql += f" AND {quote(fields['id'])} <= %s"
        params.append(up_to_id)
    values_field = DepartmentRecord._meta.get_field("values")
    # SQLite hands JSON back as text: read it with json.loads itself (the field's converter
    # adds a third per record), unless the field has its own decoder.
    loads = json.loads if values_field.decoder is None else None  # type: ignore[attr-defined]
    found: dict[int, list[RuleRecord]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, src, day, values, member_id, owner_id in cursor.fetchall():
            if not isinstance(day, dt.date):
                day = dt.date.fromisoformat(day)
            if isinstance(values, str) and loads is not None:
                values = loads(values)
            elif not isinstance(values, dict):
                values = values_field.from_db_value(values, None, connection)  # type: ignore[arg-type]
            found[owner_id].append(RuleRecord(pk, src, day, values, member_id, owner_id))
    return found


def member_birth_dates(member_ids: Iterable[int]) -> dict[int, dt.date | None]:
    """Birth dates (encrypted at rest) of these members only: decrypting one costs as much as
    checking a hundred rows, so the rules ask for the people an age matters for."""
    ids = list(set(member_ids))
    if not ids:
        return {}
    return dict(Member.objects.filter(pk__in=ids).values_list("pk", "birth_date"))


def case_birth_dates(case_ids: Iterable[int]) -> dict[int, dt.date | None]:
    """Birth dates of these potential cases only (see :func:`member_birth_dates`)."""
    ids = list(set(case_ids))
    if not ids:
        return {}
    return dict(PotentialCase.objects.filter(pk__in=ids).values_list("pk", "birth_date"))
