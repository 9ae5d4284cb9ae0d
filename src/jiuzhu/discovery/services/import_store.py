"""Storing a department file's checked rows: each matched to a registry member by the keyed
hash of the identity number or to a potential case (opened for people the registry does not
know), written in chunks as plain rows (``core.bulk``), and kept in memory for the import's
rules (:class:`.rule_inputs.FreshRecords`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.utils import timezone

from jiuzhu.core.bulk import insert_rows_returning_ids, json_adapter
from jiuzhu.discovery.engine.columnar import Chunk
from jiuzhu.discovery.models import DepartmentRecord, ImportBatch, PotentialCase
from jiuzhu.discovery.models.imports import PotentialCaseStatus
from jiuzhu.discovery.services.rule_inputs import (
    UNDATED_SOURCE,
    FreshRecords,
    Remember,
    RuleRecord,
)
from jiuzhu.registry.models import Member

#: Rows stored per database round trip.
CHUNK = 2000
#: From this file size on, every active member's identity hash is loaded once into a dict
#: before the rows are matched (one query, then dict look-ups); below it each chunk asks the
#: database for its own hashes (a small file should not read the whole register).
PRELOAD_BYTES = 512 * 1024
#: The columns the store writes (``insert_rows``), in the order of its tuples.
CASE_COLUMNS = [
    "id_number_encrypted",
    "id_number_hash",
    "id_last4",
    "name",
    "birth_date",
    "district",
    "status",
    "first_batch",
    "created_at",
]
RECORD_COLUMNS = [
    "batch",
    "source",
    "row_key",
    "id_number_hash",
    "on",
    "values",
    "member",
    "household",
    "potential_case",
]
#: New records kept in memory for the rules (about 300 bytes each); past it the rules read
#: every record back from the database.
REMEMBER_MAX = 3_000_000

#: An accepted row as the store keeps it until its chunk is written: (identity number, name,
#: date in ISO form, kept values, keyed row hash, identity lookup hash, kept values as JSON).
_Row = tuple[str, str, str, dict[str, Any], str, str, str]


def _select(sql_head: str, values: list[str], params: list[Any] | None = None) -> list[Any]:
    """Rows of ``sql_head IN (values)``, run with a plain cursor: for 2,000 values the ORM's
    ``__in`` lookup spent longer preparing each parameter than the database took to answer."""
    if not values:
        return []
    marks = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(f"{sql_head} IN ({marks})", [*(params or []), *values])
        return list(cursor.fetchall())


def _last_record_id() -> int:
    """The largest department record id so far: the records after it are this import's."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({quote('id')}) FROM {quote(DepartmentRecord._meta.db_table)}")  # noqa: S608
        (last,) = cursor.fetchone()
    return int(last or 0)


def _source_has_records(source: str) -> bool:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {quote(DepartmentRecord._meta.db_table)}"  # noqa: S608
            f" WHERE {quote('source')} = %s LIMIT 1",
            [source],
        )
        return cursor.fetchone() is not None


