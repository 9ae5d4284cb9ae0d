from django.urls import path, re_path  # noqa: F401

app_name = "evaluation"
urlpatterns: list = []

# Projects and settlement
from jiuzhu.evaluation.views import documents as _documents  # noqa: E402
from jiuzhu.evaluation.views import projects as _projects  # noqa: E402

urlpatterns += [
    path("projects/", _projects.project_list_view, name="project_list"),
    path("projects/export.xlsx", _projects.project_export, name="project_export"),
    path("projects/new/", _projects.project_create_view, name="project_create"),
    path("projects/<int:project_id>/edit/", _projects.project_edit_view, name="project_edit"),
    path("tiers/<int:district_id>/", _projects.settlement_tiers_view, name="settlement_tiers"),
    path("projects/<int:project_id>/", _projects.project_detail, name="project_detail"),
    path(
        "projects/<int:project_id>/spot-checks/",
        _projects.spot_check_create,
        name="spot_check_create",
    ),
    path(
        "projects/<int:project_id>/draft/", _projects.statement_draft_view, name="statement_draft"
    ),
    path("statements/", _projects.statement_list_view, name="statement_list"),
    path("statements/export.xlsx", _projects.statement_export, name="statement_export"),
    path("statements/<int:statement_id>/", _projects.statement_detail, name="statement_detail"),
    path(
        "statements/<int:statement_id>/print/",
        _projects.statement_print,
        name="statement_print",
    ),
    path(
        "statements/<int:statement_id>/statement.pdf", _projects.statement_pdf, name="statement_pdf"
    ),
    path("reports/monthly/", _documents.monthly_report_view, name="monthly_report"),
    path("reports/monthly.pdf", _documents.monthly_report_pdf, name="monthly_report_pdf"),
    path("reports/monthly.xlsx", _documents.monthly_report_xlsx, name="monthly_report_xlsx"),
    re_path(
        r"^statements/(?P<statement_id>[0-9]+)/(?P<action>submit|approve|pay)/$",
        _projects.statement_act,
        name="statement_act",
    ),
    re_path(
        r"^statements/(?P<statement_id>[0-9]+)/lines/(?P<line_id>[0-9]+)/(?P<action>dispute|resolve)/$",
        _projects.line_act,
        name="line_act",
    ),
    path("rankings/", _projects.rankings_view, name="rankings"),
    path("rankings/export.xlsx", _projects.rankings_export, name="rankings_export"),
]

# Applications and screening
from jiuzhu.evaluation.views import applications  # noqa: E402

urlpatterns += [
    path("apply/", applications.apply, name="apply"),
    path("apply/done/", applications.apply_done, name="apply_done"),
    path("apply/status/", applications.apply_status, name="apply_status"),
    path("applications/", applications.application_list_view, name="application_list"),
    path("applications/export.xlsx", applications.application_export, name="application_export"),
    path("applications/shortlist/", applications.shortlist, name="shortlist"),
    path("applications/scorecard/", applications.scorecard, name="scorecard"),
    path(
        "applications/<int:application_id>/",
        applications.application_detail,
        name="application_detail",
    ),
    path(
        "applications/<int:application_id>/review/",
        applications.application_review,
        name="application_review",
    ),
    re_path(
        r"^applications/(?P<application_id>[0-9]+)/(?P<action>shortlist|approve|reject)/$",
        applications.application_act,
        name="application_act",
    ),
    path(
        "applications/<int:application_id>/documents/<int:document_id>/",
        applications.application_document,
        name="application_document",
    ),
]
