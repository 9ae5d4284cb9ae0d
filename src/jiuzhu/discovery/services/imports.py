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
from contextlib import closing
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit, crypto
from jiuzhu.core.bulk import (
    gc_paused,
    large_sqlite_cache,
)
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.models import AreaLevel, AuditAction, User
from jiuzhu.discovery import policy
from jiuzhu.discovery.engine.parallel import scan_file
from jiuzhu.discovery.engine.reader import FileRefused
from jiuzhu.discovery.engine.sources import SOURCES
from jiuzhu.discovery.engine.validate import RowError, Tally
from jiuzhu.discovery.models import (
    ImportBatch,
    ImportStatus,
)
from jiuzhu.discovery.services.import_store import PRELOAD_BYTES, RecordStore

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
    enc, _digest = crypto.bulk_encryptor()  # type: ignore[no-untyped-call]
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
        with gc_paused(), large_sqlite_cache(), transaction.atomic():
            batch = ImportBatch.objects.create(status=ImportStatus.IMPORTED, **meta)
            remember = None
            if evaluate:
                from jiuzhu.discovery.services.warnings import rules_remember

                remember = rules_remember(today)
            store = RecordStore(
                batch,
                enc,
                preload=path.stat().st_size >= PRELOAD_BYTES,
                remember=remember,
            )
            chunks = scan_file(
                source,
                path,
                max_bytes=max_bytes(),
                today=today,
                key=crypto.lookup_key(),
                tally=tally,
            )
            with closing(chunks):  # a failed store stops a checking process too
                for chunk in chunks:
                    for result in chunk.errors:
                        if len(errors) < REPORT_MAX:
                            errors.extend(
                                _error_dict(e) for e in result[: REPORT_MAX - len(errors)]
                            )
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
                    fresh=store.fresh,
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
