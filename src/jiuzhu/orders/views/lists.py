"""Order lists: the staff list with filters, sorting and the Excel export; "My orders" for
households and providers; the provider's inbox; the volunteer's tasks."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.errors import DomainError
from jiuzhu.core.models import AreaLevel, Role
from jiuzhu.core.selectors.areas import areas_within
from jiuzhu.core.views.common import domain_errors, is_htmx, paginate, vary_on_htmx, xlsx_response
from jiuzhu.core.views.list_export import ListExport, col, export_list, wants_export
from jiuzhu.orders import policy
from jiuzhu.orders.forms import DeclineForm, InboxFilterForm, OrderFilterForm, StatusFilterForm
from jiuzhu.orders.policy import can_list
from jiuzhu.orders.scopes import provider_of
from jiuzhu.orders.selectors.field_tasks import distance_km, field_tasks, origin_of
from jiuzhu.orders.selectors.inbox import InboxFilters, provider_inbox_filtered
from jiuzhu.orders.selectors.orders import (
    OrderFilters,
    order_list,
    provider_list,
)
from jiuzhu.orders.services.exports import order_export as order_export_service

PER_PAGE = 25
SORT_LABELS = (
    ("new", gettext_lazy("Newest")),
    ("old", gettext_lazy("Oldest")),
    ("status", gettext_lazy("Status")),
    ("item", gettext_lazy("Service")),
)


def _filter_form(request: HttpRequest) -> OrderFilterForm:
    user = request.user
    streets = []
    if user.area is not None and user.area.level in (AreaLevel.CITY, AreaLevel.DISTRICT):
        streets = list(areas_within(user, AreaLevel.STREET).order_by("code"))
    return OrderFilterForm(
        request.GET,
        items=ServiceItem.objects.order_by(
            "category__level__position", "category__position", "position", "code"
        ),
        streets=streets,
        providers=provider_list(user=user),
    )


def _filters(form: OrderFilterForm) -> OrderFilters:
    values = form.values()
    return OrderFilters(
        status=values.get("status") or "",
        item=values.get("item"),
        provider=values.get("provider"),
        household=values.get("household"),
        street=values.get("street"),
        channel=values.get("channel") or "",
        q=(values.get("q") or "").strip(),
        sort=values.get("sort") or "new",
    )


@login_required
def order_list_view(request: HttpRequest) -> HttpResponse:
    """The staff list. Other roles have their own lists and are sent there."""
    user = request.user
    if not can_list(user):
        if user.role in policy.MY_ORDERS_ROLES:
            return redirect("orders:my_orders")
        if user.role in policy.TASK_ROLES:
            return redirect("orders:tasks")
        raise DjangoPermissionDenied(_("Your role has no order list."))
    form = _filter_form(request)
    filters = _filters(form)
    page = paginate(request, order_list(user=user, filters=filters), per_page=PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    sort_links = []
    for key, label in SORT_LABELS:
        params = query.copy()
        params["sort"] = key
        sort_links.append(
            {"url": f"?{params.urlencode()}", "label": label, "current": key == filters.sort}
        )
    context = {
        "sort_links": sort_links,
        "form": form,
        "page_obj": page,
        "sort": filters.sort,
        "export_query": query.urlencode(),
        "filtered": any(
            getattr(filters, name)
            for name in ("status", "item", "provider", "household", "street", "channel", "q")
        ),
    }
    template = "orders/_order_results.html" if is_htmx(request) else "orders/order_list.html"
    return vary_on_htmx(render(request, template, context))


@login_required
@domain_errors
def order_export(request: HttpRequest) -> HttpResponse:
    """The filtered staff list as an Excel workbook; each export (and each refusal) is one
    audit entry (``services.exports.order_export``)."""
    filters = _filters(_filter_form(request))
    try:
        output = order_export_service(actor=request.user, filters=filters)
    except DomainError as error:
        if error.code != "export_too_large":
            raise
        messages.error(request, error.message)
        query = request.GET.urlencode()
        return redirect(reverse("orders:order_list") + (f"?{query}" if query else ""))
    return xlsx_response(output, stem="orders")


@login_required
def my_orders(request: HttpRequest) -> HttpResponse:
    """A household's own orders, or the orders a provider has taken."""
    user = request.user
    form = StatusFilterForm(request.GET)
    form.is_valid()
    status = form.cleaned_data.get("status") or ""
    if user.role == Role.BENEFICIARY:
        filters = OrderFilters(status=status)
    elif user.role == Role.PROVIDER_STAFF:
        provider = provider_of(user)
        if provider is None:
            raise DjangoPermissionDenied(_("Your account is not linked to an active provider."))
        filters = OrderFilters(status=status, provider=provider.pk)
    else:
        return redirect("orders:order_list")
    page = paginate(request, order_list(user=user, filters=filters), per_page=PER_PAGE)
    return render(
        request,
        "orders/my_orders.html",
        {
            "form": form,
            "page_obj": page,
            "provider_view": user.role == Role.PROVIDER_STAFF,
            "beneficiary_view": user.role == Role.BENEFICIARY,
        },
    )


