"""The figures behind a project's quality score for a period, drawn from the facts the platform
already computes — never recomputed differently here:

- acceptance, timeliness, rating and complaints: ``dispatch.selectors.monitoring.provider_metrics``
  for the project's provider over the period (the dispatch centre's monitoring page shows the
  same numbers; ratings come from ``orders.selectors.provider_facts`` through it). Complaints
  count every complaint about an order placed in the period (the hotline does not record
  whether a complaint was upheld);
- confirmed deliveries and delivery-evidence flags: the project's confirmed deliveries
  (:func:`deliveries`) and their ``orders.DeliveryEvidence``;
- spot checks: the project's spot checks dated in the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Q, QuerySet
from django.utils import timezone

from jiuzhu.dispatch.selectors.monitoring import provider_metrics
from jiuzhu.evaluation.engine import quality as engine
from jiuzhu.evaluation.models import Project, SpotCheck
from jiuzhu.orders.models import Confirmation, DeliveryEvidence, Order, OrderStatus, Provider


def aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def completed_in(project: Project, start: dt.date, end: dt.date) -> QuerySet[Order]:
    """The project's completed orders in the period: its provider, its items, households of its
    district, completed in ``[start, end)`` and within the project's term."""
    lo, hi = max(start, project.starts_on), min(end, project.ends_on)
    return Order.objects.filter(
        provider_id=project.provider_id,
        item_id__in=project.items.values("item_id"),
        household__district_id=project.district_id,
        status=OrderStatus.COMPLETED,
        completed_at__gte=aware(lo),
        completed_at__lt=aware(hi),
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


def figures(project: Project, start: dt.date, end: dt.date) -> Figures:
    metrics = provider_metrics(
        providers=Provider.objects.filter(pk=project.provider_id),
        start=aware(start),
        end=aware(end),
    )[0]
    completed = completed_in(project, start, end)
    n_completed = completed.count()
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
        "complaints": engine.complaint_figure(metrics["complaint_rate"]),
        "confirmed": engine.share(confirmed, n_completed),
        "evidence": None if not n_evidence else 1 - flagged / n_evidence,
        "spot_checks": None if spot_average is None else float(spot_average) / 100,
    }
    detail = {
        "asked": metrics["asked"],
        "accepted": metrics["accepted"],
        "average_rating": metrics["average_rating"],
        "complaint_rate": metrics["complaint_rate"],
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
