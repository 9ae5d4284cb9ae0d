"""Catalogue pages. Everyone signed in browses the items and the needs list; city
administrators add, edit and deactivate them. Thin: parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiuzhu.catalog import selectors, services
from jiuzhu.catalog.forms import ItemFilterForm, NeedCategoryForm, NeedForm, ServiceItemForm
from jiuzhu.catalog.models import Need, NeedCategory, ServiceItem
from jiuzhu.catalog.policy import can_edit_catalogue
from jiuzhu.core.errors import DomainError
from jiuzhu.core.models import AuditAction
from jiuzhu.core.views.common import (
    add_domain_errors,
    domain_errors,
    is_htmx,
    paginate,
    vary_on_htmx,
)
from jiuzhu.core.views.list_export import ListExport, col, export_list, wants_export

PER_PAGE = 50

ITEM_FIELDSETS = [
    (gettext_lazy("Item"), ["code", "name", "name_en", "category", "description"]),
    (
        gettext_lazy("Price and delivery"),
        ["unit", "price", "sla_class", "max_per_week", "max_per_month", "usual_minutes"],
    ),
    (gettext_lazy("Who may receive it"), ["groups", "tiers", "urgency_tags"]),
    (gettext_lazy("Needs met"), ["needs"]),
    (gettext_lazy("Listing"), ["position", "active"]),
]
WIDE = {"description", "groups", "tiers", "urgency_tags", "needs"}


def _valid_filters(form) -> dict:
    """The valid part of a filter form: a field with a bad value is simply not applied."""
    form.is_valid()
    return {name: form.cleaned_data.get(name) for name in form.fields}


def _fieldsets(form, fieldsets) -> list[dict]:
    return [
        {"legend": legend, "fields": [form[name] for name in names if name in form.fields]}
        for legend, names in fieldsets
    ]


def _form_page(request, *, form, title: str, cancel_url: str, fieldsets=None, back_label=""):
    if fieldsets is None:
        fieldsets = [("", list(form.fields))]
    return render(
        request,
        "catalog/form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": cancel_url,
            "back_label": back_label,
            "fieldsets": _fieldsets(form, fieldsets),
            "wide": WIDE,
        },
    )


# ---------------------------------------------------------------- items


@login_required
@domain_errors
def item_list(request: HttpRequest) -> HttpResponse:
    editor = can_edit_catalogue(request.user)
    form = ItemFilterForm(request.GET, show_status=editor)
    values = _valid_filters(form)
    filters = selectors.ItemFilters(
        q=values.get("q") or "",
        level=values["level"].code if values.get("level") else "",
        category=values["category"].code if values.get("category") else "",
        group=values.get("group") or "",
        active={"1": True, "0": False}.get(values.get("active") or ""),
    )
    items = selectors.item_list(user=request.user, filters=filters)
    if wants_export(request):
        return export_list(request, items, ITEMS_EXPORT)
    page_obj = paginate(request, items, per_page=PER_PAGE)
    context = {"form": form, "page_obj": page_obj, "editor": editor}
    template = "catalog/_item_results.html" if is_htmx(request) else "catalog/item_list.html"
    return vary_on_htmx(render(request, template, context))


@login_required
@domain_errors
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, item_id=item_id)
    return render(
        request,
        "catalog/item_detail.html",
        {"item": item, "editor": can_edit_catalogue(request.user)},
    )


@login_required
@domain_errors
def item_create(request: HttpRequest) -> HttpResponse:
    services.check_can_edit(actor=request.user, action=AuditAction.CREATE)
    form = ServiceItemForm(request.POST or None, initial={"active": True, "price": "0"})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.get("position") is None:
            data.pop("position", None)
        try:
            item = services.item_create(actor=request.user, **data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The service item was added."))
            return redirect("catalog:item_detail", item_id=item.pk)
    return _form_page(
        request,
        form=form,
        title=_("Add a service item"),
        cancel_url=reverse("catalog:item_list"),
        fieldsets=ITEM_FIELDSETS,
    )


def _item_initial(item: ServiceItem) -> dict:
    return {
        "name": item.name,
        "name_en": item.name_en,
        "category": item.category,
        "description": item.description,
        "unit": item.unit,
        "price": item.price,
        "sla_class": item.sla_class,
        "max_per_week": item.max_per_week,
        "max_per_month": item.max_per_month,
        "usual_minutes": item.usual_minutes,
        "groups": item.group_list,
        "tiers": item.tier_list,
        "urgency_tags": item.urgency_list,
        "needs": [need.code for need in item.needs.all()],
        "position": item.position,
        "active": item.active,
    }


@login_required
@domain_errors
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, item_id=item_id)
    services.check_can_edit(actor=request.user, obj=item)
    form = ServiceItemForm(request.POST or None, initial=_item_initial(item), editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(actor=request.user, item=item, **form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The service item was saved."))
            return redirect("catalog:item_detail", item_id=item.pk)
    return _form_page(
        request,
        form=form,
        title=_("Edit %(name)s") % {"name": item.name},
        cancel_url=reverse("catalog:item_detail", args=[item.pk]),
        fieldsets=ITEM_FIELDSETS,
    )


@require_POST
@login_required
@domain_errors
def item_set_active(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, item_id=item_id)
    active = request.POST.get("active") == "1"
    services.item_set_active(
        actor=request.user, item=item, active=active, reason=request.POST.get("reason", "")[:200]
    )
    if active:
        messages.success(request, _("The service item can be ordered again."))
    else:
        messages.success(
            request, _("The service item was deactivated; it can no longer be ordered.")
        )
    return redirect("catalog:item_detail", item_id=item.pk)


# ---------------------------------------------------------------- the needs list


@login_required
@domain_errors
def need_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalog/need_list.html",
        {
            "categories": selectors.need_categories(user=request.user),
            "editor": can_edit_catalogue(request.user),
        },
    )


@login_required
@domain_errors
def need_create(request: HttpRequest) -> HttpResponse:
    services.check_can_edit(
        actor=request.user, action=AuditAction.CREATE, object_type="catalog.need"
    )
    initial = {"active": True}
    category_code = request.GET.get("category", "")
    if NeedCategory.objects.filter(code=category_code).exists():
        initial["category"] = category_code
    form = NeedForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.get("position") is None:
            data.pop("position", None)
        try:
            services.need_create(actor=request.user, **data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The need was added."))
            return redirect("catalog:need_list")
    return _form_page(
        request, form=form, title=_("Add a need"), cancel_url=reverse("catalog:need_list")
    )


@login_required
@domain_errors
def need_edit(request: HttpRequest, need_id: int) -> HttpResponse:
    need = selectors.need_get(user=request.user, need_id=need_id)
    services.check_can_edit(actor=request.user, obj=need)
    initial = {
        "name": need.name,
        "name_en": need.name_en,
        "category": need.category,
        "groups": need.group_list,
        "description": need.description,
        "position": need.position,
        "active": need.active,
    }
    form = NeedForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.need_update(actor=request.user, need=need, **form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The need was saved."))
            return redirect("catalog:need_list")
    return _form_page(
        request,
        form=form,
        title=_("Edit %(name)s") % {"name": need.name},
        cancel_url=reverse("catalog:need_list"),
    )


@require_POST
@login_required
@domain_errors
def need_set_active(request: HttpRequest, need_id: int) -> HttpResponse:
    need: Need = selectors.need_get(user=request.user, need_id=need_id)
    active = request.POST.get("active") == "1"
    services.need_set_active(actor=request.user, need=need, active=active)
    messages.success(
        request, _("The need was reactivated.") if active else _("The need was deactivated.")
    )
    return redirect("catalog:need_list")


@login_required
@domain_errors
def need_category_create(request: HttpRequest) -> HttpResponse:
    services.check_can_edit(
        actor=request.user, action=AuditAction.CREATE, object_type="catalog.needcategory"
    )
    form = NeedCategoryForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.get("position") is None:
            data.pop("position", None)
        try:
            services.need_category_create(actor=request.user, **data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The need category was added."))
            return redirect("catalog:need_list")
    return _form_page(
        request,
        form=form,
        title=_("Add a need category"),
        cancel_url=reverse("catalog:need_list"),
    )


@login_required
@domain_errors
def need_category_edit(request: HttpRequest, category_id: int) -> HttpResponse:
    category = selectors.need_category_get(user=request.user, category_id=category_id)
    services.check_can_edit(actor=request.user, obj=category)
    initial = {
        "name": category.name,
        "name_en": category.name_en,
        "description": category.description,
        "position": category.position,
        "active": category.active,
    }
    form = NeedCategoryForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.need_category_update(
                actor=request.user, category=category, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The need category was saved."))
            return redirect("catalog:need_list")
    return _form_page(
        request,
        form=form,
        title=_("Edit %(name)s") % {"name": category.name},
        cancel_url=reverse("catalog:need_list"),
    )


ITEMS_EXPORT = ListExport(
    key="catalog.items",
    title=gettext_lazy("service items"),
    object_type="catalog.serviceitem",
    columns=(
        col(gettext_lazy("code"), "code", 18),
        col(gettext_lazy("name (Chinese)"), "name", 20),
        col(gettext_lazy("service category"), "category.name", 20),
        col(gettext_lazy("unit"), "get_unit_display", 8),
        col(gettext_lazy("price to government (yuan)"), "price", 10),
        col(gettext_lazy("SLA class"), "get_sla_class_display", 10),
        col(gettext_lazy("active"), "active", 8),
    ),
)
