"""The frontline team (救助小管家) of a district manager: each community worker's and street
caseworker's workload, training and commendations, from one query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from jiuzhu.core.errors import NotFound
from jiuzhu.core.models import User
from jiuzhu.core.scoping import visible
from jiuzhu.core.selectors.areas import areas_within
from jiuzhu.registry.models import (
    VISIT_KINDS,
    CaseNote,
    Commendation,
    Household,
    HouseholdStatus,
    TrainingRecord,
)
from jiuzhu.registry.policy import FRONTLINE_ROLES

TEAM_SORTS = {
    "name": "display_name",
    "-name": "-display_name",
    "households": "households",
    "-households": "-households",
    "visits": "visits_this_month",
    "-visits": "-visits_this_month",
    "overdue": "overdue",
    "-overdue": "-overdue",
    "hours": "training_hours",
    "-hours": "-training_hours",
}
DEFAULT_TEAM_SORT = "-overdue"


@dataclass(frozen=True)
class TeamFilters:
    q: str = ""
    role: str = ""
    sort: str = DEFAULT_TEAM_SORT


def _count(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("_group").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def team_workload(
    *, user: User, filters: TeamFilters | None = None, on: dt.date | None = None
) -> QuerySet:
    """The active community workers and street caseworkers in ``user``'s area, each annotated
    with ``households`` (active households in their area), ``visits_this_month`` and
    ``overdue`` (their follow-ups past due), ``training_hours`` (this year) and
    ``commendations``. Empty for a user without an area."""
    filters = filters or TeamFilters()
    on = on or timezone.localdate()
    month_start = on.replace(day=1)
    year_start = on.replace(month=1, day=1)
    workers = User.objects.filter(
        role__in=FRONTLINE_ROLES, is_active=True, area__in=areas_within(user)
    ).select_related("area", "area__parent")
    if filters.role in FRONTLINE_ROLES:
        workers = workers.filter(role=filters.role)
    if filters.q.strip():
        q = filters.q.strip()
        workers = workers.filter(
            Q(display_name__contains=q) | Q(username__contains=q) | Q(area__name__contains=q)
        )
    households = (
        Household.objects.filter(status=HouseholdStatus.ACTIVE)
        .filter(Q(community_id=OuterRef("area_id")) | Q(street_id=OuterRef("area_id")))
        .annotate(_group=Value(1))
    )
    visits = CaseNote.objects.filter(
        author=OuterRef("pk"), kind__in=VISIT_KINDS, occurred_on__gte=month_start
    ).annotate(_group=Value(1))
    overdue = CaseNote.objects.filter(
        author=OuterRef("pk"), follow_up_on__lt=on, follow_up_done_at__isnull=True
    ).annotate(_group=Value(1))
    commendations = Commendation.objects.filter(worker=OuterRef("pk")).annotate(_group=Value(1))
    hours = (
        TrainingRecord.objects.filter(worker=OuterRef("pk"), completed_on__gte=year_start)
        .order_by()
        .values("worker")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    workers = workers.annotate(
        households=_count(households),
        visits_this_month=_count(visits),
        overdue=_count(overdue),
        commendation_count=_count(commendations),
        training_hours=Coalesce(
            Subquery(hours, output_field=DecimalField(max_digits=7, decimal_places=1)),
            Value(Decimal("0")),
            output_field=DecimalField(max_digits=7, decimal_places=1),
        ),
    )
    order = TEAM_SORTS.get(filters.sort, TEAM_SORTS[DEFAULT_TEAM_SORT])
    return workers.order_by(order, "display_name", "pk")


def team_member_get_for(*, user: User, worker_id: int) -> User:
    """A frontline worker in ``user``'s area; else ``NotFound``."""
    worker = team_workload(user=user).filter(pk=worker_id).first()
    if worker is None:
        raise NotFound("worker")
    return worker


def worker_training(*, user: User, worker: User) -> QuerySet:
    return visible(user, TrainingRecord.objects.filter(worker=worker)).select_related("recorded_by")


def worker_commendations(*, user: User, worker: User) -> QuerySet:
    return visible(user, Commendation.objects.filter(worker=worker)).select_related("recorded_by")
