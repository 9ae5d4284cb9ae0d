"""The registry's links and start pages (see ``jiuzhu.core.navigation``)."""

from django.utils.translation import gettext_lazy as _

from jiuzhu.core.models import Role
from jiuzhu.core.navigation import CASES, FIGURES, NavItem, register_nav, register_start, role_in
from jiuzhu.core.scoping import AREA_ROLES
from jiuzhu.registry.panels import HouseholdPanel, register_household_panel
from jiuzhu.registry.policy import NOTE_WRITERS, TEAM_MANAGERS, can_edit_registry

register_nav(NavItem("registry:my_household", _("My household"), role_in(Role.BENEFICIARY), 10))
register_nav(NavItem("registry:dashboard", _("Overview"), role_in(*AREA_ROLES), 11, group=FIGURES))
register_nav(
    NavItem(
        "registry:household_list",
        _("Households"),
        role_in(*AREA_ROLES, Role.ASSESSOR),
        12,
        group=CASES,
    )
)
register_nav(
    NavItem(
        "registry:household_create", _("Register a household"), can_edit_registry, 13, group=CASES
    )
)
register_start(Role.ASSESSOR, "registry:household_list")
for _role in AREA_ROLES:
    register_start(_role, "registry:dashboard")

# Casework (issue 10): follow-ups, transfers, the frontline team, and household page boxes.
register_nav(
    NavItem(
        "registry:followup_list",
        _("My follow-ups"),
        role_in(*sorted(NOTE_WRITERS)),
        14,
        group=CASES,
    )
)
register_nav(
    NavItem(
        "registry:transfer_list",
        _("Transfers"),
        role_in(Role.STREET_CASEWORKER, Role.DISTRICT_MANAGER, Role.CITY_ADMIN),
        15,
        group=CASES,
    )
)
register_nav(
    NavItem("registry:team", _("Frontline team"), role_in(*sorted(TEAM_MANAGERS)), 16, group=CASES)
)
_STAFF_READERS = role_in(*AREA_ROLES, Role.ASSESSOR)
register_household_panel(
    HouseholdPanel(
        "registry:notes_box", _("Case notes and visits"), order=5, shown_to=_STAFF_READERS
    )
)
register_household_panel(HouseholdPanel("registry:consent_box", _("Consent"), order=6))
register_household_panel(
    HouseholdPanel("registry:transfer_box", _("Transfer"), order=60, shown_to=role_in(*AREA_ROLES))
)
