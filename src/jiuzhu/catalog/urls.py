from django.urls import path

from jiuzhu.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<int:item_id>/", views.item_detail, name="item_detail"),
    path("items/<int:item_id>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:item_id>/active/", views.item_set_active, name="item_set_active"),
    path("needs/", views.need_list, name="need_list"),
    path("needs/new/", views.need_create, name="need_create"),
    path("needs/<int:need_id>/edit/", views.need_edit, name="need_edit"),
    path("needs/<int:need_id>/active/", views.need_set_active, name="need_set_active"),
    path("needs/categories/new/", views.need_category_create, name="need_category_create"),
    path(
        "needs/categories/<int:category_id>/edit/",
        views.need_category_edit,
        name="need_category_edit",
    ),
]
