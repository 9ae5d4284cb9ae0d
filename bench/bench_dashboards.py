"""Benchmark the dashboards (issue 14 item 3): how long one dashboard takes to compute for a
city administrator, a district manager and a street caseworker, and how long the periodic job
takes to refresh the current figures and to take a monthly snapshot.

    .venv/bin/python bench/bench_dashboards.py [--households N] [--orders N] [--repeat R]
        [--write bench/RESULTS.md]

Data: ``jiuzhu demo-data`` (fixed seed) in a fresh SQLite file, or the PostgreSQL database
``DATABASE_URL`` names when ``--postgres`` is given (it must be empty: the script migrates and
fills it). N households with submitted assessments for half of them and ``--orders`` orders
across their lifecycle. Timed: ``dashboard_for`` (every live figure, the poverty measures read
from the current figures, the provider ranking and the supply gap) R times per role; the
whole request for each role's page (``/dashboards/``) and API (``/api/v1/analytics/dashboard``)
through Django's test client, R times after a warm-up; the
live Alkire–Foster computation for the city (what the dashboard avoids by reading the current
figures); ``figures_refresh`` (full, and the 5-minute ``slow=False``); ``snapshot_take``
for this month. ``--reuse`` measures a PostgreSQL database filled by an earlier run (or by
``jiuzhu demo-data`` with the same sizes and seed) without generating it again.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from results import machine, p95, write_section  # bench/results.py

SECTION = "## Dashboards (issue 14 item 3)"
SEED = 20261203


def setup_django(var_dir: str, postgres: bool) -> None:
    os.environ["JIUZHU_VAR_DIR"] = var_dir
    os.environ["JIUZHU_DEMO"] = "1"
    if not postgres:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiuzhu.settings"
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ["JIUZHU_REQUEST_LOG"] = "0"
    import django

    django.setup()


def timed(run, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return times


def http_times(user, repeat: int) -> list[tuple[str, float, float]]:
    """The whole request as the browser and an API client make it (middleware, session, the
    trend and the template for the page), through Django's test client after one warm-up."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    out = []
    for label, url in (("page", "/dashboards/?days=365"), ("API", "/api/v1/analytics/dashboard")):
        client.get(url)

        def get(u=url):
            response = client.get(u)
            if response.status_code != 200:
                raise SystemExit(f"{u}: status {response.status_code}")

        times = timed(get, repeat)
        out.append((label, statistics.median(times), p95(times)))
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--write", type=Path)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --postgres: the database already holds the demo data (skip generating it)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var_dir:
        setup_django(var_dir, args.postgres)
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from jiuzhu.analytics.selectors import dashboard as board
        from jiuzhu.analytics.selectors.dashboard import dashboard_for, filters_for
        from jiuzhu.analytics.services.snapshots import figures_refresh, snapshot_take
        from jiuzhu.assessment.selectors.analytics import analytics_for
        from jiuzhu.core.models import Area, AreaLevel, Role, User
        from jiuzhu.registry.models import Household

        call_command("migrate", interactive=False, verbosity=0)
        start = time.perf_counter()
        if not args.reuse:
            call_command(
                "demo_data",
                households=args.households,
                seed=SEED,
                assessments=args.households // 2,
                orders=args.orders,
                verbosity=0,
            )
        generated = time.perf_counter() - start
        city = Area.objects.get(level=AreaLevel.CITY)
        qixia = Area.objects.get(code="320113")
        street = (
            Area.objects.filter(level=AreaLevel.STREET, code__startswith="320113")
            .order_by("code")
            .first()
        )
        users = {
            "city administrator": User.objects.update_or_create(
                username="bench_city", defaults={"role": Role.CITY_ADMIN, "area": city}
            )[0],
            "district manager": User.objects.update_or_create(
                username="bench_district", defaults={"role": Role.DISTRICT_MANAGER, "area": qixia}
            )[0],
            "street caseworker": User.objects.update_or_create(
                username="bench_street", defaults={"role": Role.STREET_CASEWORKER, "area": street}
            )[0],
        }
        refresh = timed(figures_refresh, 1)[0]
        quick = timed(lambda: figures_refresh(slow=False), 1)[0]
        snapshot = timed(lambda: snapshot_take(month=timezone.localdate()), 1)[0]
        rows = []
        for label, user in users.items():
            filters = filters_for(user=user, days=365)
            times = timed(lambda u=user, f=filters: dashboard_for(user=u, filters=f), args.repeat)
            rows.append((label, statistics.median(times), p95(times)))
        requests = [
            (f"{label}, {kind}", median, high)
            for label, user in users.items()
            for kind, median, high in http_times(user, args.repeat)
        ]
        city_user = users["city administrator"]
        city_filters = filters_for(user=city_user, days=365)
        sections = [
            (
                name,
                statistics.median(
                    timed(lambda f=f: f(user=city_user, filters=city_filters), args.repeat)
                ),
            )
            for name, f in (
                ("live figures (current figures)", board.live_figures),
                ("poverty (current figures)", board.poverty),
                ("provider ranking (current figures)", board.provider_ranking),
                ("supply gap (current figures)", board.supply),
            )
        ]
        live_mpi = timed(lambda: analytics_for(user=users["city administrator"]), 3)
        households = Household.objects.count()
        vendor = connection.vendor
    lines = [
        "| dashboard, `dashboard_for` (365 days) | median | p95 |",
        "|---|---:|---:|",
        *(f"| {label} | {median:.0f} ms | {high:.0f} ms |" for label, median, high in rows),
        "",
        "| the whole request (365 days) | median | p95 |",
        "|---|---:|---:|",
        *(f"| {label} | {median:.0f} ms | {high:.0f} ms |" for label, median, high in requests),
        "",
        "| city dashboard, by section | median |",
        "|---|---:|",
        *(f"| {name} | {median:.0f} ms |" for name, median in sections),
        "",
        "| other | time |",
        "|---|---:|",
        f"| live Alkire–Foster for the city (`analytics_for`, median of 3) "
        f"| {statistics.median(live_mpi):.0f} ms |",
        f"| `figures_refresh` (every area's current figures) | {refresh:.0f} ms |",
        f"| `figures_refresh(slow=False)` (the 5-minute job: no poverty engine, no supply gap) "
        f"| {quick:.0f} ms |",
        f"| `snapshot_take` (this month, every area) | {snapshot:.0f} ms |",
    ]
    flag = (" --postgres" if args.postgres else "") + (" --reuse" if args.reuse else "")
    report = f"""{SECTION}

Run {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())} on {machine()}; {vendor}; load average
{os.getloadavg()[0]:.1f} at the end (2 cores: above about 1, other work shared the machine).
{households:,} households, {args.orders:,} orders, demo data generated in {generated:.0f} s.
Command: `.venv/bin/python bench/bench_dashboards.py --households
{args.households} --orders {args.orders} --repeat {args.repeat}{flag}`

{chr(10).join(lines)}
"""
    print(report)
    if args.write:
        write_section(args.write, SECTION, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
