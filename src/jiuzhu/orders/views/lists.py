"""Order lists: the staff list with filters, sorting and the Excel export; "My orders" for
households and providers; the provider's inbox; the volunteer's tasks."""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.models import AreaLevel, Role
from jiuzhu.core.selectors.areas import areas_within
from jiuzhu.core.services.exports import Sheet, export_audited
from jiuzhu.core.views.common import domain_errors, is_htmx, paginate, vary_on_htmx, xlsx_response
from jiuzhu.orders.forms import DeclineForm, OrderFilterForm, StatusFilterForm
from jiuzhu.orders.models import Channel, OrderStatus
from jiuzhu.orders.scopes import provider_of
from jiuzhu.orders.selectors.orders import (
    OrderFilters,
    order_list,
    provider_inbox,
    provider_list,
)
from jiuzhu.orders.views.common import OPEN_STATUSES, can_list

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
        if user.role in (Role.BENEFICIARY, Role.PROVIDER_STAFF):
            return redirect("orders:my_orders")
        if user.role == Role.VOLUNTEER:
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


def _export_rows(orders):
    for order in orders.iterator(chunk_size=500):
        rating = getattr(order, "rating", None)
        yield [
            order.number,
            order.created_at,
            order.household_id,
            order.household.street.name,
            order.household.community.name,
            order.item.name,
            order.quantity,
            order.item.get_unit_display(),
            str(OrderStatus(order.status).label),
            str(Channel(order.channel).label) if order.channel in Channel.values else "",
            order.provider.organisation.name if order.provider_id else "",
            str(order.assignee) if order.assignee_id else "",
            order.preferred_time,
            order.accepted_at,
            order.completed_at,
            order.cancelled_at,
            rating.score if rating else None,
        ]


@login_required
@domain_errors
def order_export(request: HttpRequest) -> HttpResponse:
    """The filtered staff list as an Excel workbook; each export is one audit entry."""
    user = request.user
    if not can_list(user):
        raise DjangoPermissionDenied(_("Your role may not export orders."))
    filters = _filters(_filter_form(request))
    orders = order_list(user=user, filters=filters).select_related("household__street", "rating")
    count = orders.count()
    if count > settings.EXPORT_MAX_ROWS:
        messages.error(
            request,
            _("The export would hold %(count)d orders; narrow the filters to at most %(limit)d.")
            % {"count": count, "limit": settings.EXPORT_MAX_ROWS},
        )
        query = request.GET.urlencode()
        return redirect(reverse("orders:order_list") + (f"?{query}" if query else ""))
    sheet = Sheet(
        title=_("Orders"),
        headers=[
            _("Order number"),
            _("Placed at"),
            _("Household"),
            _("Street"),
            _("Community"),
            _("Service"),
            _("Quantity"),
            _("Unit"),
            _("Status"),
            _("Placed"),
            _("Provider"),
            _("Worker"),
            _("Preferred time"),
            _("Accepted at"),
            _("Completed at"),
            _("Cancelled at"),
            _("Rating"),
        ],
        rows=_export_rows(orders),
        widths=(20, 18, 10, 14, 16, 16, 8, 8, 14, 16, 24, 14, 18, 18, 18, 18, 8),
    )
    output = export_audited(
        actor=user,
        sheets=[sheet],
        object_type="orders.order",
        detail={"filters": {k: v for k, v in dataclasses.asdict(filters).items() if v}},
    )
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


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Waiting orders the user's provider could take, oldest first."""
    user = request.user
    if user.role != Role.PROVIDER_STAFF:
        raise DjangoPermissionDenied(_("The order inbox is for provider staff."))
    provider = provider_of(user)
    page = paginate(request, provider_inbox(user=user), per_page=PER_PAGE)
    return render(
        request,
        "orders/inbox.html",
        {"provider": provider, "page_obj": page, "decline_form": DeclineForm()},
    )


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    """The orders assigned to the user (volunteers; provider staff see their own too)."""
    user = request.user
    if user.role not in (Role.VOLUNTEER, Role.PROVIDER_STAFF):
        raise DjangoPermissionDenied(_("Tasks are for volunteers and provider staff."))
    done = request.GET.get("done") == "1"
    orders = order_list(user=user).filter(assignee=user)
    orders = (
        orders.filter(status=OrderStatus.COMPLETED)
        if done
        else orders.filter(status__in=[*OPEN_STATUSES, OrderStatus.IN_SERVICE])
    )
    page = paginate(request, orders.order_by("preferred_time", "created_at"), per_page=PER_PAGE)
    return render(request, "orders/tasks.html", {"page_obj": page, "done": done})
