from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "jiuzhu.registry"
    label = "registry"
    verbose_name = _("Household registry")

    def ready(self) -> None:
        # Declare events, grant scopes, register demo steps.
        from jiuzhu.registry import events, navigation, scopes  # noqa: F401
        from jiuzhu.registry.demo import steps  # noqa: F401
