"""Who sees which rows of the evaluation app."""

from __future__ import annotations

from django.db.models import QuerySet

from jiuzhu.core.models import AreaLevel, Role, User
from jiuzhu.core.scoping import grant

# Projects and settlement
from jiuzhu.evaluation.models import Project, SpotCheck, Statement
from jiuzhu.orders.scopes import provider_of


def _by_district(prefix: str):
    def rule(queryset: QuerySet, user: User) -> QuerySet:
        area = user.area
        if area is None:
            return queryset.none()
        if area.level == AreaLevel.CITY:
            return queryset
        if area.level == AreaLevel.DISTRICT:
            return queryset.filter(**{f"{prefix}district": area})
        return queryset.none()

    return rule


def _by_provider(prefix: str):
    def rule(queryset: QuerySet, user: User) -> QuerySet:
        provider = provider_of(user)
        if provider is None:
            return queryset.none()
        return queryset.filter(**{f"{prefix}provider": provider})

    return rule


for _model, _prefix in ((Project, ""), (Statement, "project__"), (SpotCheck, "project__")):
    grant(_model, [Role.DISTRICT_MANAGER, Role.CITY_ADMIN], _by_district(_prefix))
grant(Project, [Role.PROVIDER_STAFF], _by_provider(""))
grant(Statement, [Role.PROVIDER_STAFF], _by_provider("project__"))


# Applications and screening
from jiuzhu.evaluation.models import Application, ScreeningCriterion  # noqa: E402


def _applications_by_district(queryset: QuerySet, user: User) -> QuerySet:
    """District managers their district's applications and scorecard, the city all."""
    area = user.area
    if area is None:
        return queryset.none()
    if area.level == AreaLevel.CITY:
        return queryset
    if area.level == AreaLevel.DISTRICT:
        return queryset.filter(district=area)
    return queryset.none()


grant(Application, [Role.DISTRICT_MANAGER, Role.CITY_ADMIN], _applications_by_district)
grant(ScreeningCriterion, [Role.DISTRICT_MANAGER, Role.CITY_ADMIN], _applications_by_district)
