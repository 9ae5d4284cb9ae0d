from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "jiuzhu.dispatch"
    label = "dispatch"
    verbose_name = _("Dispatch centre and hotline")
    # Mounted by jiuzhu/urls.py and jiuzhu/api.py (see jiuzhu/core/capabilities.py).
    url_prefix = "dispatch/"
    api_routers = (("/", "jiuzhu.dispatch.api:router"),)

    def ready(self) -> None:
        from jiuzhu.dispatch import (  # noqa: F401
            demo,
            demo_bulk,
            handlers,
            hooks,
            jobs,
            navigation,
            scopes,
            tasks,
        )
