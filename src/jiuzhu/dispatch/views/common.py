"""What the dispatch centre's pages share: the street choices of the filters and the tabs (each
shown to the roles ``dispatch/policy.py`` lets use it)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from jiuzhu.core.models import Area, AreaLevel, User
from jiuzhu.core.selectors.areas import areas_within
from jiuzhu.dispatch import policy

TABS = (
    ("dispatch:board", gettext_lazy("Live board"), policy.BOARD_ROLES),
    ("dispatch:backlog", gettext_lazy("Backlog"), policy.BOARD_ROLES),
    ("dispatch:supply_gap", gettext_lazy("Supply gap"), policy.BOARD_ROLES),
    ("dispatch:escalations", gettext_lazy("Escalations"), policy.BOARD_ROLES),
    ("dispatch:monitoring", gettext_lazy("Provider monitoring"), policy.BOARD_ROLES),
    ("dispatch:ticket_list", gettext_lazy("Hotline tickets"), policy.TICKET_ROLES),
    ("dispatch:sla", gettext_lazy("SLA policies"), policy.SLA_EDITORS),
    ("dispatch:displays", gettext_lazy("Wall screens"), policy.DISPLAY_ROLES),
)


def tabs(user: User, current: str) -> list[dict]:
    return [
        {"url_name": name, "label": label, "current": name == current}
        for name, label, roles in TABS
        if user.role in roles
    ]


def street_choices(user: User) -> QuerySet[Area]:
    """Streets a district or city user may filter by; none for street users (theirs only)."""
    if user.area is None or user.area.level not in (AreaLevel.CITY, AreaLevel.DISTRICT):
        return Area.objects.none()
    return areas_within(user, AreaLevel.STREET).order_by("code")


def district_choices(user: User) -> QuerySet[Area]:
    """Districts a city user may filter and break the board down by; none for other users."""
    if user.area is None or user.area.level != AreaLevel.CITY:
        return Area.objects.none()
    return areas_within(user, AreaLevel.DISTRICT).order_by("code")
