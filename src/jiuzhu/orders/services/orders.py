"""Placing orders and moving them through the state machine (``jiuzhu.orders.states``).

Every transition is one conditional UPDATE ("… WHERE id = ? AND status IN (…)"): when two
providers accept the same order at the same moment, the database lets exactly one update match,
and the other gets a 409 — on PostgreSQL with real parallel connections, and on SQLite where
writers are serialised. The transition, its event row, the chain entry and the audit entry
commit together; notifications and domain events follow on commit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.catalog.eligibility import ineligibility
from jiuzhu.catalog.models import ServiceItem
from jiuzhu.catalog.selectors import item_rule
from jiuzhu.core import audit, events
from jiuzhu.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditAction, Role, User
from jiuzhu.core.scoping import visible
from jiuzhu.core.services.notifications import notify
from jiuzhu.orders import states
from jiuzhu.orders.events import (
    ORDER_ACCEPTED,
    ORDER_CANCELLED,
    ORDER_COMPLAINED,
    ORDER_COMPLETED,
    ORDER_CREATED,
    ORDER_DECLINED,
    ORDER_RATED,
    ORDER_STARTED,
)
from jiuzhu.orders.models import (
    Channel,
    Complaint,
    DeliveryRecord,
    Order,
    OrderDecline,
    OrderEvent,
    OrderStatus,
    Provider,
    Rating,
)
from jiuzhu.orders.scopes import provider_of
from jiuzhu.registry.models import Household, HouseholdStatus
from jiuzhu.registry.services.chain import chain_add

CHANNEL_BY_ROLE = {
    Role.BENEFICIARY: Channel.SELF,
    Role.COMMUNITY_WORKER: Channel.COMMUNITY,
    Role.HOTLINE_OPERATOR: Channel.HOTLINE,
    Role.STREET_CASEWORKER: Channel.COMMUNITY,
}


def _url(order: Order) -> str:
    return reverse("orders:order_detail", args=[order.pk])


def _number(order_id: int, on: dt.date) -> str:
    return f"JZ{on:%Y%m%d}{order_id:07d}"


def _beneficiaries(household: Household) -> list[User]:
    return [account.user for account in household.accounts.select_related("user")]


def _provider_staff(provider: Provider) -> list[User]:
    return list(
        User.objects.filter(
            organisation_id=provider.organisation_id, is_active=True, role=Role.PROVIDER_STAFF
        )
    )


def eligible_providers(order: Order) -> list[Provider]:
    """Active providers that serve the household's street or community and offer the item."""
    household = order.household
    return list(
        Provider.objects.filter(active=True, items=order.item)
        .filter(Q(streets=household.street_id) | Q(communities=household.community_id))
        .exclude(declines__order=order)
        .distinct()
        .select_related("organisation")
    )


# ---------------------------------------------------------------- placing orders


def used_in_period(household: Household, item: ServiceItem, start: dt.date, end: dt.date) -> int:
    """Units of ``item`` the household has ordered (not cancelled) between two dates."""
    total = (
        Order.objects.filter(
            household=household,
            item=item,
            created_at__date__gte=start,
            created_at__date__lt=end,
        )
        .exclude(status=OrderStatus.CANCELLED)
        .aggregate(n=Sum("quantity"))["n"]
    )
    return total or 0


def check_can_order(*, household: Household, item: ServiceItem, quantity: int, on: dt.date) -> None:
    """Eligibility (groups, tier, urgency tag) and frequency limits; a clear message each."""
    if household.status != HouseholdStatus.ACTIVE:
        raise DomainError("household_exited", _("This household no longer receives assistance."))
    reasons = ineligibility(
        item_rule(item),
        groups=household.group_list,
        tier=household.tier,
        urgency_tag=household.urgency_tag,
    )
    if reasons:
        raise DomainError(
            "not_eligible",
            _("This service is not available to this household."),
            reasons=reasons,
        )
    week_start = on - dt.timedelta(days=on.weekday())
    month_start = on.replace(day=1)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    if item.max_per_week is not None:
        used = used_in_period(household, item, week_start, week_start + dt.timedelta(days=7))
        if used + quantity > item.max_per_week:
            raise DomainError(
                "limit_reached",
                _("The limit is %(n)d per week and %(used)d are already ordered this week.")
                % {"n": item.max_per_week, "used": used},
                period="week",
                limit=item.max_per_week,
                used=used,
            )
    if item.max_per_month is not None:
        used = used_in_period(household, item, month_start, next_month)
        if used + quantity > item.max_per_month:
            raise DomainError(
                "limit_reached",
                _("The limit is %(n)d per month and %(used)d are already ordered this month.")
                % {"n": item.max_per_month, "used": used},
                period="month",
                limit=item.max_per_month,
                used=used,
            )


