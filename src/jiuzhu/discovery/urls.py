from django.urls import path  # noqa: F401

app_name = "discovery"
urlpatterns: list = []

# Department referrals
from jiuzhu.discovery.views import referrals as _referrals  # noqa: E402

urlpatterns += [
    path("referrals/", _referrals.referral_list_view, name="referral_list"),
    path("referrals/export/", _referrals.referral_export, name="referral_export"),
    path("referrals/<int:referral_id>/", _referrals.referral_detail, name="referral_detail"),
    path("referrals/<int:referral_id>/accept/", _referrals.referral_accept, name="referral_accept"),
    path(
        "referrals/<int:referral_id>/decline/",
        _referrals.referral_decline,
        name="referral_decline",
    ),
    path(
        "referrals/<int:referral_id>/complete/",
        _referrals.referral_complete,
        name="referral_complete",
    ),
    path(
        "referrals/<int:referral_id>/withdraw/",
        _referrals.referral_withdraw,
        name="referral_withdraw",
    ),
    path(
        "plans/<int:plan_id>/materials/<int:material_id>/refer/",
        _referrals.referral_send,
        name="referral_send",
    ),
    path("hidden-poverty/", _referrals.hidden_list, name="hidden_list"),
    path("hidden-poverty/export/", _referrals.hidden_export, name="hidden_export"),
]
urlpatterns += [
    path("desks/", _referrals.desks, name="desks"),
    path("desks/<int:desk_id>/deactivate/", _referrals.desk_deactivate, name="desk_deactivate"),
]


# Imports and warnings
from jiuzhu.discovery.views import imports as _imports  # noqa: E402
from jiuzhu.discovery.views import warnings as _warnings  # noqa: E402

urlpatterns += [
    path("batches/", _imports.batch_list_view, name="batch_list"),
    path("batches/export/", _imports.batch_export, name="batch_export"),
    path("batches/upload/", _imports.import_upload, name="import_upload"),
    path("batches/progress/", _imports.import_progress, name="import_progress"),
    path("batches/<int:batch_id>/", _imports.batch_detail, name="batch_detail"),
    path("batches/<int:batch_id>/errors.csv", _imports.batch_errors, name="batch_errors"),
    path("warnings/", _warnings.warning_list_view, name="warning_list"),
    path("warnings/<int:warning_id>/", _warnings.warning_detail, name="warning_detail"),
    path("warnings/<int:warning_id>/verify/", _warnings.warning_verify_view, name="warning_verify"),
    path("warnings/<int:warning_id>/assign/", _warnings.warning_assign_view, name="warning_assign"),
    path("rules/", _warnings.rule_list_view, name="rule_list"),
    path("refer/", _warnings.referral_create, name="referral_create"),
    path("refer/mine/", _warnings.my_referrals, name="my_referrals"),
    path("refer/network/", _warnings.referral_network_view, name="referral_network"),
]


# The household page's boxes (registry.panels)
from jiuzhu.discovery.views import household as _household  # noqa: E402

urlpatterns += [
    path(
        "households/<int:household_id>/warnings/",
        _household.household_warnings_box,
        name="household_warnings",
    ),
    path(
        "households/<int:household_id>/referrals/",
        _household.household_referrals_box,
        name="household_referrals",
    ),
    path(
        "households/<int:household_id>/refer/", _household.household_refer, name="household_refer"
    ),
]
