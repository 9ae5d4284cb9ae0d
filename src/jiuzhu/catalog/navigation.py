"""The catalogue's link: everyone signed in may browse it."""

from django.utils.translation import gettext_lazy as _

from jiuzhu.core.navigation import SERVICES, NavItem, register_nav

register_nav(
    NavItem(
        "catalog:item_list",
        _("Service catalogue"),
        lambda user: user.is_authenticated,
        40,
        group=SERVICES,
    )
)
