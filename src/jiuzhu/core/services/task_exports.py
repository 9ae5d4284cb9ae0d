"""Exporting a task list (``/tasks/<key>/``) to Excel through the audited export path: the
same rows, filter and order as the page, the size limit, one audit entry per export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core.models import User
from jiuzhu.core.services.exports import Sheet, export_audited, export_size_check
from jiuzhu.core.worklist import TaskSource, source_get_for, task_lines, task_rows


def task_list_export(*, actor: User, key: str, due: str = "", sort: str = "due") -> IO[bytes]:
    """The task list ``key`` of ``actor`` (filtered by ``due``, sorted by ``sort``) as a workbook.
    An unknown key is ``NotFound`` and another role's list ``PermissionDenied``, as on the page."""
    source: TaskSource = source_get_for(user=actor, key=key)
    now = timezone.now()
    rows = task_rows(source=source, user=actor, due=due, sort=sort, now=now)
    export_size_check(
        count=rows.count(),
        message=_("The export would hold %(count)d tasks; narrow the filter to at most %(limit)d."),
    )

    def lines() -> Iterator[list[Any]]:
        for line in task_lines(source=source, objects=rows.iterator(chunk_size=500), now=now):
            due_value = line.due
            if isinstance(due_value, dt.datetime):
                due_value = timezone.localtime(due_value).replace(tzinfo=None)
            yield [
                line.title,
                line.detail,
                due_value,
                _("Yes") if line.overdue else "",
                line.url,
            ]

    sheet = Sheet(
        title=str(source.label),
        headers=[_("Task"), _("Detail"), _("Deadline"), _("Overdue"), _("Link")],
        rows=lines(),
        widths=(36, 48, 18, 10, 36),
    )
    return export_audited(
        actor=actor,
        sheets=[sheet],
        object_type=f"tasks.{key}",
        detail={"list": key, "due": due, "sort": sort},
    )
