"""Delivering outbox events to their handlers: exactly once each, retried with back-off.

:func:`jiuzhu.core.events.publish` writes an ``OutboxEvent`` and one ``OutboxDelivery`` per handler
in the publishing transaction. This module makes the deliveries:

- **One delivery, one transaction.** A delivery row is claimed (``SELECT … FOR UPDATE SKIP
  LOCKED`` on PostgreSQL, so a second worker takes the next row instead of waiting; on SQLite the
  immediate transaction already holds the write lock) and then a conditional ``UPDATE`` on
  ``status = pending`` and the attempt count read, so two processes can never both claim it. The
  handler runs inside that transaction (in a savepoint), and the row becomes ``done`` in it too:
  the handler's writes and the mark commit together, or — if the process dies half-way, even by
  SIGKILL — neither does, and the delivery is made again later. Nothing is lost, nothing doubled.
- **Failures are kept, retried, then shown.** A handler that raises has its savepoint rolled
  back; the row records the attempt, the error and ``next_attempt_at`` (``EVENTS_RETRY_SECONDS``
  × 2^(attempt−1), at most an hour). After ``EVENTS_MAX_ATTEMPTS`` attempts it is ``dead``: the
  city administrator sees it at ``/events/`` (and ``jiuzhu manage events --failed``) and may
  retry it. One handler failing never re-runs the others: each has its own row.
- **Who delivers.** Right after the publishing commit, in the same process when
  ``EVENTS_INLINE`` is on (the default, and what the tests and the demo use); otherwise a Celery
  task when ``CELERY_BROKER_URL`` is set. Either way the ``core.outbox`` periodic job (``jiuzhu
  worker`` or Celery beat, every ``EVENTS_DRAIN_SECONDS``) drains whatever is due: retries, and
  events whose immediate delivery never happened (the process died after the commit).

Handlers should be quick database work: each runs while its delivery row is locked (on SQLite,
while the database's write lock is held). Effects outside the database (an SMS) are not covered
by the transaction, so such a handler must be idempotent itself, or defer the effect with
``transaction.on_commit``.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections import Counter
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from jiuzhu.core import events
from jiuzhu.core.jobs import hand_over, one_off, periodic
from jiuzhu.core.models import DeliveryStatus, OutboxDelivery, OutboxEvent

log = logging.getLogger(__name__)

#: The longest wait between two attempts.
MAX_BACKOFF_SECONDS = 3600
#: What one drain handles at most, so a backlog cannot starve the worker's other jobs.
DRAIN_BATCH = 200

DELIVERED = "delivered"
FAILED = "failed"
DEAD = "dead"


def outbox_write(*, name: str, payload: dict[str, Any], handlers: list[str]) -> int:
    """Write one event and a pending delivery per handler (inside the caller's transaction)."""
    now = timezone.now()
    event = OutboxEvent.objects.create(name=name, payload=payload, created_at=now)
    OutboxDelivery.objects.bulk_create(
        [OutboxDelivery(event=event, handler=key, next_attempt_at=now) for key in handlers]
    )
    return event.pk


def backoff_seconds(attempts: int) -> int:
    """How long to wait after the ``attempts``-th failed attempt: base × 2^(attempts−1)."""
    base = settings.EVENTS_RETRY_SECONDS
    return min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


#: the one-off task that delivers one event right after its publishing commit
DELIVER_EVENT = "core.deliver_event"


def after_commit(event_id: int) -> None:
    """Called once the publishing transaction committed: deliver now, or hand over."""
    hand_over(DELIVER_EVENT, event_id)


@one_off(DELIVER_EVENT, inline_setting="EVENTS_INLINE")
def deliver_event(event_id: int, *, now: dt.datetime | None = None) -> Counter[str]:
    """Make every due delivery of one event (each in its own transaction)."""
    outcomes: Counter[str] = Counter()
    ids = OutboxDelivery.objects.filter(
        event_id=event_id, status=DeliveryStatus.PENDING
    ).values_list("pk", flat=True)
    for delivery_id in list(ids):
        outcome = deliver(delivery_id, now=now)
        if outcome:
            outcomes[outcome] += 1
    return outcomes


def _due(now: dt.datetime) -> QuerySet[OutboxDelivery]:
    return OutboxDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)


