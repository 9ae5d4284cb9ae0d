"""The dispatch centre's periodic cycle: expire offers, escalate, dispatch.

1. Offers not answered by their deadline expire; that provider is not offered the order again.
2. Waiting orders past their acceptance deadline, and accepted orders past their completion
   deadline, are escalated to the district's managers (once per reason while unresolved).
3. Automatic dispatch: waiting orders without a live offer that are urgent, or have used half of
   their acceptance window, are offered — all at once, by an optimal assignment with capacities
   (``dispatch.matching``) — to the best eligible provider (serves the area, offers the item, has
   capacity left, did not decline or let an offer expire). The offered provider must accept by
   ``respond_by`` (1 hour for urgent orders, otherwise the rest of the acceptance window, at least
   1 hour and at most 4). When no provider is eligible the order escalates at once.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core import audit
from jiuzhu.core.models import AuditAction, Role, User
from jiuzhu.core.services.notifications import notify
from jiuzhu.dispatch.engine import matching
from jiuzhu.dispatch.models import (
    DispatchOffer,
    DispatchRun,
    Escalation,
    EscalationReason,
    OfferStatus,
    OrderSla,
)
from jiuzhu.dispatch.policy import require_dispatch_now
from jiuzhu.orders.models import Order, OrderDecline, OrderStatus, Provider
from jiuzhu.orders.selectors.provider_facts import (
    accepted_on_subquery,
    per_provider,
    rating_average_subquery,
)

ACTIVE = [OrderStatus.ACCEPTED, OrderStatus.ASSIGNED, OrderStatus.IN_SERVICE]
URGENT_RESPONSE = dt.timedelta(hours=1)
MAX_RESPONSE = dt.timedelta(hours=4)


class ProviderFacts(TypedDict):
    """What `providers_with_capacity` annotates on each provider."""

    accepted_today: int
    load: int
    live_offers: int
    rating: float | Decimal | None


if TYPE_CHECKING:  # WithAnnotations[Model, TypedDict] only works for the type checker
    from django_stubs_ext import WithAnnotations

    #: A provider with its capacity facts, as `plan_dispatch` needs it.
    ProviderWithFacts = WithAnnotations[Provider, ProviderFacts]


def _order_url(order_id: int) -> str:
    return reverse("orders:order_detail", args=[order_id])


def expire_offers(*, now: dt.datetime) -> int:
    return DispatchOffer.objects.filter(status=OfferStatus.OFFERED, respond_by__lte=now).update(
        status=OfferStatus.EXPIRED, closed_at=now
    )


def escalate(*, order: Order, reason: str) -> bool:
    """Open an escalation unless one is open for the same reason; notify the managers."""
    with transaction.atomic():
        if Escalation.objects.filter(order=order, reason=reason, resolved_at__isnull=True).exists():
            return False
        Escalation.objects.create(order=order, reason=reason)
    managers = User.objects.filter(
        role=Role.DISTRICT_MANAGER, area_id=order.household.district_id, is_active=True
    )
    notify(
        users=managers,
        title=_("Order escalated: %(reason)s") % {"reason": EscalationReason(reason).label},
        body=f"{order.number} {order.item.name} · {order.household}",
        url=_order_url(order.pk),
        sms=True,
    )
    return True


def escalate_overdue(*, now: dt.datetime) -> int:
    count = 0
    late_accept = Order.objects.filter(status=OrderStatus.WAITING, sla__accept_by__lte=now)
    late_complete = Order.objects.filter(status__in=ACTIVE, sla__complete_by__lte=now)
    for queryset, reason in (
        (late_accept, EscalationReason.ACCEPT_OVERDUE),
        (late_complete, EscalationReason.COMPLETE_OVERDUE),
    ):
        for order in queryset.select_related("household", "item"):
            count += escalate(order=order, reason=reason)
    return count


def dispatch_candidates(*, now: dt.datetime) -> list[Order]:
    """Waiting orders without a live offer that are urgent or half-way to their deadline."""
    live = DispatchOffer.objects.filter(status=OfferStatus.OFFERED).values("order_id")
    orders = (
        Order.objects.filter(status=OrderStatus.WAITING, sla__isnull=False)
        .exclude(pk__in=live)
        .select_related("sla", "household__community", "household__street", "item")
    )
    chosen: list[Order] = []
    for order in orders:
        half = order.created_at + (order.sla.accept_by - order.created_at) / 2
        if order.sla.urgent or now >= half:
            chosen.append(order)
    return chosen


def providers_with_capacity(*, now: dt.datetime) -> list[ProviderWithFacts]:
    today = timezone.localdate(now)
    return list(
        Provider.objects.filter(active=True)
        .prefetch_related("items", "streets", "communities")
        .annotate(
            accepted_today=accepted_on_subquery(today),
            load=per_provider(Order.objects.filter(status__in=ACTIVE)),
            live_offers=per_provider(DispatchOffer.objects.filter(status=OfferStatus.OFFERED)),
            rating=rating_average_subquery(),
        )
    )


def _clock(order: Order) -> OrderSla | None:
    """The order's SLA clock, or None: a dispatcher may offer or re-offer an order whose clock
    its creation event has not started yet (the event waits in the outbox)."""
    try:
        return order.sla
    except ObjectDoesNotExist:
        return None


def _urgent(order: Order) -> bool:
    """Urgent by the order's clock; an order without a clock yet counts as standard."""
    clock = _clock(order)
    return bool(clock is not None and clock.urgent)


