from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscoveryConfig(AppConfig):
    name = "jiuzhu.discovery"
    label = "discovery"
    verbose_name = _("Active discovery and the assistance alliance")
    # Mounted by jiuzhu/urls.py and jiuzhu/api.py (see jiuzhu/core/capabilities.py).
    url_prefix = "discovery/"
    api_routers = (
        ("/", "jiuzhu.discovery.api:router"),
        # Imports and warnings
        ("/", "jiuzhu.discovery.api_imports:router"),
        # Department referrals
        ("/", "jiuzhu.discovery.api_referrals:router"),
    )

    def ready(self) -> None:
        from jiuzhu.core.backup import register_seeded

        # The default warning rules are written by migration 0003: a restore replaces them.
        register_seeded("discovery.warningrule")
        # Imports and warnings; department referrals
        from jiuzhu.discovery import (  # noqa: F401
            demo,
            demo_bulk,
            demo_referrals,
            handlers,
            hooks,
            jobs,
            navigation,
            scopes,
            tasks,
        )
