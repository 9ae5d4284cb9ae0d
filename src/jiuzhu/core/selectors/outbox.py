"""Reading the event outbox: the deliveries that failed, for the city administrator."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from jiuzhu.core.errors import PermissionDenied
from jiuzhu.core.models import DeliveryStatus, OutboxDelivery, Role, User

#: The filters of the event deliveries page: what each shows.
FAILING = "failing"  # failed at least once, will be retried
DEAD = "dead"  # failed every attempt, waits for an administrator
PROBLEMS = "problems"  # both (the default)
WAITING = "waiting"  # not delivered yet, whatever the reason
VIEWS = (PROBLEMS, FAILING, DEAD, WAITING)


def can_watch_events(user: User) -> bool:
    """The city administrator runs the platform's configuration: it watches event deliveries."""
    return user.is_authenticated and user.role == Role.CITY_ADMIN


def require_watch_events(user: User) -> None:
    if not can_watch_events(user):
        raise PermissionDenied(_("Only the city administrator sees event deliveries."))


def _filtered(view: str) -> Q:
    failing = Q(status=DeliveryStatus.PENDING, attempts__gt=0)
    dead = Q(status=DeliveryStatus.DEAD)
    return {
        FAILING: failing,
        DEAD: dead,
        WAITING: Q(status=DeliveryStatus.PENDING),
    }.get(view, failing | dead)


def outbox_deliveries(*, actor: User, view: str = PROBLEMS) -> QuerySet[OutboxDelivery]:
    """Deliveries for ``view`` (unknown views show the problems), latest failure first."""
    require_watch_events(actor)
    return (
        OutboxDelivery.objects.filter(_filtered(view))
        .select_related("event")
        .order_by("-last_attempt_at", "-id")
    )


def outbox_counts(*, actor: User) -> dict[str, int]:
    """How many deliveries are failing (to be retried), dead, and waiting in all."""
    require_watch_events(actor)
    return OutboxDelivery.objects.aggregate(
        failing=Count("id", filter=_filtered(FAILING)),
        dead=Count("id", filter=_filtered(DEAD)),
        waiting=Count("id", filter=_filtered(WAITING)),
    )
