from django.urls import include, path

from jiuzhu.api import api
from jiuzhu.core.capabilities import capability_urlpatterns

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Each capability's pages, at its AppConfig.url_prefix (jiuzhu/capabilities.py).
    *capability_urlpatterns(),
]

handler400 = "jiuzhu.core.views.errors.bad_request"
handler403 = "jiuzhu.core.views.errors.permission_denied"
handler404 = "jiuzhu.core.views.errors.page_not_found"
handler500 = "jiuzhu.core.views.errors.server_error"
