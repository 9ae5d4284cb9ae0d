"""Reads for the time bank's charts and lists: totals, monthly flows (for the bank a manager
sees, or for one account), redemptions at a provider's counter, group activities, households'
accounts waiting for pool hours. Every queryset goes through ``core.scoping.visible``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from jiuzhu.core.dates import day_start
from jiuzhu.core.models import User
from jiuzhu.core.scoping import visible
from jiuzhu.timebank.models import (
    Account,
    AccountKind,
    Entry,
    GroupActivity,
    Movement,
    MovementKind,
    MovementStatus,
)

#: The kinds the charts show, in this order.
FLOW_KINDS = (
    MovementKind.DEPOSIT,
    MovementKind.TRANSFER,
    MovementKind.DONATION,
    MovementKind.REDEMPTION,
    MovementKind.GRANT,
)


def _month_keys(months: int, today: dt.date) -> list[str]:
    keys = []
    year, month = today.year, today.month
    for _i in range(months):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(keys))


def _start_of(months: int, today: dt.date) -> dt.datetime:
    first = _month_keys(months, today)[0]
    day = dt.date(int(first[:4]), int(first[5:]), 1)
    return day_start(day)


def _table(
    rows: list[dict[str, Any]], months: int, month_field: str, kind_field: str
) -> dict[str, Any]:
    keys = _month_keys(months, timezone.localdate())
    minutes = {(kind, key): 0 for kind in FLOW_KINDS for key in keys}
    for row in rows:
        when = row[month_field]
        if when is None:
            continue
        if isinstance(when, dt.datetime) and timezone.is_aware(when):
            when = timezone.localtime(when)
        key = f"{when.year:04d}-{when.month:02d}"
        if (row[kind_field], key) in minutes:
            minutes[(row[kind_field], key)] += abs(row["minutes"] or 0)
    return {
        "months": keys,
        "rows": [
            {
                "month": key,
                "cells": [round(minutes[(kind, key)] / 60, 1) for kind in FLOW_KINDS],
            }
            for key in keys
        ],
        "series": [
            {
                "kind": str(kind),
                "name": str(MovementKind(kind).label),
                "data": [round(minutes[(kind, key)] / 60, 1) for key in keys],
            }
            for kind in FLOW_KINDS
        ],
    }


def monthly_flows(*, user: User, months: int = 12) -> dict[str, Any]:
    """Hours moved per month and kind (deposits, transfers, donations, redemptions, pool
    grants) touching the accounts ``user`` sees, for the last ``months`` months."""
    accounts = visible(user, Account.objects.all())
    rows = list(
        Movement.objects.filter(
            status=MovementStatus.POSTED, posted_at__gte=_start_of(months, timezone.localdate())
        )
        .filter(Q(source__in=accounts) | Q(target__in=accounts))
        .annotate(month=TruncMonth("posted_at"))
        .order_by()
        .values("month", "kind")
        .annotate(minutes=Sum("minutes"))
    )
    return _table(rows, months, "month", "kind")


def account_monthly_flows(*, user: User, account: Account, months: int = 12) -> dict[str, Any]:
    """The same for one account, from its entries (hours in or out of it)."""
    rows = list(
        visible(user, Entry.objects.filter(account=account))
        .filter(at__gte=_start_of(months, timezone.localdate()))
        .annotate(month=TruncMonth("at"))
        .order_by()
        .values("month", "movement__kind")
        .annotate(minutes=Sum("minutes"))
    )
    return _table(rows, months, "month", "movement__kind")


def totals(*, user: User) -> dict[str, Any]:
    """Accounts, hours stored and earned in the accounts ``user`` sees, by kind."""
    by_kind = {
        row["kind"]: row
        for row in visible(user, Account.objects.exclude(kind__in=["pool", "issuer", "redeemed"]))
        .order_by()
        .values("kind")
        .annotate(count=Count("id"), balance=Sum("balance_minutes"), earned=Sum("earned_minutes"))
    }
    rows = []
    for kind in (AccountKind.INDIVIDUAL, AccountKind.GROUP, AccountKind.HOUSEHOLD):
        row = by_kind.get(kind, {})
        rows.append(
            {
                "kind": str(kind),
                "label": str(kind.label),
                "count": row.get("count", 0),
                "balance_hours": round((row.get("balance") or 0) / 60, 1),
                "earned_hours": round((row.get("earned") or 0) / 60, 1),
            }
        )
    return {
        "rows": rows,
        "accounts": sum(r["count"] for r in rows),
        "balance_hours": round(sum(r["balance_hours"] for r in rows), 1),
        "earned_hours": round(sum(r["earned_hours"] for r in rows), 1),
    }


def counter_redemptions(*, user: User) -> QuerySet:
    """Redemptions made at the counter of the provider ``user`` works for."""
    return (
        visible(user, Movement.objects.filter(kind=MovementKind.REDEMPTION, provider__isnull=False))
        .select_related("source", "created_by")
        .order_by("-id")
    )


def activity_list(*, user: User) -> QuerySet:
    return (
        visible(user, GroupActivity.objects.all())
        .annotate(participants=Count("deposits"), minutes=Sum("deposits__minutes"))
        .order_by("-held_on", "-id")
    )


def household_accounts(*, user: User) -> QuerySet:
    """Households' accounts ``user`` sees (candidates for pool grants)."""
    return visible(
        user, Account.objects.filter(kind=AccountKind.HOUSEHOLD).select_related("household")
    ).order_by("id")
