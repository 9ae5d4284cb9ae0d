"""What each role may do in the dispatch centre and on the supervision hotline (seeing records is
``scopes.py``'s job).

The one place for the dispatch centre's role sets and ``can_*`` / ``require_*`` checks: services
enforce them, and views, the API and navigation import them to decide what to show. The
``require_*`` checks raise ``core.errors.PermissionDenied`` (403 on the web and in the API).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from jiuzhu.core.errors import PermissionDenied
from jiuzhu.core.models import Area, Role, User

#: The live board, the escalations and provider monitoring.
BOARD_ROLES = frozenset({Role.DISTRICT_MANAGER, Role.STREET_CASEWORKER, Role.CITY_ADMIN})
#: Who may run the dispatch cycle at once.
DISPATCH_NOW_ROLES = frozenset({Role.DISTRICT_MANAGER, Role.CITY_ADMIN})
#: Who offers an order to a chosen provider or re-offers it (``services.interventions``).
DISPATCHERS = frozenset({Role.DISTRICT_MANAGER, Role.CITY_ADMIN})
#: Who escalates an order by hand to the district's managers.
ESCALATORS = frozenset({Role.DISTRICT_MANAGER, Role.CITY_ADMIN, Role.STREET_CASEWORKER})
#: Who resolves escalations.
ESCALATION_RESOLVERS = frozenset({Role.DISTRICT_MANAGER, Role.STREET_CASEWORKER})
#: Who reads the hotline's tickets (the scoping grants of ``dispatch/scopes.py``).
TICKET_ROLES = frozenset(
    {Role.HOTLINE_OPERATOR, Role.DISTRICT_MANAGER, Role.STREET_CASEWORKER, Role.CITY_ADMIN}
)
#: Who opens tickets for callers.
TICKET_OPENERS = frozenset({Role.HOTLINE_OPERATOR, Role.DISTRICT_MANAGER})
#: Who works on tickets (assigns, handles, calls back, closes) and may be assigned one.
TICKET_HANDLERS = frozenset({Role.HOTLINE_OPERATOR, Role.DISTRICT_MANAGER, Role.STREET_CASEWORKER})
#: Who sets the district's SLA policies (their own district's).
SLA_EDITORS = frozenset({Role.DISTRICT_MANAGER})
#: Who creates and revokes wall-screen links.
DISPLAY_ROLES = frozenset({Role.DISTRICT_MANAGER})


def _has(user: User, roles: frozenset[str]) -> bool:
    return bool(user.is_authenticated and user.role in roles)


def can_see_board(user: User) -> bool:
    return _has(user, BOARD_ROLES)


def can_dispatch_now(user: User) -> bool:
    return _has(user, DISPATCH_NOW_ROLES)


def can_resolve_escalations(user: User) -> bool:
    return _has(user, ESCALATION_RESOLVERS)


def can_read_tickets(user: User) -> bool:
    return _has(user, TICKET_ROLES)


def can_open_tickets(user: User) -> bool:
    return _has(user, TICKET_OPENERS)


def can_handle_tickets(user: User) -> bool:
    return _has(user, TICKET_HANDLERS)


def can_edit_sla(user: User) -> bool:
    return _has(user, SLA_EDITORS)


def can_manage_displays(user: User) -> bool:
    return _has(user, DISPLAY_ROLES)


def require_board(user: User) -> None:
    if not can_see_board(user):
        raise PermissionDenied(_("The dispatch centre is for managers and caseworkers."))


def require_dispatch_now(user: User) -> None:
    if not can_dispatch_now(user):
        raise PermissionDenied(_("Only managers run the dispatch centre."))


def require_resolver(user: User) -> None:
    if not can_resolve_escalations(user):
        raise PermissionDenied(
            _("Only district managers and street caseworkers resolve escalations.")
        )


def require_ticket_reader(user: User) -> None:
    if not can_read_tickets(user):
        raise PermissionDenied(_("The hotline's tickets are not open to your role."))


def require_ticket_opener(user: User) -> None:
    if not can_open_tickets(user):
        raise PermissionDenied(_("Only hotline operators and district managers open tickets."))


def require_ticket_handler(user: User) -> None:
    if not can_handle_tickets(user):
        raise PermissionDenied(_("Your role may not work on hotline tickets."))


def require_sla_editor(user: User, district: Area | None = None) -> None:
    """A district manager, of ``district`` when one is given."""
    if not can_edit_sla(user):
        raise PermissionDenied(_("Only district managers set SLA policies."))
    if district is not None and user.area_id != district.pk:
        raise PermissionDenied(_("Only the district's manager sets its SLA policies."))


def require_display_manager(user: User) -> None:
    if not can_manage_displays(user):
        raise PermissionDenied(_("Only district managers manage wall screens."))


def can_offer_by_hand(user: User) -> bool:
    return _has(user, DISPATCHERS)


def can_escalate(user: User) -> bool:
    return _has(user, ESCALATORS)


def require_dispatcher(user: User) -> None:
    if not can_offer_by_hand(user):
        raise PermissionDenied(_("Only the dispatch centre's managers do this."))


def require_escalator(user: User) -> None:
    if not can_escalate(user):
        raise PermissionDenied(_("Only the dispatch centre's managers do this."))
