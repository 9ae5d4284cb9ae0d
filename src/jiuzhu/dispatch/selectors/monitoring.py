"""Provider monitoring over a period: acceptance rate, median time to accept, on-time completion
rate, average rating and complaint rate.

Definitions (docs/dispatch.md):
- acceptance rate = orders the provider accepted / (accepted + declined + offers it let expire);
- median time to accept = median of (accepted_at − created_at) over orders it accepted;
- on-time completion = orders completed by their completion deadline / orders completed;
- average rating over its rated orders; complaint rate = complaints / completed orders.
Orders count in the period by their creation time.
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from django.db.models import Avg, Count, F, Q

from jiuzhu.dispatch.models import DispatchOffer, OfferStatus
from jiuzhu.orders.models import Complaint, Order, OrderDecline, OrderStatus, Provider


def provider_metrics(*, providers, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    providers = list(providers.select_related("organisation"))
    ids = [p.pk for p in providers]
    in_period = Q(created_at__gte=start, created_at__lt=end)
    accepted = Order.objects.filter(in_period, provider_id__in=ids, accepted_at__isnull=False)
    waits: dict[int, list[float]] = {pid: [] for pid in ids}
    for pid, created, accepted_at in accepted.values_list(
        "provider_id", "created_at", "accepted_at"
    ):
        waits[pid].append((accepted_at - created).total_seconds() / 60)
    declined = dict(
        OrderDecline.objects.filter(
            provider_id__in=ids, order__created_at__gte=start, order__created_at__lt=end
        )
        .values_list("provider_id")
        .annotate(n=Count("id"))
    )
    expired = dict(
        DispatchOffer.objects.filter(
            provider_id__in=ids,
            status=OfferStatus.EXPIRED,
            order__created_at__gte=start,
            order__created_at__lt=end,
        )
        .values_list("provider_id")
        .annotate(n=Count("id"))
    )
    completed = Order.objects.filter(in_period, provider_id__in=ids, status=OrderStatus.COMPLETED)
    done = dict(completed.values_list("provider_id").annotate(n=Count("id")))
    on_time = dict(
        completed.filter(completed_at__lte=F("sla__complete_by"))
        .values_list("provider_id")
        .annotate(n=Count("id"))
    )
    ratings = dict(
        completed.filter(rating__isnull=False)
        .values_list("provider_id")
        .annotate(avg=Avg("rating__score"))
    )
    complaints = dict(
        Complaint.objects.filter(
            order__provider_id__in=ids, order__created_at__gte=start, order__created_at__lt=end
        )
        .values_list("order__provider_id")
        .annotate(n=Count("id"))
    )
    rows = []
    for provider in providers:
        pid = provider.pk
        n_accepted = len(waits[pid])
        asked = n_accepted + declined.get(pid, 0) + expired.get(pid, 0)
        n_done = done.get(pid, 0)
        rows.append(
            {
                "provider_id": pid,
                "name": provider.organisation.name,
                "accepted": n_accepted,
                "acceptance_rate": n_accepted / asked if asked else None,
                "median_minutes_to_accept": statistics.median(waits[pid]) if waits[pid] else None,
                "completed": n_done,
                "on_time_rate": on_time.get(pid, 0) / n_done if n_done else None,
                "average_rating": float(ratings[pid]) if pid in ratings else None,
                "complaint_rate": complaints.get(pid, 0) / n_done if n_done else None,
            }
        )
    return rows


def providers_in_scope(user) -> Any:
    """Providers serving the user's area (district managers: their district's streets)."""
    area = user.area
    providers = Provider.objects.filter(active=True)
    if area is None or area.level == "city":
        return providers
    prefix = area.code[: {"district": 6, "street": 9, "community": 9}[area.level]]
    return providers.filter(
        Q(streets__code__startswith=prefix) | Q(communities__code__startswith=prefix)
    ).distinct()
