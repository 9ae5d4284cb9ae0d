"""Importing a department file: read and check every row, then (unless refused) store the new
records matched to registry members by the keyed hash of the identity number, open potential
cases for people the registry does not know, and raise the warnings the rules find.

A file is imported whole or not at all (unless the user asks for the valid rows only); the same
rows imported again are recognised by their keyed hash and change nothing; the whole import is
one transaction, so an interrupted one leaves nothing behind. The refused or checked batch is
still recorded, with its error report, so the user can download it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit, crypto
from jiuzhu.core.bulk import insert_rows, json_adapter, large_sqlite_cache
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.models import AreaLevel, AuditAction, User
from jiuzhu.discovery import policy
from jiuzhu.discovery.engine.columnar import Chunk, scan_columns
from jiuzhu.discovery.engine.reader import FileRefused, read_rows
from jiuzhu.discovery.engine.sources import SOURCES
from jiuzhu.discovery.engine.validate import RowError, Tally
from jiuzhu.discovery.models import (
    DepartmentRecord,
    ImportBatch,
    ImportStatus,
    PotentialCase,
)
from jiuzhu.discovery.models.imports import PotentialCaseStatus
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
#: Identity numbers whose keyed hash the store remembers (about 25 MiB).
HASHES_KEPT = 100_000
#: Errors kept in a batch's report (the count is always complete).
REPORT_MAX = 10_000
Progress = Callable[[int], None]


def max_bytes() -> int:
    return int(getattr(settings, "JIUZHU_IMPORT_MAX_MB", 64)) * 2**20


class _Rollback(Exception):
    """Raised inside the import's transaction to undo it (refused, or a dry run)."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def _district_of(actor: User):  # type: ignore[no-untyped-def]
    """The district a batch belongs to: the uploader's (or their organisation's) area, walked
    up to the district; None for the city."""
    area = actor.area or (actor.organisation.area if actor.organisation is not None else None)
    while area is not None and area.level not in (AreaLevel.DISTRICT, AreaLevel.CITY):
        area = area.parent
    return area if area is not None and area.level == AreaLevel.DISTRICT else None


def _error_dict(error: RowError) -> dict[str, Any]:
    value = error.value[:100]
    if error.column == "id_number" and value:
        # Even a mistyped identity number is someone's: the report keeps its last four.
        value = "*" * max(len(value) - 4, 0) + value[-4:]
    return {
        "row": error.row,
        "column": error.column,
        "value": value,
        "code": error.code,
        "params": error.params,
    }


#: An accepted row as the store keeps it until its chunk is written: (identity number, name,
#: date in ISO form, kept values, keyed row hash).
_Row = tuple[str, str, str, dict[str, Any], str]


def _select(sql_head: str, values: list[str], params: list[Any] | None = None) -> list[Any]:
    """Rows of ``sql_head IN (values)``, run with a plain cursor: for 2,000 values the ORM's
    ``__in`` lookup spent longer preparing each parameter than the database took to answer."""
    if not values:
        return []
    marks = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(f"{sql_head} IN ({marks})", [*(params or []), *values])
        return list(cursor.fetchall())


