"""What the dispatch centre's pages share: who may use which page, the street choices of the
filters, the scoped look-ups that turn "not visible" into 404, and the tabs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiuzhu.core.errors import NotFound
from jiuzhu.core.models import Area, AreaLevel, Role, User
from jiuzhu.core.selectors.areas import areas_within
from jiuzhu.dispatch.models import Ticket
from jiuzhu.dispatch.selectors.tickets import ticket_get_for
from jiuzhu.dispatch.services import tickets as ticket_services
from jiuzhu.dispatch.services.escalations import RESOLVERS
from jiuzhu.dispatch.services.sla import EDITORS as SLA_EDITORS

#: The live board, the escalations and provider monitoring.
BOARD_ROLES = frozenset({Role.DISTRICT_MANAGER, Role.STREET_CASEWORKER, Role.CITY_ADMIN})
#: Who may run the dispatch cycle at once (``services.cycle.dispatch_now`` checks again).
DISPATCH_NOW_ROLES = frozenset({Role.DISTRICT_MANAGER, Role.CITY_ADMIN})
#: Who reads the hotline's tickets (the scoping grants of ``dispatch/scopes.py``).
TICKET_ROLES = frozenset(
    {Role.HOTLINE_OPERATOR, Role.DISTRICT_MANAGER, Role.STREET_CASEWORKER, Role.CITY_ADMIN}
)
TICKET_OPENERS = ticket_services.OPENERS
DISPLAY_ROLES = frozenset({Role.DISTRICT_MANAGER})
ESCALATION_RESOLVERS = RESOLVERS

TABS = (
    ("dispatch:board", gettext_lazy("Live board"), BOARD_ROLES),
    ("dispatch:escalations", gettext_lazy("Escalations"), BOARD_ROLES),
    ("dispatch:monitoring", gettext_lazy("Provider monitoring"), BOARD_ROLES),
    ("dispatch:ticket_list", gettext_lazy("Hotline tickets"), TICKET_ROLES),
    ("dispatch:sla", gettext_lazy("SLA policies"), SLA_EDITORS),
    ("dispatch:displays", gettext_lazy("Wall screens"), DISPLAY_ROLES),
)


def require(user: User, roles: frozenset, message: str) -> None:
    if user.role not in roles:
        raise DjangoPermissionDenied(message)


def require_board(user: User) -> None:
    require(user, BOARD_ROLES, _("The dispatch centre is for managers and caseworkers."))


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


def ticket_or_404(user: User, ticket_id: int) -> Ticket:
    ticket = ticket_get_for(user=user, ticket_id=ticket_id)
    if ticket is None:
        raise NotFound("ticket")
    return ticket
