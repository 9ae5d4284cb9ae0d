from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "jiuzhu.catalog"
    label = "catalog"
    verbose_name = _("Service catalogue")
    # Mounted by jiuzhu/urls.py and jiuzhu/api.py (see jiuzhu/core/capabilities.py).
    url_prefix = "catalog/"
    api_routers = (("/catalog", "jiuzhu.catalog.api:router"),)

    def ready(self) -> None:
        from jiuzhu.catalog import events, navigation, scopes  # noqa: F401
