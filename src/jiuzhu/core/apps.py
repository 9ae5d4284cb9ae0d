from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jiuzhu.core"
    label = "core"
    verbose_name = _("Core")
    # Mounted by jiuzhu/urls.py and jiuzhu/api.py (see jiuzhu/core/capabilities.py).
    url_prefix = ""
    api_routers = (
        ("/", "jiuzhu.core.api_areas:router"),
        ("/", "jiuzhu.core.api_worklist:router"),
    )

    def ready(self) -> None:
        # audit_jobs and outbox register periodic jobs; checks registers the deploy checks.
        from jiuzhu.core import audit_jobs, checks, notification_jobs, outbox  # noqa: F401
        from jiuzhu.core.files import restrict_var_dir
        from jiuzhu.core.services import (  # noqa: F401
            background_exports,
            export_replay,
            signin_codes,
        )

        restrict_var_dir()
