"""Every list page exports to Excel through this one mechanism.

A list view declares its columns once (a :class:`ListExport`) and, before paginating, hands the
*same* queryset it shows to :func:`export_list` when the address asks for ``?export=xlsx``::

    rows = warning_list(user=request.user, ...)
    if wants_export(request):
        return export_list(request, rows, WARNINGS_EXPORT)

So the workbook holds exactly the rows of the list — the user's scope and filters — never a
second query that could drift from it. Each export is audited (the list's key, its filters, the
row count); beyond ``EXPORT_MAX_ROWS`` the user is sent back to the list with a message asking
to narrow the filters. The template shows the button with ``{% export_link %}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from jiuzhu.core.errors import DomainError
from jiuzhu.core.services.exports import Sheet, export_audited, export_size_check
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
    if isinstance(value, int | float | str) or hasattr(value, "isoformat"):
        return value
    return str(value)


def _rows(rows: Iterable[Any], spec: ListExport) -> Iterator[list[Any]]:
    source = rows.iterator(chunk_size=500) if isinstance(rows, QuerySet) else iter(rows)
    for row in source:
        yield [_cell(column.value(row)) for column in spec.columns]


def export_list(request: HttpRequest, rows: Any, spec: ListExport) -> HttpResponse:
    """The rows of a list page as a workbook (audited), or back to the list with a message
    when there are more than ``EXPORT_MAX_ROWS``."""
    query = request.GET.copy()
    for name in NOT_FILTERS:
        query.pop(name, None)
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    try:
        export_size_check(
            count=count,
            message=_(
                "This list holds %(count)d rows; an export may hold at most %(limit)d. "
                "Narrow the filters and export again."
            ),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(request.path + (f"?{query.urlencode()}" if query else ""))
    sheet = Sheet(
        title=str(spec.title),
        headers=[str(column.header) for column in spec.columns],
        rows=_rows(rows, spec),
        widths=[column.width for column in spec.columns],
    )
    output = export_audited(
        actor=request.user,
        sheets=[sheet],
        object_type=spec.object_type,
        detail={"list": spec.key, "filters": {k: query.getlist(k) for k in sorted(query)}},
    )
    return xlsx_response(output, stem=spec.key.replace(".", "-").replace("_", "-"))
