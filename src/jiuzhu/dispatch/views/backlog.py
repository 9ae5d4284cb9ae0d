"""The dispatcher's backlog (every open order, filtered, paginated, exportable, with the reason
each untaken order waits), one order's dispatch page (offer to a chosen provider, re-offer,
escalate), bulk actions, and the supply gap (street × item: demand, capacity, unmet)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.errors import DomainError
from jiuzhu.core.models import Area, User
from jiuzhu.core.scoping import visible
from jiuzhu.core.services.exports import Sheet, export_audited
from jiuzhu.core.views.common import add_domain_errors, domain_errors, xlsx_response
from jiuzhu.dispatch.forms import (
    BacklogFilterForm,
    BulkForm,
    EscalateForm,
    OfferToForm,
    SupplyGapFilterForm,
)
from jiuzhu.dispatch.models import OfferStatus
from jiuzhu.dispatch.policy import (
    can_escalate,
    can_offer_by_hand,
    require_board,
    require_escalator,
)
from jiuzhu.dispatch.selectors.backlog import (
    Backlog,
    BacklogFilters,
    BacklogList,
    WaitingReason,
    backlog,
    eligible_providers_for,
    waiting_reasons,
)
from jiuzhu.dispatch.selectors.supply import supply_gap
from jiuzhu.dispatch.services.interventions import (
    order_escalate,
    order_offer_to,
    order_reoffer,
    orders_bulk,
)
from jiuzhu.dispatch.views.board import _span
from jiuzhu.dispatch.views.common import district_choices, street_choices, tabs
from jiuzhu.orders.models import Order, OrderStatus, Provider

PER_PAGE = 30


def _streets(user: User, district: Area | None) -> QuerySet[Area]:
    streets = street_choices(user)
    return streets.filter(parent=district) if district else streets


def _filter_form(request: HttpRequest) -> BacklogFilterForm:
    user = request.user
    districts = district_choices(user)
    district_id = request.GET.get("district", "")
    district = districts.filter(pk=district_id).first() if district_id.isdigit() else None
    return BacklogFilterForm(
        request.GET,
        districts=districts,
        streets=_streets(user, district),
        items=ServiceItem.objects.order_by(
            "category__level__position", "category__position", "position", "code"
        ),
    )


def _filters(form: BacklogFilterForm) -> BacklogFilters:
    values = form.values()
    return BacklogFilters(
        list=values.get("list") or BacklogList.OPEN,
        district=values["district"].pk if values.get("district") else None,
        street=values["street"].pk if values.get("street") else None,
        item=values["item"].pk if values.get("item") else None,
        reason=values.get("reason") or "",
        q=(values.get("q") or "").strip(),
    )


def _decorate(row: dict[str, Any]) -> dict[str, Any]:
    if row["minutes_left"] is not None:
        row["left"] = _span(row["minutes_left"])
    return row


def _providers(user: User) -> QuerySet[Provider]:
    return visible(user, Provider.objects.filter(active=True)).select_related("organisation")


@login_required
def backlog_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_board(user)
    form = _filter_form(request)
    filters = _filters(form)
    now = timezone.now()
    entry = backlog(user=user, filters=filters, now=now)
    paginator = Paginator(entry.orders, PER_PAGE)
    paginator.count = len(entry)  # counted once (a city's backlog: a scan of its open orders)
    page = paginator.get_page(request.GET.get("page"))
    rows = [_decorate(row) for row in entry.rows(page.object_list)]
    query = request.GET.copy()
    query.pop("page", None)
    reason_links = []
    for code, label in WaitingReason.choices:
        params = query.copy()
        params["reason"] = code
        params["list"] = BacklogList.WAITING
        reason_links.append(
            {
                "code": code,
                "label": label,
                "count": entry.reason_counts.get(code, 0),
                "url": f"?{params.urlencode()}",
                "current": filters.reason == code,
            }
        )
    context = {
        "form": form,
        "filters": filters,
        "page_obj": page,
        "rows": rows,
        "total": len(entry),
        "reason_links": reason_links,
        "export_query": query.urlencode(),
        "can_dispatch": can_offer_by_hand(user),
        "can_escalate": can_escalate(user),
        "bulk_providers": _providers(user) if can_offer_by_hand(user) else [],
        "has_districts": form.fields["district"].queryset.exists(),
        "has_streets": form.fields["street"].queryset.exists(),
        "tabs": tabs(user, "dispatch:backlog"),
    }
    return render(request, "dispatch/backlog.html", context)


def _all_rows(entry: Backlog, chunk: int = 2000) -> Iterator[dict[str, Any]]:
    """Every row of the backlog, a chunk of orders at a time (each chunk's reasons together)."""
    for start in range(0, len(entry), chunk):
        yield from entry.rows(entry.orders[start : start + chunk])


@login_required
@domain_errors
def backlog_export(request: HttpRequest) -> HttpResponse:
    """The filtered backlog as an Excel workbook (no names or phone numbers); audited."""
    user = request.user
    require_board(user)
    filters = _filters(_filter_form(request))
    now = timezone.now()
    entry = backlog(user=user, filters=filters, now=now)
    if len(entry) > settings.EXPORT_MAX_ROWS:
        messages.error(
            request,
            _("The export would hold %(count)d orders; narrow the filters to at most %(limit)d.")
            % {"count": len(entry), "limit": settings.EXPORT_MAX_ROWS},
        )
        return redirect(reverse("dispatch:backlog") + f"?{request.GET.urlencode()}")
    states = {"overdue": _("Overdue"), "at_risk": _("At risk"), "ok": ""}

    def rows():
        for row in _all_rows(entry):
            why = row["why"]
            yield [
                row["number"],
                row["created_at"],
                row["street"],
                row["community"],
                row["item"],
                str(row["status_label"]),
                row["provider"],
                row["deadline"],
                states[row["state"]],
                str(why.label) if why else "",
                "、".join(why.providers) if why else "",
            ]

    sheet = Sheet(
        title=_("Backlog"),
        headers=[
            _("Order number"),
            _("Placed at"),
            _("Street"),
            _("Community"),
            _("Service"),
            _("Status"),
            _("Provider"),
            _("Due"),
            _("Deadline"),
            _("Why still waiting"),
            _("Providers concerned"),
        ],
        rows=rows(),
        widths=(20, 18, 14, 16, 18, 14, 24, 18, 10, 30, 40),
    )
    output = export_audited(
        actor=user,
        sheets=[sheet],
        object_type="dispatch.backlog",
        detail={"filters": {k: v for k, v in dataclasses.asdict(filters).items() if v}},
    )
    return xlsx_response(output, stem="backlog")


@login_required
@require_POST
@domain_errors
def backlog_bulk(request: HttpRequest) -> HttpResponse:
    """One action on the ticked orders; says how many were done and why the rest were not."""
    user = request.user
    require_board(user)
    require_escalator(user)
    form = BulkForm(request.POST, providers=_providers(user))
    back = reverse("dispatch:backlog") + "?" + request.POST.get("back", "")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    orders = list(visible(user, Order.objects.filter(pk__in=data["orders"])))
    try:
        result = orders_bulk(
            actor=user,
            action=data["action"],
            orders=orders,
            provider=data.get("provider"),
            reason=data.get("reason") or "",
        )
    except DomainError as error:
        fields = error.extra.get("fields") or {}
        messages.error(request, " ".join(m for ms in fields.values() for m in ms) or error.message)
        return redirect(back)
    text = _("%(done)d of %(total)d orders done.") % {"done": result.done, "total": len(orders)}
    if result.skipped:
        text += " " + _("Left as they were: %(why)s") % {
            "why": "；".join(f"{why} ({n})" for why, n in result.skipped.most_common())
        }
    (messages.success if result.done else messages.warning)(request, text)
    return redirect(back)


def _order_or_404(user: User, order_id: int) -> Order:
    order = (
        visible(user, Order.objects.all())
        .select_related(
            "sla", "item", "household__street", "household__community", "provider__organisation"
        )
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise Http404
    return order


def _order_context(request: HttpRequest, order: Order, **forms) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    why = waiting_reasons([order], now=now).get(order.pk)
    candidates = eligible_providers_for(order, now=now) if order.status == "waiting" else []
    live = order.offers.filter(status=OfferStatus.OFFERED).values_list("provider_id", flat=True)
    offerable = (
        Provider.objects.filter(
            pk__in=[c["id"] for c in candidates if not c["said_no"] and c["capacity_left"] > 0]
        )
        .exclude(pk__in=list(live))
        .select_related("organisation")
    )
    return {
        "order": order,
        "why": why,
        "candidates": candidates,
        "offers": order.offers.select_related("provider__organisation").order_by("-offered_at")[
            :20
        ],
        "escalations": order.escalations.order_by("-created_at")[:20],
        "offer_form": forms.get("offer_form") or OfferToForm(providers=offerable),
        "escalate_form": forms.get("escalate_form") or EscalateForm(),
        "can_dispatch": can_offer_by_hand(user) and order.status == OrderStatus.WAITING,
        "can_escalate": can_escalate(user)
        and order.status not in (OrderStatus.COMPLETED, OrderStatus.CANCELLED),
        "tabs": tabs(user, "dispatch:backlog"),
    }


@login_required
def order_dispatch(request: HttpRequest, order_id: int) -> HttpResponse:
    user = request.user
    order = _order_or_404(user, order_id)  # the lookup first: 404 for an order not visible
    require_board(user)
    return render(request, "dispatch/order_dispatch.html", _order_context(request, order))


def _offered(request: HttpRequest, offer) -> None:
    messages.success(
        request,
        _("Offered to %(provider)s; it must answer by %(time)s.")
        % {
            "provider": offer.provider.organisation.name,
            "time": timezone.localtime(offer.respond_by).strftime("%m-%d %H:%M"),
        },
    )


@login_required
@require_POST
@domain_errors
def order_dispatch_act(request: HttpRequest, order_id: int, action: str) -> HttpResponse:
    """Offer to a chosen provider, re-offer, or escalate one order."""
    user = request.user
    order = _order_or_404(user, order_id)  # the lookup first: 404 for an order not visible
    require_board(user)
    here = reverse("dispatch:order_dispatch", args=[order.pk])
    if action == "reoffer":
        try:
            offer = order_reoffer(actor=user, order=order)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(here)
        if offer is None:
            messages.warning(request, _("No provider can take this order now."))
        else:
            _offered(request, offer)
        return redirect(here)
    if action == "offer":
        candidates = Provider.objects.filter(
            pk__in=[c["id"] for c in eligible_providers_for(order)]
        ).select_related("organisation")
        form, name = OfferToForm(request.POST, providers=candidates), "offer_form"
    else:
        form, name = EscalateForm(request.POST), "escalate_form"
    status = 422
    if form.is_valid():
        try:
            if action == "offer":
                _offered(
                    request,
                    order_offer_to(
                        actor=user,
                        order=order,
                        provider=form.cleaned_data["provider"],
                        reason=form.cleaned_data["reason"],
                    ),
                )
            else:
                order_escalate(actor=user, order=order, note=form.cleaned_data["note"])
                messages.success(request, _("Escalated to the district's managers."))
            return redirect(here)
        except DomainError as error:
            add_domain_errors(form, error)
            status = error.status
    context = _order_context(request, order, **{name: form})
    return render(request, "dispatch/order_dispatch.html", context, status=status)


# ---------------------------------------------------------------- the supply gap


def _gap_form(request: HttpRequest) -> SupplyGapFilterForm:
    user = request.user
    districts = district_choices(user)
    district_id = request.GET.get("district", "")
    district = districts.filter(pk=district_id).first() if district_id.isdigit() else None
    return SupplyGapFilterForm(request.GET, districts=districts, streets=_streets(user, district))


def _gap(request: HttpRequest):
    form = _gap_form(request)
    values = form.values()
    days = values.get("days") or 7
    rows = supply_gap(
        user=request.user,
        days=days,
        district=values["district"].pk if values.get("district") else None,
        street=values["street"].pk if values.get("street") else None,
    )
    return form, days, rows


@login_required
def supply_gap_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_board(user)
    form, days, rows = _gap(request)
    totals = {
        key: sum(row[key] for row in rows) for key in ("demand", "unmet", "shortfall", "capacity")
    }
    chart_rows = [row for row in rows if row["shortfall"]][:15]
    chart = {
        "categories": [f"{row['street']} · {row['item']}" for row in chart_rows],
        "horizontal": True,
        "legend": True,
        "series": [
            {
                "name": _("Demand"),
                "data": [row["demand"] for row in chart_rows],
                "color": "#1a4f8b",
            },
            {
                "name": _("Capacity"),
                "data": [row["capacity"] for row in chart_rows],
                "color": "#1e7a46",
            },
        ],
        "height": max(10, 3 + 2.2 * len(chart_rows)),
    }
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dispatch/supply_gap.html",
        {
            "form": form,
            "days": days,
            "page_obj": page,
            "rows": page.object_list,
            "totals": totals,
            "chart": chart,
            "export_query": query.urlencode(),
            "has_districts": form.fields["district"].queryset.exists(),
            "has_streets": form.fields["street"].queryset.exists(),
            "tabs": tabs(user, "dispatch:supply_gap"),
        },
    )


@login_required
@domain_errors
def supply_gap_export(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_board(user)
    form, days, rows = _gap(request)
    sheet = Sheet(
        title=_("Supply gap"),
        headers=[
            _("Street"),
            _("Service"),
            _("Demand"),
            _("Providers"),
            _("Capacity"),
            _("Unmet"),
            _("Shortfall"),
        ],
        rows=(
            [
                r["street"],
                r["item"],
                r["demand"],
                r["providers"],
                r["capacity"],
                r["unmet"],
                r["shortfall"],
            ]
            for r in rows
        ),
        widths=(16, 20, 10, 10, 10, 10, 10),
    )
    output = export_audited(
        actor=user, sheets=[sheet], object_type="dispatch.supply_gap", detail={"days": days}
    )
    return xlsx_response(output, stem="supply-gap")
