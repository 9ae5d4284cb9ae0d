"""The registry's links and start pages (see ``jiuzhu.core.navigation``)."""

from django.utils.translation import gettext_lazy as _

from jiuzhu.core.models import Role
from jiuzhu.core.navigation import NavItem, register_nav, register_start, role_in
from jiuzhu.core.scoping import AREA_ROLES
from jiuzhu.registry.policy import can_edit_registry

register_nav(NavItem("registry:my_household", _("My household"), role_in(Role.BENEFICIARY), 10))
register_nav(NavItem("registry:dashboard", _("Overview"), role_in(*AREA_ROLES), 11))
register_nav(
    NavItem("registry:household_list", _("Households"), role_in(*AREA_ROLES, Role.ASSESSOR), 12)
)
register_nav(NavItem("registry:household_create", _("Register a household"), can_edit_registry, 13))
register_start(Role.BENEFICIARY, "registry:my_household")
register_start(Role.ASSESSOR, "registry:household_list")
for _role in AREA_ROLES:
    register_start(_role, "registry:dashboard")
