"""Reading the assessment side: the due queue, a household's assessments and plans."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from jiuzhu.assessment.models import (
    Assessment,
    AssessmentDue,
    AssessmentStatus,
    Plan,
    PlanStatus,
)
from jiuzhu.core.models import User
from jiuzhu.core.scoping import visible


def due_queue(*, user: User, street: int | None = None, overdue_only: bool = False) -> QuerySet:
    """Open entries the user may see, oldest due first; ``is_overdue`` is computed by the page
    from ``due_on`` against today."""
    queryset = visible(user, AssessmentDue.objects.filter(resolved_at__isnull=True))
    if street:
        queryset = queryset.filter(household__street_id=street)
    if overdue_only:
        queryset = queryset.filter(due_on__lt=timezone.localdate())
    return queryset.select_related(
        "household", "household__street", "household__community", "change"
    ).order_by("due_on", "id")


def assessments_of(*, user: User, household) -> QuerySet:
    return visible(user, Assessment.objects.filter(household=household)).select_related(
        "assessor", "framework"
    )


def assessment_get_for(*, user: User, assessment_id: int) -> Assessment | None:
    return (
        visible(user, Assessment.objects.all())
        .select_related("household", "framework", "assessor")
        .filter(pk=assessment_id)
        .first()
    )


def draft_assessments_for(*, user: User) -> QuerySet:
    return visible(
        user, Assessment.objects.filter(status=AssessmentStatus.DRAFT, assessor=user)
    ).select_related("household")


def plan_get_for(*, user: User, plan_id: int) -> Plan | None:
    return (
        visible(user, Plan.objects.all())
        .select_related("household", "assessment", "approved_by")
        .filter(pk=plan_id)
        .first()
    )


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
