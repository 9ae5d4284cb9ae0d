"""Periodic jobs, registered by each capability and run either by ``jiuzhu worker`` (no broker:
a single process runs each job every N seconds) or by Celery beat when CELERY_BROKER_URL is set
(``jiuzhu.celery`` builds its schedule from this same registry)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: int
    run: Callable[[], object]


_jobs: dict[str, PeriodicJob] = {}


def periodic(name: str, every_seconds: int):
    """Register ``run()`` to be called every ``every_seconds``."""

    def register(run: Callable[[], object]):
        _jobs[name] = PeriodicJob(name=name, every_seconds=every_seconds, run=run)
        return run

    return register


def periodic_jobs() -> list[PeriodicJob]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def run_job(name: str) -> object:
    """Run one job now, logging (not raising) its failure so the loop keeps going."""
    try:
        return _jobs[name].run()
    except Exception:
        log.exception("periodic job %s failed", name)
        return None


def run_forever(
    *,
    stop: Callable[[], bool] = lambda: False,
    tick: float = 1.0,
    say: Callable[[str], None] = lambda text: None,
) -> None:
    """The broker-less worker loop: each job runs when its interval has passed."""
    from django.db import close_old_connections

    due = {job.name: 0.0 for job in periodic_jobs()}
    while not stop():
        now = time.monotonic()
        for job in periodic_jobs():
            if now >= due.get(job.name, 0.0):
                close_old_connections()  # a long-lived process must not keep a dead connection
                result = run_job(job.name)
                close_old_connections()
                say(f"{job.name}: {result}")
                due[job.name] = time.monotonic() + job.every_seconds
        time.sleep(tick)
