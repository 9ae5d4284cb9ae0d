"""The cloud supermarket's links, start pages and household box (see ``jiuzhu.core.navigation``
and ``jiuzhu.registry.panels``)."""

from django.utils.translation import gettext_lazy as _

from jiuzhu.core.models import Role
from jiuzhu.core.navigation import (
    PROVIDERS,
    SERVICES,
    NavItem,
    register_nav,
    register_start,
    role_in,
)
from jiuzhu.orders import policy
from jiuzhu.registry.panels import HouseholdPanel, register_household_panel

register_nav(NavItem("orders:market", _("Service supermarket"), role_in(Role.BENEFICIARY), 20))
register_nav(NavItem("orders:my_orders", _("My orders"), role_in(*policy.MY_ORDERS_ROLES), 21))
register_nav(NavItem("orders:inbox", _("Order inbox"), role_in(*policy.PROVIDER_ROLES), 19))
register_nav(NavItem("orders:tasks", _("My tasks"), role_in(*policy.TASK_ROLES), 22))
register_nav(NavItem("orders:order_list", _("Orders"), policy.can_list, 16, group=SERVICES))
register_nav(
    NavItem(
        "orders:provider_list",
        _("Providers"),
        lambda user: user.is_authenticated,
        41,
        group=PROVIDERS,
    )
)
register_start(Role.PROVIDER_STAFF, "orders:inbox")
register_start(Role.VOLUNTEER, "orders:tasks")
register_household_panel(HouseholdPanel("orders:household_box", _("Orders"), order=20))
