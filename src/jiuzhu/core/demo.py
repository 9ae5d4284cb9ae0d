"""Demo set-up steps, registered by each capability and run in order by ``jiuzhu demo``.

Like scoping grants and events, this lets a later capability add to the demo (the catalogue,
a framework, assessments, orders…) without the earlier ones knowing about it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DemoContext:
    """What a step gets: the requested size and seed, ``say`` for progress (stderr) and ``out``
    for what the user must read (stdout). Each step decides for itself whether its data is
    already there, so a second ``jiuzhu demo`` is quick."""

    households: int
    seed: int
    say: Callable[[str], None]
    out: Callable[[str], None]


@dataclass(frozen=True)
class DemoStep:
    order: int
    name: str
    run: Callable[[DemoContext], Any]


_steps: dict[str, DemoStep] = {}


def demo_step(order: int, name: str):
    """Register ``run(context)`` as a demo step; lower orders run first."""

    def register(run: Callable[[DemoContext], Any]):
        _steps[name] = DemoStep(order=order, name=name, run=run)
        return run

    return register


def demo_steps() -> list[DemoStep]:
    return sorted(_steps.values(), key=lambda step: (step.order, step.name))


# Bulk steps ----------------------------------------------------------------------------
# ``jiuzhu demo-data`` generates households in bulk (the registry); later capabilities add what
# hangs off them at scale (assessments, orders…) through this registry, with the same bulk
# paths, so one command fills a benchmark database (issue 15 item 3).


@dataclass(frozen=True)
class BulkContext:
    """What a bulk step gets: the households just generated (an id range), the seed, the
    sizes asked for by name (``sizes["orders"]``, ``sizes["assessments"]``; 0 = skip) and
    ``progress(what, done, total)``."""

    first_household_id: int
    last_household_id: int
    seed: int
    sizes: dict[str, int]
    progress: Callable[[str, int, int], None]


@dataclass(frozen=True)
class BulkStep:
    order: int
    name: str
    run: Callable[[BulkContext], Any]


_bulk_steps: dict[str, BulkStep] = {}


def bulk_step(order: int, name: str):
    """Register ``run(context)`` as a bulk demo step; lower orders run first."""

    def register(run: Callable[[BulkContext], Any]):
        _bulk_steps[name] = BulkStep(order=order, name=name, run=run)
        return run

    return register


def bulk_steps() -> list[BulkStep]:
    return sorted(_bulk_steps.values(), key=lambda step: (step.order, step.name))


@contextmanager
def dated(model: Any, *fields: str) -> Iterator[None]:
    """Let bulk rows carry their own dates: ``auto_now``/``auto_now_add`` on ``fields`` of
    ``model`` would overwrite them with now, and a year of orders or warnings made at one
    instant is no benchmark."""
    changed = [model._meta.get_field(name) for name in fields]
    saved = [(field.auto_now, field.auto_now_add) for field in changed]
    for field in changed:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, (auto_now, auto_now_add) in zip(changed, saved, strict=True):
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def bulk_actor(username: str, role: str) -> Any:
    """The one inactive account bulk rows name as their actor (who placed, assessed, verified
    or confirmed them): nobody signs in as it, and a second run reuses it."""
    from jiuzhu.core.models import User

    actor, _ = User.objects.get_or_create(
        username=username, defaults={"role": role, "is_active": False}
    )
    return actor
