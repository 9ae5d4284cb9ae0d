"""Taking monthly snapshots and refreshing the current figures.

``figures_compute(period)`` computes every figure of every street, district and city in one
pass per family (``selectors/figures.py``) plus one run of the poverty engine per area, over
all rows (it reads as the city administrator: the rows are summed per area, and each manager
later sees only the areas within theirs, ``scopes.py``).

``snapshot_take(month)`` writes a month's figures **once**: rows are inserted, never updated,
so a month taken in the past keeps the values it had, whatever happens to the data since
(``tests/analytics``). ``figures_refresh()`` replaces the current figures the dashboards read
instead of computing on every view (issue 14 item 3: 300 ms at a city's scale): the stocks, the
flows and the provider ranking over each offered period, the poverty measures and the supply
gap. ``figures_refresh(slow=False)`` (every few minutes) leaves the last two as they are.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiuzhu.analytics.models import CurrentFigure, MonthlySnapshot
from jiuzhu.analytics.selectors import figures
from jiuzhu.assessment.selectors.analytics import analytics_for, published_or_latest
from jiuzhu.core.models import Area, AreaLevel, Role, User
from jiuzhu.core.selectors.areas import area_subtree
from jiuzhu.discovery.models import EarlyWarning
from jiuzhu.dispatch.selectors.supply import supply_gap
from jiuzhu.orders.models import Order, Provider, Rating
from jiuzhu.registry.models import Group, Household
from jiuzhu.timebank.models import Deposit

log = logging.getLogger(__name__)
LEVELS = (AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.STREET)
AreaFigures = dict[int, dict[str, float | None]]


def _reader(city: Area) -> User:
    """An unsaved city administrator of ``city``: the engine's analytics read through the
    scoping layer, and the job must see every household of the city."""
    return User(username="analytics-snapshot", role=Role.CITY_ADMIN, area=city, is_active=True)


def _mpi(reader: User, area: Area) -> dict[str, float | None]:
    """H, A, M0, poor and measured households, dimension contributions and the same by
    primary group, of the households of ``area``."""
    filters: dict[str, Any] = {}
    if area.level == AreaLevel.DISTRICT:
        filters["district"] = area.pk
    elif area.level == AreaLevel.STREET:
        filters["street"] = area.pk
    report = analytics_for(user=reader, by="group", **filters)
    out: dict[str, float | None] = {
        "mpi.H": report["H"],
        "mpi.A": report["A"],
        "mpi.M0": report["M0"],
        "mpi.poor": report["poor"],
        "mpi.measured": report["n"],
    }
    for code, item in report["dimensions"].items():
        out[f"mpi.dim.{code}"] = item["contribution"]
    for item in (report.get("groups") or {}).values():
        if item["key"] in Group.values:
            for measure in ("H", "A", "M0", "n"):
                out[f"mpi.group.{item['key']}.{measure}"] = item[measure]
    return out


def _areas() -> dict[int, tuple[str, int | None]]:
    return {
        pk: (level, parent)
        for pk, level, parent in Area.objects.filter(level__in=LEVELS).values_list(
            "pk", "level", "parent_id"
        )
    }


def _targets(
    areas: dict[int, tuple[str, int | None]], district_id: int | None, street_id: int | None
) -> set[int]:
    """The areas a row of (district, street) counts in: its street, district and city."""
    targets = {street_id, district_id}
    if district_id in areas:
        targets.add(areas[district_id][1])
    return {area_id for area_id in targets if area_id in areas}


def figures_compute(period: figures.Period, *, mpi: bool = True) -> AreaFigures:
    """Every figure of every city, district and street (the flows over ``period``); the
    poverty measures too unless ``mpi`` is false (the engine runs once per area: the slow
    part)."""
    parts = figures.merge(
        figures.households_parts(Household.objects.all()),
        figures.orders_parts(Order.objects.all(), period),
        figures.ratings_parts(Rating.objects.all(), period),
        figures.warnings_parts(EarlyWarning.objects.all(), period),
        figures.timebank_parts(Deposit.objects.all(), period),
    )
    areas = _areas()
    summed: dict[int, list[figures.Parts]] = defaultdict(list)
    for (district_id, street_id), row in parts.items():
        for area_id in _targets(areas, district_id, street_id):
            summed[area_id].append(row)
    empty = dict.fromkeys((*figures.FLOW_KEYS, *figures.STOCK_KEYS), 0.0)
    result: AreaFigures = {
        pk: figures.derive({**empty, **figures.add(summed.get(pk, []))}) for pk in areas
    }
    if mpi and published_or_latest() is not None:
        for city in Area.objects.filter(level=AreaLevel.CITY):
            reader = _reader(city)
            for area in area_subtree(city).filter(level__in=LEVELS):
                result[area.pk].update(_mpi(reader, area))
    return result


def _rank_key(name: str, row: figures.Parts) -> tuple[float, bool, float, str]:
    """Most orders completed first, then the best average rating (unrated last), then by
    name: the order the dashboard lists providers in."""
    rating = row["rating_sum"] / row["rated"] if row.get("rated") else None
    return (-row.get("completed", 0), rating is None, -(rating or 0), name)


def live_compute(now: dt.datetime) -> AreaFigures:
    """What the dashboards show over each offered period ending today (``figures.PERIODS``),
    for every city, district and street, as additive parts: ``p<days>.<flow key>`` (ratios
    are derived when read, so an area's rate is its orders' rate) and the area's top providers
    ``rank.<days>.<provider id>.<measure>``. A handful of grouped queries over all rows,
    whatever the number of areas: what a page would otherwise run on every view."""
    today = timezone.localdate(now)
    areas = _areas()
    out: AreaFigures = defaultdict(dict)
    names: dict[int, str] = {}
    for days in figures.PERIODS:
        period = figures.Period(today - dt.timedelta(days=days - 1), today + dt.timedelta(days=1))
        parts = figures.merge(
            figures.orders_parts(Order.objects.all(), period, now),
            figures.ratings_parts(Rating.objects.all(), period),
            figures.warnings_parts(EarlyWarning.objects.all(), period),
            figures.timebank_parts(Deposit.objects.all(), period),
        )
        summed: dict[int, list[figures.Parts]] = defaultdict(list)
        for (district_id, street_id), row in parts.items():
            for area_id in _targets(areas, district_id, street_id):
                summed[area_id].append(row)
        for area_id in areas:
            flows = {**dict.fromkeys(figures.FLOW_KEYS, 0.0), **figures.add(summed[area_id])}
            out[area_id].update({f"p{days}.{key}": value for key, value in flows.items()})
        providers: dict[int, dict[int, list[figures.Parts]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for (district_id, street_id, provider_id), row in figures.provider_parts(
            Order.objects.all(), period, now
        ).items():
            for area_id in _targets(areas, district_id, street_id):
                providers[area_id][provider_id].append(row)
        missing = {pid for by in providers.values() for pid in by} - set(names)
        names.update(
            Provider.objects.filter(pk__in=missing).values_list("pk", "organisation__name")
        )
        for area_id, by_provider in providers.items():
            totals = {pid: figures.add(rows) for pid, rows in by_provider.items()}
            ranked = sorted(totals, key=lambda pid: _rank_key(names.get(pid, ""), totals[pid]))
            for pid in ranked[: figures.RANKED_PROVIDERS]:
                out[area_id].update(
                    {f"rank.{days}.{pid}.{name}": value for name, value in totals[pid].items()}
                )
    return out


def _month_of(value: dt.date) -> dt.date:
    return value.replace(day=1)


@transaction.atomic
def snapshot_take(*, month: dt.date, now: dt.datetime | None = None) -> int:
    """Write the snapshot of ``month`` (its flows over the month, its stocks as they are now)
    for every area; keys already taken are kept as they were. Returns the rows written."""
    now = now or timezone.now()
    first = _month_of(month)
    if first > _month_of(timezone.localdate(now)):
        raise ValueError("a month that has not begun cannot be taken")
    values = figures_compute(figures.Period.month(first))
    taken = set(
        MonthlySnapshot.objects.filter(month=first).values_list("area_id", "key").iterator()
    )
    rows = [
        MonthlySnapshot(area_id=area_id, month=first, key=key, value=value, computed_at=now)
        for area_id, keyed in values.items()
        for key, value in keyed.items()
        if (area_id, key) not in taken
    ]
    MonthlySnapshot.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


#: The supply gap the dashboards show: the dispatch centre's, over the last 30 days.
SUPPLY_DAYS = 30


def _supply(now: dt.datetime) -> AreaFigures:
    """The dispatch centre's supply gap (street × service item) as figures of each street:
    ``supply.<item id>.demand``, ``.capacity`` and ``.unmet``."""
    out: AreaFigures = defaultdict(dict)
    for city in Area.objects.filter(level=AreaLevel.CITY):
        for row in supply_gap(user=_reader(city), days=SUPPLY_DAYS, now=now):
            keyed = out[row["street_id"]]
            for measure in ("demand", "capacity", "unmet"):
                keyed[f"supply.{row['item_id']}.{measure}"] = float(row[measure])
    return out


#: Keys only the full refresh computes (the poverty engine per area, the supply gap).
SLOW_PREFIXES = ("mpi.", "supply.")


def figures_refresh(*, now: dt.datetime | None = None, slow: bool = True) -> int:
    """Replace the current figures: this month so far and the stocks as they are now, every
    flow and the provider ranking over each offered period (``live_compute``), and — unless
    ``slow`` is false — the poverty measures and the supply gap. Computed first, then swapped
    in one transaction, so a dashboard read meanwhile sees the previous run's figures whole.
    Returns the rows written."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    values = figures_compute(
        figures.Period(_month_of(today), today + dt.timedelta(days=1)), mpi=slow
    )
    for area_id, keyed in live_compute(now).items():
        values.setdefault(area_id, {}).update(keyed)
    if slow:
        for area_id, keyed in _supply(now).items():
            values.setdefault(area_id, {}).update(keyed)
    rows = [
        CurrentFigure(area_id=area_id, key=key, value=value, computed_at=now)
        for area_id, keyed in values.items()
        for key, value in keyed.items()
    ]
    with transaction.atomic():
        stale = CurrentFigure.objects.all()
        if not slow:
            for prefix in SLOW_PREFIXES:
                stale = stale.exclude(key__startswith=prefix)
        stale.delete()
        CurrentFigure.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def previous_month(today: dt.date) -> dt.date:
    return (_month_of(today) - dt.timedelta(days=1)).replace(day=1)


def analytics_cycle(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic job: refresh the current figures; take last month's snapshot when it has
    not been taken (on the first run of a month, so its stocks are those at the month's end)."""
    now = now or timezone.now()
    done = {"current": figures_refresh(now=now)}
    last = previous_month(timezone.localdate(now))
    if not MonthlySnapshot.objects.filter(month=last).exists():
        done["snapshot"] = snapshot_take(month=last, now=now)
    return done