def plan_dispatch(
    *,
    orders: list[Order],
    providers: list[ProviderWithFacts],
    also_excluded: set[tuple[int, int]] | None = None,
) -> list[dict[str, Any]]:
    """Build the engine's input from the orders and providers, solve, and return one decision
    per order: {"order", "provider" or None, "why" or "reason"}. ``also_excluded`` holds more
    (order id, provider id) pairs not to match (a dispatcher's re-offer passes the provider
    whose offer it withdrew)."""
    excluded = set(also_excluded or ())
    excluded |= set(
        OrderDecline.objects.filter(order__in=orders).values_list("order_id", "provider_id")
    )
    excluded |= set(
        DispatchOffer.objects.filter(
            order__in=orders, status__in=[OfferStatus.EXPIRED, OfferStatus.DECLINED]
        ).values_list("order_id", "provider_id")
    )
    offers_item = {p.pk: {i.pk for i in p.items.all()} for p in providers}
    # A provider serves a household when it serves its street or its community: area codes
    # "s<id>" and "c<id>", matched twice by the engine's sparse eligibility and merged — work
    # proportional to the eligible pairs, never to orders × providers.
    serves = [
        {f"s{a.pk}" for a in p.streets.all()} | {f"c{a.pk}" for a in p.communities.all()}
        for p in providers
    ]
    banned: dict[int, set[int]] = {}
    for order_id, provider_id in excluded:
        banned.setdefault(order_id, set()).add(provider_id)
    common: dict[str, Any] = {
        "ids": np.array([o.pk for o in orders]),
        "lat": np.array([_coordinate(o.household.community.latitude) for o in orders]),
        "lon": np.array([_coordinate(o.household.community.longitude) for o in orders]),
        "item": np.array([o.item_id for o in orders]),
        "urgency": np.array([2.0 if _urgent(o) else 1.0 for o in orders]),
        "excluded": [banned.get(o.pk, set()) for o in orders],
    }
    engine_providers = matching.Providers(
        ids=np.array([p.pk for p in providers]),
        lat=np.array([float(p.latitude) for p in providers]),
        lon=np.array([float(p.longitude) for p in providers]),
        capacity=np.array(
            [max(0, p.daily_capacity - p.accepted_today - p.live_offers) for p in providers]
        ),
        load=np.array([p.load for p in providers]),
        rating=np.array([float(p.rating) if p.rating is not None else np.nan for p in providers]),
        items=[offers_item[p.pk] for p in providers],
        areas=serves,
    )
    by_street = matching.eligible_pairs(
        matching.Orders(**common, area=np.array([f"s{o.household.street_id}" for o in orders])),
        engine_providers,
    )
    engine_orders = matching.Orders(
        **common, area=np.array([f"c{o.household.community_id}" for o in orders])
    )
    by_community = matching.eligible_pairs(engine_orders, engine_providers)
    pairs = matching.Pairs.of(
        np.concatenate([by_street.order, by_community.order]),
        np.concatenate([by_street.provider, by_community.provider]),
        n_orders=len(orders),
        n_providers=len(providers),
    )
    categories = dict(ServiceItem.objects.values_list("pk", "category_id"))
    result = matching.assign(
        engine_orders,
        engine_providers,
        pairs,
        item_category=categories,
    )
    by_id = {p.pk: p for p in providers}
    decisions: list[dict[str, Any]] = []
    for order, outcome in zip(orders, result.decisions(), strict=True):
        if isinstance(outcome, matching.Unassigned):
            decisions.append({"order": order, "provider": None, "reason": outcome.reason})
        else:
            decisions.append(
                {
                    "order": order,
                    "provider": by_id[outcome.provider_id],
                    "why": outcome.why.to_dict(),
                }
            )
    return decisions


