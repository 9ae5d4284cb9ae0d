"""Provider monitoring over a period: every time a provider was asked to take an order counts
against that provider, whether it answered or not.

Definitions (docs/dispatch.md; the page's "How the figures are computed" says the same):

- **Asked** — each dispatch offer made to the provider in the period (``offered_at``), plus each
  order it accepted or declined from its inbox in the period without having been offered it
  (the moment of asking is then the order's placing: it was open to the provider from then).
- **Outcome** of an ask — *accepted*, *declined* (with the reason), *expired* (the offer's reply
  deadline passed without an answer; an offer still open past its deadline counts as expired
  even before the periodic cycle marks it), or *pending* (still open, deadline not yet passed)
  and *withdrawn* (another provider took the order or it was cancelled before the deadline):
  pending and withdrawn asks are not counted in the rate, since the provider has not yet failed
  to answer.
- **Acceptance rate** = accepted ÷ (accepted + declined + expired).
- **Median time to accept** — over accepted asks, from the ask (the offer, or the order's
  placing) to the provider's acceptance.
- **On-time completion** — over the orders the provider holds that were placed in the period and
  are due (completed, or still open past their completion deadline): completed by the deadline
  ÷ (completed + still open past the deadline). An order the provider sits on counts as late.
- **Average rating** — ratings given in the period (``orders.selectors.provider_facts``);
  **complaint rate** = complaints about orders placed in the period ÷ orders completed.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jiuzhu.core.models import User
from jiuzhu.dispatch.models import DispatchOffer, OfferStatus
from jiuzhu.orders.models import Complaint, Order, OrderDecline, OrderStatus, Provider
from jiuzhu.orders.selectors.provider_facts import rating_averages

OPEN = (OrderStatus.ACCEPTED, OrderStatus.ASSIGNED, OrderStatus.IN_SERVICE)
#: How many decline reasons the page lists per provider.
REASONS_SHOWN = 5


@dataclass
class _Tally:
    accepted: int = 0
    declined: int = 0
    expired: int = 0
    pending: int = 0
    waits: list[float] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)


def _asks(
    ids: list[int],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    orders: QuerySet[Order] | None = None,
) -> dict[int, _Tally]:
    tallies: dict[int, _Tally] = {pid: _Tally() for pid in ids}
    offered: set[tuple[int, int]] = set()
    only = {} if orders is None else {"order_id__in": orders.values("pk")}
    reasons = {
        (order_id, provider_id): reason
        for order_id, provider_id, reason in OrderDecline.objects.filter(
            provider_id__in=ids
        ).values_list("order_id", "provider_id", "reason")
    }
    offers = DispatchOffer.objects.filter(
        provider_id__in=ids, offered_at__gte=start, offered_at__lt=end, **only
    ).values_list(
        "order_id", "provider_id", "status", "offered_at", "respond_by", "order__accepted_at"
    )
    for order_id, pid, status, offered_at, respond_by, accepted_at in offers:
        offered.add((order_id, pid))
        tally = tallies[pid]
        if status == OfferStatus.ACCEPTED:
            tally.accepted += 1
            if accepted_at is not None:
                tally.waits.append(max(0.0, (accepted_at - offered_at).total_seconds() / 60))
        elif status == OfferStatus.DECLINED:
            tally.declined += 1
            tally.reasons[reasons.get((order_id, pid), "")] += 1
        elif status == OfferStatus.EXPIRED or (status == OfferStatus.OFFERED and respond_by <= now):
            tally.expired += 1
        elif status == OfferStatus.OFFERED:
            tally.pending += 1
    # Orders taken or refused straight from the inbox, never offered to that provider (an
    # offer made before the period already counted the ask in its own period).
    taken = list(
        Order.objects.filter(
            provider_id__in=ids,
            accepted_at__gte=start,
            accepted_at__lt=end,
            **({} if orders is None else {"pk__in": orders.values("pk")}),
        ).values_list("pk", "provider_id", "created_at", "accepted_at")
    )
    refused = list(
        OrderDecline.objects.filter(
            provider_id__in=ids, at__gte=start, at__lt=end, **only
        ).values_list("order_id", "provider_id", "reason")
    )
    offered |= set(
        DispatchOffer.objects.filter(
            provider_id__in=ids,
            offered_at__lt=start,
            order_id__in={row[0] for row in taken} | {row[0] for row in refused},
        ).values_list("order_id", "provider_id")
    )
    for order_id, pid, created_at, accepted_at in taken:
        if (order_id, pid) in offered:
            continue
        tallies[pid].accepted += 1
        if accepted_at is not None:  # always, by the filter
            tallies[pid].waits.append(max(0.0, (accepted_at - created_at).total_seconds() / 60))
    for order_id, pid, reason in refused:
        if (order_id, pid) in offered:
            continue
        tallies[pid].declined += 1
        tallies[pid].reasons[reason] += 1
    return tallies


def provider_metrics(
    *,
    providers: QuerySet[Provider],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime | None = None,
    orders: QuerySet[Order] | None = None,
) -> list[dict[str, Any]]:
    """One row of figures per provider. ``orders`` restricts every figure to those orders (one
    purchased-service project's: its items, its district), for settlement."""
    now = now or timezone.now()
    listed = list(providers.select_related("organisation"))
    ids = [p.pk for p in listed]
    tallies = _asks(ids, start, end, now, orders)
    placed = Order.objects.filter(created_at__gte=start, created_at__lt=end, provider_id__in=ids)
    if orders is not None:
        placed = placed.filter(pk__in=orders.values("pk"))
    completed = placed.filter(status=OrderStatus.COMPLETED)
    done = dict(completed.values_list("provider_id").annotate(n=Count("id")))
    on_time, with_deadline = _on_time(completed)
    overdue_open = dict(
        placed.filter(status__in=OPEN, sla__complete_by__lte=now)
        .values_list("provider_id")
        .annotate(n=Count("id"))
    )
    ratings = rating_averages(ids, since=start, until=end, orders=orders)
    complaints = dict(
        Complaint.objects.filter(order__in=placed)
        .values_list("order__provider_id")
        .annotate(n=Count("id"))
    )
    rows = []
    for provider in listed:
        pid = provider.pk
        tally = tallies[pid]
        answered = tally.accepted + tally.declined + tally.expired
        n_done = done.get(pid, 0)
        late_open = overdue_open.get(pid, 0)
        due = with_deadline.get(pid, 0) + late_open
        rows.append(
            {
                "provider_id": pid,
                "name": provider.organisation.name,
                "asked": answered,
                "accepted": tally.accepted,
                "declined": tally.declined,
                "expired": tally.expired,
                "pending": tally.pending,
                "acceptance_rate": tally.accepted / answered if answered else None,
                "median_minutes_to_accept": statistics.median(tally.waits) if tally.waits else None,
                "completed": n_done,
                "overdue_open": late_open,
                "on_time_rate": on_time.get(pid, 0) / due if due else None,
                "average_rating": ratings[pid].average if pid in ratings else None,
                "complaint_rate": complaints.get(pid, 0) / n_done if n_done else None,
                "decline_reasons": [
                    {"reason": reason, "count": count}
                    for reason, count in tally.reasons.most_common(REASONS_SHOWN)
                ],
            }
        )
    return rows


def _on_time(completed: QuerySet[Order]) -> tuple[dict[int, int], dict[int, int]]:
    """Per provider: completed orders finished by their completion deadline, and completed
    orders that had one (orders without deadlines are left out of the on-time figure)."""
    on_time: dict[int, int] = defaultdict(int)
    with_deadline: dict[int, int] = defaultdict(int)
    for pid, completed_at, complete_by in completed.filter(sla__isnull=False).values_list(
        "provider_id", "completed_at", "sla__complete_by"
    ):
        with_deadline[pid] += 1
        if completed_at is not None and completed_at <= complete_by:
            on_time[pid] += 1
    return dict(on_time), dict(with_deadline)


def providers_in_scope(user: User) -> QuerySet[Provider]:
    """Providers serving the user's area (district managers: their district's streets)."""
    area = user.area
    providers = Provider.objects.filter(active=True)
    if area is None or area.level == "city":
        return providers
    prefix = area.code[: {"district": 6, "street": 9, "community": 9}[area.level]]
    return providers.filter(
        Q(streets__code__startswith=prefix) | Q(communities__code__startswith=prefix)
    ).distinct()
