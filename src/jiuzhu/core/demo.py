"""Demo set-up steps, registered by each capability and run in order by ``jiuzhu demo``.

Like scoping grants and events, this lets a later capability add to the demo (the catalogue,
a framework, assessments, orders…) without the earlier ones knowing about it.
"""

from __future__ import annotations

from collections.abc import Callable
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
