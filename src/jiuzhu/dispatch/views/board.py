"""The live dispatch board and its "dispatch now" button.

The page polls itself (htmx, every 15 s) for the ``#board`` fragment with the same query string,
so the street filter survives every refresh. Polls carry ``X-Jiuzhu-Poll: 1`` and do not keep
the session alive (``core.middleware``); when the session has run out a poll gets 401 and a
"signed out" notice instead of the login page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from jiuzhu.core.models import Role
from jiuzhu.core.views.common import domain_errors, is_htmx, vary_on_htmx
from jiuzhu.dispatch.forms import BoardFilterForm
from jiuzhu.dispatch.models import DispatchRun
from jiuzhu.dispatch.policy import can_dispatch_now, require_board, require_dispatch_now
from jiuzhu.dispatch.selectors.backlog import WaitingReason, waiting_reason_counts
from jiuzhu.dispatch.selectors.board import board_figures
from jiuzhu.dispatch.services.cycle import dispatch_now
from jiuzhu.dispatch.views.common import district_choices, street_choices, tabs
from jiuzhu.orders.models import OrderStatus

POLL_SECONDS = 15
#: How many at-risk and overdue orders the board lists (the counts cover all of them). The
#: selector lists them earliest deadline first, which is least time left first: only these
#: are read.
ROWS_SHOWN = 12
STATUS_TONES = {
    OrderStatus.WAITING: "warn",
    OrderStatus.ACCEPTED: "",
    OrderStatus.ASSIGNED: "",
    OrderStatus.IN_SERVICE: "ok",
}


def _span(minutes: int) -> str:
    minutes = abs(minutes)
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    if minutes < 48 * 60:
        return _("%(h)d h %(m)02d min") % {"h": minutes // 60, "m": minutes % 60}
    days = minutes // (24 * 60)
    return ngettext("%(d)d day", "%(d)d days", days) % {"d": days}


def decorate(figures: dict[str, Any], *, shown: int = ROWS_SHOWN) -> dict[str, Any]:
    """The most pressing listed orders first (least time left, most overdue), at most
    ``shown`` of each list, with the labels the templates show."""
    for key in ("at_risk", "overdue"):
        rows = sorted(figures[key], key=lambda row: row["minutes_left"])[:shown]
        for row in rows:
            row["status_label"] = OrderStatus(row["status"]).label
            row["left"] = _span(row["minutes_left"])
        figures[key] = rows
    return figures


def status_cards(figures: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "status": status,
            "label": OrderStatus(status).label,
            "value": count,
            "tone": STATUS_TONES.get(status, ""),
        }
        for status, count in figures["by_status"].items()
    ]


def provider_chart(providers: list[dict[str, Any]]) -> dict[str, Any]:
    """The per-provider bar chart's specification (drawn by dispatch.js)."""
    return {
        "categories": [p["name"] for p in providers],
        "horizontal": True,
        "legend": True,
        "series": [
            {
                "name": str(_("Open orders")),
                "data": [p["load"] for p in providers],
                "color": "#1a4f8b",
            },
            {
                "name": str(_("Capacity left today")),
                "data": [p["capacity_left"] for p in providers],
                "color": "#1e7a46",
            },
        ],
        "height": max(12, 3 + 2.2 * len(providers)),
    }


def _street_query(street, district=None) -> str:
    params = {}
    if district:
        params["district"] = district.pk
    if street:
        params["street"] = street.pk
    return urlencode(params)


def board(request: HttpRequest) -> HttpResponse:
    user = request.user
    partial = is_htmx(request)
    if not user.is_authenticated:
        if partial:
            return render(request, "dispatch/_signed_out.html", status=401)
        return redirect_to_login(request.get_full_path())
    require_board(user)
    districts = district_choices(user)
    district_id = request.GET.get("district", "")
    chosen = districts.filter(pk=district_id).first() if district_id.isdigit() else None
    streets = street_choices(user)
    form = BoardFilterForm(
        request.GET,
        streets=streets.filter(parent=chosen) if chosen else streets,
        districts=districts,
    )
    values = form.values()
    street, district = values.get("street"), values.get("district")
    figures = decorate(
        board_figures(
            user=user,
            street=street.pk if street else None,
            district=district.pk if district else None,
            limit=ROWS_SHOWN,
        )
    )
    query = _street_query(street, district)
    context = {
        "form": form,
        "figures": figures,
        "cards": status_cards(figures),
        "chart": provider_chart(figures["providers"]),
        "poll_url": reverse("dispatch:board") + (f"?{query}" if query else ""),
        "poll_seconds": POLL_SECONDS,
        "query": query,
        "street": street,
        "district": district,
        "reasons": [
            {"code": code, "label": label, "count": figures["waiting_reasons"][code]}
            for code, label in WaitingReason.choices
        ],
        "has_districts": districts.exists(),
        "last_run": DispatchRun.objects.filter(finished_at__isnull=False).first(),
        "can_dispatch": can_dispatch_now(user),
        "has_streets": form.fields["street"].queryset.exists(),
        "tabs": tabs(user, "dispatch:board"),
        "street_user": user.role == Role.STREET_CASEWORKER,
    }
    template = "dispatch/_board.html" if partial else "dispatch/board.html"
    return vary_on_htmx(render(request, template, context))


@login_required
@require_POST
@domain_errors
def dispatch_now_view(request: HttpRequest) -> HttpResponse:
    """Run the dispatch cycle at once (expire offers, escalate, offer) and say what it did."""
    require_dispatch_now(request.user)
    result = dispatch_now(actor=request.user)
    messages.success(request, dispatch_report(result, waiting_reason_counts(user=request.user)))
    url = reverse("dispatch:board")
    params = {
        key: request.POST.get(key, "")
        for key in ("district", "street")
        if request.POST.get(key, "").isdigit()
    }
    return redirect(f"{url}?{urlencode(params)}" if params else url)


def dispatch_report(result: dict[str, int], reasons: dict[str, int]) -> str:
    """What a dispatch run did, and why the orders still waiting stayed."""
    text = _(
        "Dispatch run finished: %(offered)d offered, %(escalated)d escalated, "
        "%(expired)d offers expired (%(considered)d orders were due to be offered)."
    ) % {key: result.get(key, 0) for key in ("offered", "escalated", "expired", "considered")}
    waiting = sum(reasons.values())
    if not waiting:
        return text + " " + _("No order is waiting.")
    parts = [
        f"{label} {reasons[code]}" for code, label in WaitingReason.choices if reasons.get(code)
    ]
    return (
        text
        + " "
        + ngettext(
            "%(n)d order still waits: %(why)s.",
            "%(n)d orders still wait: %(why)s.",
            waiting,
        )
        % {"n": waiting, "why": "；".join(parts)}
    )