class RecordStore:
    """Writes accepted records in chunks, matching each to a member or a potential case.

    Rows already stored (the same row key) are skipped; when the source has no record at all
    before this batch (a department's first file, the largest), none can be, since the checker
    refuses a row repeated within the file, and the store does not ask."""

    def __init__(
        self,
        batch: ImportBatch,
        enc: Callable[[str], str],
        preload: bool = False,
        remember: Remember | None = None,
    ):
        self.batch = batch
        self.enc = enc
        #: identity hash → (member id, household id) of every active member, when preloaded.
        self.members: dict[str, tuple[int, int]] | None = None
        if preload:
            self.members = {
                row[0]: (row[1], row[2])
                for row in Member.objects.filter(is_active=True).values_list(
                    "id_number_hash", "pk", "household_id"
                )
            }
        self.pending: list[_Row] = []
        #: The chunk's JSON text is the database's form on SQLite (no encoder on the field);
        #: elsewhere the backend's adapter takes the values.
        self._json_text = (
            connection.vendor == "sqlite"
            and DepartmentRecord._meta.get_field("values").encoder is None  # type: ignore[attr-defined]
        )
        self._values_json = json_adapter(DepartmentRecord, "values")
        self._check_known = _source_has_records(batch.source)
        self.new_records = 0
        self.matched = 0
        self.new_cases = 0
        self.touched_households: set[int] = set()
        self.touched_cases: set[int] = set()
        #: The new records the rules will read, by subject (see :class:`Remember`); None when
        #: the batch's source has no rule in force or the file outgrew REMEMBER_MAX.
        self.fresh: FreshRecords | None = None
        self._since: dt.date | None = None
        if remember is not None and batch.source in remember.sources:
            self.fresh = FreshRecords(up_to_id=_last_record_id())
            self._since = None if batch.source == UNDATED_SOURCE else remember.since
        quote = connection.ops.quote_name
        self._records_sql = (
            f"SELECT {quote('row_key')} FROM {quote(DepartmentRecord._meta.db_table)}"  # noqa: S608
            f" WHERE {quote('source')} = %s AND {quote('row_key')}"
        )
        self._cases_sql = (
            f"SELECT {quote('id_number_hash')}, {quote('id')}"  # noqa: S608
            f" FROM {quote(PotentialCase._meta.db_table)} WHERE {quote('id_number_hash')}"
        )

    def add_chunk(self, chunk: Chunk) -> None:
        """Queue a checked chunk's accepted rows (with their storage columns:
        ``parallel.for_storage``); written CHUNK at a time."""
        self.pending.extend(
            zip(
                chunk.numbers,
                chunk.names,
                chunk.on,
                chunk.values,
                chunk.keys,
                chunk.id_hashes,
                chunk.values_json,
                strict=True,
            )
        )
        while len(self.pending) >= CHUNK:
            rows, self.pending = self.pending[:CHUNK], self.pending[CHUNK:]
            self._write(rows)

    def flush(self) -> None:
        rows, self.pending = self.pending, []
        if rows:
            self._write(rows)

    def _members_of(self, hashes: set[str]) -> dict[str, tuple[int, int]]:
        if self.members is not None:
            everyone = self.members
            return {h: everyone[h] for h in hashes if h in everyone}
        return {
            row[0]: (row[1], row[2])
            for row in Member.objects.filter(id_number_hash__in=hashes, is_active=True).values_list(
                "id_number_hash", "pk", "household_id"
            )
        }

    def _cases_of(self, fresh: list[_Row], members: dict[str, tuple[int, int]]) -> dict[str, int]:
        """The potential case of every person of ``fresh`` who is no member, opened for those
        who have none yet."""
        unknown = list({row[5] for row in fresh if row[5] not in members})
        cases: dict[str, int] = dict(_select(self._cases_sql, unknown))
        created_at = connection.ops.adapt_datetimefield_value(timezone.now())
        district_id = self.batch.district_id
        new_cases: list[tuple[Any, ...]] = []
        for number, name, _on, _values, _key, id_hash, _json in fresh:
            if id_hash in members or id_hash in cases:
                continue
            birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            new_cases.append(
                (
                    self.enc(number),
                    id_hash,
                    number[-4:],
                    name[:64],
                    self.enc(birth.isoformat()),  # encrypted like the number (issue 16)
                    district_id,
                    PotentialCaseStatus.OPEN,
                    self.batch.pk,
                    created_at,
                )
            )
            cases[id_hash] = -1  # created below
        if new_cases:
            ids = insert_rows_returning_ids(PotentialCase, CASE_COLUMNS, new_cases)
            self.new_cases += len(new_cases)
            cases.update(zip((case[1] for case in new_cases), ids, strict=True))
        return cases

    def _write(self, chunk: list[_Row]) -> None:
        source = self.batch.source
        fresh = chunk
        if self._check_known:
            keys = [row[4] for row in chunk]
            known = {row[0] for row in _select(self._records_sql, keys, [source])}
            fresh = [row for row in chunk if row[4] not in known] if known else chunk
        if not fresh:
            return
        members = self._members_of({row[5] for row in fresh})
        cases = self._cases_of(fresh, members)
        adapt_json = None if self._json_text else self._values_json
        batch_id = self.batch.pk
        rows: list[tuple[Any, ...]] = []
        for _number, _name, on, values, key, id_hash, values_json in fresh:
            member = members.get(id_hash)
            if member is not None:
                self.matched += 1
                self.touched_households.add(member[1])
                member_id: int | None = member[0]
                household_id: int | None = member[1]
                case_id: int | None = None
            else:
                case_id = cases[id_hash]
                self.touched_cases.add(case_id)
                member_id = household_id = None
            rows.append(
                (
                    batch_id,
                    source,
                    key,
                    id_hash,
                    on,  # ISO, as adapt_datefield_value gives it
                    values_json if adapt_json is None else adapt_json(values),
                    member_id,
                    household_id,
                    case_id,
                )
            )
        ids = insert_rows_returning_ids(DepartmentRecord, RECORD_COLUMNS, rows)
        self.new_records += len(rows)
        if self.fresh is not None:
            self._remember(ids, rows, fresh)

    def _remember(self, ids: list[int], rows: list[tuple[Any, ...]], fresh: list[_Row]) -> None:
        """Keep the written records as the rules read them, so that evaluating the import
        reads back from the database only the subjects' earlier records."""
        kept = self.fresh
        assert kept is not None
        since = self._since
        source = self.batch.source
        households, cases = kept.households, kept.cases
        for pk, row, fresh_row in zip(ids, rows, fresh, strict=True):
            on = dt.date.fromisoformat(row[4])
            member_id, household_id, case_id = row[6], row[7], row[8]
            if household_id is not None:
                if since is None or on >= since:
                    record = RuleRecord(pk, source, on, fresh_row[3], member_id, household_id)
                    households.setdefault(household_id, []).append(record)
                    kept.count += 1
            else:
                cases.setdefault(case_id, []).append(
                    RuleRecord(pk, source, on, fresh_row[3], None, case_id)
                )
                kept.count += 1
        if kept.count > REMEMBER_MAX:
            self.fresh = None  # the rules read every record back instead
