"""What the dashboards show, for one manager, one area and one period.

Nothing here scans the registry or the orders: every figure is read from the current figures
the periodic jobs keep (``CurrentFigure``, ``services/snapshots.py``) for the chosen area and
its streets, with the time they were computed, which the page shows (issue 14 item 3: 300 ms
at p95 with a million households). The stocks, the flows over each offered period and the
provider ranking are refreshed every few minutes; the poverty measures (the engine over every
assessed household) and the supply gap hourly. The figures are kept per area, and the
dashboard roles see exactly the rows of their area (``core.scoping``), so a manager reads the
areas within theirs (``scopes.py``) and a family their role is granted no rows of
(``core.scoping.is_granted``) is shown as not kept. Trends compare two monthly snapshots.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.analytics.models import CurrentFigure, MonthlySnapshot
from jiuzhu.analytics.policy import require_dashboards
from jiuzhu.analytics.selectors import figures
from jiuzhu.assessment.models import Dimension
from jiuzhu.assessment.selectors.analytics import published_or_latest
from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.models import Area, AreaLevel, User
from jiuzhu.core.scoping import is_granted, visible
from jiuzhu.core.selectors.areas import SUBTREE_PREFIX
from jiuzhu.discovery.models import EarlyWarning
from jiuzhu.orders.models import Order, Provider
from jiuzhu.registry.models import Household
from jiuzhu.timebank.models import Deposit

#: Periods offered (days back from today, today included).
PERIODS = figures.PERIODS
RANKED_PROVIDERS = figures.RANKED_PROVIDERS
SUPPLY_ROWS = 30


@dataclass(frozen=True)
class Filters:
    area: Area
    period: figures.Period
    days: int

    @cached_property
    def streets(self) -> dict[int, str]:
        """The area's streets, read once for every section of one dashboard."""
        return _streets(self.area)


def _inside(outer: Area, inner: Area) -> bool:
    return inner.code.startswith(outer.code[: SUBTREE_PREFIX[outer.level]])


def filters_for(
    *, user: User, area: int | None = None, days: int | None = None, today: dt.date | None = None
) -> Filters:
    """The area (the user's own unless a district or street within it is chosen) and the
    period; ``ValidationFailed`` for an area outside the user's or an unknown period."""
    require_dashboards(user)
    own = user.area
    assert own is not None  # require_dashboards
    chosen = own
    if area is not None:
        found = Area.objects.filter(
            pk=area, level__in=(AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.STREET)
        ).first()
        if found is None or not _inside(own, found):
            raise ValidationFailed({"area": [_("Choose an area within yours.")]})
        chosen = found
    days = days or PERIODS[0]
    if days not in PERIODS:
        raise ValidationFailed({"days": [_("Choose 30, 90 or 365 days.")]})
    today = today or timezone.localdate()
    return Filters(
        chosen,
        figures.Period(today - dt.timedelta(days=days - 1), today + dt.timedelta(days=1)),
        days,
    )


def area_choices(user: User) -> list[Area]:
    """The user's area and the districts and streets within it."""
    own = user.area
    if own is None:
        return []
    return list(
        Area.objects.filter(
            code__startswith=own.code[: SUBTREE_PREFIX[own.level]],
            level__in=(AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.STREET),
        ).order_by("code")
    )


#: The models behind each family of figures: a role granted no rows of one is shown none.
FAMILY_MODELS: dict[str, Any] = {
    "households": Household,
    "orders": Order,
    "ratings": Order,  # ratings are seen with their order
    "warnings": EarlyWarning,
    "timebank": Deposit,
}


def _family(key: str) -> str:
    return figures.FAMILY_OF_PREFIX[key.split(".", 1)[0]]


def _streets(area: Area) -> dict[int, str]:
    """The streets the by-street tables list (the area's own when it is a street)."""
    if area.level == AreaLevel.STREET:
        return {area.pk: area.name}
    return dict(
        Area.objects.filter(
            level=AreaLevel.STREET, code__startswith=area.code[: SUBTREE_PREFIX[area.level]]
        )
        .order_by("code")
        .values_list("pk", "name")
    )


def _read(user: User, area_ids: list[int], keys: Q) -> tuple[dict[int, dict[str, float]], Any]:
    """The current figures of ``keys`` for the areas the user may see among ``area_ids``, and
    when they were computed (the oldest row read: the figures are as fresh as that)."""
    values: dict[int, dict[str, float]] = {pk: {} for pk in area_ids}
    rows = visible(user, CurrentFigure.objects.filter(keys, area_id__in=area_ids)).order_by()
    for area_id, key, value in rows.values_list("area_id", "key", "value"):
        values[area_id][key] = value or 0.0
    # One aggregate rather than a timestamp per row: reading a thousand timestamps back costs
    # more than the query.
    return values, rows.aggregate(at=Min("computed_at"))["at"]


