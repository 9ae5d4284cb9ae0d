"""Excel exports: one streaming writer every capability reuses, and the audit-log export.

The writer uses openpyxl's write-only mode (constant memory, so 100,000 rows are fine) and writes
to a spooled temporary file that the caller streams to the browser or saves. Text that looks like
a formula is written as text, so a typed ``=HYPERLINK(...)`` never becomes a live formula.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from jiuzhu.core import audit
from jiuzhu.core.errors import DomainError, PermissionDenied
from jiuzhu.core.models import AuditAction, AuditResult, User
from jiuzhu.core.selectors.audit import AuditFilters, audit_entries

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPOOL_BYTES = 8 * 1024 * 1024


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] = ()
    count: int = 0  # filled in while writing


def _cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # never a formula
        return cell
    return value


def write_xlsx(sheets: Sequence[Sheet]) -> IO[bytes]:
    """Write ``sheets`` to a workbook; returns the file positioned at its start. Each sheet's
    ``count`` is set to the number of data rows written."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for spec in sheets:
        sheet = workbook.create_sheet(title=spec.title[:31])
        for index, width in enumerate(spec.widths):
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
        sheet.freeze_panes = "A2"
        header = []
        for title in spec.headers:
            cell = WriteOnlyCell(sheet, str(title))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        count = 0
        for row in spec.rows:
            sheet.append([_cell(sheet, value) for value in row])
            count += 1
        spec.count = count
    output = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned)
    workbook.save(output)
    output.seek(0)
    return output


@transaction.atomic
def export_audited(
    *, actor: User, sheets: Sequence[Sheet], object_type: str, detail: dict[str, Any]
) -> IO[bytes]:
    """Write the workbook and record the export (with its row count) in one transaction: every
    export of personal data leaves one audit entry."""
    output = write_xlsx(sheets)
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=object_type,
        detail={**detail, "rows": sum(sheet.count for sheet in sheets)},
    )
    return output


def export_refused(
    *, actor: User, object_type: str, message: str, detail: dict[str, Any] | None = None
) -> PermissionDenied:
    """Record a refused export in the audit trail (outside any transaction, so the record
    survives) and return the ``PermissionDenied`` to raise."""
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=object_type,
        result=AuditResult.DENIED,
        detail=detail or {},
    )
    return PermissionDenied(message)


def export_size_check(*, count: int, message: str) -> None:
    """Refuse an export larger than ``EXPORT_MAX_ROWS`` (code ``export_too_large``);
    ``message`` is the capability's wording with ``%(count)d`` and ``%(limit)d``."""
    limit = settings.EXPORT_MAX_ROWS
    if count > limit:
        raise DomainError(
            "export_too_large",
            message % {"count": count, "limit": limit},
            count=count,
            limit=limit,
        )


def export_filename(stem: str, *, ext: str = "xlsx") -> str:
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.{ext}"


@transaction.atomic
def audit_log_export(*, actor: User, filters: AuditFilters) -> tuple[IO[bytes], int]:
    """The filtered audit log as a workbook; the export is itself audited."""
    entries = audit_entries(actor=actor, filters=filters)
    actions = dict(AuditAction.choices)
    results = dict(AuditResult.choices)

    def rows() -> Iterator[tuple[Any, ...]]:
        for entry in entries.iterator(chunk_size=2000):
            yield (
                entry.at,
                entry.actor_label,
                entry.actor_role,
                entry.ip_address or "",
                str(actions.get(entry.action, entry.action)),
                entry.object_type,
                entry.object_id,
                entry.object_label,
                str(results.get(entry.result, entry.result)),
                _detail_text(entry.detail),
            )

    sheet = Sheet(
        title=_("Audit log"),
        headers=[
            _("Time"),
            _("Actor"),
            _("Role"),
            _("IP address"),
            _("Action"),
            _("Object type"),
            _("Object id"),
            _("Object"),
            _("Result"),
            _("Detail"),
        ],
        rows=rows(),
        widths=(20, 18, 18, 16, 14, 22, 10, 24, 10, 60),
    )
    output = write_xlsx([sheet])
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="core.auditentry",
        detail={"filters": _filters_dict(filters), "rows": sheet.count},
    )
    return output, sheet.count


def _detail_text(detail: Any) -> str:
    if not isinstance(detail, dict):
        return str(detail)
    return "; ".join(f"{key}={value}" for key, value in detail.items())


def _filters_dict(filters: AuditFilters) -> dict[str, str]:
    return {
        key: (value.isoformat() if isinstance(value, dt.date) else value)
        for key, value in vars(filters).items()
        if value
    }
