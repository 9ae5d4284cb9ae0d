from django.urls import include, path

from jiuzhu.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("catalog/", include("jiuzhu.catalog.urls")),
    path("orders/", include("jiuzhu.orders.urls")),
    path("assessment/", include("jiuzhu.assessment.urls")),
    path("dispatch/", include("jiuzhu.dispatch.urls")),
    path("", include("jiuzhu.registry.urls")),
    path("", include("jiuzhu.core.urls")),
]

handler400 = "jiuzhu.core.views.errors.bad_request"
handler403 = "jiuzhu.core.views.errors.permission_denied"
handler404 = "jiuzhu.core.views.errors.page_not_found"
handler500 = "jiuzhu.core.views.errors.server_error"
