"""The dashboards' link (see ``jiuzhu.core.navigation``)."""

from django.utils.translation import gettext_lazy as _

from jiuzhu.analytics.policy import can_view_dashboards
from jiuzhu.core.navigation import FIGURES, NavItem, register_nav

register_nav(
    NavItem("analytics:dashboard", _("Dashboards"), can_view_dashboards, 14, group=FIGURES)
)
