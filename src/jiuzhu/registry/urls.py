from django.urls import path

from jiuzhu.registry.views import casework, dashboard, documents, households, members, signin, team

app_name = "registry"
urlpatterns = [
    path("login/sms/", signin.beneficiary_login, name="beneficiary_login"),
    path("login/sms/code/", signin.beneficiary_verify, name="beneficiary_verify"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("my-household/", households.my_household, name="my_household"),
    path("my-household/elderly-mode/", signin.elderly_mode, name="elderly_mode"),
    path("households/", households.household_list_view, name="household_list"),
    path("households/export.xlsx", households.household_export_view, name="household_export"),
    path("households/new/", households.household_create, name="household_create"),
    path("households/<int:household_id>/", households.household_detail, name="household_detail"),
    path("households/<int:household_id>/chain/print/", documents.chain_print, name="chain_print"),
    path("households/<int:household_id>/chain.pdf", documents.chain_pdf, name="chain_pdf"),
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
    # casework: notes and visits, consent, transfers, follow-ups (issue 10)
    path("households/<int:household_id>/notes/box/", casework.notes_box, name="notes_box"),
    path("households/<int:household_id>/notes/", casework.note_list, name="note_list"),
    path("households/<int:household_id>/notes/new/", casework.note_add, name="note_add"),
    path("notes/<int:note_id>/follow-up-done/", casework.note_follow_up_done, name="note_done"),
    path("followups/", casework.followup_list, name="followup_list"),
    path("households/<int:household_id>/consent/box/", casework.consent_box, name="consent_box"),
    path("households/<int:household_id>/consent/new/", casework.consent_add, name="consent_add"),
    path("consents/<int:consent_id>/withdraw/", casework.consent_withdraw, name="consent_withdraw"),
    path("consents/<int:consent_id>/photo/", casework.consent_photo, name="consent_photo"),
    path("households/<int:household_id>/transfer/box/", casework.transfer_box, name="transfer_box"),
    path(
        "households/<int:household_id>/transfer/",
        casework.transfer_request,
        name="transfer_request",
    ),
    path("transfers/", casework.transfer_list_view, name="transfer_list"),
    path("transfers/<int:transfer_id>/", casework.transfer_detail, name="transfer_detail"),
    path("transfers/<int:transfer_id>/<str:action>/", casework.transfer_act, name="transfer_act"),
    # 救助小管家: the frontline team
    path("team/", team.team, name="team"),
    path("team/export.xlsx", team.team_export, name="team_export"),
    path("team/<int:user_id>/", team.team_member, name="team_member"),
    path("team/<int:user_id>/training/", team.team_training_add, name="team_training_add"),
    path(
        "team/<int:user_id>/commendations/",
        team.team_commendation_add,
        name="team_commendation_add",
    ),
]
