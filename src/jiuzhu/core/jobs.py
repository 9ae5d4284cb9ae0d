"""Background work, in one place.

- **Periodic jobs**, registered by each capability and run either by ``jiuzhu worker`` (no
  broker: a single process runs each job every N seconds) or by Celery beat when
  CELERY_BROKER_URL is set (``jiuzhu.celery`` builds its schedule from this same registry).
- **One-off tasks** on one stored object (deliver an outbox event, write a background export),
  handed over once the transaction that stored the object has committed: run at once in this
  process when the task's inline setting is on, else queued on Celery (``jiuzhu.run_task``).
  Whatever is not run then (no broker, the broker down, the process died) is still stored, and
  the capability's periodic job picks it up: the hand-over is a shortcut, never the only way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: int
    run: Callable[[], object]


_jobs: dict[str, PeriodicJob] = {}


_Run = TypeVar("_Run", bound=Callable[[], object])


def periodic(name: str, every_seconds: int) -> Callable[[_Run], _Run]:
    """Register ``run()`` to be called every ``every_seconds``."""

    def register(run: _Run) -> _Run:
        _jobs[name] = PeriodicJob(name=name, every_seconds=every_seconds, run=run)
        return run

    return register


@dataclass(frozen=True)
class OneOffTask:
    name: str
    run: Callable[[int], object]
    #: the setting (a bool) that says "run it in the committing process"
    inline_setting: str


_tasks: dict[str, OneOffTask] = {}

_Task = TypeVar("_Task", bound=Callable[[int], object])


def one_off(name: str, *, inline_setting: str) -> Callable[[_Task], _Task]:
    """Register ``run(object_id)`` as the one-off task ``name`` (see the module docstring); its
    periodic job must run what is left waiting, because a hand-over may not happen."""

    def register(run: _Task) -> _Task:
        _tasks[name] = OneOffTask(name=name, run=run, inline_setting=inline_setting)
        return run

    return register


def run_task(name: str, object_id: int) -> object:
    """Run one registered one-off task now (what the Celery task ``jiuzhu.run_task`` calls)."""
    return _tasks[name].run(object_id)


def hand_over(name: str, object_id: int) -> None:
    """Start task ``name`` on a committed object: inline, else on Celery, else leave it to the
    periodic job. Never raises, because the caller's change is already committed and the
    periodic job will still find the object waiting."""
    from django.conf import settings

    task = _tasks[name]
    try:
        if getattr(settings, task.inline_setting):
            task.run(object_id)
        elif settings.CELERY_BROKER_URL:
            from jiuzhu.celery import run_task_later

            run_task_later.delay(name, object_id)
    except Exception:
        log.exception("%s #%s could not be run at once; the worker will", name, object_id)


def periodic_jobs() -> list[PeriodicJob]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def run_job(name: str) -> object:
    """Run one job now, logging (not raising) its failure so the loop keeps going; its start,
    duration and outcome are stored (``JobRun``) for ``jiuzhu worker --status`` and ``/readyz``."""
    from django.utils import timezone

    started_at = timezone.now()
    started = time.perf_counter()
    try:
        result = _jobs[name].run()
    except Exception as error:
        log.exception("periodic job %s failed", name)
        record_run(name, started_at=started_at, started=started, failed=True, summary=repr(error))
        return None
    record_run(name, started_at=started_at, started=started, failed=False, summary=str(result))
    return result


def record_run(name: str, *, started_at, started: float, failed: bool, summary: str) -> None:
    """Store one run's outcome; a failure to store it is logged, never raised (a job that ran
    must not be reported as crashed because the bookkeeping could not be written)."""
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from jiuzhu.core.models import JobOutcome, JobRun

    duration_ms = round((time.perf_counter() - started) * 1000)
    finished_at = timezone.now()
    values = {
        "started_at": started_at,
        "finished_at": finished_at,
        "duration_ms": duration_ms,
        "outcome": JobOutcome.FAILED if failed else JobOutcome.OK,
        "summary": summary[:500],
    }
    log.info("periodic job %s %s in %d ms", name, "failed" if failed else "succeeded", duration_ms)
    try:
        with transaction.atomic():
            row, _ = JobRun.objects.select_for_update().get_or_create(
                name=name, defaults={**values, "runs": 0}
            )
            updates = {**values, "runs": F("runs") + 1}
            if failed:
                updates["failures"] = F("failures") + 1
            else:
                updates["last_success_at"] = finished_at
            JobRun.objects.filter(pk=row.pk).update(**updates)
    except Exception:
        log.exception("could not record the run of periodic job %s", name)


def job_status() -> list[dict]:
    """Every registered job with its last run (or ``None`` when it never ran): no personal
    data, only names, times, durations and outcomes."""
    from jiuzhu.core.models import JobRun

    runs = {run.name: run for run in JobRun.objects.all()}
    status = []
    for job in periodic_jobs():
        run = runs.get(job.name)
        status.append(
            {
                "name": job.name,
                "every_seconds": job.every_seconds,
                "last_started": run.started_at.isoformat() if run else None,
                "last_finished": run.finished_at.isoformat() if run else None,
                "duration_ms": run.duration_ms if run else None,
                "outcome": run.outcome if run else None,
                "last_success": (
                    run.last_success_at.isoformat() if run and run.last_success_at else None
                ),
                "runs": run.runs if run else 0,
                "failures": run.failures if run else 0,
            }
        )
    return status


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
