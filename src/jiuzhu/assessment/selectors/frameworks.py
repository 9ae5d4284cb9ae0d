"""Reading indicator frameworks (configuration every staff role may read; see ``scopes``)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from jiuzhu.assessment.models import Dimension, Indicator, IndicatorFramework
from jiuzhu.core.errors import NotFound
from jiuzhu.core.models import User
from jiuzhu.core.scoping import visible


def framework_list_for(*, user: User) -> QuerySet:
    """Every version the user may read, newest first, with its indicator count."""
    return (
        visible(user, IndicatorFramework.objects.all())
        .select_related("based_on", "created_by")
        .annotate(indicator_count=Count("dimensions__indicators"))
        .order_by("-version")
    )


def framework_get_for(*, user: User, version: int) -> IndicatorFramework:
    """The framework version, if ``user`` may see it; else ``NotFound``."""
    framework = (
        visible(user, IndicatorFramework.objects.all())
        .select_related("based_on", "created_by")
        .filter(version=version)
        .first()
    )
    if framework is None:
        raise NotFound("framework")
    return framework


def framework_dimensions(framework: IndicatorFramework) -> list[Dimension]:
    """The framework's dimensions in order, each with its indicators (and their needs)."""
    indicators = Indicator.objects.prefetch_related("needs").order_by("position", "id")
    return list(
        framework.dimensions.order_by("position", "id").prefetch_related(
            Prefetch("indicators", queryset=indicators)
        )
    )


def framework_indicators(framework: IndicatorFramework) -> list[Indicator]:
    """The framework's indicators in questionnaire order."""
    return [indicator for d in framework_dimensions(framework) for indicator in d.indicators.all()]
