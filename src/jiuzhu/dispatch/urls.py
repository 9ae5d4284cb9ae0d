from django.urls import path, re_path

from jiuzhu.dispatch.views import board, display, escalations, monitoring, sla, tickets

app_name = "dispatch"
urlpatterns = [
    path("board/", board.board, name="board"),
    path("board/dispatch-now/", board.dispatch_now_view, name="dispatch_now"),
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
    re_path(
        r"^tickets/(?P<ticket_id>[0-9]+)/(?P<action>assign|handle|call-back|close)/$",
        tickets.ticket_act,
        name="ticket_act",
    ),
    path("providers/", monitoring.monitoring, name="monitoring"),
    path("providers/export.xlsx", monitoring.monitoring_export, name="monitoring_export"),
]
