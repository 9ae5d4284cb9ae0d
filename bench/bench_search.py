"""Household search at scale (issue 15 item 5): the old ``LIKE '%…%'`` scan against the
trigram-indexed search table, on the same data in one run, with the query plans.

Runs against the database the environment names (``JIUZHU_VAR_DIR`` for SQLite, or
``DATABASE_URL=postgres://…``; a temporary SQLite database when neither is set), migrated and
filled up to ``--households`` demo households first when it has fewer::

    JIUZHU_VAR_DIR=/path .venv/bin/python bench/bench_search.py [--households 100000] [--write F]
 Each query is what the household list does for
page 1: the count and the first 25 rows, for the city administrator (no area filter: the
hardest case), repeated ``--repeat`` times; p50 and p95 are reported.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from results import machine, p95, write_section


def legacy_search(queryset, q: str):
    """The search as it was before the search table (kept here as the baseline). Phones are
    encrypted at rest now (issue 16 item 15), so the baseline compares their keyed hashes, as
    the search does, instead of scanning them by substring."""
    from django.db.models import Exists, OuterRef, Q

    from jiuzhu.core.encrypted_fields import phone_hashes
    from jiuzhu.registry.models import Member

    members = Member.objects.filter(household=OuterRef("pk"))
    hashes = phone_hashes(q)
    condition = Q(head_name__contains=q) | Q(phone_hash__in=hashes)
    member_match = Q(name__contains=q) | Q(mobile_hash__in=hashes)
    if len(q) == 4 and (q[:3].isdigit() and (q[3].isdigit() or q[3] in "xX")):
        member_match |= Q(id_last4=q.upper())
    return queryset.filter(condition | Exists(members.filter(member_match)))


def lookup_plan(q: str) -> str:
    """The plan of the search's own lookup (``registry.search``), which the household list runs
    first to read the ids of the matches (a few are then passed to the page's query as a list)."""
    from django.db import connection

    from jiuzhu.registry import search

    sql, params = search.matching_household_ids(q)
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql, params)
        return "\n".join(" ".join(str(cell) for cell in row) for row in cursor.fetchall())


