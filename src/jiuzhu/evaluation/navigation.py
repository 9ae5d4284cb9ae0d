"""The evaluation app's links (see ``jiuzhu.core.navigation``)."""

from django.utils.translation import gettext_lazy as _

from jiuzhu.core.navigation import FIGURES, PROVIDERS, NavItem, register_nav, role_in

# Projects and settlement
from jiuzhu.evaluation.policy import PROJECT_READERS, RANKING_READERS

register_nav(
    NavItem(
        "evaluation:project_list", _("Projects"), role_in(*PROJECT_READERS), 40, group=PROVIDERS
    )
)
register_nav(
    NavItem(
        "evaluation:rankings",
        _("Provider rankings"),
        role_in(*RANKING_READERS),
        41,
        group=PROVIDERS,
    )
)

# Applications and screening
from jiuzhu.evaluation.policy import APPLICATION_READERS  # noqa: E402

register_nav(
    NavItem(
        "evaluation:application_list",
        _("Alliance applications"),
        role_in(*APPLICATION_READERS),
        42,
        group=PROVIDERS,
    )
)

# The monthly district report (printable, PDF, Excel)
from jiuzhu.evaluation.policy import REPORT_READERS  # noqa: E402

register_nav(
    NavItem(
        "evaluation:monthly_report",
        _("Monthly report"),
        role_in(*REPORT_READERS),
        43,
        group=FIGURES,
    )
)
