from django.urls import include, path

from jiuzhu.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("jiuzhu.registry.urls")),
    path("", include("jiuzhu.core.urls")),
]
