"""The workspace (工作台): what waits for the signed-in person, one box per task list of their
role, each opening its list (``/tasks/<key>/``), filtered by deadline, sorted, paginated."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from jiuzhu.core.errors import DomainError
from jiuzhu.core.navigation import start_url
from jiuzhu.core.services.task_exports import task_list_export
from jiuzhu.core.views.common import paginate, xlsx_response
from jiuzhu.core.worklist import (
    DUE_FILTERS,
    SORTS,
    source_get_for,
    task_lines,
    task_rows,
    workspace_for,
)

PER_PAGE = 25
#: How many rows of each list the workspace shows under its count.
PREVIEW = 3


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    entries = workspace_for(user=user, now=now)
    if not entries:
        # A role without task lists goes where its work is (the start page or the welcome).
        return redirect(start_url(user) or "core:home")
    boxes = []
    for entry in entries:
        preview = []
        if entry.count:
            rows = task_rows(source=entry.source, user=user, now=now)[:PREVIEW]
            preview = task_lines(source=entry.source, objects=rows, now=now)
        boxes.append({"entry": entry, "preview": preview})
    # Lists with something in them first (each group in the registered order).
    boxes.sort(key=lambda box: box["entry"].count == 0)
    return render(
        request,
        "core/workspace.html",
        {
            "boxes": boxes,
            "total": sum(e.count for e in entries),
            "overdue": sum(e.overdue for e in entries),
        },
    )


@login_required
def task_list(request: HttpRequest, key: str) -> HttpResponse:
    user = request.user
    source = source_get_for(user=user, key=key)
    due = request.GET.get("due", "")
    due = due if due in DUE_FILTERS else ""
    sort = request.GET.get("sort", "due")
    sort = sort if sort in SORTS else "due"
    now = timezone.now()
    page = paginate(
        request, task_rows(source=source, user=user, due=due, sort=sort, now=now), per_page=PER_PAGE
    )
    lines = task_lines(source=source, objects=page.object_list, now=now)
    return render(
        request,
        "core/task_list.html",
        {"source": source, "page_obj": page, "lines": lines, "due": due, "sort": sort},
    )


def _due_and_sort(request: HttpRequest) -> tuple[str, str]:
    due = request.GET.get("due", "")
    sort = request.GET.get("sort", "due")
    return (due if due in DUE_FILTERS else ""), (sort if sort in SORTS else "due")


@login_required
def task_export(request: HttpRequest, key: str) -> HttpResponse:
    """The list as the page shows it (filter and order), as an Excel workbook; audited."""
    due, sort = _due_and_sort(request)
    try:
        output = task_list_export(actor=request.user, key=key, due=due, sort=sort)
    except DomainError as error:
        if error.code != "export_too_large":
            raise
        messages.error(request, error.message)
        query = request.GET.urlencode()
        return redirect(reverse("core:task_list", args=[key]) + (f"?{query}" if query else ""))
    return xlsx_response(output, stem=f"tasks-{key}")
