from django.urls import path

from jiuzhu.core.views import accounts, audit, auth, home, notifications

app_name = "core"
urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("accounts/", accounts.account_list, name="account_list"),
    path("accounts/new/", accounts.account_create, name="account_create"),
    path("accounts/<int:user_id>/", accounts.account_detail, name="account_detail"),
    path("accounts/<int:user_id>/active/", accounts.account_set_active, name="account_set_active"),
    path("accounts/<int:user_id>/unlock/", accounts.account_unlock, name="account_unlock"),
    path("audit/", audit.audit_log, name="audit_log"),
    path("audit/export.xlsx", audit.audit_export, name="audit_export"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.notifications_read, name="notifications_read"),
    path(
        "notifications/<int:notification_id>/",
        notifications.notification_open,
        name="notification_open",
    ),
]
