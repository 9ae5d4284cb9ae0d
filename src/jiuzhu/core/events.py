"""The domain event registry, backed by a transactional outbox.

Capabilities announce facts ("a household changed", "an order completed") with :func:`publish`;
other capabilities react with handlers registered by :func:`on`. Every event name is declared
first, so a typo fails at import time instead of silently reaching nobody. This is deliberately
not Django signals: the list of events and their handlers is explicit and can be printed
(``jiuzhu manage events``).

``publish`` writes the event to the outbox table (``core.OutboxEvent``), with one delivery row
per registered handler (``core.OutboxDelivery``), **in the transaction of the change that caused
it**: a rolled-back change leaves no row, a committed one cannot lose its event. After the commit
the deliveries are made by :mod:`jiuzhu.core.outbox`: at once in this process when
``EVENTS_INLINE`` is on (the default), else by a Celery task (``CELERY_BROKER_URL`` set) or by
the worker's frequent ``core.outbox`` job. Each handler runs in the transaction that marks its
delivery done, so it takes effect exactly once; one that raises is retried with back-off and, after
``EVENTS_MAX_ATTEMPTS``, shown to the city administrator as failed. A handler therefore calls a
named, idempotent, audited service (never a raw ``.update()``), and must not rely on running in
the process or request that published the event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)

Handler = Callable[["DomainEvent"], None]


@dataclass(frozen=True)
class DomainEvent:
    name: str
    payload: dict[str, Any] = field(default_factory=dict)
    #: The outbox row's id: a handler may use it as an idempotency key.
    id: int | None = None


@dataclass
class EventType:
    name: str
    description: str
    handlers: list[Handler] = field(default_factory=list)


_registry: dict[str, EventType] = {}


def declare(name: str, description: str) -> str:
    """Declare an event name; returns it so modules can keep it as a constant."""
    _registry.setdefault(name, EventType(name=name, description=description))
    return name


def handler_key(handler: Handler) -> str:
    """The name a delivery row knows its handler by: ``module.qualname`` (or an explicit
    ``outbox_key`` attribute), stable across processes and restarts."""
    explicit = getattr(handler, "outbox_key", None)
    if explicit:
        return str(explicit)
    return f"{handler.__module__}.{handler.__qualname__}"[:200]


def on(name: str, *, key: str | None = None) -> Callable[[Handler], Handler]:
    """Register a handler for a declared event. ``key`` names it in the outbox when its
    dotted name would not be stable (it rarely is needed)."""

    def register(handler: Handler) -> Handler:
        if name not in _registry:
            raise LookupError(f"event {name!r} is not declared")
        if key:
            handler.outbox_key = key  # type: ignore[attr-defined]
        handlers = _registry[name].handlers
        if handler in handlers:
            return handler
        if any(handler_key(other) == handler_key(handler) for other in handlers):
            raise ValueError(
                f"event {name!r} already has a handler named {handler_key(handler)!r}; "
                "give this one a key"
            )
        handlers.append(handler)
        return handler

    return register


def handler_for(name: str, key: str) -> Handler | None:
    """The handler registered in this process for ``name`` under ``key``, if any."""
    event_type = _registry.get(name)
    if event_type is None:
        return None
    return next((h for h in event_type.handlers if handler_key(h) == key), None)


def publish(name: str, **payload: Any) -> None:
    """Announce an event: write it to the outbox in the current transaction; its handlers are
    delivered once the transaction commits (see the module docstring)."""
    if name not in _registry:
        raise LookupError(f"event {name!r} is not declared")
    handlers = list(dict.fromkeys(handler_key(h) for h in _registry[name].handlers))
    if not handlers:
        return  # nobody listens: nothing to deliver, nothing to keep
    from jiuzhu.core.outbox import after_commit, outbox_write

    with transaction.atomic():
        event_id = outbox_write(name=name, payload=payload, handlers=handlers)
    transaction.on_commit(lambda: after_commit(event_id))


def registered() -> list[EventType]:
    return sorted(_registry.values(), key=lambda e: e.name)
