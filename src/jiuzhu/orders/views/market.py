"""The cloud supermarket (救助云超市) on a phone: the items a household may receive, an item's
page with its order form, and the orders box on the household page. A beneficiary orders for
their own household; community workers, street caseworkers and hotline operators order for a
household they can see (the service sets the channel from the role)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jiuzhu.catalog.selectors import catalog_items_for_household, item_get
from jiuzhu.core.errors import DomainError, NotFound, PermissionDenied
from jiuzhu.core.models import Role
from jiuzhu.core.views.common import add_domain_errors, domain_errors
from jiuzhu.orders.forms import OrderForm
from jiuzhu.orders.policy import can_list, can_order_for_households
from jiuzhu.orders.selectors.orders import OrderFilters, order_list
from jiuzhu.orders.services.idempotency import run_once
from jiuzhu.orders.services.placing import check_can_order, order_create, used_in_period
from jiuzhu.orders.views.common import ordering_household
from jiuzhu.registry.models import Household, HouseholdStatus
from jiuzhu.registry.services.households import household_get_for

BOX_LIMIT = 6


def _levels(items) -> list[dict]:
    """Items grouped as service level → category, in catalogue order."""
    levels: list[dict] = []
    for item in items:
        category = item.category
        level = category.level
        if not levels or levels[-1]["level"].pk != level.pk:
            levels.append({"level": level, "categories": []})
        categories = levels[-1]["categories"]
        if not categories or categories[-1]["category"].pk != category.pk:
            categories.append({"category": category, "items": []})
        categories[-1]["items"].append(item)
    return levels


@login_required
@domain_errors
def market(request: HttpRequest, household_id: int | None = None) -> HttpResponse:
    household = ordering_household(request.user, household_id)
    active = household.status == HouseholdStatus.ACTIVE
    items = catalog_items_for_household(household) if active else []
    return render(
        request,
        "orders/market.html",
        {
            "household": household,
            "levels": _levels(items),
            "item_count": len(items),
            "on_behalf": household_id is not None and request.user.role != Role.BENEFICIARY,
        },
    )


def _usage(household: Household, item) -> dict:
    """What the household has ordered of the item this week and month (against its limits)."""
    today = timezone.localdate()
    week_start = today - dt.timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    return {
        "week": used_in_period(household, item, week_start, week_start + dt.timedelta(days=7))
        if item.max_per_week
        else None,
        "month": used_in_period(household, item, month_start, next_month)
        if item.max_per_month
        else None,
    }


def _refusal(household: Household, item) -> str:
    """Why the household cannot order the item now ("" when it can)."""
    if not item.active:
        return _("This service is not offered at the moment.")
    try:
        check_can_order(household=household, item=item, quantity=1, on=timezone.localdate())
    except DomainError as error:
        return error.message
    return ""


def _place(request: HttpRequest, form: OrderForm, household: Household, item) -> int:
    """Create the order once per form token (a double tap or a resent form gives the same
    order back); returns the order id."""
    data = form.cleaned_data

    def work() -> tuple[int, dict]:
        order = order_create(
            actor=request.user,
            household=household,
            item=item,
            quantity=data["quantity"],
            preferred_time=data["preferred_time"],
            note=data["note"],
        )
        return 201, {"order_id": order.pk}

    body = {
        "household": household.pk,
        "item": item.pk,
        "quantity": data["quantity"],
        "preferred_time": data["preferred_time"],
        "note": data["note"],
    }
    _status, response = run_once(
        user=request.user, key=f"web-order:{data['token']}", body=body, work=work
    )
    return response["order_id"]


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def item_order(request: HttpRequest, item_id: int, household_id: int | None = None) -> HttpResponse:
    household = ordering_household(request.user, household_id)
    item = item_get(user=request.user, item_id=item_id)
    form = OrderForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            order_id = _place(request, form, household, item)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as error:
            add_domain_errors(form, error, renames={"preferred_time": "preferred_date"})
            if error.code == "idempotency_key_reused":
                form = _fresh_token(form)
        else:
            messages.success(
                request, _("Your order has been placed. A provider will answer it soon.")
            )
            return redirect("orders:order_detail", order_id=order_id)
    return render(
        request,
        "orders/item_order.html",
        {
            "household": household,
            "item": item,
            "form": form,
            "refusal": "" if form.errors else _refusal(household, item),
            "usage": _usage(household, item),
            "on_behalf": household_id is not None and request.user.role != Role.BENEFICIARY,
        },
    )


def _fresh_token(form: OrderForm) -> OrderForm:
    """The same answers with a new token (the old one belongs to an order already placed)."""
    data = form.data.copy()
    data["token"] = OrderForm().initial["token"]
    fresh = OrderForm(data)
    fresh.is_valid()
    for field, errors in form.errors.items():
        for error in errors:
            fresh.add_error(None if field == "__all__" else field, error)
    return fresh


@login_required
@domain_errors
def household_box(request: HttpRequest, household_id: int) -> HttpResponse:
    """The household page's orders box (loaded by htmx)."""
    household = household_get_for(actor=request.user, household_id=household_id, audit_view=False)
    orders = order_list(user=request.user, filters=OrderFilters(household=household.pk))
    return render(
        request,
        "orders/_household_box.html",
        {
            "household": household,
            "orders": orders[:BOX_LIMIT],
            "total": orders.count(),
            "can_order": (
                household.status == HouseholdStatus.ACTIVE
                and (
                    can_order_for_households(request.user) or request.user.role == Role.BENEFICIARY
                )
            ),
            "beneficiary": request.user.role == Role.BENEFICIARY,
            "can_list": can_list(request.user),
        },
    )
