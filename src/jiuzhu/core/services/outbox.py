"""An administrator's action on the event outbox: retrying a failed delivery now."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit, outbox
from jiuzhu.core.errors import Conflict, NotFound
from jiuzhu.core.models import AuditAction, DeliveryStatus, OutboxDelivery, User
from jiuzhu.core.selectors.outbox import require_watch_events


def outbox_delivery_retry(*, actor: User, delivery_id: int) -> str | None:
    """Make a failed (or dead) delivery due now, audited; with inline delivery, make it at once
    and return the outcome (``delivered``, ``failed``, ``dead``), else None (the worker will)."""
    require_watch_events(actor)
    with transaction.atomic():
        delivery = (
            OutboxDelivery.objects.select_for_update()
            .select_related("event")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            raise NotFound(_("No such event delivery."))
        if delivery.status == DeliveryStatus.DONE:
            raise Conflict("already_delivered", _("This event has already been delivered."))
        OutboxDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, next_attempt_at=timezone.now()
        )
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=delivery,
            detail={
                "retry": True,
                "event": delivery.event.name,
                "handler": delivery.handler,
                "attempts": delivery.attempts,
                "was": delivery.status,
            },
        )
    if settings.EVENTS_INLINE:
        return outbox.deliver(delivery.pk)
    return None
