"""Assessments, plans and the queue are visible exactly when their household is (the registry's
grants decide). Frameworks are configuration, readable by every staff role."""

from __future__ import annotations

from django.db.models import QuerySet

from jiuzhu.assessment.models import (
    Assessment,
    AssessmentDue,
    IndicatorFramework,
    Plan,
)
from jiuzhu.core.models import Role, User
from jiuzhu.core.scoping import AREA_ROLES, everything, grant, visible
from jiuzhu.registry.models import Household

HOUSEHOLD_ROLES = [*AREA_ROLES, Role.ASSESSOR, Role.BENEFICIARY]


def _through_household(queryset: QuerySet, user: User) -> QuerySet:
    return queryset.filter(household__in=visible(user, Household.objects.all()))


for _model in (Assessment, Plan, AssessmentDue):
    grant(_model, HOUSEHOLD_ROLES, _through_household)

grant(IndicatorFramework, [*AREA_ROLES, Role.ASSESSOR], everything)
