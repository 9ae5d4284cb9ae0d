"""The domain event registry.

Capabilities announce facts ("a household changed", later "an order completed") with
:func:`publish`; other capabilities react with handlers registered by :func:`on`. Every event name
is declared first, so a typo fails at import time instead of silently reaching nobody.

Handlers run after the surrounding transaction commits (``transaction.on_commit``): a rolled-back
change announces nothing, and a slow or failing handler cannot undo the change that caused it.
A handler that raises is logged and does not stop the others. This is deliberately not Django
signals: the list of events and their handlers is explicit and can be printed
(``jiuzhu manage events``).
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


def on(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for a declared event."""

    def register(handler: Handler) -> Handler:
        if name not in _registry:
            raise LookupError(f"event {name!r} is not declared")
        if handler not in _registry[name].handlers:
            _registry[name].handlers.append(handler)
        return handler

    return register


def publish(name: str, **payload: Any) -> None:
    """Announce an event; its handlers run once the current transaction commits."""
    if name not in _registry:
        raise LookupError(f"event {name!r} is not declared")
    event = DomainEvent(name=name, payload=payload)
    transaction.on_commit(lambda: _dispatch(event))


def _dispatch(event: DomainEvent) -> None:
    for handler in list(_registry[event.name].handlers):
        try:
            handler(event)
        except Exception:
            log.exception("handler %s failed for event %s", handler, event.name)


def registered() -> list[EventType]:
    return sorted(_registry.values(), key=lambda e: e.name)
