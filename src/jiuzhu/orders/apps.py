from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "jiuzhu.orders"
    label = "orders"
    verbose_name = _("Assistance cloud supermarket")
    # Mounted by jiuzhu/urls.py and jiuzhu/api.py (see jiuzhu/core/capabilities.py).
    url_prefix = "orders/"
    api_routers = (("/", "jiuzhu.orders.api:router"), ("/hsds", "jiuzhu.orders.hsds.api:router"))

    def ready(self) -> None:
        from jiuzhu.orders import demo, demo_bulk, events, navigation, scopes, tasks  # noqa: F401
