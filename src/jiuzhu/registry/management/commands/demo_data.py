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
            "--assessments",
            type=int,
            default=0,
            help="submitted assessments for the first N new households (0)",
        )
        parser.add_argument(
            "--orders",
            type=int,
            default=0,
            help="orders across their lifecycle over the new households, with providers (0)",
        )
        parser.add_argument(
            "--warnings",
            type=int,
            default=0,
            help="early warnings over the new households, open or verified by their age (0)",
        )
        parser.add_argument(
            "--ledger",
            type=int,
            default=0,
            help="time-bank movements (deposits, transfers, donations) with their double "
            "entries, for volunteers of the new households' streets (0)",
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
        sizes = {name: options[name] for name in ("assessments", "orders", "warnings", "ledger")}
        if count < 0 or any(size < 0 for size in sizes.values()):
            raise CommandError(
                "--households, --assessments, --orders, --warnings and --ledger must not be "
                "negative"
            )
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

        ids: list[int] = []
        try:
            created = generate_households(
                count=count, seed=options["seed"], streets=streets, progress=progress, ids=ids
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        seconds = time.perf_counter() - started
        members = Member.objects.count() - members_before
        self.stdout.write(
            f"Created {created:,} households ({members:,} members) with seed {options['seed']} "
            f"in {seconds:.1f} s."
        )
        if created and any(sizes.values()):
            self._bulk_steps(ids, options["seed"], sizes)
        if options["reset"] and User.objects.filter(is_demo=True).exists():
            # The reset took the beneficiary's household and the assessor's assignments with
            # it; put them back so the published demo sign-ins keep working.
            demo_accounts_refresh()
            self.stderr.write("Demo accounts refreshed (beneficiary household, assignments).")

    def _bulk_steps(self, ids: list[int], seed: int, sizes: dict[str, int]) -> None:
        """What later capabilities hang off the new households (assessments, orders, warnings,
        the time bank's ledger…)."""
        from django.db import transaction

        from jiuzhu.core.demo import BulkContext, bulk_steps

        reported: dict[str, int] = {}

        def progress(what: str, done: int, total: int) -> None:
            step = max(total // 10, 1)
            if done >= reported.get(what, 0) + step or done == total:
                self.stderr.write(f"  {done:,} / {total:,} {what}")
                reported[what] = done

        context = BulkContext(
            first_household_id=ids[0],
            last_household_id=ids[1],
            seed=seed,
            sizes=sizes,
            progress=progress,
        )
        for step in bulk_steps():
            started = time.perf_counter()
            with transaction.atomic():
                made = step.run(context)
            if made:
                self.stdout.write(
                    f"Created {made:,} {step.name} in {time.perf_counter() - started:.1f} s."
                )
