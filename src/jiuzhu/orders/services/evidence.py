"""Delivery evidence: check-in and check-out as the service's start and end, with time on site,
the phone's location at check-in (optional) as a distance from the service address, a flag for
visits far shorter than the item's usual duration, and the household's confirmation or dispute.

Check-in and check-out are the order's ``start`` and ``complete`` transitions
(``services.orders``) with the evidence written in the same transaction. The times are the
server's; the location is what the browser's geolocation reported and is stored with its
accuracy, because a phone indoors can be hundreds of metres off — the distance is evidence for a
person to weigh, never a reason the service refuses a check-in.
"""

from __future__ import annotations

import math
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit, events
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditAction, User
from jiuzhu.core.scoping import visible
from jiuzhu.orders import policy
from jiuzhu.orders.events import ORDER_CONFIRMED
from jiuzhu.orders.models import (
    Confirmation,
    DeliveryEvidence,
    Order,
    OrderEvent,
    OrderStatus,
)
from jiuzhu.orders.services import transitions as services
from jiuzhu.registry.models import Household
from jiuzhu.registry.services.chain import chain_add

#: A visit shorter than this share of the item's usual duration is flagged.
SHORT_SHARE = 0.5
EARTH_RADIUS_M = 6_371_000


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _location(
    latitude: float | None, longitude: float | None, accuracy: float | None
) -> tuple[Decimal | None, Decimal | None, int | None]:
    if latitude is None and longitude is None:
        return None, None, None
    errors: dict[str, list[str]] = {}
    if latitude is None or not -90 <= latitude <= 90:
        errors["latitude"] = [_("The latitude must be between -90 and 90.")]
    if longitude is None or not -180 <= longitude <= 180:
        errors["longitude"] = [_("The longitude must be between -180 and 180.")]
    if accuracy is not None and not 0 <= accuracy <= 100_000:
        errors["accuracy"] = [_("The accuracy must be between 0 and 100,000 metres.")]
    if errors:
        raise ValidationFailed(errors)
    return (
        Decimal(f"{latitude:.6f}"),
        Decimal(f"{longitude:.6f}"),
        round(accuracy) if accuracy is not None else None,
    )


def usual_minutes(order: Order) -> int | None:
    """The item's usual duration for this order (per hour ordered for hourly items)."""
    minutes = order.item.usual_minutes
    if minutes is None:
        return None
    return minutes * order.quantity if order.item.unit == "hour" else minutes


@transaction.atomic
def order_check_in(
    *,
    actor: User,
    order: Order,
    latitude: float | None = None,
    longitude: float | None = None,
    accuracy: float | None = None,
) -> Order:
    """Start the service and record when and (if the phone said) where."""
    lat, lon, acc = _location(latitude, longitude, accuracy)
    order = services.order_start(actor=actor, order=order)
    community = order.household.community
    distance = None
    if (
        lat is not None
        and lon is not None
        and community.latitude is not None
        and community.longitude is not None
    ):
        distance = round(
            distance_m(
                float(lat), float(lon), float(community.latitude), float(community.longitude)
            )
        )
    DeliveryEvidence.objects.update_or_create(
        order=order,
        defaults={
            "checked_in_at": order.started_at,
            "checked_in_by": actor,
            "latitude": lat,
            "longitude": lon,
            "accuracy_m": acc,
            "distance_m": distance,
        },
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=order,
        detail={"check_in": {"located": lat is not None, "distance_m": distance}},
    )
    return order


