"""Department data and early warnings under /api/v1/discovery (imports and warnings).

A department pushes rows with its bearer token (``jiuzhu token create USER``): the same checks
and the same batch as a file uploaded on the page."""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jiuzhu.core.api import ErrorOut, choice, paginate
from jiuzhu.core.errors import DomainError, ValidationFailed
from jiuzhu.core.models import Area, AreaLevel
from jiuzhu.core.scoping import visible
from jiuzhu.discovery import policy
from jiuzhu.discovery.engine.sources import SOURCES
from jiuzhu.discovery.models import (
    DataSource,
    EarlyWarning,
    Grade,
    ImportBatch,
    ImportChannel,
    ImportStatus,
    WarningOrigin,
    WarningStatus,
)
from jiuzhu.discovery.selectors.imports import batch_get_for, batch_list
from jiuzhu.discovery.selectors.warnings import warning_get_for, warning_list
from jiuzhu.discovery.services.community_referrals import referral_submit
from jiuzhu.discovery.services.import_messages import refusal_message, row_message
from jiuzhu.discovery.services.imports import import_file
from jiuzhu.discovery.services.warnings import warning_verify
from jiuzhu.registry.models import Household

router = Router(tags=["discovery"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MAX_PUSH_ROWS = 50_000


class BatchOut(Schema):
    id: int
    source: str = choice(DataSource)
    file_name: str
    channel: str = choice(ImportChannel)
    status: str = choice(ImportStatus)
    rows: int
    accepted: int
    rejected: int
    new_records: int
    matched: int
    potential_cases: int
    warnings: int
    uploaded_by: str
    created_at: dt.datetime


class RowErrorOut(Schema):
    row: int
    column: str
    value: str
    reason: str


class BatchDetail(BatchOut):
    refusal: str
    errors: list[RowErrorOut]


class BatchList(Schema):
    count: int
    items: list[BatchOut]


def batch_out(batch: ImportBatch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "source": batch.source,
        "file_name": batch.file_name,
        "channel": batch.channel,
        "status": batch.status,
        "rows": batch.rows,
        "accepted": batch.accepted,
        "rejected": batch.rejected,
        "new_records": batch.new_records,
        "matched": batch.matched,
        "potential_cases": batch.potential_cases,
        "warnings": batch.warnings,
        "uploaded_by": str(batch.uploaded_by or ""),
        "created_at": batch.created_at,
    }


def batch_detail_out(batch: ImportBatch, limit: int = 1000) -> dict[str, Any]:
    refusal = batch.refusal
    return {
        **batch_out(batch),
        "refusal": refusal_message(refusal["code"], refusal.get("params", {})) if refusal else "",
        "errors": [
            {
                "row": e["row"],
                "column": e["column"],
                "value": e["value"],
                "reason": row_message(e["code"], e.get("params", {})),
            }
            for e in batch.errors[:limit]
        ],
    }


class ImportRefused(DomainError):
    """A refused push: 422, with the batch id and its report."""

    status = 422

    def __init__(self, detail: dict[str, Any]) -> None:
        super().__init__(
            "import_refused",
            detail["refusal"],
            batch_id=detail["id"],
            errors=detail["errors"],
        )


class PushIn(Schema):
    source: str = choice(DataSource)
    file_name: str = Field("", max_length=200)
    columns: list[str] = Field(..., description="Column names, in English or Chinese.")
    rows: list[list[str | int | float | None]] = Field(..., description="One list per row.")
    dry_run: bool = False
    valid_rows_only: bool = False


@router.post("/discovery/imports", response={201: BatchDetail, **ERRORS})
def push_rows(request, payload: PushIn):
    """Push a department's rows (a batch like a file: whole or not at all, idempotent). A
    refused push answers 422 with the batch id and the per-row report in ``extra``."""
    user = request.user
    policy.require_importer(user)
    if payload.source not in SOURCES:
        raise ValidationFailed({"source": [_("Choose a data source.")]})
    if len(payload.rows) > MAX_PUSH_ROWS:
        raise ValidationFailed(
            {"rows": [_("At most %(n)d rows in one push.") % {"n": MAX_PUSH_ROWS}]}
        )
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "push.csv")
        with open(path, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(payload.columns)
            for row in payload.rows:
                writer.writerow(["" if cell is None else cell for cell in row])
        batch = import_file(
            actor=user,
            source=payload.source,
            path=path,
            file_name=payload.file_name or f"api-{payload.source}.csv",
            channel=ImportChannel.API,
            dry_run=payload.dry_run,
            valid_rows_only=payload.valid_rows_only,
        )
    if batch.status == ImportStatus.REFUSED:
        detail = batch_detail_out(batch, limit=200)
        raise ImportRefused(detail)
    return Status(201, batch_detail_out(batch))


@router.get("/discovery/batches", response={200: BatchList, **ERRORS})
def list_batches(
    request,
    source: str = choice(DataSource, "", blank=True, query=True),
    status: str = choice(ImportStatus, "", blank=True, query=True),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
):
    """Import batches: source, file name, rows, accepted, rejected, status, who, when."""
    policy.require_importer(request.user)
    items, count = paginate(
        batch_list(user=request.user, source=source, status=status).select_related("uploaded_by"),
        limit=limit,
        offset=offset,
    )
    return {"count": count, "items": [batch_out(b) for b in items]}


@router.get("/discovery/batches/{batch_id}", response={200: BatchDetail, **ERRORS})
def get_batch(request, batch_id: int):
    batch = batch_get_for(user=request.user, batch_id=batch_id)
    policy.require_importer(request.user)
    return batch_detail_out(batch)


class WarningOut(Schema):
    id: int
    origin: str = choice(WarningOrigin)
    grade: str = choice(Grade)
    status: str = choice(WarningStatus)
    household_id: int | None
    potential_case_id: int | None
    community: str
    due_at: dt.datetime
    escalation_level: int
    explanation: dict[str, Any]


class WarningList(Schema):
    count: int
    items: list[WarningOut]


def warning_out(warning: EarlyWarning) -> dict[str, Any]:
    return {
        "id": warning.pk,
        "origin": warning.origin,
        "grade": warning.grade,
        "status": warning.status,
        "household_id": warning.household_id,
        "potential_case_id": warning.potential_case_id,
        "community": warning.community.name if warning.community else "",
        "due_at": warning.due_at,
        "escalation_level": warning.escalation_level,
        "explanation": warning.explanation,
    }


@router.get("/discovery/warnings", response={200: WarningList, **ERRORS})
def list_warnings(
    request,
    status: str = choice(WarningStatus, "open", blank=True, query=True),
    grade: str = choice(Grade, "", blank=True, query=True),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
):
    """The verification queue of the caller's area (or assigned to them)."""
    policy.require_warning_reader(request.user)
    items, count = paginate(
        warning_list(user=request.user, status=status, grade=grade), limit=limit, offset=offset
    )
    return {"count": count, "items": [warning_out(w) for w in items]}


@router.get("/discovery/warnings/{warning_id}", response={200: WarningOut, **ERRORS})
def get_warning(request, warning_id: int):
    return warning_out(warning_get_for(user=request.user, warning_id=warning_id))


class VerifyIn(Schema):
    outcome: str = choice(["dismiss", "register", "reassess"])
    note: str = Field(..., max_length=500)
    household_id: int | None = None
    immediate: bool = False


@router.post("/discovery/warnings/{warning_id}/verify", response={200: WarningOut, **ERRORS})
def verify_warning(request, warning_id: int, payload: VerifyIn):
    """Record a visit's outcome: dismissed with a reason, a new household registered, or a
    re-assessment (跟进评; 立即评 with ``immediate``)."""
    user = request.user
    warning = warning_get_for(user=user, warning_id=warning_id)
    policy.require_verifier(user, warning)
    household = None
    if payload.household_id is not None:
        household = visible(user, Household.objects.filter(pk=payload.household_id)).first()
        if household is None:
            raise ValidationFailed({"household_id": [_("No such household in your area.")]})
    warning = warning_verify(
        actor=user,
        warning=warning,
        outcome=payload.outcome,
        note=payload.note,
        household=household,
        immediate=payload.immediate,
    )
    return warning_out(warning)


class ReferralIn(Schema):
    noticed: str = Field(..., max_length=500)
    name: str = Field("", max_length=64)
    address: str = Field("", max_length=200)
    consent_note: str = Field("", max_length=200)
    community_id: int | None = None


class ReferralOut(Schema):
    id: int
    next_step: str


@router.post("/discovery/neighbour-referrals", response={201: ReferralOut, **ERRORS})
def refer_neighbour(request, payload: ReferralIn):
    """ "帮邻居报一下": refer a neighbour; the answer says what happens next."""
    user = request.user
    policy.require_referrer(user)
    community = None
    if payload.community_id is not None:
        community = Area.objects.filter(pk=payload.community_id, level=AreaLevel.COMMUNITY).first()
        if community is None:
            raise ValidationFailed({"community_id": [_("Choose the community where they live.")]})
    referral = referral_submit(
        actor=user,
        community=community,
        noticed=payload.noticed,
        name=payload.name,
        address=payload.address,
        consent_note=payload.consent_note,
    )
    return Status(201, {"id": referral.pk, "next_step": _("A worker will visit soon.")})
