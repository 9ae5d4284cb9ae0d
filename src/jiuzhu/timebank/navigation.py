"""The time bank's links (see ``jiuzhu.core.navigation``)."""

from django.utils.translation import gettext_lazy as _

from jiuzhu.core.navigation import TIME_BANK, NavItem, register_nav
from jiuzhu.timebank import policy

register_nav(NavItem("timebank:mine", _("My time bank"), policy.can_hold, 23))
register_nav(
    NavItem(
        "timebank:deposits",
        _("Volunteer hours to confirm"),
        policy.can_confirm,
        24,
        group=TIME_BANK,
    )
)
register_nav(NavItem("timebank:accounts", _("Time bank"), policy.can_manage, 45, group=TIME_BANK))
register_nav(
    NavItem("timebank:report", _("Time bank report"), policy.can_manage, 46, group=TIME_BANK)
)
register_nav(
    NavItem(
        "timebank:activity_new",
        _("Group activity hours"),
        policy.can_record_activity,
        25,
        group=TIME_BANK,
    )
)
register_nav(
    NavItem(
        "timebank:counter",
        _("Time bank counter"),
        policy.can_redeem_at_counter,
        26,
        group=TIME_BANK,
    )
)
register_nav(
    NavItem(
        "timebank:pool", _("Donation pool grants"), policy.can_grant_from_pool, 47, group=TIME_BANK
    )
)
