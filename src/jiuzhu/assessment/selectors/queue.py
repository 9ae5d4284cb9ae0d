"""Reading the assessment side: the due queue, a household's assessments and plans."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from jiuzhu.assessment.models import (
    Assessment,
    AssessmentDue,
    AssessmentStatus,
    Plan,
    PlanStatus,
)
from jiuzhu.core.errors import NotFound
from jiuzhu.core.models import User
from jiuzhu.core.scoping import visible
from jiuzhu.registry.models import Household


def due_queue(
    *, user: User, street: int | None = None, overdue_only: bool = False
) -> QuerySet[AssessmentDue]:
    """One row per household with open entries the user may see, oldest due first: the
    household's earliest open entry (ties: the first recorded). The entries themselves stay one
    per reason (the rules in ``services/dues.py``); :func:`with_all_reasons` gives each row all
    of its household's reasons. ``is_overdue`` is computed by the page from ``due_on``."""
    earliest = (
        AssessmentDue.objects.filter(household=OuterRef("household"), resolved_at__isnull=True)
        .order_by("due_on", "id")
        .values("pk")[:1]
    )
    queryset = visible(
        user, AssessmentDue.objects.filter(resolved_at__isnull=True, pk=Subquery(earliest))
    )
    if street:
        queryset = queryset.filter(household__street_id=street)
    if overdue_only:
        queryset = queryset.filter(due_on__lt=timezone.localdate())
    return queryset.select_related(
        "household", "household__street", "household__community", "change"
    ).order_by("due_on", "id")


def with_all_reasons(dues: list[AssessmentDue]) -> list[AssessmentDue]:
    """Give each queue row ``entries``: every open entry of its household (the row's own
    first), soonest due first — e.g. 实时评 and 立即评 for a new household whose income was
    then corrected."""
    entries: dict[int, list[AssessmentDue]] = {}
    for due in (
        AssessmentDue.objects.filter(
            household_id__in=[d.household_id for d in dues], resolved_at__isnull=True
        )
        .select_related("change")
        .order_by("due_on", "id")
    ):
        entries.setdefault(due.household_id, []).append(due)
    for due in dues:
        # An ad-hoc attribute for the queue page, not a model field: setattr, so mypy does not
        # expect AssessmentDue to declare it.
        setattr(due, "entries", entries.get(due.household_id, [due]))  # noqa: B010
    return dues


def assessments_of(*, user: User, household: Household | int) -> QuerySet[Assessment]:
    return visible(user, Assessment.objects.filter(household=household)).select_related(
        "assessor", "framework"
    )


def assessment_get_for(*, user: User, assessment_id: int) -> Assessment:
    """The assessment, if ``user`` may see it; else ``NotFound``."""
    assessment = (
        visible(user, Assessment.objects.all())
        .select_related("household", "framework", "assessor")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None:
        raise NotFound("assessment")
    return assessment


def draft_assessments_for(*, user: User) -> QuerySet:
    return visible(
        user, Assessment.objects.filter(status=AssessmentStatus.DRAFT, assessor=user)
    ).select_related("household")


def plan_get_for(*, user: User, plan_id: int) -> Plan:
    """The plan, if ``user`` may see it; else ``NotFound``."""
    plan = (
        visible(user, Plan.objects.all())
        .select_related("household", "assessment", "approved_by")
        .filter(pk=plan_id)
        .first()
    )
    if plan is None:
        raise NotFound("plan")
    return plan


def plans_awaiting_approval(*, user: User) -> QuerySet:
    return visible(user, Plan.objects.filter(status=PlanStatus.DRAFT)).select_related(
        "household", "household__community"
    )


def assessment_list(*, user: User, household=None, status: str = "") -> QuerySet:
    """Assessments the user may see, newest first; optionally of one household or one status."""
    queryset = visible(user, Assessment.objects.all())
    if household is not None:
        queryset = queryset.filter(household=household)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("household", "framework", "assessor").order_by(
        "-started_at", "-id"
    )


def plans_of(*, user: User, household) -> QuerySet:
    """A household's plans the user may see, newest first."""
    return (
        visible(user, Plan.objects.filter(household=household))
        .select_related("assessment", "approved_by")
        .order_by("-created_at", "-id")
    )


def dues_of(*, user: User, household) -> QuerySet:
    """A household's open queue entries the user may see, soonest first."""
    return visible(
        user, AssessmentDue.objects.filter(household=household, resolved_at__isnull=True)
    ).order_by("due_on", "id")