def live_figures(*, user: User, filters: Filters) -> dict[str, Any]:
    """Every figure of the households, orders, ratings, warnings and time bank: totals over
    the area and the same by street (a family the role sees no rows of shows zeros and
    ``available`` false), read from the current figures (``computed_at``)."""
    area, days = filters.area, filters.days
    available = {name: is_granted(user, model) for name, model in FAMILY_MODELS.items()}
    streets = filters.streets
    prefix = f"p{days}."
    values, fresh = _read(
        user,
        [area.pk, *streets],
        Q(key__startswith="households.") | Q(key__startswith=prefix),
    )
    empty = dict.fromkeys((*figures.FLOW_KEYS, *figures.STOCK_KEYS), 0.0)

    def shown(keyed: dict[str, float]) -> dict[str, float | None]:
        parts = dict(empty)
        for key, value in keyed.items():
            name = key.removeprefix(prefix)
            if name in empty and available[_family(name)]:
                parts[name] = value
        return figures.derive(parts)

    rows = [{"area_id": pk, "name": streets[pk], **shown(values[pk])} for pk in streets]
    return {
        "total": shown(values[area.pk]),
        "by_street": rows,
        "available": available,
        "computed_at": fresh,
    }


def provider_ranking(*, user: User, filters: Filters) -> list[dict[str, Any]]:
    """Providers by orders completed in the period in the area, with their average rating and
    SLA compliance over those orders, as the refresh ranked them (``rank.<days>.*``)."""
    if not is_granted(user, Order):
        return []
    prefix = f"rank.{filters.days}."
    values, _fresh = _read(user, [filters.area.pk], Q(key__startswith=prefix))
    by_provider: dict[int, dict[str, float]] = {}
    for key, value in values[filters.area.pk].items():
        provider, measure = key.removeprefix(prefix).split(".")
        by_provider.setdefault(int(provider), {})[measure] = value
    names = dict(
        Provider.objects.filter(pk__in=list(by_provider)).values_list("pk", "organisation__name")
    )
    rows: list[dict[str, Any]] = [
        {
            "provider_id": pk,
            "name": names.get(pk, str(pk)),
            "placed": int(row.get("placed", 0)),
            "completed": int(row.get("completed", 0)),
            "on_time_rate": row["on_time"] / row["due"] if row.get("due") else None,
            "rated": int(row.get("rated", 0)),
            "rating": row["rating_sum"] / row["rated"] if row.get("rated") else None,
        }
        for pk, row in by_provider.items()
    ]
    rows.sort(key=lambda r: (-r["completed"], r["rating"] is None, -(r["rating"] or 0), r["name"]))
    return rows[:RANKED_PROVIDERS]


def supply(*, user: User, filters: Filters) -> list[dict[str, Any]]:
    """The dispatch centre's supply gap (street × item, last 30 days) in the area, as the
    periodic job last computed it (``dispatch.selectors.supply.supply_gap`` answers in
    seconds at a city's scale): shortfall first, then unmet orders."""
    streets = filters.streets
    cells: dict[tuple[int, int], dict[str, float]] = {}
    for area_id, key, value in visible(
        user, CurrentFigure.objects.filter(area_id__in=list(streets), key__startswith="supply.")
    ).values_list("area_id", "key", "value"):
        _prefix, item, measure = key.split(".")
        cells.setdefault((area_id, int(item)), {})[measure] = value or 0.0
    names = dict(
        ServiceItem.objects.filter(pk__in={item for _a, item in cells}).values_list("pk", "name")
    )
    rows: list[dict[str, Any]] = [
        {
            "street_id": area_id,
            "street": streets[area_id],
            "item_id": item,
            "item": names.get(item, str(item)),
            "demand": int(cell.get("demand", 0)),
            "capacity": cell.get("capacity", 0.0),
            "unmet": int(cell.get("unmet", 0)),
            "shortfall": max(0, math.ceil(cell.get("demand", 0) - cell.get("capacity", 0.0))),
        }
        for (area_id, item), cell in cells.items()
    ]
    rows.sort(key=lambda r: (-r["shortfall"], -r["unmet"], -r["demand"], r["street"], r["item"]))
    return rows[:SUPPLY_ROWS]


def _current(user: User, area_ids: list[int]) -> tuple[dict[int, dict[str, float | None]], Any]:
    values: dict[int, dict[str, float | None]] = {pk: {} for pk in area_ids}
    fresh = None
    rows = visible(user, CurrentFigure.objects.filter(area_id__in=area_ids, key__startswith="mpi."))
    for area_id, key, value, at in rows.values_list("area_id", "key", "value", "computed_at"):
        values[area_id][key] = value
        fresh = at if fresh is None else min(fresh, at)
    return values, fresh


