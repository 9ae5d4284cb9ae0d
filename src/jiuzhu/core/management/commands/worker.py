"""``jiuzhu worker``: runs the periodic jobs (SLA scan, automatic dispatch …).

Without a broker this one process runs every registered job on its interval. With
CELERY_BROKER_URL set, run Celery instead (``celery -A jiuzhu.celery worker -B``); this command
then says so and exits, so two schedulers never run the same jobs.
"""

from __future__ import annotations

import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from jiuzhu.core.jobs import periodic_jobs, run_forever, run_job


class Command(BaseCommand):
    help = "Run the periodic jobs (use --once to run each job once and exit)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every job once, then exit")

    def handle(self, *args, once=False, **options):
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
