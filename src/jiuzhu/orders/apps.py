from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "jiuzhu.orders"
    label = "orders"
    verbose_name = _("Assistance cloud supermarket")

    def ready(self) -> None:
        from jiuzhu.orders import demo, events, navigation, scopes  # noqa: F401