def deliver(delivery_id: int, *, now: dt.datetime | None = None) -> str | None:
    """Make one delivery if it is still pending and due and nobody else is making it; returns
    its outcome, or None when there was nothing to do."""
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            _due(now)
            .filter(pk=delivery_id)
            .select_for_update(skip_locked=True, of=("self",))
            .first()
        )
        return None if row is None else _attempt(row, now)


def drain(*, now: dt.datetime | None = None, limit: int = DRAIN_BATCH) -> dict[str, int]:
    """Make due deliveries, oldest first, one transaction each, until none is due or ``limit``
    were tried. Safe to run in several processes at once."""
    outcomes: Counter[str] = Counter()
    for _ in range(limit):
        moment = now or timezone.now()
        with transaction.atomic():
            row = (
                _due(moment)
                .order_by("next_attempt_at", "id")
                .select_for_update(skip_locked=True, of=("self",))
                .first()
            )
            if row is None:
                break
            outcome = _attempt(row, moment)
        if outcome:
            outcomes[outcome] += 1
    return dict(outcomes)


def _attempt(row: OutboxDelivery, now: dt.datetime) -> str | None:
    """Run ``row``'s handler; must be called inside a transaction holding the row."""
    claimed = OutboxDelivery.objects.filter(
        pk=row.pk, status=DeliveryStatus.PENDING, attempts=row.attempts
    ).update(attempts=F("attempts") + 1, last_attempt_at=now)
    if not claimed:  # someone else made it in the meantime
        return None
    attempts = row.attempts + 1
    event = OutboxEvent.objects.get(pk=row.event_id)
    handler = events.handler_for(event.name, row.handler)
    try:
        if handler is None:
            raise LookupError(f"no handler {row.handler!r} for {event.name!r} in this process")
        with transaction.atomic():
            handler(events.DomainEvent(name=event.name, payload=event.payload, id=event.pk))
    except Exception as error:
        dead = attempts >= settings.EVENTS_MAX_ATTEMPTS
        OutboxDelivery.objects.filter(pk=row.pk).update(
            status=DeliveryStatus.DEAD if dead else DeliveryStatus.PENDING,
            next_attempt_at=now + dt.timedelta(seconds=backoff_seconds(attempts)),
            last_error=_describe(error),
        )
        log.warning(
            "handler %s failed on event %s #%s (attempt %s%s): %s",
            row.handler,
            event.name,
            event.pk,
            attempts,
            ", giving up" if dead else "",
            error,
        )
        return DEAD if dead else FAILED
    OutboxDelivery.objects.filter(pk=row.pk).update(
        status=DeliveryStatus.DONE, delivered_at=now, last_error=""
    )
    return DELIVERED


def _describe(error: Exception) -> str:
    """The error and the last frames of its traceback, short enough to read on a page."""
    frames = traceback.format_exception(type(error), error, error.__traceback__, limit=-3)
    return "".join(frames)[-2000:]


@periodic("core.outbox", settings.EVENTS_DRAIN_SECONDS)
def drain_job() -> dict[str, int]:
    """The worker's frequent outbox drain: retries, and events nobody delivered yet."""
    return drain()


def purge(*, now: dt.datetime | None = None, batch: int = 5000) -> int:
    """Delete events older than ``EVENTS_KEEP_DAYS`` whose every delivery is done (a failing or
    dead one keeps its event until it is delivered). Returns how many events went."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.EVENTS_KEEP_DAYS)
    old = OutboxEvent.objects.filter(created_at__lt=cutoff).exclude(
        deliveries__status__in=[DeliveryStatus.PENDING, DeliveryStatus.DEAD]
    )
    removed = 0
    while True:
        ids = list(old.values_list("pk", flat=True)[:batch])
        if not ids:
            return removed
        with transaction.atomic():
            OutboxDelivery.objects.filter(event_id__in=ids).delete()
            removed += (
                OutboxEvent.objects.filter(pk__in=ids).delete()[1].get(OutboxEvent._meta.label, 0)
            )


@periodic("core.outbox_purge", 3600)
def purge_job() -> int:
    """Hourly: forget delivered events once they are ``EVENTS_KEEP_DAYS`` old."""
    return purge()