def _coordinate(value: float | Decimal | None) -> float:
    """Unknown coordinates are NaN, which the engine costs neutrally (never as 0°, 0°)."""
    return float(value) if value is not None else float("nan")


def respond_by(order: Order, now: dt.datetime) -> dt.datetime:
    clock = _clock(order)
    if clock is None:  # no acceptance deadline known yet: the longest response time
        return now + MAX_RESPONSE
    if clock.urgent:
        return now + URGENT_RESPONSE
    remaining = clock.accept_by - now
    return now + min(MAX_RESPONSE, max(dt.timedelta(hours=1), remaining))


def auto_dispatch(*, now: dt.datetime, run: DispatchRun) -> tuple[int, int]:
    orders = dispatch_candidates(now=now)
    run.considered = len(orders)
    if not orders:
        return 0, 0
    offered = escalated = 0
    for decision in plan_dispatch(orders=orders, providers=providers_with_capacity(now=now)):
        order = decision["order"]
        provider = decision["provider"]
        if provider is None:
            if decision["reason"] == matching.NO_ELIGIBLE_PROVIDER:
                escalated += escalate(order=order, reason=EscalationReason.NO_PROVIDER)
            elif order.sla.urgent:  # no capacity left today: urgent orders cannot wait
                escalated += escalate(order=order, reason=EscalationReason.NO_CAPACITY)
            continue
        with transaction.atomic():
            if Order.objects.filter(pk=order.pk, status=OrderStatus.WAITING).exists():
                DispatchOffer.objects.create(
                    order=order,
                    provider=provider,
                    run=run,
                    respond_by=respond_by(order, now),
                    why=decision["why"],
                )
                offered += 1
        staff = User.objects.filter(
            organisation_id=provider.organisation_id, role=Role.PROVIDER_STAFF, is_active=True
        )
        notify(
            users=staff,
            title=_("The dispatch centre offers you an order: %(item)s")
            % {"item": order.item.name},
            body=_("Accept by %(time)s")
            % {"time": timezone.localtime(respond_by(order, now)).strftime("%H:%M")},
            url=_order_url(order.pk),
            sms=True,
        )
    return offered, escalated


def dispatch_cycle(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One pass of the periodic job."""
    now = now or timezone.now()
    started = time.monotonic()
    run = DispatchRun.objects.create()
    expired = expire_offers(now=now)
    overdue = escalate_overdue(now=now)
    offered, escalated = auto_dispatch(now=now, run=run)
    run.offered, run.escalated = offered, escalated + overdue
    run.finished_at = timezone.now()
    run.seconds = time.monotonic() - started
    run.save()
    return {
        "expired": expired,
        "escalated": run.escalated,
        "considered": run.considered,
        "offered": offered,
    }


def dispatch_now(*, actor: User) -> dict[str, int]:
    """A district manager runs the cycle at once (audited)."""
    require_dispatch_now(actor)
    result = dispatch_cycle()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="dispatch.run",
        object_label="dispatch now",
        detail=result,
    )
    return result