class _Store:
    """Writes accepted records in chunks, matching each to a member or a potential case."""

    def __init__(
        self,
        batch: ImportBatch,
        enc: Callable[[str], str],
        digest: Callable[[str], str],
        preload: bool = False,
    ):
        self.batch = batch
        self.enc = enc
        self.digest = digest
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
        self._known_hashes: dict[str, str] = {}
        self._values_json = json_adapter(DepartmentRecord, "values")
        self.new_records = 0
        self.matched = 0
        self.new_cases = 0
        self.touched_households: set[int] = set()
        self.touched_cases: set[int] = set()
        quote = connection.ops.quote_name
        self._records_sql = (
            f"SELECT {quote('row_key')} FROM {quote(DepartmentRecord._meta.db_table)}"  # noqa: S608
            f" WHERE {quote('source')} = %s AND {quote('row_key')}"
        )
        self._cases_sql = (
            f"SELECT {quote('id_number_hash')}, {quote('id')}"  # noqa: S608
            f" FROM {quote(PotentialCase._meta.db_table)} WHERE {quote('id_number_hash')}"
        )

    def _hashes(self, numbers: set[str]) -> dict[str, str]:
        """Keyed hashes of these identity numbers, remembered across chunks: a person appears
        in a department file many times (a medical file has a row per settlement), and the
        hash is a fifth of storing a row. Forgotten past HASHES_KEPT people, to bound memory."""
        known = self._known_hashes
        if len(known) > HASHES_KEPT:
            known.clear()
        digest = self.digest
        for number in numbers - known.keys():
            known[number] = digest(number)
        return {number: known[number] for number in numbers}

    def add_chunk(self, chunk: Chunk) -> None:
        """Queue a checked chunk's accepted rows; written CHUNK at a time."""
        self.pending.extend(
            zip(chunk.numbers, chunk.names, chunk.on, chunk.values, chunk.keys, strict=True)
        )
        while len(self.pending) >= CHUNK:
            rows, self.pending = self.pending[:CHUNK], self.pending[CHUNK:]
            self._write(rows)

    def flush(self) -> None:
        rows, self.pending = self.pending, []
        if rows:
            self._write(rows)

    def _write(self, chunk: list[_Row]) -> None:
        source = self.batch.source
        known = {row[0] for row in _select(self._records_sql, [r[4] for r in chunk], [source])}
        fresh = [row for row in chunk if row[4] not in known] if known else chunk
        if not fresh:
            return
        hashes = self._hashes({row[0] for row in fresh})
        if self.members is not None:
            everyone = self.members
            members = {h: everyone[h] for h in hashes.values() if h in everyone}
        else:
            members = {
                row[0]: (row[1], row[2])
                for row in Member.objects.filter(
                    id_number_hash__in=set(hashes.values()), is_active=True
                ).values_list("id_number_hash", "pk", "household_id")
            }
        unknown = [h for h in hashes.values() if h not in members]
        cases: dict[str, int] = dict(_select(self._cases_sql, unknown))
        ops = connection.ops
        created_at = ops.adapt_datetimefield_value(timezone.now())
        district_id = self.batch.district_id
        new_cases: list[tuple[Any, ...]] = []
        for number, name, _on, _values, _key in fresh:
            digest_ = hashes[number]
            if digest_ in members or digest_ in cases:
                continue
            birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            new_cases.append(
                (
                    self.enc(number),
                    digest_,
                    number[-4:],
                    name[:64],
                    self.enc(birth.isoformat()),  # encrypted like the number (issue 16)
                    district_id,
                    PotentialCaseStatus.OPEN,
                    self.batch.pk,
                    created_at,
                )
            )
            cases[digest_] = -1  # created below
        if new_cases:
            insert_rows(PotentialCase, CASE_COLUMNS, new_cases)
            self.new_cases += len(new_cases)
            cases.update(_select(self._cases_sql, [case[1] for case in new_cases]))
        adapt_json = self._values_json
        batch_id = self.batch.pk
        rows: list[tuple[Any, ...]] = []
        for number, _name, on, values, key in fresh:
            digest_ = hashes[number]
            member = members.get(digest_)
            if member is not None:
                self.matched += 1
                self.touched_households.add(member[1])
                member_id: int | None = member[0]
                household_id: int | None = member[1]
                case_id: int | None = None
            else:
                case_id = cases[digest_]
                self.touched_cases.add(case_id)
                member_id = household_id = None
            rows.append(
                (
                    batch_id,
                    source,
                    key,
                    digest_,
                    on,  # ISO, as adapt_datefield_value gives it
                    adapt_json(values),
                    member_id,
                    household_id,
                    case_id,
                )
            )
        insert_rows(DepartmentRecord, RECORD_COLUMNS, rows)
        self.new_records += len(rows)


