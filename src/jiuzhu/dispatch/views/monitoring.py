"""Provider monitoring over a period (definitions in ``selectors/monitoring.py`` and
docs/dispatch.md): table, chart and Excel export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from jiuzhu.core.services.exports import Sheet, export_audited
from jiuzhu.core.views.common import domain_errors, xlsx_response
from jiuzhu.dispatch.forms import PeriodForm
from jiuzhu.dispatch.policy import require_board
from jiuzhu.dispatch.selectors.monitoring import provider_metrics, providers_in_scope
from jiuzhu.dispatch.views.common import tabs


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _display(row: dict[str, Any]) -> dict[str, Any]:
    minutes = row["median_minutes_to_accept"]
    return {
        **row,
        "acceptance_pct": _pct(row["acceptance_rate"]),
        "on_time_pct": _pct(row["on_time_rate"]),
        "complaint_pct": _pct(row["complaint_rate"]),
        "median_text": "" if minutes is None else _duration(minutes),
        "rating_text": "" if row["average_rating"] is None else f"{row['average_rating']:.1f}",
    }


def _duration(minutes: float) -> str:
    if minutes < 90:
        return _("%(n)d min") % {"n": round(minutes)}
    return _("%(n)s h") % {"n": f"{minutes / 60:.1f}"}


def _chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "categories": [r["name"] for r in rows],
        "horizontal": True,
        "legend": True,
        "unit": "%",
        "series": [
            {
                "name": str(_("Acceptance rate")),
                "data": [r["acceptance_pct"] for r in rows],
                "color": "#1a4f8b",
            },
            {
                "name": str(_("On-time completion")),
                "data": [r["on_time_pct"] for r in rows],
                "color": "#1e7a46",
            },
            {
                "name": str(_("Complaint rate")),
                "data": [r["complaint_pct"] for r in rows],
                "color": "#b3261e",
            },
        ],
        "height": max(12, 4 + 3 * len(rows)),
    }


def _metrics(request: HttpRequest):
    form = PeriodForm(request.GET)
    start, end, period = form.span()
    rows = provider_metrics(providers=providers_in_scope(request.user), start=start, end=end)
    rows = sorted((_display(r) for r in rows), key=lambda r: r["name"])
    return form, start, end, period, rows


@login_required
@domain_errors
def monitoring(request: HttpRequest) -> HttpResponse:
    require_board(request.user)
    form, start, end, period, rows = _metrics(request)
    return render(
        request,
        "dispatch/monitoring.html",
        {
            "form": form,
            "rows": rows,
            "chart": _chart(rows),
            "declines": [
                {"name": r["name"], **reason} for r in rows for reason in r["decline_reasons"]
            ],
            "start": start,
            "last_day": end - dt.timedelta(days=1),
            "period": period,
            "export_query": request.GET.urlencode(),
            "tabs": tabs(request.user, "dispatch:monitoring"),
        },
    )


@login_required
@domain_errors
def monitoring_export(request: HttpRequest) -> HttpResponse:
    require_board(request.user)
    _form, start, end, period, rows = _metrics(request)
    sheet = Sheet(
        title=_("Provider monitoring"),
        headers=[
            _("Provider"),
            _("From"),
            _("To"),
            _("Asked"),
            _("Accepted"),
            _("Declined"),
            _("Let expire"),
            _("Acceptance rate (%)"),
            _("Median time to accept (minutes)"),
            _("Completed"),
            _("Open past deadline"),
            _("On-time completion (%)"),
            _("Average rating"),
            _("Complaint rate (%)"),
        ],
        rows=(
            [
                r["name"],
                start.date(),
                (end - dt.timedelta(days=1)).date(),
                r["asked"],
                r["accepted"],
                r["declined"],
                r["expired"],
                r["acceptance_pct"],
                None
                if r["median_minutes_to_accept"] is None
                else round(r["median_minutes_to_accept"], 1),
                r["completed"],
                r["overdue_open"],
                r["on_time_pct"],
                None if r["average_rating"] is None else round(r["average_rating"], 2),
                r["complaint_pct"],
            ]
            for r in rows
        ),
        widths=(28, 12, 12, 8, 10, 10, 10, 12, 14, 10, 12, 12, 10, 12),
    )
    output = export_audited(
        actor=request.user,
        sheets=[sheet],
        object_type="dispatch.monitoring",
        detail={"start": start.date().isoformat(), "end": end.date().isoformat()},
    )
    return xlsx_response(output, stem="provider-monitoring")
