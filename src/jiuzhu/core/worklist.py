"""My work: what waits for the signed-in person, gathered from task sources the apps register.

The workspace (工作台, ``core:workspace``), the page per source (``/tasks/<key>/``) and the API
(``/api/v1/me/tasks``) know nothing about assessments, tickets or orders. Each capability
registers its own sources from ``AppConfig.ready`` (``assessment/tasks.py``,
``dispatch/tasks.py``, ``orders/tasks.py``), the way it registers navigation links and scoping
grants; a later capability (case notes' follow-ups) adds its own the same way::

    register_task_source(
        "plans_to_approve", _("Plans waiting for approval"),
        count_fn=None,                       # None: counted from rows_fn, in one query
        rows_fn=lambda user: plans_awaiting_approval(user=user),
        roles={Role.STREET_CASEWORKER},
        describe=lambda plan: TaskRow(...),  # what one row says and where it opens
        due_field="created_at",
    )

``rows_fn(user)`` is the app's own scoped selector (through ``core.scoping.visible``), so a
count can never disagree with its list: both come from the same queryset. Without a
``count_fn`` the count and the number overdue are one aggregate query per source, whatever the
number of rows. Rows are sorted by ``due_field`` (soonest first, rows without one last).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core.errors import NotFound, PermissionDenied
from jiuzhu.core.models import User

#: Filters a task page and ``/api/v1/me/tasks/{key}`` accept.
DUE_FILTERS = ("overdue", "today", "week")
#: Sorts: by deadline, soonest first (default) or latest first.
SORTS = ("due", "-due")


@dataclass(frozen=True)
class TaskRow:
    """What one task says: a title, a line of detail, where it opens."""

    title: str
    detail: str = ""
    url: str = ""


@dataclass(frozen=True)
class TaskCount:
    count: int
    overdue: int = 0


@dataclass(frozen=True)
class TaskSource:
    key: str
    label: str
    count_fn: Callable[[User], TaskCount] | None
    rows_fn: Callable[[User], QuerySet]
    roles: frozenset[str]
    describe: Callable[[Any], TaskRow]
    #: The row's deadline (a field or an annotation of ``rows_fn``'s queryset); "" for none.
    due_field: str = ""
    #: ``due_field`` is a date (overdue from the next day) rather than a moment.
    due_is_date: bool = False
    #: Whether a row past ``due_field`` is flagged overdue (a plan's creation date is not a
    #: deadline: it only sorts the oldest first).
    flags_overdue: bool = True
    #: One line under the label: what the list is and what to do with it.
    help: str = ""
    #: The app's own full page for the same rows, if it has one.
    full_list: str = ""
    order: int = 50

    def rows(self, user: User) -> QuerySet:
        return self.rows_fn(user)

    def overdue_q(self, now: dt.datetime) -> Q:
        if not (self.due_field and self.flags_overdue):
            return Q(pk__in=[])
        if self.due_is_date:
            return Q(**{f"{self.due_field}__lt": timezone.localdate(now)})
        return Q(**{f"{self.due_field}__lt": now})

    def counts(self, user: User, now: dt.datetime | None = None) -> TaskCount:
        if self.count_fn is not None:
            return self.count_fn(user)
        now = now or timezone.now()
        figures = (
            self.rows(user)
            .order_by()
            .aggregate(count=Count("pk"), overdue=Count("pk", filter=self.overdue_q(now)))
        )
        return TaskCount(count=figures["count"], overdue=figures["overdue"])

    def is_overdue(self, obj: Any, now: dt.datetime) -> bool:
        if not (self.due_field and self.flags_overdue):
            return False
        due = getattr(obj, self.due_field, None)
        if due is None:
            return False
        if self.due_is_date:
            return due < timezone.localdate(now)
        return due < now


_sources: dict[str, TaskSource] = {}


def register_task_source(
    key: str,
    label: str,
    count_fn: Callable[[User], TaskCount] | None,
    rows_fn: Callable[[User], QuerySet],
    roles: Iterable[str],
    *,
    describe: Callable[[Any], TaskRow],
    due_field: str = "",
    due_is_date: bool = False,
    flags_overdue: bool = True,
    help: str = "",  # noqa: A002 - the word the page uses
    full_list: str = "",
    order: int = 50,
) -> TaskSource:
    """Add a list of tasks to the workspace of ``roles`` (registering a key again replaces it)."""
    source = TaskSource(
        key=key,
        label=label,
        count_fn=count_fn,
        rows_fn=rows_fn,
        roles=frozenset(str(role) for role in roles),
        describe=describe,
        due_field=due_field,
        due_is_date=due_is_date,
        flags_overdue=flags_overdue,
        help=help,
        full_list=full_list,
        order=order,
    )
    _sources[key] = source
    return source


def all_sources() -> list[TaskSource]:
    return sorted(_sources.values(), key=lambda s: (s.order, s.key))


def sources_for(user: User | None) -> list[TaskSource]:
    """The task sources of ``user``'s role, in the workspace's order."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return [source for source in all_sources() if user.role in source.roles]


