"""Reading administrative areas."""

from __future__ import annotations

from django.db.models import QuerySet

from jiuzhu.core.models import Area, AreaLevel, User

#: How many leading code digits identify an area's subtree at each level.
SUBTREE_PREFIX: dict[str, int] = {
    AreaLevel.CITY: 4,
    AreaLevel.DISTRICT: 6,
    AreaLevel.STREET: 9,
    AreaLevel.COMMUNITY: 12,
}


def area_subtree(area: Area) -> QuerySet[Area]:
    """The area and every area below it (codes share the level's prefix)."""
    return Area.objects.filter(code__startswith=area.code[: SUBTREE_PREFIX[area.level]])


def areas_within(user: User, level: str | None = None) -> QuerySet[Area]:
    """The areas a user works in (for choices and filters); none for users without an area."""
    if not user.is_authenticated or user.area is None:
        return Area.objects.none()
    areas = area_subtree(user.area)
    return areas.filter(level=level) if level else areas


def district_of(area: Area | None) -> Area | None:
    while area is not None and area.level not in (AreaLevel.DISTRICT, AreaLevel.CITY):
        area = area.parent
    return area if area is not None and area.level == AreaLevel.DISTRICT else None
