from django.urls import path

from jiuzhu.assessment.views import (
    analytics,
    assessments,
    documents,
    frameworks,
    home,
    plans,
    queue,
)

app_name = "assessment"
urlpatterns = [
    path("queue/", queue.queue, name="queue"),
    path("analytics/", analytics.analytics_page, name="analytics"),
    path("households/<int:household_id>/start/", assessments.start, name="start"),
    path("households/<int:household_id>/box/", assessments.household_box, name="household_box"),
    path("<int:assessment_id>/", assessments.form_page, name="form"),
    path("<int:assessment_id>/save/", assessments.save, name="save"),
    path("<int:assessment_id>/preview/", assessments.preview, name="preview"),
    path("<int:assessment_id>/submit/", assessments.submit, name="submit"),
    path("<int:assessment_id>/result/", assessments.result, name="result"),
    path("<int:assessment_id>/report/", documents.report_print, name="report_print"),
    path("<int:assessment_id>/report.pdf", documents.report_pdf, name="report_pdf"),
    path("plans/<int:plan_id>/", plans.plan_detail, name="plan"),
    path("plans/<int:plan_id>/items/add/", plans.item_add, name="plan_item_add"),
    path(
        "plans/<int:plan_id>/items/<int:item_id>/remove/",
        plans.item_remove,
        name="plan_item_remove",
    ),
    path(
        "plans/<int:plan_id>/materials/<int:material_id>/status/",
        plans.material_status,
        name="plan_material_status",
    ),
    path(
        "plans/<int:plan_id>/items/<int:item_id>/update/",
        plans.item_update,
        name="plan_item_update",
    ),
    path("plans/<int:plan_id>/approve/", plans.approve, name="plan_approve"),
    path("plans/<int:plan_id>/pause/", plans.pause, name="plan_pause"),
    path("plans/<int:plan_id>/resume/", plans.resume, name="plan_resume"),
    path("plans/<int:plan_id>/end/", plans.end, name="plan_end"),
    path("my-services/", plans.my_services, name="my_services"),
    path("my-home/", home.my_home, name="my_home"),
    path("frameworks/", frameworks.framework_list, name="framework_list"),
    path("frameworks/import/", frameworks.framework_import_view, name="framework_import"),
    path("frameworks/<int:version>/", frameworks.framework_detail, name="framework_detail"),
    path(
        "frameworks/<int:version>/export.yaml",
        frameworks.framework_export,
        name="framework_export",
    ),
    path(
        "frameworks/<int:version>/clone/", frameworks.framework_clone_view, name="framework_clone"
    ),
    path(
        "frameworks/<int:version>/settings/",
        frameworks.framework_settings,
        name="framework_settings",
    ),
    path(
        "frameworks/<int:version>/indicators/new/",
        frameworks.indicator_add,
        name="indicator_add",
    ),
    path(
        "frameworks/<int:version>/indicators/<int:indicator_id>/",
        frameworks.indicator_edit,
        name="indicator_edit",
    ),
    path(
        "frameworks/<int:version>/indicators/<int:indicator_id>/delete/",
        frameworks.indicator_delete_view,
        name="indicator_delete",
    ),
    path(
        "frameworks/<int:version>/compare/",
        frameworks.framework_compare,
        name="framework_compare",
    ),
    path(
        "frameworks/<int:version>/publish/",
        frameworks.framework_publish_view,
        name="framework_publish",
    ),
]
