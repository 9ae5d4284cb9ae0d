"""The figures behind a project's quality score for a period, drawn from the facts the platform
already computes — never recomputed differently here — and always over **the project's own
orders** (:func:`project_orders`: its provider, its items, households of its district), never the
provider's platform-wide figures (a provider with two projects is judged on each separately):

- acceptance, timeliness and rating: ``dispatch.selectors.monitoring.provider_metrics`` for the
  project's provider over the period, restricted to the project's orders (the dispatch centre's
  monitoring page computes the same figures platform-wide; ratings come from
  ``orders.selectors.provider_facts`` through it);
- complaints: *upheld* complaints (``orders.ComplaintStatus.UPHELD``, decided by those who handle
  the hotline's tickets) about the project's orders completed in the period ÷ those orders; a
  complaint still pending or not upheld does not count. Each statement line cites the upheld
  complaints about the deliveries it counts;
- confirmed deliveries and delivery-evidence flags: the project's confirmed deliveries
  (:func:`deliveries`) and their ``orders.DeliveryEvidence``;
- spot checks: the project's spot checks dated in the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Q, QuerySet

from jiuzhu.core.dates import day_start
from jiuzhu.dispatch.selectors.monitoring import provider_metrics
from jiuzhu.evaluation.engine import quality as engine
from jiuzhu.evaluation.models import Project, SpotCheck
from jiuzhu.orders.models import (
    Complaint,
    ComplaintStatus,
    Confirmation,
    DeliveryEvidence,
    Order,
    OrderStatus,
    Provider,
)


def project_orders(project: Project) -> QuerySet[Order]:
    """The orders a project pays for: its provider's, of its items, for households of its
    district."""
    return Order.objects.filter(
        provider_id=project.provider_id,
        item_id__in=project.items.values("item_id"),
        household__district_id=project.district_id,
    )


def completed_in(project: Project, start: dt.date, end: dt.date) -> QuerySet[Order]:
    """The project's completed orders in the period: completed in ``[start, end)`` and within
    the project's term."""
    lo, hi = max(start, project.starts_on), min(end, project.ends_on)
    return project_orders(project).filter(
        status=OrderStatus.COMPLETED,
        completed_at__gte=day_start(lo),
        completed_at__lt=day_start(hi),
    )


def deliveries(project: Project, start: dt.date, end: dt.date) -> QuerySet[Order]:
    """Confirmed deliveries: completed orders with a delivery record that the household has not
    disputed (a disputed one is paid only once a correction says so)."""
    return (
        completed_in(project, start, end)
        .filter(delivery__isnull=False)
        .exclude(evidence__confirmation=Confirmation.DISPUTED)
        .order_by("pk")
    )


@dataclass(frozen=True)
class Figures:
    values: dict[str, float | None]
    detail: dict[str, Any]
    spot_checks: list[int]


def upheld_complaints(orders: QuerySet[Order]) -> dict[int, list[int]]:
    """Order id → its upheld complaints' ids, for ``orders``."""
    found: dict[int, list[int]] = {}
    for pk, order_id in (
        Complaint.objects.filter(order__in=orders.values("pk"), status=ComplaintStatus.UPHELD)
        .order_by("pk")
        .values_list("pk", "order_id")
    ):
        found.setdefault(order_id, []).append(pk)
    return found


def figures(project: Project, start: dt.date, end: dt.date) -> Figures:
    metrics = provider_metrics(
        providers=Provider.objects.filter(pk=project.provider_id),
        start=day_start(start),
        end=day_start(end),
        orders=project_orders(project),
    )[0]
    completed = completed_in(project, start, end)
    n_completed = completed.count()
    upheld = upheld_complaints(completed)
    n_upheld = sum(len(ids) for ids in upheld.values())
    confirmed = completed.filter(evidence__confirmation=Confirmation.CONFIRMED).count()
    with_evidence = DeliveryEvidence.objects.filter(order__in=completed)
    n_evidence = with_evidence.count()
    flagged = with_evidence.filter(
        Q(short_visit=True) | Q(confirmation=Confirmation.DISPUTED)
    ).count()
    checks = SpotCheck.objects.filter(project=project, checked_on__gte=start, checked_on__lt=end)
    spot_average = checks.aggregate(avg=Avg("score"))["avg"]
    values = {
        "acceptance": metrics["acceptance_rate"],
        "timeliness": metrics["on_time_rate"],
        "rating": engine.rating_figure(metrics["average_rating"]),
        "complaints": engine.complaint_figure(engine.share(n_upheld, n_completed)),
        "confirmed": engine.share(confirmed, n_completed),
        "evidence": None if not n_evidence else 1 - flagged / n_evidence,
        "spot_checks": None if spot_average is None else float(spot_average) / 100,
    }
    detail = {
        "asked": metrics["asked"],
        "accepted": metrics["accepted"],
        "average_rating": metrics["average_rating"],
        "complaints_upheld": n_upheld,
        "complaint_ids": sorted(pk for ids in upheld.values() for pk in ids),
        "on_time_rate": metrics["on_time_rate"],
        "completed": n_completed,
        "confirmed": confirmed,
        "with_evidence": n_evidence,
        "flagged": flagged,
        "spot_check_average": None if spot_average is None else float(spot_average),
    }
    return Figures(values, detail, list(checks.values_list("pk", flat=True)))


def project_score(
    project: Project, start: dt.date, end: dt.date
) -> tuple[engine.QualityScore, Figures]:
    found = figures(project, start, end)
    weights = {k: float(v) for k, v in (project.kpi_weights or {}).items()}
    return engine.quality_score(weights, found.values), found
