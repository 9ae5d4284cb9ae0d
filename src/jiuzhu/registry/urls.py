from django.urls import path

from jiuzhu.registry.views import dashboard, households, members, signin

app_name = "registry"
urlpatterns = [
    path("login/sms/", signin.beneficiary_login, name="beneficiary_login"),
    path("login/sms/code/", signin.beneficiary_verify, name="beneficiary_verify"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("my-household/", households.my_household, name="my_household"),
    path("households/", households.household_list_view, name="household_list"),
    path("households/export.xlsx", households.household_export_view, name="household_export"),
    path("households/new/", households.household_create, name="household_create"),
    path("households/<int:household_id>/", households.household_detail, name="household_detail"),
    path("households/<int:household_id>/edit/", households.household_edit, name="household_edit"),
    path("households/<int:household_id>/exit/", households.household_exit, name="household_exit"),
    path(
        "households/<int:household_id>/reactivate/",
        households.household_reactivate,
        name="household_reactivate",
    ),
    path(
        "households/<int:household_id>/assign/",
        households.household_assign,
        name="household_assign",
    ),
    path("households/<int:household_id>/members/new/", members.member_add, name="member_add"),
    path("members/<int:member_id>/edit/", members.member_edit, name="member_edit"),
    path("members/<int:member_id>/leave/", members.member_leave, name="member_leave"),
    path("members/<int:member_id>/reveal/", members.member_reveal, name="member_reveal"),
]
