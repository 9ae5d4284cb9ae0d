"""Snapshots and current figures are seen by the managers of the area they describe and of
every area above it (a street's figures by its street, district and city managers)."""

from __future__ import annotations

from django.db.models import QuerySet

from jiuzhu.analytics.models import CurrentFigure, MonthlySnapshot
from jiuzhu.analytics.policy import DASHBOARD_ROLES
from jiuzhu.core.models import User
from jiuzhu.core.scoping import grant
from jiuzhu.core.selectors.areas import SUBTREE_PREFIX


def _within_area(queryset: QuerySet, user: User) -> QuerySet:
    area = user.area
    if area is None:
        return queryset.none()
    return queryset.filter(area__code__startswith=area.code[: SUBTREE_PREFIX[area.level]])


grant(MonthlySnapshot, DASHBOARD_ROLES, _within_area)
grant(CurrentFigure, DASHBOARD_ROLES, _within_area)
