"""The dashboard as a workbook: one sheet per chart's table, written through the audited export
path (``core.services.exports.export_audited``)."""

from __future__ import annotations

from typing import IO, Any

from django.utils.translation import gettext as _

from jiuzhu.analytics.policy import require_dashboards
from jiuzhu.core.models import User
from jiuzhu.core.services.exports import Sheet, export_audited
from jiuzhu.registry.models import Group, Tier, UrgencyTag


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 2)


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def dashboard_export(*, actor: User, dashboard: dict[str, Any], trend: dict[str, Any]) -> IO[bytes]:
    """Every table of ``dashboard`` (``selectors.dashboard.dashboard_for``) and ``trend``."""
    require_dashboards(actor)
    total = dashboard["live"]["total"]
    streets = dashboard["live"]["by_street"]
    poverty = dashboard["poverty"]
    households = [
        *((_("Assistance tier"), str(t.label), total[f"households.tier.{t.value}"]) for t in Tier),
        *((_("Group"), str(g.label), total[f"households.group.{g.value}"]) for g in Group),
        *(
            (_("Urgency tag"), str(u.label), total[f"households.urgency.{u.value}"])
            for u in UrgencyTag
        ),
    ]
    street_rows = [
        (
            row["name"],
            row["households.active"],
            row["orders.placed"],
            row["orders.completed"],
            _pct(row["sla.rate"]),
            _round(row["rating.average"], 2),
            row["money.spent"],
            row["served.person_times"],
            row["warnings.raised"],
            row["timebank.minutes"],
        )
        for row in streets
    ]
    funnel = [
        (_("Placed"), total["orders.placed"]),
        (_("Accepted"), total["orders.accepted"]),
        (_("Service started"), total["orders.started"]),
        (_("Completed"), total["orders.completed"]),
        (_("Cancelled"), total["orders.cancelled"]),
        (_("Completed within the SLA (%)"), _pct(total["sla.rate"])),
        (_("Average rating"), _round(total["rating.average"], 2)),
        (_("Money spent (yuan)"), total["money.spent"]),
        (_("Person-times served"), total["served.person_times"]),
    ]
    poverty_rows = [
        (
            row["name"],
            row["measured"],
            row["poor"],
            _pct(row["H"]),
            _pct(row["A"]),
            _round(row["M0"]),
        )
        for row in poverty["by_street"]
    ]
    group_rows = [
        (row["name"], row["n"], _pct(row["H"]), _pct(row["A"]), _round(row["M0"]))
        for row in poverty["groups"]
    ]
    dimension_rows = [(row["name"], _pct(row["contribution"])) for row in poverty["dimensions"]]
    providers = [
        (
            i + 1,
            row["name"],
            row["placed"],
            row["completed"],
            _pct(row["on_time_rate"]),
            _round(row["rating"], 2),
        )
        for i, row in enumerate(dashboard["providers"])
    ]
    supply = [
        (row["street"], row["item"], row["demand"], round(row["capacity"], 1), row["unmet"])
        for row in dashboard["supply"]
    ]
    discovery = [
        (_("Warnings raised"), total["warnings.raised"]),
        (_("Verified"), total["warnings.verified"]),
        (_("Referrals from the community"), total["referrals.made"]),
        (_("Referrals that led to registration or re-assessment"), total["referrals.converted"]),
        (_("Referral conversion (%)"), _pct(total["referrals.rate"])),
        (_("Volunteer deposits confirmed"), total["timebank.deposits"]),
        (_("Volunteer minutes deposited"), total["timebank.minutes"]),
    ]
    trend_rows = [
        (row["name"], row["before"], row["after"], row["change"]) for row in trend["rows"]
    ]
    month = _("Month %(month)s")
    sheets = [
        Sheet(_("Households"), [_("By"), _("Category"), _("Households")], households, (16, 30, 12)),
        Sheet(
            _("By street"),
            [
                _("Street"),
                _("Active households"),
                _("Orders placed"),
                _("Orders completed"),
                _("Completed within the SLA (%)"),
                _("Average rating"),
                _("Money spent (yuan)"),
                _("Person-times served"),
                _("Warnings raised"),
                _("Volunteer minutes deposited"),
            ],
            street_rows,
            (16, 12, 12, 12, 14, 12, 14, 14, 12, 14),
        ),
        Sheet(_("Orders"), [_("Measure"), _("Value")], funnel, (30, 14)),
        Sheet(
            _("Poverty by street"),
            [_("Street"), _("Households measured"), _("Poor"), "H (%)", "A (%)", "M0"],
            poverty_rows,
            (16, 14, 10, 10, 10, 10),
        ),
        Sheet(
            _("Poverty by group"),
            [_("Group"), _("Households measured"), "H (%)", "A (%)", "M0"],
            group_rows,
            (20, 14, 10, 10, 10),
        ),
        Sheet(_("Dimensions"), [_("Dimension"), _("Contribution (%)")], dimension_rows, (20, 14)),
        Sheet(
            _("Providers"),
            [
                _("Rank"),
                _("Provider"),
                _("Orders placed"),
                _("Orders completed"),
                _("Completed within the SLA (%)"),
                _("Average rating"),
            ],
            providers,
            (8, 30, 12, 12, 14, 12),
        ),
        Sheet(
            _("Supply gap"),
            [_("Street"), _("Service item"), _("Demand"), _("Capacity"), _("Unmet")],
            supply,
            (16, 24, 10, 10, 10),
        ),
        Sheet(_("Discovery and time bank"), [_("Measure"), _("Value")], discovery, (36, 14)),
        Sheet(
            _("Trend"),
            [
                _("Area"),
                month % {"month": f"{trend['before']:%Y-%m}"} if trend["before"] else "-",
                month % {"month": f"{trend['after']:%Y-%m}"} if trend["after"] else "-",
                _("Change"),
            ],
            trend_rows,
            (16, 14, 14, 12),
        ),
    ]
    return export_audited(
        actor=actor,
        sheets=sheets,
        object_type="analytics.dashboard",
        detail={
            "area": dashboard["area"]["id"],
            "start": str(dashboard["period"]["start"]),
            "end": str(dashboard["period"]["end"]),
            "metric": trend["metric"],
        },
    )
