"""Rankings and spending: providers by quality per district and period, and the person-times
(人次) served and money paid per item, street and group — from statements, so every figure is
one the statements already show.

Person-times are the quantities of the confirmed deliveries the statements count. Money per item
is the sum of the item's statement lines (after quality). Money per street and per group is
allocated from those lines order by order (unit price × quantity × the line's pay percent) and
rounded to the fen once per total, so a street's money can differ from a sum of lines by a fen.
Corrections belong to no item and are reported as their own total.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from jiuzhu.core.models import User
from jiuzhu.evaluation.engine.settlement import money
from jiuzhu.evaluation.models import LineKind, Statement, StatementLine
from jiuzhu.evaluation.selectors.projects import statement_list
from jiuzhu.orders.models import Order
from jiuzhu.registry.models import Group


def ranked_statements(
    *, user: User, period: str = "", district_id: int | None = None
) -> QuerySet[Statement]:
    statements = statement_list(user=user)
    if period:
        statements = statements.filter(period=period)
    if district_id:
        statements = statements.filter(project__district_id=district_id)
    return statements


def rankings(*, user: User, period: str = "", district_id: int | None = None) -> dict[str, Any]:
    statements = ranked_statements(user=user, period=period, district_id=district_id)
    listed = list(statements.order_by("project__district__code", "period", "pk"))
    person_times = dict(
        StatementLine.objects.filter(statement__in=statements, kind=LineKind.ITEM)
        .values_list("statement_id")
        .annotate(n=Sum("quantity"))
    )
    providers = []
    by_group: dict[tuple[int, str], list[Statement]] = defaultdict(list)
    for statement in listed:
        by_group[(statement.project.district_id, statement.period)].append(statement)
    for (_district, _period), group in by_group.items():
        group.sort(key=lambda s: (s.score is None, -(s.score or Decimal(0)), s.pk))
        for rank, statement in enumerate(group, start=1):
            providers.append(
                {
                    "rank": rank,
                    "district": statement.project.district.name,
                    "period": statement.period,
                    "provider": statement.project.provider.organisation.name,
                    "project": statement.project.code,
                    "statement_id": statement.pk,
                    "status": statement.status,
                    "score": statement.score,
                    "percent": statement.percent,
                    "person_times": person_times.get(statement.pk, 0),
                    "total": statement.total,
                }
            )
    lines = list(
        StatementLine.objects.filter(statement__in=statements, kind=LineKind.ITEM).select_related(
            "item"
        )
    )
    items: dict[str, dict[str, Any]] = {}
    for line in lines:
        name = str(line.item) if line.item_id else line.description
        row = items.setdefault(name, {"item": name, "person_times": 0, "money": Decimal(0)})
        row["person_times"] += line.quantity
        row["money"] += line.amount
    order_ids = [pk for line in lines for pk in line.orders]
    orders = {
        pk: (street, groups, quantity)
        for pk, street, groups, quantity in Order.objects.filter(pk__in=order_ids).values_list(
            "pk", "household__street__name", "household__groups", "quantity"
        )
    }
    streets: dict[str, dict[str, Any]] = {}
    groups: dict[str, dict[str, Any]] = {}
    labels = dict(Group.choices)
    for line in lines:
        for pk in line.orders:
            if pk not in orders:
                continue
            street, group_codes, quantity = orders[pk]
            share = (line.unit_price or Decimal(0)) * quantity * line.percent / 100
            row = streets.setdefault(street, {"street": street, "person_times": 0, "money": 0})
            row["person_times"] += quantity
            row["money"] += share
            for code in [g for g in (group_codes or "").split("|") if g]:
                label = str(labels.get(code, code))
                grow = groups.setdefault(label, {"group": label, "person_times": 0, "money": 0})
                grow["person_times"] += quantity
                grow["money"] += share
    for row in [*streets.values(), *groups.values()]:
        row["money"] = money(Decimal(row["money"]))
    corrections = StatementLine.objects.filter(
        Q(statement__in=statements) & Q(kind=LineKind.CORRECTION)
    ).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    return {
        "providers": providers,
        "items": sorted(items.values(), key=lambda r: -r["person_times"]),
        "streets": sorted(streets.values(), key=lambda r: -r["person_times"]),
        "groups": sorted(groups.values(), key=lambda r: -r["person_times"]),
        "corrections": corrections,
        "person_times": sum(r["person_times"] for r in items.values()),
        "money": sum((r["money"] for r in items.values()), Decimal(0)) + corrections,
    }
