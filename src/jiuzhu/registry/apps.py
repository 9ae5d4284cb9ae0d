from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "jiuzhu.registry"
    label = "registry"
    verbose_name = _("Household registry")
    # Mounted by jiuzhu/urls.py and jiuzhu/api.py (see jiuzhu/core/capabilities.py).
    url_prefix = ""
    api_routers = (
        ("/", "jiuzhu.registry.api:router"),
        ("/", "jiuzhu.registry.api_casework:router"),
    )

    def ready(self) -> None:
        # Declare events, grant scopes, register demo steps.
        from django.db.backends.signals import connection_created

        from jiuzhu.registry import events, navigation, scopes, tasks  # noqa: F401
        from jiuzhu.registry.demo import casework, steps  # noqa: F401
        from jiuzhu.registry.search import register_sqlite_functions

        # The search table's SQLite triggers call jiuzhu_triple (see registry.search).
        connection_created.connect(register_sqlite_functions, dispatch_uid="jiuzhu_sqlite_fns")