def has_workspace(user: User | None) -> bool:
    return bool(sources_for(user))


def source_get_for(*, user: User, key: str) -> TaskSource:
    """The task source ``key`` if ``user``'s role has it: an unknown key is ``NotFound``, a
    source of other roles ``PermissionDenied`` (the keys are no secret: they are the code's)."""
    source = _sources.get(key)
    if source is None:
        raise NotFound("task list")
    if user.role not in source.roles:
        raise PermissionDenied(_("This list of tasks is not for your role."))
    return source


@dataclass(frozen=True)
class WorkspaceEntry:
    source: TaskSource
    count: int
    overdue: int


def workspace_for(*, user: User, now: dt.datetime | None = None) -> list[WorkspaceEntry]:
    """Each of ``user``'s task sources with its count and how many are overdue: one query per
    source."""
    now = now or timezone.now()
    entries = []
    for source in sources_for(user):
        figures = source.counts(user, now)
        entries.append(WorkspaceEntry(source=source, count=figures.count, overdue=figures.overdue))
    return entries


def task_rows(
    *,
    source: TaskSource,
    user: User,
    due: str = "",
    sort: str = "due",
    now: dt.datetime | None = None,
) -> QuerySet:
    """The source's rows, filtered by ``due`` (``DUE_FILTERS``) and sorted by deadline."""
    now = now or timezone.now()
    rows = source.rows(user)
    if source.due_field and due in DUE_FILTERS:
        if due == "overdue":
            rows = rows.filter(source.overdue_q(now))
        else:
            days = 0 if due == "today" else 6
            end_day = timezone.localdate(now) + dt.timedelta(days=days)
            if source.due_is_date:
                rows = rows.filter(**{f"{source.due_field}__lte": end_day})
            else:
                end = timezone.make_aware(dt.datetime.combine(end_day, dt.time.max))
                rows = rows.filter(**{f"{source.due_field}__lte": end})
    if source.due_field:
        field = F(source.due_field)
        ordered = field.desc(nulls_last=True) if sort == "-due" else field.asc(nulls_last=True)
        return rows.order_by(ordered, "pk")
    return rows.order_by("-pk" if sort == "-due" else "pk")


@dataclass(frozen=True)
class TaskLine:
    """One row as the page and the API show it."""

    id: int
    title: str
    detail: str
    url: str
    due: Any
    overdue: bool


def task_lines(
    *, source: TaskSource, objects: Iterable[Any], now: dt.datetime | None = None
) -> list[TaskLine]:
    now = now or timezone.now()
    lines = []
    for obj in objects:
        row = source.describe(obj)
        lines.append(
            TaskLine(
                id=obj.pk,
                title=row.title,
                detail=row.detail,
                url=row.url,
                due=getattr(obj, source.due_field, None) if source.due_field else None,
                overdue=source.is_overdue(obj, now),
            )
        )
    return lines