@transaction.atomic
def order_create(
    *,
    actor: User,
    household: Household,
    item: ServiceItem,
    quantity: int = 1,
    preferred_time: dt.datetime | None = None,
    note: str = "",
    channel: str | None = None,
    source: str = "",
    source_id: str | int = "",
) -> Order:
    """Place an order for a household the actor may see (their own, for a beneficiary)."""
    if actor.role not in states.ORDERING_ROLES and channel != Channel.PLAN:
        raise PermissionDenied(_("Your role may not place orders."))
    if not visible(actor, Household.objects.filter(pk=household.pk)).exists():
        raise PermissionDenied(_("You may not order for this household."))
    if not item.active:
        raise DomainError("not_eligible", _("This service is not offered at the moment."))
    if quantity < 1 or quantity > 20:
        raise ValidationFailed({"quantity": [_("Order between 1 and 20.")]})
    now = timezone.now()
    if preferred_time is not None and preferred_time < now - dt.timedelta(minutes=5):
        raise ValidationFailed({"preferred_time": [_("The preferred time is in the past.")]})
    # Lock the household (serialising limit checks) and read its current groups and tag.
    household = (
        Household.objects.select_for_update().select_related("community").get(pk=household.pk)
    )
    check_can_order(household=household, item=item, quantity=quantity, on=timezone.localdate())
    order = Order.objects.create(
        number=f"T{uuid.uuid4().hex[:23]}",  # replaced by the real number below
        household=household,
        item=item,
        quantity=quantity,
        preferred_time=preferred_time,
        note=note.strip(),
        channel=channel or CHANNEL_BY_ROLE.get(actor.role, Channel.COMMUNITY),
        placed_by=actor,
        source=source,
        source_id=str(source_id),
    )
    order.number = _number(order.pk, timezone.localdate())
    order.save(update_fields=["number"])
    OrderEvent.objects.create(
        order=order, action="create", to_status=OrderStatus.WAITING, actor=actor
    )
    chain_add(
        household=household,
        source="order",
        source_id=order.pk,
        title=_("Ordered: %(item)s") % {"item": item.name},
        detail=order.get_channel_display(),
        url=_url(order),
        actor=actor,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=order)
    providers = eligible_providers(order)
    notify(
        users=[user for provider in providers for user in _provider_staff(provider)],
        title=_("New order in your area: %(item)s") % {"item": item.name},
        body=f"{household.community.name} {order.number}",
        url=_url(order),
    )
    events.publish(ORDER_CREATED, order_id=order.pk, household_id=household.pk)
    return order


# ---------------------------------------------------------------- transitions


def _refuse(error: states.TransitionRefused, order: Order):
    if error.reason == "forbidden":
        return PermissionDenied(_("Your role may not do this to an order."))
    return Conflict(
        "wrong_state",
        _("This order is %(status)s; it cannot be changed that way now.")
        % {"status": OrderStatus(order.status).label},
        order_status=order.status,
    )


