"""``jiuzhu worker``: runs the periodic jobs (SLA scan, automatic dispatch …).

Without a broker this one process runs every registered job on its interval. With
CELERY_BROKER_URL set, run Celery instead (``celery -A jiuzhu.celery worker -B``); this command
then says so and exits, so two schedulers never run the same jobs.
"""

from __future__ import annotations

import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from jiuzhu.core.jobs import job_status, periodic_jobs, run_forever, run_job


class Command(BaseCommand):
    help = "Run the periodic jobs (use --once to run each job once and exit)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every job once, then exit")
        parser.add_argument(
            "--status",
            action="store_true",
            help="print each job's last run, duration and outcome, then exit",
        )

    def handle(self, *args, once=False, status=False, **options):
        if status:
            self._status()
            return
        jobs = periodic_jobs()
        if once:
            for job in jobs:
                self.stdout.write(f"{job.name}: {run_job(job.name)}")
            return
        if settings.CELERY_BROKER_URL:
            self.stdout.write(
                "CELERY_BROKER_URL is set: run `celery -A jiuzhu.celery worker -B` instead."
            )
            return
        stopping = {"now": False}

        def stop(*_):
            stopping["now"] = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        names = ", ".join(f"{job.name} every {job.every_seconds}s" for job in jobs)
        self.stdout.write(f"worker running: {names}")
        run_forever(stop=lambda: stopping["now"], say=lambda text: self.stdout.write(text))

    def _status(self) -> None:
        for job in job_status():
            if job["last_finished"] is None:
                self.stdout.write(f"{job['name']} (every {job['every_seconds']}s): never ran")
                continue
            self.stdout.write(
                f"{job['name']} (every {job['every_seconds']}s): {job['outcome']} "
                f"at {job['last_finished']} in {job['duration_ms']} ms; "
                f"{job['runs']} runs, {job['failures']} failed; "
                f"last success {job['last_success'] or 'never'}"
            )
