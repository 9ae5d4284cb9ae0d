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
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit, crypto
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.models import AreaLevel, AuditAction, User
from jiuzhu.discovery import policy
from jiuzhu.discovery.engine.reader import FileRefused, read_rows
from jiuzhu.discovery.engine.sources import SOURCES
from jiuzhu.discovery.engine.validate import Record, RowError, Tally, scan
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
#: The columns the store writes (``_insert``), in the order of its tuples.
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
#: Errors kept in a batch's report (the count is always complete).
REPORT_MAX = 10_000
Progress = Callable[[int], None]


def max_bytes() -> int:
    return int(getattr(settings, "JIUZHU_IMPORT_MAX_MB", 64)) * 2**20


def _insert(model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Write ``rows`` (values already in the database's form) with one prepared INSERT run by
    ``executemany``. Profiled on a 50,000-row file, ORM ``bulk_create`` spent more time building
    model instances and compiling SQL (one statement per ~100 rows on SQLite, whose parameter
    limit splits the batches) than the database spent writing."""
    quote = connection.ops.quote_name
    column_of = {field.name: field.column for field in model._meta.concrete_fields}
    names = ", ".join(quote(column_of[name]) for name in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            # Table and column names from the model, placeholders only: no input in the SQL.
            f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})",  # noqa: S608
            rows,
        )


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
        self.pending: list[tuple[Record, str]] = []
        self.new_records = 0
        self.matched = 0
        self.new_cases = 0
        self.touched_households: set[int] = set()
        self.touched_cases: set[int] = set()

    def add(self, record: Record, key: str) -> None:
        self.pending.append((record, key))
        if len(self.pending) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        source = self.batch.source
        chunk, self.pending = self.pending, []
        keys = [key for _record, key in chunk]
        known = set(
            DepartmentRecord.objects.filter(source=source, row_key__in=keys).values_list(
                "row_key", flat=True
            )
        )
        fresh = [(record, key) for record, key in chunk if key not in known]
        if not fresh:
            return
        hashes = {record.id_number: self.digest(record.id_number) for record, _key in fresh}
        if self.members is not None:
            everyone = self.members
            members = {h: everyone[h] for h in set(hashes.values()) if h in everyone}
        else:
            members = {
                row[0]: (row[1], row[2])
                for row in Member.objects.filter(
                    id_number_hash__in=set(hashes.values()), is_active=True
                ).values_list("id_number_hash", "pk", "household_id")
            }
        unknown = {h for h in hashes.values() if h not in members}
        cases = dict(
            PotentialCase.objects.filter(id_number_hash__in=unknown).values_list(
                "id_number_hash", "pk"
            )
        )
        ops = connection.ops
        created_at = ops.adapt_datetimefield_value(timezone.now())
        district_id = self.batch.district_id
        new_cases: list[tuple[Any, ...]] = []
        for record, _key in fresh:
            digest = hashes[record.id_number]
            if digest in members or digest in cases:
                continue
            number = record.id_number
            birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            new_cases.append(
                (
                    self.enc(number),
                    digest,
                    number[-4:],
                    record.name[:64],
                    self.enc(birth.isoformat()),  # encrypted like the number (issue 16)
                    district_id,
                    PotentialCaseStatus.OPEN,
                    self.batch.pk,
                    created_at,
                )
            )
            cases[digest] = -1  # created below
        if new_cases:
            _insert(PotentialCase, CASE_COLUMNS, new_cases)
            self.new_cases += len(new_cases)
            cases.update(
                PotentialCase.objects.filter(
                    id_number_hash__in=[case[1] for case in new_cases]
                ).values_list("id_number_hash", "pk")
            )
        values_field = DepartmentRecord._meta.get_field("values")
        batch_id = self.batch.pk
        rows: list[tuple[Any, ...]] = []
        for record, key in fresh:
            digest = hashes[record.id_number]
            member = members.get(digest)
            if member is not None:
                self.matched += 1
                self.touched_households.add(member[1])
            else:
                self.touched_cases.add(cases[digest])
            rows.append(
                (
                    batch_id,
                    source,
                    key,
                    digest,
                    ops.adapt_datefield_value(record.on),
                    values_field.get_db_prep_save(record.values, connection),
                    member[0] if member else None,
                    member[1] if member else None,
                    None if member else cases[digest],
                )
            )
        _insert(DepartmentRecord, RECORD_COLUMNS, rows)
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
        with transaction.atomic():
            batch = ImportBatch.objects.create(status=ImportStatus.IMPORTED, **meta)
            store = _Store(batch, enc, digest, preload=path.stat().st_size >= PRELOAD_BYTES)
            rows = read_rows(path, max_bytes=max_bytes())
            for result in scan(
                SOURCES[source],
                rows,
                today=today,
                digest=lambda text: digest("row|" + text),
                tally=tally,
            ):
                if isinstance(result, list):
                    if len(errors) < REPORT_MAX:
                        errors.extend(_error_dict(e) for e in result[: REPORT_MAX - len(errors)])
                else:
                    store.add(*result)
                if progress is not None and tally.rows % 1000 == 0:
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
