from django.urls import path

from jiuzhu.orders.views import detail, evidence, lists, market, providers

app_name = "orders"
urlpatterns = [
    path("", lists.order_list_view, name="order_list"),
    path("export.xlsx", lists.order_export, name="order_export"),
    path("mine/", lists.my_orders, name="my_orders"),
    path("inbox/", lists.inbox, name="inbox"),
    path("tasks/", lists.tasks, name="tasks"),
    path("market/", market.market, name="market"),
    path("market/<int:item_id>/", market.item_order, name="item_order"),
    path("households/<int:household_id>/box/", market.household_box, name="household_box"),
    path("households/<int:household_id>/market/", market.market, name="household_market"),
    path(
        "households/<int:household_id>/market/<int:item_id>/",
        market.item_order,
        name="household_item_order",
    ),
    path("<int:order_id>/", detail.order_detail, name="order_detail"),
    path("<int:order_id>/accept/", detail.accept, name="order_accept"),
    path("<int:order_id>/decline/", detail.decline, name="order_decline"),
    path("<int:order_id>/assign/", detail.assign, name="order_assign"),
    path("<int:order_id>/start/", detail.start, name="order_start"),
    path("<int:order_id>/complete/", detail.complete, name="order_complete"),
    path("<int:order_id>/cancel/", detail.cancel, name="order_cancel"),
    path("<int:order_id>/rate/", detail.rate, name="order_rate"),
    path("<int:order_id>/complain/", detail.complain, name="order_complain"),
    path("<int:order_id>/photo/", detail.delivery_photo, name="delivery_photo"),
    path("<int:order_id>/confirm/", evidence.confirm, name="delivery_confirm"),
    path("<int:order_id>/dispute/", evidence.dispute, name="delivery_dispute"),
    path("providers/", providers.provider_list_view, name="provider_list"),
    path("providers/new/", providers.provider_create_view, name="provider_create"),
    path("providers/<int:provider_id>/", providers.provider_detail, name="provider_detail"),
    path("providers/<int:provider_id>/edit/", providers.provider_edit, name="provider_edit"),
]
