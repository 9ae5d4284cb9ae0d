"""Periodic jobs: the broker-less worker and Celery beat are built from one registry."""

import pytest

from jiuzhu.core.jobs import periodic_jobs, run_job


def test_the_dispatch_cycle_is_registered():
    assert "dispatch.cycle" in {job.name for job in periodic_jobs()}


@pytest.mark.django_db
def test_a_job_runs_and_a_failing_job_does_not_raise(monkeypatch):
    from jiuzhu.core import jobs

    assert isinstance(run_job("dispatch.cycle"), dict)
    jobs.periodic("test.broken", 60)(lambda: 1 / 0)
    try:
        assert run_job("test.broken") is None
    finally:
        jobs._jobs.pop("test.broken")


@pytest.mark.django_db
def test_celery_beat_schedules_the_same_jobs_and_runs_them():
    from jiuzhu.celery import app, run_periodic_job, schedule_periodic_jobs

    schedule_periodic_jobs(sender=app)
    assert "dispatch.cycle" in app.conf.beat_schedule
    result = run_periodic_job.apply(args=["dispatch.cycle"])  # in process, no broker needed
    assert result.successful()
    assert set(result.get()) >= {"offered", "escalated"}
