from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "jiuzhu.evaluation"
    label = "evaluation"
    verbose_name = _("Provider evaluation and settlement")
    # Mounted by jiuzhu/urls.py and jiuzhu/api.py (see jiuzhu/core/capabilities.py).
    url_prefix = "evaluation/"
    api_routers = (
        ("/", "jiuzhu.evaluation.api:router"),
        # Projects and settlement
        ("/", "jiuzhu.evaluation.api_projects:router"),
        # Applications and screening
        ("/", "jiuzhu.evaluation.api_applications:router"),
    )

    def ready(self) -> None:
        # Projects and settlement; applications and screening (demo_applications)
        from jiuzhu.evaluation import (  # noqa: F401
            demo,
            demo_applications,
            events,
            navigation,
            scopes,
        )
