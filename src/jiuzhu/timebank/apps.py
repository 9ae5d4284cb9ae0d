from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimebankConfig(AppConfig):
    name = "jiuzhu.timebank"
    label = "timebank"
    verbose_name = _("Volunteer time bank")
    # Mounted by jiuzhu/urls.py and jiuzhu/api.py (see jiuzhu/core/capabilities.py).
    url_prefix = "timebank/"
    api_routers = (("/", "jiuzhu.timebank.api:router"),)

    def ready(self) -> None:
        from jiuzhu.timebank import (  # noqa: F401
            demo,
            demo_bulk,
            handlers,
            jobs,
            navigation,
            scopes,
        )
