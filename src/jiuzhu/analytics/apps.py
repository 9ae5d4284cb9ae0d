from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "jiuzhu.analytics"
    label = "analytics"
    verbose_name = _("Dashboards and trends")
    # Mounted by jiuzhu/urls.py and jiuzhu/api.py (see jiuzhu/core/capabilities.py).
    url_prefix = "dashboards/"
    api_routers = (("/", "jiuzhu.analytics.api:router"),)

    def ready(self) -> None:
        from jiuzhu.analytics import demo, jobs, navigation, scopes  # noqa: F401
