"""The assessment's links and the assessor's start page (see ``jiuzhu.core.navigation``)."""

from django.utils.translation import gettext_lazy as _

from jiuzhu.assessment import policy
from jiuzhu.assessment.policy import can_view_analytics
from jiuzhu.core.models import Role
from jiuzhu.core.navigation import CASES, FIGURES, NavItem, register_nav, register_start, role_in
from jiuzhu.registry.panels import HouseholdPanel, register_household_panel

register_nav(
    NavItem("assessment:queue", _("Assessment queue"), policy.can_use_queue, 14, group=CASES)
)
register_nav(
    NavItem(
        "assessment:framework_list",
        _("Indicator frameworks"),
        role_in(Role.CITY_ADMIN, Role.DISTRICT_MANAGER),
        60,
        group=CASES,
    )
)
register_nav(
    NavItem("assessment:analytics", _("Poverty analytics"), can_view_analytics, 15, group=FIGURES)
)
register_nav(NavItem("assessment:my_services", _("My services"), role_in(Role.BENEFICIARY), 19))
register_nav(NavItem("assessment:my_home", _("Home"), role_in(Role.BENEFICIARY), 5))
register_start(Role.ASSESSOR, "assessment:queue")
# The household lands on its own home (this replaces the registry's "My household" start).
register_start(Role.BENEFICIARY, "assessment:my_home")
register_household_panel(
    HouseholdPanel("assessment:household_box", _("Assessment and plan"), order=10)
)