def _transition(
    *,
    actor: User,
    order: Order,
    action: str,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> Order:
    """Move ``order`` by ``action`` if it is still in a state the action starts from."""
    try:
        target = states.check(action, status=order.status, role=actor.role)
    except states.TransitionRefused as error:
        raise _refuse(error, order) from None
    sources = states.TRANSITIONS[action].sources
    updated = Order.objects.filter(pk=order.pk, status__in=sources).update(
        status=target, updated_at=timezone.now(), **(changes or {})
    )
    if updated != 1:
        order.refresh_from_db()
        if action == "accept":
            raise Conflict(
                "already_taken",
                _("Another provider has just accepted this order."),
                order_status=order.status,
            )
        raise _refuse(states.TransitionRefused("conflict", action, order.status), order)
    before = order.status
    order.refresh_from_db()
    OrderEvent.objects.create(
        order=order,
        action=action,
        from_status=before,
        to_status=target,
        actor=actor,
        note=note[:300],
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=order,
        detail={"transition": action, "from": before, "to": target},
    )
    return order


def _require_own_provider(actor: User, order: Order) -> Provider:
    provider = provider_of(actor)
    if provider is None or order.provider_id != provider.pk:
        raise PermissionDenied(_("This order belongs to another provider."))
    return provider


def _today_accepted(provider: Provider) -> int:
    today = timezone.localdate()
    return (
        Order.objects.filter(provider=provider, accepted_at__date=today)
        .exclude(status=OrderStatus.CANCELLED)
        .count()
    )


@transaction.atomic
def order_accept(*, actor: User, order: Order) -> Order:
    provider = provider_of(actor)
    if actor.role != Role.PROVIDER_STAFF or provider is None:
        raise PermissionDenied(_("Only provider staff accept orders."))
    if provider.pk not in {p.pk for p in eligible_providers(order)}:
        raise PermissionDenied(_("Your organisation does not serve this area or this service."))
    if _today_accepted(provider) >= provider.daily_capacity:
        raise Conflict(
            "capacity_reached",
            _("Your organisation has reached its capacity for today (%(n)d orders).")
            % {"n": provider.daily_capacity},
        )
    now = timezone.now()
    order = _transition(
        actor=actor,
        order=order,
        action="accept",
        changes={"provider": provider, "accepted_at": now},
    )
    chain_add(
        household=order.household,
        source="order",
        source_id=order.pk,
        title=_("Accepted by %(provider)s: %(item)s")
        % {"provider": provider, "item": order.item.name},
        url=_url(order),
        actor=actor,
    )
    notify(
        users=[*_beneficiaries(order.household), order.placed_by],
        title=_("Your order was accepted"),
        body=f"{order.item.name} · {provider}",
        url=_url(order),
        sms=True,
    )
    events.publish(
        ORDER_ACCEPTED, order_id=order.pk, household_id=order.household_id, provider_id=provider.pk
    )
    return order


@transaction.atomic
def order_decline(*, actor: User, order: Order, reason: str) -> Order:
    if not reason.strip():
        raise ValidationFailed({"reason": [_("Say why you decline.")]})
    provider = provider_of(actor)
    try:
        states.check("decline", status=order.status, role=actor.role)
    except states.TransitionRefused as error:
        raise _refuse(error, order) from None
    if provider is None or provider.pk not in {p.pk for p in eligible_providers(order)}:
        raise PermissionDenied(_("Your organisation does not serve this area or this service."))
    OrderDecline.objects.create(order=order, provider=provider, reason=reason.strip(), by=actor)
    OrderEvent.objects.create(
        order=order,
        action="decline",
        from_status=order.status,
        to_status=order.status,
        actor=actor,
        note=reason.strip()[:300],
    )
    audit.record(
        actor=actor, action=AuditAction.UPDATE, obj=order, detail={"transition": "decline"}
    )
    if not eligible_providers(order):
        notify(
            users=[order.placed_by],
            title=_("No provider has taken the order yet"),
            body=f"{order.item.name} {order.number}",
            url=_url(order),
        )
    events.publish(
        ORDER_DECLINED, order_id=order.pk, household_id=order.household_id, provider_id=provider.pk
    )
    return order


@transaction.atomic
def order_assign(*, actor: User, order: Order, assignee: User) -> Order:
    provider = _require_own_provider(actor, order)
    own_staff = assignee.role == Role.PROVIDER_STAFF and assignee.organisation_id == (
        provider.organisation_id
    )
    if not (own_staff or assignee.role == Role.VOLUNTEER) or not assignee.is_active:
        raise ValidationFailed({"assignee": [_("Choose a member of your staff or a volunteer.")]})
    order = _transition(
        actor=actor,
        order=order,
        action="assign",
        changes={"assignee": assignee, "assigned_at": timezone.now()},
    )
    notify(
        users=[assignee],
        title=_("You have a new service task"),
        body=f"{order.item.name} · {order.household.community.name}",
        url=_url(order),
        sms=True,
    )
    return order


def _require_deliverer(actor: User, order: Order) -> None:
    if actor.role == Role.VOLUNTEER:
        if order.assignee_id != actor.pk:
            raise PermissionDenied(_("This task is assigned to someone else."))
    else:
        _require_own_provider(actor, order)


@transaction.atomic
def order_start(*, actor: User, order: Order) -> Order:
    try:
        states.check("start", status=order.status, role=actor.role)
    except states.TransitionRefused as error:
        raise _refuse(error, order) from None
    _require_deliverer(actor, order)
    changes: dict[str, Any] = {"started_at": timezone.now()}
    if order.assignee_id is None:
        changes["assignee"] = actor
    order = _transition(actor=actor, order=order, action="start", changes=changes)
    chain_add(
        household=order.household,
        source="order",
        source_id=order.pk,
        title=_("Service started: %(item)s") % {"item": order.item.name},
        url=_url(order),
        actor=actor,
    )
    notify(
        users=_beneficiaries(order.household),
        title=_("Your service has started"),
        body=order.item.name,
        url=_url(order),
    )
    events.publish(ORDER_STARTED, order_id=order.pk, household_id=order.household_id)
    return order


@transaction.atomic
def order_complete(
    *,
    actor: User,
    order: Order,
    summary: str,
    duration_minutes: int,
    notes: str = "",
    photo=None,
) -> Order:
    try:
        states.check("complete", status=order.status, role=actor.role)
    except states.TransitionRefused as error:
        raise _refuse(error, order) from None
    _require_deliverer(actor, order)
    errors: dict[str, list[str]] = {}
    if not summary.strip():
        errors["summary"] = [_("Say what was done.")]
    if not 1 <= duration_minutes <= 24 * 60:
        errors["duration_minutes"] = [_("Give the duration in minutes (1 to 1440).")]
    if photo is not None:
        if photo.size > 5 * 1024 * 1024:
            errors["photo"] = [_("The photo may be at most 5 MB.")]
        elif not (photo.content_type or "").startswith("image/"):
            errors["photo"] = [_("Upload a photo (JPEG or PNG).")]
    if errors:
        raise ValidationFailed(errors)
    order = _transition(
        actor=actor, order=order, action="complete", changes={"completed_at": timezone.now()}
    )
    DeliveryRecord.objects.create(
        order=order,
        summary=summary.strip(),
        duration_minutes=duration_minutes,
        notes=notes.strip(),
        photo=photo or "",
        recorded_by=actor,
    )
    chain_add(
        household=order.household,
        source="order",
        source_id=order.pk,
        title=_("Service completed: %(item)s") % {"item": order.item.name},
        detail=summary.strip(),
        url=_url(order),
        actor=actor,
    )
    notify(
        users=_beneficiaries(order.household),
        title=_("Your service is complete"),
        body=_("Please rate it."),
        url=_url(order),
        sms=True,
    )
    events.publish(
        ORDER_COMPLETED,
        order_id=order.pk,
        household_id=order.household_id,
        provider_id=order.provider_id,
    )
    return order


def _may_act_for_household(actor: User, order: Order) -> bool:
    return visible(actor, Household.objects.filter(pk=order.household_id)).exists()


@transaction.atomic
def order_cancel(*, actor: User, order: Order, reason: str = "") -> Order:
    try:
        states.check("cancel", status=order.status, role=actor.role)
    except states.TransitionRefused as error:
        raise _refuse(error, order) from None
    if not _may_act_for_household(actor, order):
        raise PermissionDenied(_("You may not cancel this order."))
    order = _transition(
        actor=actor,
        order=order,
        action="cancel",
        note=reason,
        changes={"cancelled_at": timezone.now(), "cancel_reason": reason[:200]},
    )
    chain_add(
        household=order.household,
        source="order",
        source_id=order.pk,
        title=_("Order cancelled: %(item)s") % {"item": order.item.name},
        detail=reason,
        url=_url(order),
        actor=actor,
    )
    if order.provider_id:
        notify(
            users=[*_provider_staff(order.provider), *[u for u in [order.assignee] if u]],
            title=_("An order was cancelled"),
            body=f"{order.item.name} {order.number}",
            url=_url(order),
        )
    events.publish(ORDER_CANCELLED, order_id=order.pk, household_id=order.household_id)
    return order


@transaction.atomic
def order_rate(*, actor: User, order: Order, score: int, comment: str = "") -> Rating:
    if actor.role not in states.RATING_ROLES:
        raise PermissionDenied(_("Your role may not rate orders."))
    if not _may_act_for_household(actor, order):
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
        url=_url(order),
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
    if actor.role not in states.COMPLAINING_ROLES:
        raise PermissionDenied(_("Your role may not file complaints on orders."))
    if not _may_act_for_household(actor, order):
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
        url=_url(order),
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
        title=_("Complaint about an order"),
        body=f"{order.number} {order.item.name}",
        url=_url(order),
    )
    events.publish(
        ORDER_COMPLAINED,
        order_id=order.pk,
        household_id=order.household_id,
        complaint_id=complaint.pk,
    )
    return complaint


def order_actions(*, user: User, order: Order) -> list[str]:
    """The transitions ``user`` can make on ``order`` now (for buttons and the API)."""
    possible = states.actions_for(order.status, user.role)
    if user.role == Role.PROVIDER_STAFF:
        provider = provider_of(user)
        if order.status == OrderStatus.WAITING:
            eligible = provider is not None and provider.pk in {
                p.pk for p in eligible_providers(order)
            }
            return [a for a in possible if a in ("accept", "decline") and eligible]
        own = provider is not None and order.provider_id == provider.pk
        return [a for a in possible if own and a not in ("accept", "decline")]
    if user.role == Role.VOLUNTEER:
        return [a for a in possible if order.assignee_id == user.pk]
    return possible
