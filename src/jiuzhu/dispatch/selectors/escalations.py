"""Reading escalations (the orders a manager must look at), scoped through their orders."""

from __future__ import annotations

from django.db.models import QuerySet

from jiuzhu.core.errors import NotFound
from jiuzhu.core.models import User
from jiuzhu.core.scoping import visible
from jiuzhu.dispatch.models import Escalation


def escalation_list(
    *, user: User, resolved: bool = False, street: int | None = None
) -> QuerySet[Escalation]:
    escalations = visible(
        user, Escalation.objects.filter(resolved_at__isnull=not resolved)
    ).select_related(
        "order__item",
        "order__household__street",
        "order__household__community",
        "order__provider__organisation",
        "order__sla",
        "resolved_by",
    )
    if street:
        escalations = escalations.filter(order__household__street_id=street)
    return escalations.order_by("-resolved_at" if resolved else "created_at", "-id")


def escalation_get_for(*, user: User, escalation_id: int) -> Escalation:
    """The escalation, if ``user`` may see it; else ``NotFound``."""
    escalation = visible(user, Escalation.objects.filter(pk=escalation_id)).first()
    if escalation is None:
        raise NotFound("escalation")
    return escalation
