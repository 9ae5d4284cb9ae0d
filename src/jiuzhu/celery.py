"""Celery, for the scale path: ``celery -A jiuzhu.celery worker -B`` with CELERY_BROKER_URL
(Redis or RabbitMQ). The beat schedule is built from the same periodic-job registry that
``jiuzhu worker`` runs without a broker (it includes ``core.outbox``, the outbox drain); domain
events are handed to ``jiuzhu.deliver_event`` on commit when ``JIUZHU_EVENTS_INLINE`` is off."""

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


@app.task(name="jiuzhu.deliver_event")
def deliver_event_task(event_id: int):
    """Deliver one outbox event's handlers (queued on commit when EVENTS_INLINE is off). What
    fails here is retried by the ``core.outbox`` periodic job, not by Celery."""
    from jiuzhu.core.outbox import deliver_event

    return dict(deliver_event(event_id))


@app.on_after_finalize.connect
def schedule_periodic_jobs(sender, **kwargs):
    import django

    django.setup()
    from jiuzhu.core.jobs import periodic_jobs

    for job in periodic_jobs():
        sender.add_periodic_task(job.every_seconds, run_periodic_job.s(job.name), name=job.name)


@app.task(name="jiuzhu.run_export")
def run_export_task(job_id: int):
    """Write one background export (queued on commit when EXPORTS_INLINE is off); a lost task
    is picked up by the ``core.exports`` periodic job."""
    from jiuzhu.core.views.list_export import run_export_job

    return run_export_job(job_id)
