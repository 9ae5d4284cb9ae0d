from django.urls import path

from jiuzhu.core.views import auth

app_name = "core"
urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth.login_view, name="login"),
]
