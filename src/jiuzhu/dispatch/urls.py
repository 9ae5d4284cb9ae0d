from django.urls import path, re_path

from jiuzhu.dispatch.views import (
    backlog,
    board,
    display,
    documents,
    escalations,
    monitoring,
    sla,
    tickets,
)

app_name = "dispatch"
urlpatterns = [
    path("board/", board.board, name="board"),
    path("board/dispatch-now/", board.dispatch_now_view, name="dispatch_now"),
    path("backlog/", backlog.backlog_view, name="backlog"),
    path("backlog/export.xlsx", backlog.backlog_export, name="backlog_export"),
    path("backlog/bulk/", backlog.backlog_bulk, name="backlog_bulk"),
    path("orders/<int:order_id>/", backlog.order_dispatch, name="order_dispatch"),
    re_path(
        r"^orders/(?P<order_id>[0-9]+)/(?P<action>offer|reoffer|escalate)/$",
        backlog.order_dispatch_act,
        name="order_dispatch_act",
    ),
    path("supply/", backlog.supply_gap_view, name="supply_gap"),
    path("supply/export.xlsx", backlog.supply_gap_export, name="supply_gap_export"),
    path("displays/", display.displays, name="displays"),
    path("displays/<int:token_id>/revoke/", display.display_revoke, name="display_revoke"),
    path("display/<str:token>/", display.display, name="display"),
    path("sla/", sla.sla_policies, name="sla"),
    path("escalations/", escalations.escalations, name="escalations"),
    path(
        "escalations/<int:escalation_id>/resolve/",
        escalations.escalation_resolve_view,
        name="escalation_resolve",
    ),
    path("tickets/", tickets.ticket_list_view, name="ticket_list"),
    path("tickets/export.xlsx", tickets.ticket_export, name="ticket_export"),
    path("tickets/new/", tickets.ticket_create, name="ticket_create"),
    path("tickets/households/", tickets.household_search, name="household_search"),
    path("tickets/<int:ticket_id>/", tickets.ticket_detail, name="ticket_detail"),
    path("tickets/<int:ticket_id>/verdict/", tickets.complaint_verdict, name="complaint_verdict"),
    path("tickets/<int:ticket_id>/print/", documents.ticket_print, name="ticket_print"),
    path("tickets/<int:ticket_id>/record.pdf", documents.ticket_pdf, name="ticket_pdf"),
    re_path(
        r"^tickets/(?P<ticket_id>[0-9]+)/(?P<action>assign|handle|call-back|close)/$",
        tickets.ticket_act,
        name="ticket_act",
    ),
    path("providers/", monitoring.monitoring, name="monitoring"),
    path("providers/export.xlsx", monitoring.monitoring_export, name="monitoring_export"),
]
