"""Cloud supermarket endpoints: catalogue items are under /catalog; here providers and orders.

A transition the caller may not make on an order they can see is 403; an order they cannot see
is 404; a transition from the wrong state is 409. Creation honours an Idempotency-Key header.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.api import ErrorOut, choice, paginate
from jiuzhu.core.errors import NotFound, ValidationFailed
from jiuzhu.core.forms import validated
from jiuzhu.core.models import User
from jiuzhu.core.scoping import require_granted
from jiuzhu.orders.forms import CancelForm, ComplaintForm, CompleteForm, DeclineForm, RateForm
from jiuzhu.orders.models import (
    Channel,
    Confirmation,
    DeliveryEvidence,
    Order,
    OrderStatus,
    SupplyType,
)
from jiuzhu.orders.selectors.orders import (
    OrderFilters,
    order_get_for,
    order_list,
    provider_list,
)
from jiuzhu.orders.services import evidence, placing
from jiuzhu.orders.services import transitions as services
from jiuzhu.orders.services.idempotency import run_once
from jiuzhu.registry.services.households import household_get_for

router = Router(tags=["orders"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ProviderOut(Schema):
    id: int
    name: str
    supply_type: str = choice(SupplyType)
    uscc: str
    staff_count: int
    social_workers: int
    base_community: str
    latitude: float
    longitude: float
    daily_capacity: int
    street_ids: list[int]
    community_ids: list[int]
    item_codes: list[str]
    active: bool


class ProviderList(Schema):
    count: int
    items: list[ProviderOut]


class OrderOut(Schema):
    id: int
    number: str
    household_id: int
    community: str
    item_code: str
    item_name: str
    quantity: int
    preferred_time: dt.datetime | None
    note: str
    status: str = choice(OrderStatus)
    channel: str = choice(Channel)
    provider_id: int | None
    provider: str | None
    assignee_id: int | None
    created_at: dt.datetime
    accepted_at: dt.datetime | None
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    rating: int | None
    actions: list[str]


class OrderList(Schema):
    count: int
    items: list[OrderOut]


class OrderIn(Schema):
    household_id: int
    item_id: int
    quantity: int = 1
    preferred_time: dt.datetime | None = None
    note: str = Field("", max_length=300)  # Order.note


class ReasonIn(Schema):
    reason: str = ""


class AssignIn(Schema):
    assignee_id: int


class CompleteIn(Schema):
    summary: str
    duration_minutes: int
    notes: str = ""


class RateIn(Schema):
    score: int
    comment: str = ""


class ComplaintIn(Schema):
    text: str


def provider_out(provider) -> dict[str, Any]:
    return {
        "id": provider.pk,
        "name": provider.organisation.name,
        "supply_type": provider.supply_type,
        "uscc": provider.uscc,
        "staff_count": provider.staff_count,
        "social_workers": provider.social_workers,
        "base_community": provider.base.name,
        "latitude": float(provider.latitude),
        "longitude": float(provider.longitude),
        "daily_capacity": provider.daily_capacity,
        "street_ids": [a.pk for a in provider.streets.all()],
        "community_ids": [a.pk for a in provider.communities.all()],
        "item_codes": [i.code for i in provider.items.all()],
        "active": provider.active,
    }


def order_out(order: Order, user: User, actions: list[str] | None = None) -> dict[str, Any]:
    rating = getattr(order, "rating", None) if hasattr(order, "rating") else None
    return {
        "id": order.pk,
        "number": order.number,
        "household_id": order.household_id,
        "community": order.household.community.name,
        "item_code": order.item.code,
        "item_name": order.item.name,
        "quantity": order.quantity,
        "preferred_time": order.preferred_time,
        "note": order.note,
        "status": order.status,
        "channel": order.channel,
        "provider_id": order.provider_id,
        "provider": order.provider.organisation.name if order.provider_id else None,
        "assignee_id": order.assignee_id,
        "created_at": order.created_at,
        "accepted_at": order.accepted_at,
        "started_at": order.started_at,
        "completed_at": order.completed_at,
        "cancelled_at": order.cancelled_at,
        "rating": rating.score if rating else None,
        "actions": (
            actions if actions is not None else services.order_actions(user=user, order=order)
        ),
    }


@router.get("/providers", response={200: ProviderList, **ERRORS})
def list_providers(
    request, q: str = "", limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0)
):
    providers = provider_list(user=request.user, q=q).prefetch_related(
        "streets", "communities", "items"
    )
    items, count = paginate(providers, limit=limit, offset=offset)
    return {"count": count, "items": [provider_out(p) for p in items]}


@router.get("/orders", response={200: OrderList, **ERRORS})
def list_orders(
    request,
    status: str = choice(OrderStatus, "", blank=True, query=True),
    item: int | None = None,
    provider: int | None = None,
    household: int | None = None,
    street: int | None = None,
    channel: str = choice(Channel, "", blank=True, query=True),
    q: str = "",
    sort: str = "new",
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
):
    require_granted(request.user, Order)
    filters = OrderFilters(
        status=status,
        item=item,
        provider=provider,
        household=household,
        street=street,
        channel=channel,
        q=q,
        sort=sort,
    )
    items, count = paginate(
        order_list(user=request.user, filters=filters).select_related("rating"),
        limit=limit,
        offset=offset,
    )
    items = list(items)
    actions = services.order_actions_for(user=request.user, orders=items)
    return {"count": count, "items": [order_out(o, request.user, actions[o.pk]) for o in items]}


@router.post("/orders", response={201: OrderOut, **ERRORS})
def create_order(request, payload: OrderIn):
    def work() -> tuple[int, Any]:
        household = household_get_for(
            actor=request.user, household_id=payload.household_id, audit_view=False
        )
        item = ServiceItem.objects.filter(pk=payload.item_id).first()
        if item is None:
            raise ValidationFailed({"item_id": [_("Choose a service from the catalogue.")]})
        order = placing.order_create(
            actor=request.user,
            household=household,
            item=item,
            quantity=payload.quantity,
            preferred_time=payload.preferred_time,
            note=payload.note,
        )
        body = OrderOut.model_validate(order_out(order, request.user)).model_dump(mode="json")
        return 201, body

    key = request.headers.get("Idempotency-Key")
    if key is None:
        status, body = work()
    else:
        status, body = run_once(
            user=request.user, key=key, body=payload.model_dump(mode="json"), work=work
        )
    return Status(status, body)


@router.get("/orders/{order_id}", response={200: OrderOut, **ERRORS})
def get_order(request, order_id: int):
    return order_out(order_get_for(user=request.user, order_id=order_id), request.user)


@router.post("/orders/{order_id}/accept", response={200: OrderOut, **ERRORS})
def accept(request, order_id: int):
    order = order_get_for(user=request.user, order_id=order_id)
    order = services.order_accept(actor=request.user, order=order)
    return order_out(order, request.user)


@router.post("/orders/{order_id}/decline", response={200: OrderOut, **ERRORS})
def decline(request, order_id: int, payload: ReasonIn):
    order = order_get_for(user=request.user, order_id=order_id)
    services.order_check(user=request.user, order=order, action="decline")
    data = validated(DeclineForm(payload.dict()))
    order = services.order_decline(actor=request.user, order=order, reason=data["reason"])
    return order_out(order, request.user)


@router.post("/orders/{order_id}/assign", response={200: OrderOut, **ERRORS})
def assign(request, order_id: int, payload: AssignIn):
    order = order_get_for(user=request.user, order_id=order_id)
    assignee = User.objects.filter(pk=payload.assignee_id).first()
    if assignee is None:
        raise ValidationFailed(
            {"assignee_id": [_("Choose a member of your staff or a volunteer.")]}
        )
    order = services.order_assign(actor=request.user, order=order, assignee=assignee)
    return order_out(order, request.user)


@router.post("/orders/{order_id}/start", response={200: OrderOut, **ERRORS})
def start(request, order_id: int):
    """Check in without a location (``/check-in`` takes one)."""
    order = order_get_for(user=request.user, order_id=order_id)
    order = evidence.order_check_in(actor=request.user, order=order)
    return order_out(order, request.user)


@router.post("/orders/{order_id}/complete", response={200: OrderOut, **ERRORS})
def complete(request, order_id: int, payload: CompleteIn):
    order = order_get_for(user=request.user, order_id=order_id)
    services.order_check(user=request.user, order=order, action="complete")
    data = validated(CompleteForm(payload.dict()))
    order = evidence.order_check_out(
        actor=request.user,
        order=order,
        summary=data["summary"],
        duration_minutes=data["duration_minutes"],
        notes=data["notes"],
    )
    return order_out(order, request.user)


@router.post("/orders/{order_id}/cancel", response={200: OrderOut, **ERRORS})
def cancel(request, order_id: int, payload: ReasonIn):
    order = order_get_for(user=request.user, order_id=order_id)
    services.order_check(user=request.user, order=order, action="cancel")
    data = validated(CancelForm(payload.dict()))
    order = services.order_cancel(actor=request.user, order=order, reason=data["reason"])
    return order_out(order, request.user)


@router.post("/orders/{order_id}/rate", response={200: OrderOut, **ERRORS})
def rate(request, order_id: int, payload: RateIn):
    order = order_get_for(user=request.user, order_id=order_id)
    services.order_check(user=request.user, order=order, action="rate")
    data = validated(RateForm(payload.dict()))
    services.order_rate(
        actor=request.user, order=order, score=data["score"], comment=data["comment"]
    )
    return order_out(order_get_for(user=request.user, order_id=order_id), request.user)


@router.post("/orders/{order_id}/complaints", response={201: OrderOut, **ERRORS})
def complain(request, order_id: int, payload: ComplaintIn):
    order = order_get_for(user=request.user, order_id=order_id)
    services.order_check(user=request.user, order=order, action="complain")
    data = validated(ComplaintForm(payload.dict()))
    services.order_complain(actor=request.user, order=order, text=data["text"])
    return Status(201, order_out(order, request.user))


# ---------------------------------------------------------------- delivery evidence


class CheckInIn(Schema):
    latitude: float | None = None
    longitude: float | None = None
    accuracy: float | None = None


class DisputeIn(Schema):
    reason: str = Field(..., max_length=300)


class EvidenceOut(Schema):
    order_id: int
    checked_in_at: dt.datetime
    distance_m: int | None
    accuracy_m: int | None
    checked_out_at: dt.datetime | None
    minutes_on_site: int | None
    usual_minutes: int | None
    short_visit: bool
    confirmation: str = choice(Confirmation)
    confirmed_at: dt.datetime | None
    dispute_reason: str


def _evidence_out(order: Order) -> DeliveryEvidence:
    found = DeliveryEvidence.objects.filter(order=order).first()
    if found is None:
        raise NotFound("evidence")
    return found


@router.post("/orders/{order_id}/check-in", response={200: OrderOut, **ERRORS})
def check_in(request, order_id: int, payload: CheckInIn):
    """Start the service; the phone's location (optional) is kept as evidence."""
    order = evidence.order_check_in(
        actor=request.user,
        order=order_get_for(user=request.user, order_id=order_id),
        latitude=payload.latitude,
        longitude=payload.longitude,
        accuracy=payload.accuracy,
    )
    return order_out(order, request.user)


@router.get("/orders/{order_id}/evidence", response={200: EvidenceOut, **ERRORS})
def get_evidence(request, order_id: int):
    return _evidence_out(order_get_for(user=request.user, order_id=order_id))


@router.post("/orders/{order_id}/evidence/confirm", response={200: EvidenceOut, **ERRORS})
def confirm_delivery(request, order_id: int):
    return evidence.delivery_confirm(
        actor=request.user, order=order_get_for(user=request.user, order_id=order_id)
    )


@router.post("/orders/{order_id}/evidence/dispute", response={200: EvidenceOut, **ERRORS})
def dispute_delivery(request, order_id: int, payload: DisputeIn):
    return evidence.delivery_dispute(
        actor=request.user,
        order=order_get_for(user=request.user, order_id=order_id),
        reason=payload.reason,
    )
