"""The dispatch centre's links (see ``jiuzhu.core.navigation``): the live board for managers
and caseworkers, the hotline for its operators and those who handle tickets.
Escalations, monitoring, SLA policies and wall screens are tabs of the board's pages."""

from django.utils.translation import gettext_lazy as _

from jiuzhu.core.navigation import SERVICES, NavItem, register_nav, role_in
from jiuzhu.dispatch.policy import BOARD_ROLES, TICKET_ROLES

register_nav(
    NavItem("dispatch:board", _("Dispatch board"), role_in(*BOARD_ROLES), 30, group=SERVICES)
)
register_nav(
    NavItem("dispatch:ticket_list", _("Hotline"), role_in(*TICKET_ROLES), 31, group=SERVICES)
)
