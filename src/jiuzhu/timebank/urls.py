from django.urls import path

from jiuzhu.timebank.views import pages

app_name = "timebank"

urlpatterns = [
    path("", pages.mine, name="mine"),
    path("deposits/", pages.deposits, name="deposits"),
    path("deposits/<int:deposit_id>/confirm/", pages.deposit_confirm, name="deposit_confirm"),
    path("accounts/", pages.accounts, name="accounts"),
    path("accounts/export/", pages.accounts_export, name="accounts_export"),
    path("accounts/<int:account_id>/", pages.account_detail, name="account_detail"),
    path("move/", pages.move, name="move"),
    path("report/", pages.report, name="report"),
]