def poverty(*, user: User, filters: Filters) -> dict[str, Any]:
    """H, A, M0 and dimension contributions of the area, by street and by primary group, as
    the periodic job last computed them (``computed_at``)."""
    area = filters.area
    streets = filters.streets
    values, fresh = _current(user, [area.pk, *streets])
    own = values[area.pk]
    framework = published_or_latest()
    dimensions: list[dict[str, Any]] = []
    if framework is not None:
        for code, name in Dimension.objects.filter(framework=framework).values_list("code", "name"):
            dimensions.append(
                {"code": code, "name": name, "contribution": own.get(f"mpi.dim.{code}")}
            )
    from jiuzhu.registry.models import Group

    groups = [
        {
            "key": group.value,
            "name": str(group.label),
            "n": own.get(f"mpi.group.{group.value}.n"),
            "H": own.get(f"mpi.group.{group.value}.H"),
            "A": own.get(f"mpi.group.{group.value}.A"),
            "M0": own.get(f"mpi.group.{group.value}.M0"),
        }
        for group in Group
        if own.get(f"mpi.group.{group.value}.n")
    ]
    by_street = [
        {
            "area_id": pk,
            "name": name,
            "measured": values[pk].get("mpi.measured"),
            "poor": values[pk].get("mpi.poor"),
            "H": values[pk].get("mpi.H"),
            "A": values[pk].get("mpi.A"),
            "M0": values[pk].get("mpi.M0"),
        }
        for pk, name in streets.items()
    ]
    return {
        "computed_at": fresh,
        "total": {key.removeprefix("mpi."): own.get(key) for key in figures.MPI_KEYS},
        "dimensions": dimensions,
        "groups": groups,
        "by_street": by_street,
    }


# ---------------------------------------------------------------------------------------------
# Trends


#: Metrics a trend may compare (key → label), in the order the page offers them.
def trend_metrics() -> dict[str, str]:
    return {
        "mpi.M0": _("Multidimensional poverty index (M0)"),
        "mpi.H": _("Poverty headcount ratio (H)"),
        "mpi.A": _("Average deprivation share (A)"),
        "households.active": _("Active households"),
        "households.urgency.urgent": _("Need urgent intervention"),
        "orders.placed": _("Orders placed"),
        "orders.completed": _("Orders completed"),
        "sla.rate": _("SLA compliance"),
        "rating.average": _("Average rating"),
        "money.spent": _("Money spent (yuan)"),
        "served.person_times": _("Person-times served"),
        "warnings.raised": _("Warnings raised"),
        "referrals.rate": _("Referral conversion"),
        "timebank.minutes": _("Volunteer minutes deposited"),
    }


def snapshot_months(*, user: User) -> list[dt.date]:
    """Months with a snapshot the user may see, newest first."""
    return list(
        visible(user, MonthlySnapshot.objects.all())
        .order_by("-month")
        .values_list("month", flat=True)
        .distinct()
    )


def _parse_month(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise ValidationFailed({field: [_("Give the month as YYYY-MM.")]}) from None


def trend(
    *,
    user: User,
    filters: Filters,
    metric: str = "mpi.M0",
    before: str | None = None,
    after: str | None = None,
) -> dict[str, Any]:
    """The metric for the area and each of its streets in two snapshot months (default: the
    two newest), with the change; the months' ``computed_at`` say when each was taken."""
    if metric not in trend_metrics():
        raise ValidationFailed({"metric": [_("Choose a metric from the list.")]})
    months = snapshot_months(user=user)
    month_b = _parse_month(after, "after") or (months[0] if months else None)
    month_a = _parse_month(before, "before") or (months[1] if len(months) > 1 else None)
    area = filters.area
    streets = _streets(area)
    ids = [area.pk, *streets]
    names = {area.pk: area.name, **streets}
    chosen = [m for m in (month_a, month_b) if m is not None]
    values: dict[tuple[int, dt.date], float | None] = {}
    taken: dict[dt.date, Any] = {}
    for area_id, month, value, at in visible(
        user,
        MonthlySnapshot.objects.filter(area_id__in=ids, month__in=chosen, key=metric),
    ).values_list("area_id", "month", "value", "computed_at"):
        values[(area_id, month)] = value
        taken[month] = max(taken.get(month, at), at)
    rows = []
    for pk in ids:
        a = values.get((pk, month_a)) if month_a else None
        b = values.get((pk, month_b)) if month_b else None
        rows.append(
            {
                "area_id": pk,
                "name": names[pk],
                "before": a,
                "after": b,
                "change": (b - a) if a is not None and b is not None else None,
            }
        )
    return {
        "metric": metric,
        "label": trend_metrics()[metric],
        "before": month_a,
        "after": month_b,
        "before_taken": taken.get(month_a) if month_a else None,
        "after_taken": taken.get(month_b) if month_b else None,
        "months": months,
        "rows": rows,
    }


def dashboard_for(*, user: User, filters: Filters) -> dict[str, Any]:
    """Every section of the dashboard page and API; ``computed_at`` is when the figures the
    page reads were computed (None before the first refresh)."""
    live = live_figures(user=user, filters=filters)
    return {
        "area": {"id": filters.area.pk, "name": filters.area.name, "level": filters.area.level},
        "period": {"start": filters.period.start, "end": filters.period.end - dt.timedelta(days=1)},
        "computed_at": live["computed_at"],
        "live": live,
        "poverty": poverty(user=user, filters=filters),
        "providers": provider_ranking(user=user, filters=filters),
        "supply": supply(user=user, filters=filters),
    }
