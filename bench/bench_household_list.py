"""How the household list holds up at 100,000 households (issue 2: "pagination that stays fast
at 100,000 households"), and how long the bulk demo generator takes.

Runs against a throw-away SQLite database in a temporary folder:

    .venv/bin/python bench/bench_household_list.py [--households 100000]

Each page is requested through Django's test client as a signed-in user (the whole request:
middleware, scoping, query, template), best of 5. The baseline is page 1 of the unfiltered list
for the city administrator, from the same run.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from results import machine, write_section


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--write", type=Path, help="update this section of RESULTS.md")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="jz-bench-list-")
    os.environ.update(
        JIUZHU_DEMO="1",
        JIUZHU_VAR_DIR=folder,
        DJANGO_SETTINGS_MODULE="jiuzhu.settings",
        ALLOWED_HOSTS="testserver",
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from jiuzhu.core.models import User
    from jiuzhu.core.services.areas import load_default_areas
    from jiuzhu.registry.demo.accounts import demo_accounts_refresh
    from jiuzhu.registry.demo.generate import generate_households
    from jiuzhu.registry.models import Household, Member

    call_command("migrate", verbosity=0)
    load_default_areas()
    started = time.perf_counter()
    generate_households(count=args.households, seed=7)
    generation = time.perf_counter() - started
    demo_accounts_refresh()
    members = Member.objects.count()

    def timed(user: str, url: str) -> float:
        client = Client()
        client.force_login(User.objects.get(username=user))
        best = float("inf")
        for _ in range(5):
            begin = time.perf_counter()
            response = client.get(url)
            best = min(best, time.perf_counter() - begin)
            assert response.status_code == 200, (url, response.status_code)
        return best * 1000

    some = Household.objects.order_by("id")[args.households // 2]
    last4 = Member.objects.filter(household=some).first().id_last4
    pages = Household.objects.count() // 25
    cases = [
        ("city_admin", "/households/", "page 1, whole city"),
        ("city_admin", f"/households/?page={pages // 2}", "middle page, whole city"),
        ("city_admin", f"/households/?page={pages}", "last page, whole city"),
        ("city_admin", "/households/?sort=-income", "sorted by income"),
        ("city_admin", "/households/?tier=dibao&group=elderly", "tier + group filter"),
        ("city_admin", f"/households/?q={some.head_name}", "search by name"),
        ("city_admin", f"/households/?q={last4}", "search by last 4 of id"),
        ("qixia_manager", "/households/", "page 1, one district"),
        ("yaohua_caseworker", "/households/?page=3", "page 3, one street"),
        ("city_admin", f"/households/{some.pk}/", "household page"),
        ("qixia_manager", "/dashboard/", "dashboard, one district"),
    ]
    results = [(label, timed(user, url)) for user, url, label in cases]
    baseline = results[0][1]
    lines = [
        "## Household list and bulk demo data (issue 2)",
        "",
        f"Run {time.strftime('%Y-%m-%d')} on {machine()}; SQLite. "
        "Command: `.venv/bin/python bench/bench_household_list.py`.",
        "",
        f"Bulk demo generator: {args.households:,} households and {members:,} members "
        f"(encrypted identity numbers, groups, history, chain) in {generation:.1f} s.",
        "",
        "| request (whole request through the test client, best of 5) | ms | × page 1 |",
        "|---|---:|---:|",
        *(f"| {label} | {ms:.1f} | {ms / baseline:.2f} |" for label, ms in results),
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section(args.write, lines[0], report)


if __name__ == "__main__":
    main()
