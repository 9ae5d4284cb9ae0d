from django.urls import path

from jiuzhu.core.views import (
    accounts,
    audit,
    auth,
    exports,
    health,
    home,
    notifications,
    outbox,
    two_factor,
    worklist,
)

app_name = "core"
urlpatterns = [
    path("", home.home, name="home"),
    path("workspace/", worklist.workspace, name="workspace"),
    path("tasks/<slug:key>/", worklist.task_list, name="task_list"),
    path("tasks/<slug:key>/export.xlsx", worklist.task_export, name="task_export"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("password/", auth.password_change_view, name="password_change"),
    path("2fa/", two_factor.two_factor, name="two_factor"),
    path("accounts/", accounts.account_list, name="account_list"),
    path("accounts/new/", accounts.account_create, name="account_create"),
    path("accounts/<int:user_id>/", accounts.account_detail, name="account_detail"),
    path("accounts/<int:user_id>/active/", accounts.account_set_active, name="account_set_active"),
    path("accounts/<int:user_id>/unlock/", accounts.account_unlock, name="account_unlock"),
    path("accounts/<int:user_id>/approve/", accounts.account_approve, name="account_approve"),
    path(
        "accounts/<int:user_id>/2fa-reset/",
        two_factor.account_two_factor_reset,
        name="account_two_factor_reset",
    ),
    path("audit/", audit.audit_log, name="audit_log"),
    path("audit/export.xlsx", audit.audit_export, name="audit_export"),
    path("events/", outbox.event_deliveries, name="event_deliveries"),
    path("exports/", exports.export_jobs, name="export_jobs"),
    path("exports/<int:job_id>/", exports.export_job, name="export_job"),
    path("exports/<int:job_id>/download/", exports.export_job_file, name="export_job_file"),
    path(
        "events/<int:delivery_id>/retry/",
        outbox.event_delivery_retry,
        name="event_delivery_retry",
    ),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.notifications_read, name="notifications_read"),
    path(
        "notifications/<int:notification_id>/",
        notifications.notification_open,
        name="notification_open",
    ),
]
