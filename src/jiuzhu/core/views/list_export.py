"""Every list page exports to Excel through this one mechanism.

A list view declares its columns once (a :class:`ListExport`) and, before paginating, hands the
*same* queryset it shows to :func:`export_list` when the address asks for ``?export=xlsx``::

    rows = warning_list(user=request.user, ...)
    if wants_export(request):
        return export_list(request, rows, WARNINGS_EXPORT)

So the workbook holds exactly the rows of the list — the user's scope and filters — never a
second query that could drift from it. Each export is audited (the list's key, its filters, the
row count). A list with its own export address (``/tickets/export.xlsx``) calls
:func:`export_list` unconditionally. The template shows the button with ``{% export_link %}``.

Beyond ``EXPORT_MAX_ROWS`` the user gets a page that says so and offers a **background
export** (up to ``EXPORT_BACKGROUND_MAX_ROWS``): the job (``core/services/export_replay.py``)
replays the list's own view as that user, with the same filters, and this function then writes
the workbook to a file instead of answering — the same rows, the same columns, the user's scope
checked again when the job runs.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiuzhu.core.models import ExportJob
from jiuzhu.core.services import background_exports as background
from jiuzhu.core.services import export_replay
from jiuzhu.core.services.exports import Sheet, export_audited, write_xlsx
from jiuzhu.core.views.common import xlsx_response

EXPORT_PARAM = "export"
#: query parameters that are the list's own, not filters
NOT_FILTERS = frozenset({EXPORT_PARAM, "page"})


@dataclass(frozen=True)
class Column:
    header: Any  # a lazy string
    value: Callable[[Any], Any]
    width: int = 16


@dataclass(frozen=True)
class ListExport:
    """One list's workbook: ``key`` names it in the audit trail and the file name."""

    key: str
    title: Any
    object_type: str
    columns: Sequence[Column]
    #: the file name's stem (default: from ``key``)
    stem: str = ""
    #: the "too many rows" message, with ``%(count)d`` and ``%(limit)d`` (default: a general one)
    too_large: Any = None
    #: the workbook's rows from the list's rows, when a row's cells are worked out together
    #: (default: each column's ``value`` of each row)
    rows: Callable[[Any], Iterable[Sequence[Any]]] | None = None

    def file_stem(self) -> str:
        return self.stem or self.key.replace(".", "-").replace("_", "-")


def heading(header: Any, width: int = 16) -> Column:
    """A column whose cells the list's ``ListExport.rows`` writes."""
    return Column(header, lambda row: "", width)


def col(header: Any, path: str | Callable[[Any], Any], width: int = 16) -> Column:
    """A column from an attribute path (``"household.street.name"``; ``get_x_display`` is
    called) or a function of the row."""
    if callable(path):
        return Column(header, path, width)

    def value(row: Any) -> Any:
        for part in path.split("."):
            if row is None:
                return ""
            row = getattr(row, part)
            if callable(row):
                row = row()
        return row

    return Column(header, value, width)


def wants_export(request: HttpRequest) -> bool:
    return request.GET.get(EXPORT_PARAM) == "xlsx"


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, numbers.Number | str) or hasattr(value, "isoformat"):
        return value
    return str(value)


def _rows(rows: Iterable[Any], spec: ListExport) -> Iterator[list[Any]]:
    if spec.rows is not None:
        yield from spec.rows(rows)
        return
    source = rows.iterator(chunk_size=500) if isinstance(rows, QuerySet) else iter(rows)
    for row in source:
        yield [_cell(column.value(row)) for column in spec.columns]


TOO_LARGE = gettext_noop(
    "This list holds %(count)d rows; an export may hold at most %(limit)d. "
    "Narrow the filters and export again."
)


def _filters(request: HttpRequest) -> QueryDict:
    query = request.GET.copy()
    for name in NOT_FILTERS:
        query.pop(name, None)
    return query


def list_address(request: HttpRequest, name: str) -> str:
    """A list's own address (URL name) with this request's filters: where "back" goes from a
    list's separate export address."""
    query = _filters(request)
    return reverse(name) + (f"?{query.urlencode()}" if query else "")


def export_list(
    request: HttpRequest,
    rows: Any,
    spec: ListExport,
    *,
    back: str | None = None,
    detail: dict[str, Any] | None = None,
) -> HttpResponse:
    """The rows of a list page as a workbook (audited). With more than ``EXPORT_MAX_ROWS``, a
    page that says so and offers a background export; ``back`` is the list's address (default:
    this address without ``export``), ``detail`` adds to or replaces the audit entry's."""
    query = _filters(request)
    detail = {"list": spec.key, "filters": {k: query.getlist(k) for k in sorted(query)}} | (
        detail or {}
    )
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    sheet = Sheet(
        title=str(spec.title),
        headers=[str(column.header) for column in spec.columns],
        rows=_rows(rows, spec),
        widths=[column.width for column in spec.columns],
    )
    job = getattr(request, export_replay.BACKGROUND, None)
    if job is not None:
        return _write_background(job, sheet, count=count, spec=spec, detail=detail)
    if count > settings.EXPORT_MAX_ROWS:
        back = back or request.path + (f"?{query.urlencode()}" if query else "")
        return _too_large(request, spec, count=count, back=back)
    output = export_audited(
        actor=request.user, sheets=[sheet], object_type=spec.object_type, detail=detail
    )
    return xlsx_response(output, stem=spec.file_stem())


def _too_large(request: HttpRequest, spec: ListExport, *, count: int, back: str) -> HttpResponse:
    """Say the list is too large to export at once; offer the background export."""
    limit = settings.EXPORT_MAX_ROWS
    wording = str(spec.too_large) if spec.too_large else _(TOO_LARGE)
    offer = count <= settings.EXPORT_BACKGROUND_MAX_ROWS
    token = (
        background.export_offer_token(
            user=request.user,
            path=request.path,
            query=request.GET.urlencode(),
            key=spec.key,
            title=str(spec.title),
            back=back,
        )
        if offer
        else ""
    )
    context = {
        "message": wording % {"count": count, "limit": limit},
        "title": spec.title,
        "count": count,
        "limit": limit,
        "background_limit": settings.EXPORT_BACKGROUND_MAX_ROWS,
        "keep_hours": settings.EXPORT_KEEP_HOURS,
        "back": back,
        "token": token,
    }
    return render(request, "core/exports/too_large.html", context)


# ---------------------------------------------------------------- the background job


def _write_background(
    job: ExportJob, sheet: Sheet, *, count: int, spec: ListExport, detail: dict[str, Any]
) -> HttpResponse:
    if count > settings.EXPORT_BACKGROUND_MAX_ROWS:
        background.export_job_fail(
            job,
            _("This list holds %(count)d rows; a background export may hold at most %(limit)d.")
            % {"count": count, "limit": settings.EXPORT_BACKGROUND_MAX_ROWS},
        )
        return HttpResponse(status=204)
    background.export_job_total(job, count)
    sheet.rows = background.with_progress(job, sheet.rows)
    output = write_xlsx([sheet])
    background.export_job_finish(
        job, output=output, rows=sheet.count, object_type=spec.object_type, detail=detail
    )
    return HttpResponse(status=204)