def count_plan(user, q: str) -> str:
    """The plan of the query ``household_count`` runs for the page's total."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jiuzhu.registry.selectors.households import HouseholdFilters, household_count

    with CaptureQueriesContext(connection) as queries:
        household_count(user=user, filters=HouseholdFilters(q=q))
    (query,) = queries.captured_queries
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + query["sql"])
        return "\n".join(" ".join(str(cell) for cell in row) for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--households", type=int, default=100_000, help="fill up to this many")
    parser.add_argument("--write", type=Path, help="update this section of RESULTS.md")
    parser.add_argument("--no-legacy", action="store_true", help="skip the old scan")
    args = parser.parse_args()
    os.environ.setdefault("JIUZHU_DEMO", "1")
    if not os.environ.get("JIUZHU_VAR_DIR") and not os.environ.get("DATABASE_URL"):
        import tempfile

        os.environ["JIUZHU_VAR_DIR"] = tempfile.mkdtemp(prefix="jz-bench-search-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from jiuzhu.core import crypto
    from jiuzhu.core.models import Area, AreaLevel, Role, User
    from jiuzhu.core.services.areas import load_default_areas
    from jiuzhu.registry.demo.generate import generate_households
    from jiuzhu.registry.models import Household, Member
    from jiuzhu.registry.selectors.households import (
        HouseholdFilters,
        household_count,
        household_list,
    )

    call_command("migrate", interactive=False, verbosity=0)
    load_default_areas()
    missing = args.households - Household.objects.count()
    if missing > 0:
        generate_households(count=missing, seed=7)
    city = Area.objects.get(level=AreaLevel.CITY)
    user, _ = User.objects.get_or_create(
        username="bench_city_admin", defaults={"role": Role.CITY_ADMIN, "area": city}
    )
    # A district manager of the district with most households: their search is narrowed by
    # the district, so its count cannot be taken from the search table alone.
    biggest = Household.objects.values("district").annotate(n=Count("id")).order_by("-n").first()
    district_manager = None
    if biggest:
        district_manager, _ = User.objects.update_or_create(
            username="bench_district_manager",
            defaults={"role": Role.DISTRICT_MANAGER, "area_id": biggest["district"]},
        )
    households = Household.objects.count()
    members = Member.objects.count()
    some = Household.objects.order_by("id")[households // 2]
    member = Member.objects.filter(household=some).order_by("id").first()
    id_number = crypto.decrypt(member.id_number_encrypted)
    two = next(
        name
        for name in Member.objects.order_by("id").values_list("name", flat=True)[:5000]
        if len(name) == 2
    )
    three = next(
        name
        for name in Member.objects.order_by("id").values_list("name", flat=True)[:5000]
        if len(name) == 3
    )
    cases = [
        ("name, 3 characters", three),
        ("name, 2 characters", two),
        ("given name, 2 characters", three[1:]),
        ("surname, 1 character", two[0]),
        ("surname, 1 character, district manager", two[0]),
        ("name, 2 characters, district manager", two),
        ("mobile, 11 digits", member.mobile or "13912345678"),
        ("last 4 of an identity number", id_number[-4:]),
        ("identity number, 18 characters", id_number),
        ("no match", "不存在的人"),
    ]

    def run(q: str, legacy: bool, user=user):
        queryset = household_list(user=user, filters=HouseholdFilters())
        if legacy:
            queryset = legacy_search(queryset, q)
        else:
            queryset = household_list(user=user, filters=HouseholdFilters(q=q))
        return queryset

    def timed(q: str, legacy: bool, user=user) -> tuple[float, float, int]:
        samples = []
        count = 0
        for _ in range(args.repeat):
            begin = time.perf_counter()
            queryset = run(q, legacy, user)
            # The page's count: the list's own before, the selector's (household_count) after.
            if legacy:
                count = queryset.count()
            else:
                count = household_count(user=user, filters=HouseholdFilters(q=q))
            list(queryset[:25])
            samples.append((time.perf_counter() - begin) * 1000)
        return statistics.median(samples), p95(samples), count

    rows = []
    plans = []
    for label, q in cases:
        who = district_manager if label.endswith("district manager") else user
        if who is None:
            continue
        new = timed(q, legacy=False, user=who)
        old = None if args.no_legacy else timed(q, legacy=True, user=who)
        if old is not None and old[2] != new[2] and len(q) != 18:
            raise SystemExit(f"{label}: {old[2]} matches before, {new[2]} after")
        rows.append((label, len(q), old, new))
        if label in ("name, 3 characters", "name, 2 characters", "identity number, 18 characters"):
            plans.append((f"{label}, the lookup", lookup_plan(q)))
            plans.append((f"{label}, the page", run(q, legacy=False).explain()))
        if label.startswith("surname, 1 character"):
            plans.append((f"{label}, the count", count_plan(who, q)))
    vendor = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    lines = [
        f"## Household search at {households:,} households ({vendor}, issue 15 item 5)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}; {vendor}; "
        f"{households:,} demo households, {members:,} members; load average "
        f"{os.getloadavg()[0]:.1f} at the end. Command: `JIUZHU_VAR_DIR=… "
        f"{'DATABASE_URL=postgres://… ' if vendor == 'PostgreSQL' else ''}"
        ".venv/bin/python bench/bench_search.py`. Page 1 of the household list (count + 25 "
        "rows) for the city administrator, and for the manager of the district with most "
        f"households where the row says so; {args.repeat} runs each.",
        "",
        "| query | chars | matches | before p50 ms | before p95 ms | after p50 ms | after p95 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, length, old, new in rows:
        before = f"{old[0]:.1f} | {old[1]:.1f}" if old else "- | -"
        lines.append(
            f"| {label} | {length} | {new[2]:,} | {before} | {new[0]:.1f} | {new[1]:.1f} |"
        )
    lines += ["", "Query plans (after):", ""]
    for label, plan in plans:
        lines += [f"{label}:", "", "```", plan, "```", ""]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section(args.write, lines[0], report)


if __name__ == "__main__":
    main()
