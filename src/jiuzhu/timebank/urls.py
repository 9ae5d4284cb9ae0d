from django.urls import path

from jiuzhu.timebank.views import manage, pages

app_name = "timebank"

urlpatterns = [
    path("", pages.mine, name="mine"),
    path("deposits/", pages.deposits, name="deposits"),
    path("deposits/<int:deposit_id>/confirm/", pages.deposit_confirm, name="deposit_confirm"),
    path("accounts/", pages.accounts, name="accounts"),
    path("accounts/export/", pages.accounts_export, name="accounts_export"),
    path("accounts/new/", manage.account_open, name="account_open"),
    path("accounts/<int:account_id>/", pages.account_detail, name="account_detail"),
    path(
        "accounts/<int:account_id>/statement/", manage.account_statement, name="account_statement"
    ),
    path("activities/new/", manage.activity_new, name="activity_new"),
    path("counter/", manage.counter, name="counter"),
    path("pool/", manage.pool, name="pool"),
    path("move/", pages.move, name="move"),
    path("report/", pages.report, name="report"),
]
