"""My work through the API: ``GET /api/v1/me/tasks`` (each of my task lists with its count)
and ``GET /api/v1/me/tasks/{key}`` (one list's rows, filtered, sorted by deadline, paginated)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Query, Router, Schema

from jiuzhu.core.api import ErrorOut, paginate
from jiuzhu.core.worklist import (
    DUE_FILTERS,
    SORTS,
    source_get_for,
    task_lines,
    task_rows,
    workspace_for,
)

router = Router(tags=["my work"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class TaskSourceOut(Schema):
    key: str
    label: str
    help: str
    count: int
    overdue: int
    url: str


class TaskSourceList(Schema):
    items: list[TaskSourceOut]
    count: int


class TaskOut(Schema):
    id: int
    title: str
    detail: str
    url: str
    due: dt.datetime | dt.date | None
    overdue: bool


class TaskList(Schema):
    key: str
    label: str
    items: list[TaskOut]
    count: int


@router.get("/me/tasks", response={200: TaskSourceList, **ERRORS})
def my_tasks(request):
    """What waits for me: one entry per task list of my role, with its count and how many are
    overdue (roles without task lists get an empty list)."""
    from django.urls import reverse

    items = [
        {
            "key": entry.source.key,
            "label": str(entry.source.label),
            "help": str(entry.source.help),
            "count": entry.count,
            "overdue": entry.overdue,
            "url": reverse("core:task_list", args=[entry.source.key]),
        }
        for entry in workspace_for(user=request.user)
    ]
    return {"items": items, "count": len(items)}


@router.get("/me/tasks/{key}", response={200: TaskList, **ERRORS})
def my_task_list(
    request,
    key: str,
    due: str = Query("", pattern="^(|" + "|".join(DUE_FILTERS) + ")$"),
    sort: str = Query("due", pattern="^(" + "|".join(SORTS) + ")$"),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
):
    """One of my task lists, soonest deadline first (``sort=-due``: latest first); ``due``
    keeps the overdue ones, those due today or within a week."""
    user = request.user
    source = source_get_for(user=user, key=key)
    now = timezone.now()
    rows, count = paginate(
        task_rows(source=source, user=user, due=due, sort=sort, now=now),
        limit=limit,
        offset=offset,
    )
    items = [line.__dict__ for line in task_lines(source=source, objects=rows, now=now)]
    return {"key": source.key, "label": str(source.label), "items": items, "count": count}
