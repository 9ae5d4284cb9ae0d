"""The dashboard page: filters in the query string, ECharts charts each with its table, the
Excel export at the same address (``?format=xlsx``). Every figure comes from
``selectors.dashboard``; this module only reads the filters and shapes the chart data."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from jiuzhu.analytics.policy import require_dashboards
from jiuzhu.analytics.selectors.dashboard import (
    PERIODS,
    area_choices,
    dashboard_for,
    filters_for,
    trend,
    trend_metrics,
)
from jiuzhu.analytics.services.exports import dashboard_export
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.views.common import xlsx_response
from jiuzhu.discovery.models import WarningStatus
from jiuzhu.registry.models import Group, Tier, UrgencyTag

BLUE, TEAL, ORANGE, GREY, RED = "#1a4f8b", "#2f7d6d", "#c2410c", "#9bb7d9", "#b42318"


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _chart(categories, series, **extra) -> dict[str, Any]:
    return {"categories": categories, "series": series, **extra}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _charts(board: dict[str, Any], trend_data: dict[str, Any]) -> dict[str, Any]:
    total = board["live"]["total"]
    streets = board["live"]["by_street"]
    poverty = board["poverty"]
    names = [row["name"] for row in streets]
    charts: dict[str, Any] = {
        "tiers": _chart(
            [str(t.label) for t in Tier],
            [
                {
                    "name": _("Households"),
                    "data": [total[f"households.tier.{t.value}"] for t in Tier],
                    "color": BLUE,
                }
            ],
            horizontal=True,
        ),
        "groups": _chart(
            [str(g.label) for g in Group],
            [
                {
                    "name": _("Households"),
                    "data": [total[f"households.group.{g.value}"] for g in Group],
                    "color": TEAL,
                }
            ],
            horizontal=True,
        ),
        "urgency": _chart(
            [str(u.label) for u in UrgencyTag],
            [
                {
                    "name": _("Households"),
                    "data": [total[f"households.urgency.{u.value}"] for u in UrgencyTag],
                    "color": RED,
                }
            ],
            horizontal=True,
        ),
        "funnel": _chart(
            [_("Placed"), _("Accepted"), _("Service started"), _("Completed"), _("Cancelled")],
            [
                {
                    "name": _("Orders"),
                    "data": [
                        total["orders.placed"],
                        total["orders.accepted"],
                        total["orders.started"],
                        total["orders.completed"],
                        total["orders.cancelled"],
                    ],
                    "color": BLUE,
                }
            ],
            horizontal=True,
        ),
        "streets": _chart(
            names,
            [
                {
                    "name": _("Orders completed"),
                    "data": [r["orders.completed"] for r in streets],
                    "color": BLUE,
                },
                {
                    "name": _("Warnings raised"),
                    "data": [r["warnings.raised"] for r in streets],
                    "color": ORANGE,
                },
            ],
            horizontal=True,
            legend=True,
        ),
        "mpi_streets": _chart(
            [row["name"] for row in poverty["by_street"]],
            [
                {"name": "H", "data": [_pct(r["H"]) for r in poverty["by_street"]], "color": GREY},
                {
                    "name": "M0",
                    "data": [_pct(r["M0"]) for r in poverty["by_street"]],
                    "color": ORANGE,
                },
            ],
            horizontal=True,
            legend=True,
            unit="%",
        ),
        "dimensions": _chart(
            [row["name"] for row in poverty["dimensions"]],
            [
                {
                    "name": _("Contribution"),
                    "data": [_pct(r["contribution"]) for r in poverty["dimensions"]],
                    "color": ORANGE,
                }
            ],
            horizontal=True,
            unit="%",
        ),
        "mpi_groups": _chart(
            [row["name"] for row in poverty["groups"]],
            [{"name": "M0", "data": [_pct(r["M0"]) for r in poverty["groups"]], "color": ORANGE}],
            horizontal=True,
            unit="%",
        ),
        "providers": _chart(
            [row["name"] for row in board["providers"][:10]],
            [
                {
                    "name": _("Orders completed"),
                    "data": [r["completed"] for r in board["providers"][:10]],
                    "color": TEAL,
                }
            ],
            horizontal=True,
        ),
        "supply": _chart(
            [f"{row['street']} · {row['item']}" for row in board["supply"][:10]],
            [
                {
                    "name": _("Demand"),
                    "data": [row["demand"] for row in board["supply"][:10]],
                    "color": BLUE,
                },
                {
                    "name": _("Capacity"),
                    "data": [round(row["capacity"], 1) for row in board["supply"][:10]],
                    "color": GREY,
                },
            ],
            horizontal=True,
            legend=True,
        ),
        "trend": _chart(
            [row["name"] for row in trend_data["rows"]],
            [
                {
                    "name": f"{trend_data['before']:%Y-%m}" if trend_data["before"] else "-",
                    "data": [_round(row["before"]) for row in trend_data["rows"]],
                    "color": GREY,
                },
                {
                    "name": f"{trend_data['after']:%Y-%m}" if trend_data["after"] else "-",
                    "data": [_round(row["after"]) for row in trend_data["rows"]],
                    "color": BLUE,
                },
            ],
            horizontal=True,
            legend=True,
        ),
    }
    return {f"dash-{key}": spec for key, spec in charts.items()}


def _flat(values: dict[str, Any]) -> dict[str, Any]:
    """Metric keys with dots ("sla.rate") as template names ("sla_rate")."""
    return {key.replace(".", "_"): value for key, value in values.items()}


@login_required
def dashboard(request):
    require_dashboards(request.user)
    errors: list[str] = []
    params = request.GET
    try:
        filters = filters_for(
            user=request.user, area=_int(params.get("area")), days=_int(params.get("days"))
        )
    except ValidationFailed as error:
        errors.append(error.message)
        filters = filters_for(user=request.user)
    metric = params.get("metric") or "mpi.M0"
    try:
        trend_data = trend(
            user=request.user,
            filters=filters,
            metric=metric,
            before=params.get("before"),
            after=params.get("after"),
        )
    except ValidationFailed as error:
        errors.append(error.message)
        trend_data = trend(user=request.user, filters=filters)
    board = dashboard_for(user=request.user, filters=filters)
    if params.get("format") == "xlsx":
        output = dashboard_export(actor=request.user, dashboard=board, trend=trend_data)
        return xlsx_response(output, stem="dashboard")
    total = board["live"]["total"]
    query = {k: v for k, v in params.items() if k != "format"}
    context = {
        "board": board,
        "available": board["live"]["available"],
        "trend": trend_data,
        "charts": _charts(board, trend_data),
        "areas": area_choices(request.user),
        "periods": PERIODS,
        "metrics": trend_metrics(),
        "chosen": {
            "area": filters.area.pk,
            "days": filters.period.days,
            "metric": trend_data["metric"],
            "before": f"{trend_data['before']:%Y-%m}" if trend_data["before"] else "",
            "after": f"{trend_data['after']:%Y-%m}" if trend_data["after"] else "",
        },
        "export_query": urlencode({**query, "format": "xlsx"}),
        "errors": errors,
        "t": _flat(total),
        "streets": [_flat(row) for row in board["live"]["by_street"]],
        "household_tables": [
            (
                "tiers",
                _("Active households by assistance tier"),
                [(t.label, total[f"households.tier.{t.value}"]) for t in Tier],
            ),
            (
                "groups",
                _("Active households by group"),
                [(g.label, total[f"households.group.{g.value}"]) for g in Group],
            ),
            (
                "urgency",
                _("Urgency tags"),
                [(u.label, total[f"households.urgency.{u.value}"]) for u in UrgencyTag],
            ),
        ],
        "warning_statuses": [(s.label, total[f"warnings.status.{s.value}"]) for s in WarningStatus],
    }
    return render(request, "analytics/dashboard.html", context)
