"""The discovery app's links (see ``jiuzhu.core.navigation``)."""

from django.utils.translation import gettext_lazy as _

from jiuzhu.core.models import Role
from jiuzhu.core.navigation import DISCOVERY, NavItem, register_nav, register_start, role_in

# Department referrals
from jiuzhu.discovery.policy import HIDDEN_POVERTY_READERS, REFERRAL_READERS  # noqa: E402

register_nav(
    NavItem(
        "discovery:referral_list",
        _("Department referrals"),
        role_in(*REFERRAL_READERS),
        40,
        group=DISCOVERY,
    )
)
register_nav(
    NavItem(
        "discovery:hidden_list",
        _("Hidden poverty"),
        role_in(*HIDDEN_POVERTY_READERS),
        41,
        group=DISCOVERY,
    )
)
# A department's staff start at the referrals sent to them.
register_start(Role.DEPARTMENT, "discovery:referral_list")


# Imports and warnings
from jiuzhu.discovery.policy import (  # noqa: E402
    HOUSEHOLD_BOX_ROLES,
    IMPORTERS,
    NETWORK_VIEWERS,
    REFERRERS,
    RULE_READERS,
    WARNING_READERS,
)

register_nav(
    NavItem(
        "discovery:warning_list",
        _("Early warnings"),
        role_in(*WARNING_READERS),
        40,
        group=DISCOVERY,
    )
)
register_nav(
    NavItem("discovery:batch_list", _("Department data"), role_in(*IMPORTERS), 41, group=DISCOVERY)
)
register_nav(
    NavItem(
        "discovery:referral_create",
        _("Refer a neighbour"),
        role_in(*REFERRERS),
        42,
        group=DISCOVERY,
    )
)
register_nav(
    NavItem(
        "discovery:rule_list",
        _("Early-warning rules"),
        role_in(*RULE_READERS),
        43,
        group=DISCOVERY,
    )
)
register_nav(
    NavItem(
        "discovery:referral_network",
        _("Referral network"),
        role_in(*NETWORK_VIEWERS),
        44,
        group=DISCOVERY,
    )
)


# The household page's boxes (loaded by htmx; each view checks the household's scope itself)
from jiuzhu.registry.panels import HouseholdPanel, register_household_panel  # noqa: E402

register_household_panel(
    HouseholdPanel(
        "discovery:household_warnings",
        _("Early warnings"),
        order=12,
        shown_to=role_in(*(WARNING_READERS & HOUSEHOLD_BOX_ROLES)),
    )
)
register_household_panel(
    HouseholdPanel(
        "discovery:household_referrals",
        _("Referrals to departments"),
        order=14,
        shown_to=role_in(*(REFERRAL_READERS & HOUSEHOLD_BOX_ROLES)),
    )
)