def _inbox_form(request: HttpRequest, provider) -> InboxFilterForm:
    from jiuzhu.core.models import Area

    if provider is None:
        items, streets = ServiceItem.objects.none(), Area.objects.none()
    else:
        items = provider.items.order_by(
            "category__level__position", "category__position", "position", "code"
        )
        streets = Area.objects.filter(
            Q(pk__in=provider.streets.values("pk"))
            | Q(pk__in=provider.communities.values("parent_id"))
        ).order_by("code")
    return InboxFilterForm(request.GET, items=items, streets=streets)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Waiting orders the user's provider could take: search, filters, deadline first."""
    user = request.user
    if user.role != Role.PROVIDER_STAFF:
        raise DjangoPermissionDenied(_("The order inbox is for provider staff."))
    provider = provider_of(user)
    form = _inbox_form(request, provider)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    filters = InboxFilters(
        q=(data.get("q") or "").strip(),
        item=data["item"].pk if data.get("item") else None,
        street=data["street"].pk if data.get("street") else None,
        urgency=data.get("urgency") or "",
        due=data.get("due") or "",
        sort=data.get("sort") or "deadline",
    )
    now = timezone.now()
    inbox = provider_inbox_filtered(user=user, filters=filters)
    if wants_export(request):
        return export_list(request, inbox, INBOX_EXPORT)
    page = paginate(request, inbox, per_page=PER_PAGE)
    soon = now + dt.timedelta(hours=2)
    for order in page.object_list:
        order.is_new = order.created_at >= now - dt.timedelta(hours=1)
        order.overdue = order.deadline is not None and order.deadline <= now
        order.due_soon = order.deadline is not None and now < order.deadline <= soon
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "orders/inbox.html",
        {
            "provider": provider,
            "page_obj": page,
            "form": form,
            "filters": filters,
            "filtered": any(
                (filters.q, filters.item, filters.street, filters.urgency, filters.due)
            ),
            "decline_form": DeclineForm(),
        },
    )


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    """The orders assigned to the user (volunteers; provider staff see their own too)."""
    user = request.user
    policy.require_task_role(user)
    done = request.GET.get("done") == "1"
    rows = field_tasks(user=user, done=done)
    if wants_export(request):
        return export_list(request, rows, TASKS_EXPORT)
    page = paginate(request, rows, per_page=PER_PAGE)
    origin = origin_of(user)
    for order in page.object_list:
        order.distance_km = distance_km(origin, order)
        order.map_query = f"{order.household.community.name} {order.household.address}"
    return render(
        request,
        "orders/tasks.html",
        {"page_obj": page, "done": done, "by_distance": origin is not None},
    )


INBOX_EXPORT = ListExport(
    key="orders.inbox",
    title=gettext_lazy("Order inbox"),
    object_type="orders.order",
    columns=(
        col(gettext_lazy("Order number"), "number", 20),
        col(gettext_lazy("Street"), "household.street.name"),
        col(gettext_lazy("Community"), "household.community.name"),
        col(gettext_lazy("Service"), "item.name", 20),
        col(gettext_lazy("Quantity"), "quantity", 8),
        col(gettext_lazy("Unit"), "item.get_unit_display", 8),
        col(gettext_lazy("Preferred time"), "preferred_time", 18),
        col(gettext_lazy("Note"), "note", 30),
    ),
)
TASKS_EXPORT = ListExport(
    key="orders.tasks",
    title=gettext_lazy("My tasks"),
    object_type="orders.order",
    columns=(
        col(gettext_lazy("Order number"), "number", 20),
        col(gettext_lazy("Community"), "household.community.name"),
        col(gettext_lazy("Service"), "item.name", 20),
        col(gettext_lazy("Quantity"), "quantity", 8),
        col(gettext_lazy("Preferred time"), "preferred_time", 18),
        col(gettext_lazy("Status"), "get_status_display"),
        col(gettext_lazy("Note"), "note", 30),
    ),
)
