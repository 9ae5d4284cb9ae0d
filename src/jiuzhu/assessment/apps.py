from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "jiuzhu.assessment"
    label = "assessment"
    verbose_name = _("Assessment and plans")

    def ready(self) -> None:
        from jiuzhu.assessment import demo, handlers, navigation, scopes  # noqa: F401