@transaction.atomic
def order_check_out(
    *,
    actor: User,
    order: Order,
    summary: str,
    duration_minutes: int,
    notes: str = "",
    photo: UploadedFile | None = None,
) -> Order:
    """Complete the service and record the time on site, flagging a visit far shorter than the
    item's usual duration."""
    order = services.order_complete(
        actor=actor,
        order=order,
        summary=summary,
        duration_minutes=duration_minutes,
        notes=notes,
        photo=photo,
    )
    completed = order.completed_at
    assert completed is not None  # order_complete just set it
    started = order.started_at or completed
    on_site = max(0, int((completed - started).total_seconds() // 60))
    usual = usual_minutes(order)
    short = usual is not None and on_site < SHORT_SHARE * usual
    evidence, _created = DeliveryEvidence.objects.get_or_create(
        order=order, defaults={"checked_in_at": started, "checked_in_by": order.assignee}
    )
    DeliveryEvidence.objects.filter(pk=evidence.pk).update(
        checked_out_at=order.completed_at,
        minutes_on_site=on_site,
        usual_minutes=usual,
        short_visit=short,
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=order,
        detail={"check_out": {"minutes_on_site": on_site, "usual": usual, "short": short}},
    )
    return order


def may_confirm(user: User, order: Order) -> bool:
    """Whether ``user`` may confirm or dispute ``order``'s delivery now."""
    if not policy.can_confirm_delivery(user) or order.status != OrderStatus.COMPLETED:
        return False
    if not visible(user, Household.objects.filter(pk=order.household_id)).exists():
        return False
    return DeliveryEvidence.objects.filter(order=order, confirmation=Confirmation.PENDING).exists()


def _answer(*, actor: User, order: Order, outcome: str, reason: str = "") -> DeliveryEvidence:
    policy.require_confirmer(actor)
    if not visible(actor, Household.objects.filter(pk=order.household_id)).exists():
        raise PermissionDenied(_("You may not confirm services for this household."))
    if order.status != OrderStatus.COMPLETED:
        raise Conflict(
            "wrong_state",
            _("Only a completed service can be confirmed or disputed."),
            order_status=order.status,
        )
    reason = reason.strip()
    if outcome == Confirmation.DISPUTED and not reason:
        raise ValidationFailed({"reason": [_("Say what did not happen as recorded.")]})
    now = timezone.now()
    # A service completed before evidence was kept still gets its confirmation.
    DeliveryEvidence.objects.get_or_create(
        order=order,
        defaults={
            "checked_in_at": order.started_at or order.completed_at or now,
            "checked_out_at": order.completed_at,
        },
    )
    updated = DeliveryEvidence.objects.filter(
        order=order, confirmation=Confirmation.PENDING
    ).update(
        confirmation=outcome, confirmed_by=actor, confirmed_at=now, dispute_reason=reason[:300]
    )
    if updated != 1:
        raise Conflict(
            "already_answered", _("This service has already been confirmed or disputed.")
        )
    OrderEvent.objects.create(
        order=order,
        action="confirm" if outcome == Confirmation.CONFIRMED else "dispute",
        from_status=order.status,
        to_status=order.status,
        actor=actor,
        note=reason[:300],
    )
    title = (
        _("Service confirmed: %(item)s")
        if outcome == Confirmation.CONFIRMED
        else _("Service disputed: %(item)s")
    )
    chain_add(
        household=order.household,
        source="order",
        source_id=order.pk,
        title=title % {"item": order.item.name},
        detail=reason,
        actor=actor,
    )
    evidence = DeliveryEvidence.objects.get(order=order)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=evidence,
        object_type="orders.deliveryevidence",
        detail={"confirmation": outcome},
    )
    if outcome == Confirmation.CONFIRMED:
        events.publish(
            ORDER_CONFIRMED,
            order_id=order.pk,
            household_id=order.household_id,
            confirmed_by=actor.pk,
        )
    return evidence


@transaction.atomic
def delivery_confirm(*, actor: User, order: Order) -> DeliveryEvidence:
    """The household (or its community worker) says the service took place as recorded."""
    return _answer(actor=actor, order=order, outcome=Confirmation.CONFIRMED)


@transaction.atomic
def delivery_dispute(*, actor: User, order: Order, reason: str) -> DeliveryEvidence:
    """The household (or its community worker) says it did not, with the reason."""
    return _answer(actor=actor, order=order, outcome=Confirmation.DISPUTED, reason=reason)
