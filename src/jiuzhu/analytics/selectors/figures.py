"""The dashboards' figures, computed by aggregate queries grouped by street.

Every family below takes a queryset (the rows a manager may see, or every row for the snapshot
job) and a period, and answers one dictionary of *additive* parts per (district, street): counts
and sums, never ratios. The dashboard adds the parts over the streets it shows; the snapshot job
adds them up to each street, district and the city. Ratios (SLA compliance, average rating,
conversion) are derived from the summed parts by :func:`derive`, so a district's rate is its
orders' rate, not an average of its streets' rates.

One query per family, whatever the number of rows: ``values(district, street).annotate(...)``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from jiuzhu.discovery.models import EarlyWarning, WarningOrigin, WarningStatus
from jiuzhu.orders.models import UNFINISHED_STATUSES, Order, OrderStatus, Rating
from jiuzhu.registry.models import Group, Household, HouseholdStatus, Tier, UrgencyTag
from jiuzhu.timebank.models import Deposit, DepositStatus

StreetKey = tuple[int | None, int | None]  # (district id, street id)
Parts = dict[str, float]

#: The periods the dashboards offer (days back from today, today included); the refresh job
#: keeps every flow and the provider ranking over each of them (``services/snapshots.py``).
PERIODS = (30, 90, 365)
#: Providers the dashboard ranks (the refresh keeps that many per area and period).
RANKED_PROVIDERS = 20


@dataclass(frozen=True)
class Period:
    """Days ``start`` ≤ day < ``end`` (local dates)."""

    start: dt.date
    end: dt.date

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(self.end, dt.time.min, tzinfo=tz),
        )

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @classmethod
    def month(cls, first: dt.date) -> Period:
        first = first.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return cls(first, following)


def _grouped(queryset: QuerySet, district: str, street: str, **measures: Any) -> dict:
    rows = (
        queryset.order_by()
        .values(district, street)
        .annotate(**measures)
        .values_list(district, street, *measures)
    )
    return {(row[0], row[1]): dict(zip(measures, row[2:], strict=True)) for row in rows}


def households_parts(households: QuerySet[Household]) -> dict[StreetKey, Parts]:
    """Active households now: total, by tier, by group (a household counts in each of its
    groups) and by urgency tag."""
    measures: dict[str, Any] = {"households.active": Count("id")}
    for tier in Tier:
        measures[f"households.tier.{tier.value}"] = Count("id", filter=Q(tier=tier))
    for group in Group:
        measures[f"households.group.{group.value}"] = Count(
            "id", filter=Q(groups__contains=f"|{group.value}|")
        )
    for tag in UrgencyTag:
        measures[f"households.urgency.{tag.value}"] = Count("id", filter=Q(urgency_tag=tag))
    return _grouped(
        households.filter(status=HouseholdStatus.ACTIVE), "district_id", "street_id", **measures
    )


def orders_parts(
    orders: QuerySet[Order], period: Period, now: dt.datetime | None = None
) -> dict[StreetKey, Parts]:
    """Orders placed in the period: the funnel, SLA compliance (orders whose completion
    deadline has come — completed ones that had a deadline and unfinished ones past it — and
    those completed by it, as provider monitoring counts), money spent (completed orders at the
    item's price) and person-times served (completed orders)."""
    start, end = period.bounds
    completed = Q(status=OrderStatus.COMPLETED)
    late_open = late_unfinished(now or timezone.now())
    with_deadline = completed & Q(sla__isnull=False)
    return _grouped(
        orders.filter(created_at__gte=start, created_at__lt=end),
        "household__district_id",
        "household__street_id",
        **{
            "orders.placed": Count("id"),
            "orders.accepted": Count("id", filter=Q(accepted_at__isnull=False)),
            "orders.started": Count("id", filter=Q(started_at__isnull=False)),
            "orders.completed": Count("id", filter=completed),
            "orders.cancelled": Count("id", filter=Q(status=OrderStatus.CANCELLED)),
            "orders.waiting": Count("id", filter=Q(status=OrderStatus.WAITING)),
            "sla.due": Count("id", filter=with_deadline | late_open),
            "sla.on_time": Count(
                "id", filter=with_deadline & Q(completed_at__lte=F("sla__complete_by"))
            ),
            "money.spent": Sum(F("item__price") * F("quantity"), filter=completed),
            "served.person_times": Count("id", filter=completed),
        },
    )


def provider_parts(
    orders: QuerySet[Order], period: Period, now: dt.datetime | None = None
) -> dict[tuple[int | None, int | None, int], Parts]:
    """Orders placed in the period with a provider, per (district, street, provider): placed,
    completed, SLA due and on time (as :func:`orders_parts` counts them) and the ratings of
    those orders (count and sum, so an area's average is its orders' average)."""
    start, end = period.bounds
    completed = Q(status=OrderStatus.COMPLETED)
    with_deadline = completed & Q(sla__isnull=False)
    due = with_deadline | late_unfinished(now or timezone.now())
    measures: dict[str, Any] = {
        "placed": Count("id"),
        "completed": Count("id", filter=completed),
        "due": Count("id", filter=due),
        "on_time": Count("id", filter=with_deadline & Q(completed_at__lte=F("sla__complete_by"))),
        "rated": Count("rating"),
        "rating_sum": Sum("rating__score"),
    }
    fields = ("household__district_id", "household__street_id", "provider_id")
    rows = (
        orders.filter(created_at__gte=start, created_at__lt=end, provider__isnull=False)
        .order_by()
        .values(*fields)
        .annotate(**measures)
        .values_list(*fields, *measures)
    )
    return {
        (row[0], row[1], row[2]): {
            name: float(value or 0) for name, value in zip(measures, row[3:], strict=True)
        }
        for row in rows
    }


def late_unfinished(now: dt.datetime) -> Q:
    """Orders not yet delivered whose completion deadline has passed: late already."""
    return Q(status__in=UNFINISHED_STATUSES, sla__complete_by__lte=now)


def ratings_parts(ratings: QuerySet[Rating], period: Period) -> dict[StreetKey, Parts]:
    """Ratings given in the period (1–5)."""
    start, end = period.bounds
    return _grouped(
        ratings.filter(at__gte=start, at__lt=end),
        "order__household__district_id",
        "order__household__street_id",
        **{"rating.count": Count("id"), "rating.sum": Sum("score")},
    )


CONVERTED = (WarningStatus.REGISTERED, WarningStatus.REASSESSMENT)


def warnings_parts(warnings: QuerySet[EarlyWarning], period: Period) -> dict[StreetKey, Parts]:
    """Warnings raised in the period and how their verification ended; referrals from the
    community (warnings of that origin) and how many became a registration or re-assessment."""
    start, end = period.bounds
    referral = Q(origin=WarningOrigin.REFERRAL)
    measures: dict[str, Any] = {
        "warnings.raised": Count("id"),
        "warnings.verified": Count("id", filter=Q(verified_at__isnull=False)),
        "referrals.made": Count("id", filter=referral),
        "referrals.converted": Count("id", filter=referral & Q(status__in=CONVERTED)),
    }
    for status in WarningStatus:
        measures[f"warnings.status.{status.value}"] = Count("id", filter=Q(status=status))
    return _grouped(
        warnings.filter(created_at__gte=start, created_at__lt=end),
        "district_id",
        "street_id",
        **measures,
    )


def timebank_parts(deposits: QuerySet[Deposit], period: Period) -> dict[StreetKey, Parts]:
    """Volunteer minutes confirmed in the period, by the street served."""
    start, end = period.bounds
    return _grouped(
        deposits.filter(
            status=DepositStatus.CONFIRMED, confirmed_at__gte=start, confirmed_at__lt=end
        ),
        "street__parent_id",
        "street_id",
        **{"timebank.deposits": Count("id"), "timebank.minutes": Sum("minutes")},
    )


def merge(*families: Mapping[StreetKey, Parts]) -> dict[StreetKey, Parts]:
    merged: dict[StreetKey, Parts] = defaultdict(dict)
    for family in families:
        for key, parts in family.items():
            merged[key].update({name: float(value or 0) for name, value in parts.items()})
    return dict(merged)


def add(rows: Iterable[Parts]) -> Parts:
    total: Parts = defaultdict(float)
    for parts in rows:
        for name, value in parts.items():
            total[name] += value
    return dict(total)


def _ratio(top: float | None, bottom: float | None) -> float | None:
    return (top or 0) / bottom if bottom else None


def derive(parts: Mapping[str, float]) -> dict[str, float | None]:
    """The parts plus the ratios computed from them."""
    out: dict[str, float | None] = dict(parts)
    out["sla.rate"] = _ratio(parts.get("sla.on_time"), parts.get("sla.due"))
    out["rating.average"] = _ratio(parts.get("rating.sum"), parts.get("rating.count"))
    out["referrals.rate"] = _ratio(parts.get("referrals.converted"), parts.get("referrals.made"))
    out["orders.completion_rate"] = _ratio(
        parts.get("orders.completed"), parts.get("orders.placed")
    )
    return out


#: The keys every snapshot holds besides the poverty measures (``mpi.*``).
FLOW_KEYS = (
    "orders.placed",
    "orders.accepted",
    "orders.started",
    "orders.completed",
    "orders.cancelled",
    "orders.waiting",
    "sla.due",
    "sla.on_time",
    "money.spent",
    "served.person_times",
    "rating.count",
    "rating.sum",
    "warnings.raised",
    "warnings.verified",
    "referrals.made",
    "referrals.converted",
    *(f"warnings.status.{s.value}" for s in WarningStatus),
    "timebank.deposits",
    "timebank.minutes",
)
STOCK_KEYS = (
    "households.active",
    *(f"households.tier.{t.value}" for t in Tier),
    *(f"households.group.{g.value}" for g in Group),
    *(f"households.urgency.{u.value}" for u in UrgencyTag),
)
#: Which family each key belongs to (its prefix), so a role that sees no rows of a family is
#: shown none of its figures (``selectors/dashboard.py``).
FAMILY_OF_PREFIX = {
    "households": "households",
    "orders": "orders",
    "sla": "orders",
    "money": "orders",
    "served": "orders",
    "rating": "ratings",
    "warnings": "warnings",
    "referrals": "warnings",
    "timebank": "timebank",
}
RATIO_KEYS = ("sla.rate", "rating.average", "referrals.rate", "orders.completion_rate")
MPI_KEYS = ("mpi.H", "mpi.A", "mpi.M0", "mpi.poor", "mpi.measured")
