"""Celery, for the scale path: ``celery -A jiuzhu.celery worker -B`` with CELERY_BROKER_URL
(Redis or RabbitMQ). The beat schedule is built from the same periodic-job registry that
``jiuzhu worker`` runs without a broker (it includes ``core.outbox``, the outbox drain); one-off
tasks (an outbox event's delivery, a background export) are handed to ``jiuzhu.run_task`` on
commit when their inline setting (``JIUZHU_EVENTS_INLINE``, ``JIUZHU_EXPORTS_INLINE``) is off
(``jiuzhu.core.jobs``)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings")

app = Celery("jiuzhu")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.task(name="jiuzhu.run_job")
def run_periodic_job(name: str):
    from jiuzhu.core.jobs import run_job

    return run_job(name)


@app.task(name="jiuzhu.run_task")
def run_task_later(name: str, object_id: int):
    """Run one registered one-off task (``jiuzhu.core.jobs.one_off``). What fails here is picked
    up by the task's periodic job, not retried by Celery."""
    from jiuzhu.core.jobs import run_task

    return run_task(name, object_id)


@app.on_after_finalize.connect
def schedule_periodic_jobs(sender, **kwargs):
    import django

    django.setup()
    from jiuzhu.core.jobs import periodic_jobs

    for job in periodic_jobs():
        sender.add_periodic_task(job.every_seconds, run_periodic_job.s(job.name), name=job.name)
