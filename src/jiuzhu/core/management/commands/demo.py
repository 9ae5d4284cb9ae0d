"""``jiuzhu demo`` / ``make demo``: a working demo from an empty directory in one command.

Migrates, loads the areas, then runs every capability's registered demo steps
(``jiuzhu.core.demo``): households and assessments are generated on the first run only, so a
second start is quick and keeps what the visitor did. Prints the demo accounts and serves.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from jiuzhu.core.demo import DemoContext, demo_steps
from jiuzhu.core.services.areas import load_default_areas

REFUSED = (
    "Refusing: demo data and demo accounts are only for demo databases. Run with JIUZHU_DEMO=1 "
    "(jiuzhu demo sets it) against a database you can throw away."
)


class Command(BaseCommand):
    help = "Set up the demo database (once) and serve it on 127.0.0.1:8000."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--households",
            type=int,
            default=2_000,
            help="households to generate on the first run (2000)",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--addr", default="127.0.0.1:8000", help="address:port to serve on")
        parser.add_argument("--no-serve", action="store_true", help="set up, then exit")

    def handle(self, *args, **options) -> None:
        if not (settings.DEMO_MODE or settings.DEBUG or getattr(settings, "TESTING", False)):
            raise CommandError(REFUSED)
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        load_default_areas()
        context = DemoContext(
            households=options["households"],
            seed=options["seed"],
            say=lambda text: self.stderr.write(text),
            out=lambda text: self.stdout.write(text),
        )
        for step in demo_steps():
            try:
                step.run(context)
            except Exception as error:
                raise CommandError(f"demo step {step.name!r} failed: {error}") from error
        if not options["no_serve"]:
            self._start_worker()
            self.stdout.write(f"\nServing on http://{options['addr']}/ (Ctrl-C to stop)")
            call_command("runserver", options["addr"], use_reloader=False)

    def _start_worker(self) -> None:
        """The demo dispatches by itself: the periodic jobs run in a background thread of the
        demo server (production runs `jiuzhu worker` or Celery as its own process)."""
        import threading

        from jiuzhu.core.jobs import periodic_jobs, run_forever

        names = ", ".join(job.name for job in periodic_jobs())
        self.stdout.write(f"Background jobs: {names}")
        threading.Thread(target=run_forever, name="jiuzhu-worker", daemon=True).start()
