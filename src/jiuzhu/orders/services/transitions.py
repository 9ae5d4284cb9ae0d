"""Moving orders through their state machine (``jiuzhu.orders.states``), and what households say
about them afterwards (rating, complaints).

Every transition goes through ``states.ORDER_FLOW.apply`` (``jiuzhu.core.transitions``): one
conditional UPDATE ("… WHERE id = ? AND status IN (…)"), so when two providers accept the same
order at the same moment the database lets exactly one update match and the other gets a 409 —
on PostgreSQL with real parallel connections, and on SQLite where writers are serialised. The
transition, its event row, the chain entry and the audit entry commit together; notifications and
domain events follow on commit. Each service first checks what the machine cannot know — whether
*this* user may act on *this* order — through ``orders/policy.py``.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit, events
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditAction, Role, User
from jiuzhu.core.services.notifications import notify
from jiuzhu.orders import policy
from jiuzhu.orders.events import ORDER_COMPLAINED, ORDER_RATED
from jiuzhu.orders.models import (
    Complaint,
    DeliveryRecord,
    Order,
    OrderDecline,
    OrderEvent,
    OrderStatus,
    Rating,
)
from jiuzhu.orders.scopes import open_to_provider, provider_of
from jiuzhu.orders.selectors.provider_facts import (
    accepted_on,
    eligible_providers,
    is_eligible,
)
from jiuzhu.orders.services.common import beneficiaries, order_url, provider_staff
from jiuzhu.orders.states import ORDER_FLOW
from jiuzhu.registry.services.chain import chain_add


def _taken(order: Order) -> Conflict:
    return Conflict(
        "already_taken",
        _("Another provider has just accepted this order."),
        order_status=order.status,
    )


@transaction.atomic
def order_accept(*, actor: User, order: Order) -> Order:
    provider = provider_of(actor)
    if actor.role != Role.PROVIDER_STAFF or provider is None:
        raise PermissionDenied(_("Only provider staff accept orders."))
    if not is_eligible(provider, order):
        raise PermissionDenied(_("Your organisation does not serve this area or this service."))
    if accepted_on(provider, timezone.localdate()) >= provider.daily_capacity:
        raise Conflict(
            "capacity_reached",
            _("Your organisation has reached its capacity for today (%(n)d orders).")
            % {"n": provider.daily_capacity},
        )
    order = ORDER_FLOW.apply(
        obj=order,
        action="accept",
        actor=actor,
        changes={"provider": provider, "accepted_at": timezone.now()},
        chain_title=_("Accepted by %(provider)s: %(item)s")
        % {"provider": provider, "item": order.item.name},
        payload={
            "order_id": order.pk,
            "household_id": order.household_id,
            "provider_id": provider.pk,
        },
        lost=_taken,
    )
    notify(
        users=[*beneficiaries(order.household), order.placed_by],
        title=_("Your order was accepted: %(item)s") % {"item": order.item.name},
        body=f"{order.item.name} · {provider}",
        url=order_url(order),
        sms=True,
    )
    return order


@transaction.atomic
def order_decline(*, actor: User, order: Order, reason: str) -> Order:
    if not reason.strip():
        raise ValidationFailed({"reason": [_("Say why you decline.")]})
    ORDER_FLOW.require("decline", obj=order, actor=actor)
    provider = provider_of(actor)
    if provider is None or not is_eligible(provider, order):
        raise PermissionDenied(_("Your organisation does not serve this area or this service."))
    OrderDecline.objects.create(order=order, provider=provider, reason=reason.strip(), by=actor)
    order = ORDER_FLOW.apply(
        obj=order,
        action="decline",
        actor=actor,
        note=reason.strip(),
        payload={
            "order_id": order.pk,
            "household_id": order.household_id,
            "provider_id": provider.pk,
        },
    )
    if not eligible_providers(order).exists():
        notify(
            users=[order.placed_by],
            title=_("No provider has taken the order yet: %(item)s") % {"item": order.item.name},
            body=f"{order.item.name} {order.number} · {order.household}",
            url=order_url(order),
        )
    return order


@transaction.atomic
def order_assign(*, actor: User, order: Order, assignee: User) -> Order:
    provider = policy.require_own_provider(actor, order)
    own_staff = assignee.role == Role.PROVIDER_STAFF and assignee.organisation_id == (
        provider.organisation_id
    )
    if not (own_staff or assignee.role == Role.VOLUNTEER) or not assignee.is_active:
        raise ValidationFailed({"assignee": [_("Choose a member of your staff or a volunteer.")]})
    order = ORDER_FLOW.apply(
        obj=order,
        action="assign",
        actor=actor,
        changes={"assignee": assignee, "assigned_at": timezone.now()},
    )
    notify(
        users=[assignee],
        title=_("You have a new service task: %(item)s") % {"item": order.item.name},
        body=f"{order.item.name} · {order.household.community.name}",
        url=order_url(order),
        sms=True,
    )
    return order


@transaction.atomic
def order_start(*, actor: User, order: Order) -> Order:
    ORDER_FLOW.require("start", obj=order, actor=actor)
    policy.require_deliverer(actor, order)
    changes: dict[str, Any] = {"started_at": timezone.now()}
    if order.assignee_id is None:
        changes["assignee"] = actor
    order = ORDER_FLOW.apply(
        obj=order,
        action="start",
        actor=actor,
        changes=changes,
        chain_title=_("Service started: %(item)s") % {"item": order.item.name},
        payload={"order_id": order.pk, "household_id": order.household_id},
    )
    notify(
        users=beneficiaries(order.household),
        title=_("Your service has started: %(item)s") % {"item": order.item.name},
        body=order.item.name,
        url=order_url(order),
    )
    return order


@transaction.atomic
def order_complete(
    *,
    actor: User,
    order: Order,
    summary: str,
    duration_minutes: int,
    notes: str = "",
    photo: UploadedFile | None = None,
) -> Order:
    ORDER_FLOW.require("complete", obj=order, actor=actor)
    policy.require_deliverer(actor, order)
    errors: dict[str, list[str]] = {}
    if not summary.strip():
        errors["summary"] = [_("Say what was done.")]
    if not 1 <= duration_minutes <= 24 * 60:
        errors["duration_minutes"] = [_("Give the duration in minutes (1 to 1440).")]
    if photo is not None:
        if (photo.size or 0) > 5 * 1024 * 1024:
            errors["photo"] = [_("The photo may be at most 5 MB.")]
        elif not (photo.content_type or "").startswith("image/"):
            errors["photo"] = [_("Upload a photo (JPEG or PNG).")]
    if errors:
        raise ValidationFailed(errors)
    order = ORDER_FLOW.apply(
        obj=order,
        action="complete",
        actor=actor,
        changes={"completed_at": timezone.now()},
        chain_title=_("Service completed: %(item)s") % {"item": order.item.name},
        chain_detail=summary.strip(),
        payload={
            "order_id": order.pk,
            "household_id": order.household_id,
            "provider_id": order.provider_id,
        },
    )
    DeliveryRecord.objects.create(
        order=order,
        summary=summary.strip(),
        duration_minutes=duration_minutes,
        notes=notes.strip(),
        photo=photo or "",
        recorded_by=actor,
    )
    notify(
        users=beneficiaries(order.household),
        title=_("Your service is complete: %(item)s") % {"item": order.item.name},
        body=_("Please confirm that it took place and rate it."),
        url=order_url(order),
        sms=True,
    )
    return order


@transaction.atomic
def order_cancel(*, actor: User, order: Order, reason: str = "") -> Order:
    ORDER_FLOW.require("cancel", obj=order, actor=actor)
    if not policy.may_act_for_household(actor, order):
        raise PermissionDenied(_("You may not cancel this order."))
    order = ORDER_FLOW.apply(
        obj=order,
        action="cancel",
        actor=actor,
        note=reason,
        changes={"cancelled_at": timezone.now(), "cancel_reason": reason[:200]},
        chain_title=_("Order cancelled: %(item)s") % {"item": order.item.name},
        chain_detail=reason,
        payload={"order_id": order.pk, "household_id": order.household_id},
    )
    if order.provider is not None:
        notify(
            users=[*provider_staff(order.provider), *[u for u in [order.assignee] if u]],
            title=_("An order was cancelled: %(item)s") % {"item": order.item.name},
            body=f"{order.item.name} {order.number}",
            url=order_url(order),
        )
    return order


# ---------------------------------------------------------------- after the service


@transaction.atomic
def order_rate(*, actor: User, order: Order, score: int, comment: str = "") -> Rating:
    if actor.role not in policy.RATING_ROLES:
        raise PermissionDenied(_("Your role may not rate orders."))
    if not policy.may_act_for_household(actor, order):
        raise PermissionDenied(_("You may not rate this order."))
    if order.status != OrderStatus.COMPLETED:
        raise Conflict(
            "wrong_state", _("Only a completed order can be rated."), order_status=order.status
        )
    if not 1 <= score <= 5:
        raise ValidationFailed({"score": [_("Rate from 1 to 5.")]})
    if Rating.objects.filter(order=order).exists():
        raise Conflict("already_rated", _("This order has been rated already."))
    rating = Rating.objects.create(order=order, score=score, comment=comment.strip(), by=actor)
    OrderEvent.objects.create(
        order=order,
        action="rate",
        from_status=order.status,
        to_status=order.status,
        actor=actor,
        note=f"{score}/5",
    )
    chain_add(
        household=order.household,
        source="order",
        source_id=order.pk,
        title=_("Rated %(score)d/5: %(item)s") % {"score": score, "item": order.item.name},
        detail=comment.strip(),
        url=order_url(order),
        actor=actor,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=rating, object_type="orders.rating")
    events.publish(
        ORDER_RATED,
        order_id=order.pk,
        household_id=order.household_id,
        provider_id=order.provider_id,
        score=score,
    )
    return rating


@transaction.atomic
def order_complain(*, actor: User, order: Order, text: str) -> Complaint:
    if actor.role not in policy.COMPLAINING_ROLES:
        raise PermissionDenied(_("Your role may not file complaints on orders."))
    if not policy.may_act_for_household(actor, order):
        raise PermissionDenied(_("You may not complain about this order."))
    if not text.strip():
        raise ValidationFailed({"text": [_("Describe the problem.")]})
    complaint = Complaint.objects.create(order=order, text=text.strip()[:500], by=actor)
    OrderEvent.objects.create(
        order=order,
        action="complain",
        from_status=order.status,
        to_status=order.status,
        actor=actor,
        note=text.strip()[:300],
    )
    chain_add(
        household=order.household,
        source="complaint",
        source_id=complaint.pk,
        title=_("Complaint recorded: %(item)s") % {"item": order.item.name},
        url=order_url(order),
        actor=actor,
    )
    audit.record(
        actor=actor, action=AuditAction.CREATE, obj=complaint, object_type="orders.complaint"
    )
    managers = User.objects.filter(
        role=Role.DISTRICT_MANAGER, area_id=order.household.district_id, is_active=True
    )
    notify(
        users=managers,
        title=_("Complaint about an order: %(item)s") % {"item": order.item.name},
        body=f"{order.number} {order.item.name} · {order.household}",
        url=order_url(order),
    )
    events.publish(
        ORDER_COMPLAINED,
        order_id=order.pk,
        household_id=order.household_id,
        complaint_id=complaint.pk,
    )
    return complaint


def order_actions_for(*, user: User, orders: list[Order]) -> dict[int, list[str]]:
    """``order_actions`` for a whole page of orders in a constant number of queries (the
    provider once, and which of the waiting orders it may take in one query)."""
    if user.role != Role.PROVIDER_STAFF:
        return {order.pk: order_actions(user=user, order=order) for order in orders}
    provider = provider_of(user)
    waiting = [order.pk for order in orders if order.status == OrderStatus.WAITING]
    takeable: set[int] = set()
    if provider is not None and waiting:
        takeable = set(
            open_to_provider(Order.objects.filter(pk__in=waiting), provider)
            .values_list("pk", flat=True)
            .distinct()
        )
    actions = {}
    for order in orders:
        possible = ORDER_FLOW.actions_for(order.status, user.role)
        if order.status == OrderStatus.WAITING:
            eligible = order.pk in takeable
            actions[order.pk] = [a for a in possible if a in ("accept", "decline") and eligible]
        else:
            own = provider is not None and order.provider_id == provider.pk
            actions[order.pk] = [a for a in possible if own and a not in ("accept", "decline")]
    return actions


def order_actions(*, user: User, order: Order) -> list[str]:
    """The transitions ``user`` can make on ``order`` now (for buttons and the API): the state
    table's answer narrowed by the policy's per-order rules."""
    possible = ORDER_FLOW.actions_for(order.status, user.role)
    if user.role == Role.PROVIDER_STAFF:
        provider = provider_of(user)
        if order.status == OrderStatus.WAITING:
            eligible = provider is not None and is_eligible(provider, order)
            return [a for a in possible if a in ("accept", "decline") and eligible]
        own = provider is not None and order.provider_id == provider.pk
        return [a for a in possible if own and a not in ("accept", "decline")]
    if user.role == Role.VOLUNTEER:
        return [a for a in possible if order.assignee_id == user.pk]
    return possible


def order_check(*, user: User, order: Order, action: str) -> None:
    """Raise what the service for ``action`` would raise before reading its input (role, state,
    per-order rules), so a page can tell "fix the form" from "this cannot be done"."""
    if action == "rate":
        if user.role not in policy.RATING_ROLES:
            raise PermissionDenied(_("Your role may not rate orders."))
        if not policy.may_act_for_household(user, order):
            raise PermissionDenied(_("You may not rate this order."))
        if order.status != OrderStatus.COMPLETED or Rating.objects.filter(order=order).exists():
            raise Conflict("wrong_state", _("Only a completed order can be rated."))
        return
    if action == "complain":
        if user.role not in policy.COMPLAINING_ROLES:
            raise PermissionDenied(_("Your role may not file complaints on orders."))
        if not policy.may_act_for_household(user, order):
            raise PermissionDenied(_("You may not complain about this order."))
        return
    ORDER_FLOW.require(action, obj=order, actor=user)
    if action not in order_actions(user=user, order=order):
        raise ORDER_FLOW.conflict_for(order)
