"""``jiuzhu demo-data``: generate demo households in bulk."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.core.models import User
from jiuzhu.core.services.areas import load_default_areas
from jiuzhu.registry.demo import DEMO_REFUSED, demo_allowed
from jiuzhu.registry.demo.accounts import demo_accounts_refresh
from jiuzhu.registry.demo.generate import generate_households
from jiuzhu.registry.demo.reset import registry_reset
from jiuzhu.registry.models import Member

PROGRESS_EVERY = 10_000


class Command(BaseCommand):
    help = (
        "Generate demo households across the communities of Jianye and Qixia. Without --reset "
        "the households are added to those already stored (identity numbers never collide)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--households", type=int, default=2_000, help="how many (2000)")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same people (1)")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete every household and what hangs off it first (never the audit trail)",
        )
        parser.add_argument(
            "--streets",
            default="",
            help="comma-separated street codes or names (default: all of Jianye and Qixia)",
        )

    def handle(self, *args, **options) -> None:
        if not demo_allowed():
            raise CommandError(DEMO_REFUSED)
        count = options["households"]
        if count < 0:
            raise CommandError("--households must not be negative")
        load_default_areas()
        if options["reset"]:
            deleted = registry_reset()
            summary = ", ".join(f"{label} {n}" for label, n in deleted.items() if n)
            self.stderr.write(f"Reset: {summary or 'nothing to delete'}")
        streets = [s.strip() for s in options["streets"].split(",") if s.strip()] or None
        members_before = Member.objects.count()
        started = time.perf_counter()
        next_report = [PROGRESS_EVERY]

        def progress(done: int) -> None:
            if done >= next_report[0] or done == count:
                self.stderr.write(f"  {done:,} / {count:,} households")
                next_report[0] = (done // PROGRESS_EVERY + 1) * PROGRESS_EVERY
                sys.stderr.flush()

        try:
            created = generate_households(
                count=count, seed=options["seed"], streets=streets, progress=progress
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        seconds = time.perf_counter() - started
        members = Member.objects.count() - members_before
        self.stdout.write(
            f"Created {created:,} households ({members:,} members) with seed {options['seed']} "
            f"in {seconds:.1f} s."
        )
        if options["reset"] and User.objects.filter(is_demo=True).exists():
            # The reset took the beneficiary's household and the assessor's assignments with
            # it; put them back so the published demo sign-ins keep working.
            demo_accounts_refresh()
            self.stderr.write("Demo accounts refreshed (beneficiary household, assignments).")
