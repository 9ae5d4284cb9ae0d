from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "jiuzhu.assessment"
    label = "assessment"
    verbose_name = _("Assessment and plans")
    # Mounted by jiuzhu/urls.py and jiuzhu/api.py (see jiuzhu/core/capabilities.py).
    url_prefix = "assessment/"
    api_routers = (
        ("/", "jiuzhu.assessment.api_analytics:router"),
        ("/", "jiuzhu.assessment.api:router"),
    )

    def ready(self) -> None:
        from jiuzhu.assessment import (  # noqa: F401
            demo,
            demo_bulk,
            handlers,
            jobs,
            navigation,
            scopes,
            tasks,
        )
