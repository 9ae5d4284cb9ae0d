from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "jiuzhu.dispatch"
    label = "dispatch"
    verbose_name = _("Dispatch centre and hotline")

    def ready(self) -> None:
        from jiuzhu.dispatch import demo, handlers, jobs, navigation, scopes  # noqa: F401