def import_file(
    *,
    actor: User,
    source: str,
    path: str | Path,
    file_name: str = "",
    channel: str,
    dry_run: bool = False,
    valid_rows_only: bool = False,
    progress: Progress | None = None,
    evaluate: bool = True,
    today: dt.date | None = None,
) -> ImportBatch:
    """Import one department file; returns its batch (refused and dry-run batches included)."""
    policy.require_importer(actor)
    if source not in SOURCES:
        raise ValidationFailed({"source": [_("Choose a data source.")]})
    path = Path(path)
    today = today or timezone.localdate()
    enc, digest = crypto.bulk_encryptor()  # type: ignore[no-untyped-call]
    meta = {
        "source": source,
        "file_name": (file_name or path.name)[:200],
        "file_sha256": _sha256(path),
        "channel": channel,
        "valid_rows_only": valid_rows_only,
        "uploaded_by": actor,
        "organisation_id": actor.organisation_id,
        "district": _district_of(actor),
    }
    tally = Tally()
    errors: list[dict[str, Any]] = []
    refusal: dict[str, Any] = {}
    batch: ImportBatch | None = None
    try:
        with large_sqlite_cache(), transaction.atomic():
            batch = ImportBatch.objects.create(status=ImportStatus.IMPORTED, **meta)
            store = _Store(batch, enc, digest, preload=path.stat().st_size >= PRELOAD_BYTES)
            rows = read_rows(path, max_bytes=max_bytes())
            for chunk in scan_columns(
                SOURCES[source],
                rows,
                today=today,
                digest=lambda text: digest("row|" + text),
                tally=tally,
            ):
                for result in chunk.errors:
                    if len(errors) < REPORT_MAX:
                        errors.extend(_error_dict(e) for e in result[: REPORT_MAX - len(errors)])
                store.add_chunk(chunk)
                if progress is not None:
                    progress(tally.rows)
            if tally.rejected and not valid_rows_only:
                refusal = {
                    "code": "rows_rejected",
                    "line": 0,
                    "params": {"rejected": tally.rejected},
                }
                raise _Rollback
            if dry_run:
                raise _Rollback
            store.flush()
            raised = 0
            if evaluate:
                from jiuzhu.discovery.services.warnings import warnings_evaluate

                raised = warnings_evaluate(
                    household_ids=store.touched_households,
                    case_ids=store.touched_cases,
                    today=today,
                )
            status = ImportStatus.PARTIAL if tally.rejected else ImportStatus.IMPORTED
            ImportBatch.objects.filter(pk=batch.pk).update(
                status=status,
                rows=tally.rows,
                accepted=tally.accepted,
                rejected=tally.rejected,
                new_records=store.new_records,
                matched=store.matched,
                potential_cases=store.new_cases,
                warnings=raised,
                errors=errors,
            )
            batch.refresh_from_db()
            audit.record(
                actor=actor,
                action=AuditAction.BULK_CREATE,
                obj=batch,
                detail={
                    "source": source,
                    "rows": tally.rows,
                    "new_records": store.new_records,
                    "rejected": tally.rejected,
                },
            )
            if progress is not None:
                progress(tally.rows)
            return batch
    except FileRefused as refused:
        refusal = {"code": refused.code, "line": refused.line, "params": refused.params}
    except _Rollback:
        pass
    status = ImportStatus.REFUSED if refusal else ImportStatus.CHECKED
    batch = ImportBatch.objects.create(
        status=status,
        rows=tally.rows,
        accepted=tally.accepted,
        rejected=tally.rejected,
        refusal=refusal,
        errors=errors,
        **meta,
    )
    audit.record(
        actor=actor,
        action=AuditAction.BULK_CREATE,
        obj=batch,
        result="failure" if refusal else "success",
        detail={"source": source, "status": status, "rows": tally.rows, "rejected": tally.rejected},
    )
    if progress is not None:
        progress(tally.rows)
    return batch


def batch_report_rows(batch: ImportBatch) -> Iterable[list[str]]:
    """The error report (row, column, value, reason) in the user's language."""
    from jiuzhu.discovery.services.import_messages import column_label, refusal_message, row_message

    yield [_("Row"), _("Column"), _("Value"), _("Reason")]
    if batch.refusal:
        yield [
            str(batch.refusal.get("line") or ""),
            "",
            "",
            refusal_message(batch.refusal["code"], batch.refusal.get("params", {})),
        ]
    for error in batch.errors:
        yield [
            str(error["row"]),
            column_label(batch.source, error["column"]),
            error["value"],
            row_message(error["code"], error.get("params", {})),
        ]
