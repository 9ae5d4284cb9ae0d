"""GET /api/v1/analytics/dashboard and /api/v1/analytics/trends: the dashboard's figures and
a metric compared between two monthly snapshots, for the caller's area (or a district or
street within it). Refused and scoped exactly like the page (``selectors/dashboard.py``)."""

from __future__ import annotations

from typing import Any

from ninja import Router

from jiuzhu.analytics.selectors.dashboard import dashboard_for, filters_for, trend
from jiuzhu.core.api import ErrorOut

router = Router(tags=["analytics"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


@router.get("/analytics/dashboard", response={200: dict[str, Any], **ERRORS})
def analytics_dashboard(request, area: int | None = None, days: int | None = None):
    """Households by tier, group and urgency; the order funnel, SLA compliance, satisfaction,
    money spent and person-times served; discovery and time-bank totals (``live``: totals and
    by street, over the last ``days`` days: 30, 90 or 365); the poverty measures as last
    computed (``poverty.computed_at``); provider ranking; the supply gap."""
    filters = filters_for(user=request.user, area=area, days=days)
    return dashboard_for(user=request.user, filters=filters)


@router.get("/analytics/trends", response={200: dict[str, Any], **ERRORS})
def analytics_trends(
    request,
    metric: str = "mpi.M0",
    area: int | None = None,
    before: str | None = None,
    after: str | None = None,
):
    """``metric`` for the area and each of its streets in two snapshot months (``before``,
    ``after`` as YYYY-MM; default the two newest), with the change and when each was taken."""
    filters = filters_for(user=request.user, area=area)
    return trend(user=request.user, filters=filters, metric=metric, before=before, after=after)
