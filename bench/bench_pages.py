"""The pages people open most, at a city's scale (issue 15 item 5): the household list (page 1,
a name search, an identity-number search), a household's page, the dispatch board (the page and
its 15-second poll), the dispatch backlog and the dashboards, as a city administrator, a
district manager and a street caseworker, on the database the environment names.

    DATABASE_URL=postgres://… .venv/bin/python bench/bench_pages.py [--repeat 30]
        [--write bench/RESULTS.md]

The database must already hold demo data (``jiuzhu demo-data --households 1000000 …``, or any
earlier benchmark's); without ``DATABASE_URL`` a small SQLite database is filled first
(``--households``, for the CI smoke run). Each request goes through Django's test client as a
signed-in user: middleware, session, scoping, queries and template, not the network or
gunicorn. One warm-up request, then ``--repeat`` timed ones; median, p95 and the number of
queries of one request are reported. The current figures the dashboards read are refreshed
first when there are none.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from results import machine, p95, write_section

SECTION = "## Pages at a city's scale (issue 15 item 5)"
TARGET_MS = 300


def setup_django() -> None:
    os.environ.setdefault("JIUZHU_DEMO", "1")
    os.environ.setdefault("JIUZHU_VAR_DIR", tempfile.mkdtemp(prefix="jz-bench-pages-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiuzhu.settings"
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ["JIUZHU_REQUEST_LOG"] = "0"
    import django

    django.setup()
    # As the production server's workers load the application (imports every view, then
    # freezes what is loaded out of the garbage collector's sight).
    import jiuzhu.wsgi  # noqa: F401


def users() -> dict[str, object]:
    """A city administrator, a district manager of Qixia (the demo data's busiest district) and
    a caseworker of the street of its first household."""
    from jiuzhu.core.models import Area, AreaLevel, Role, User
    from jiuzhu.registry.models import Household

    city = Area.objects.get(level=AreaLevel.CITY)
    qixia = Area.objects.get(code="320113")
    first = Household.objects.filter(district=qixia).order_by("id").first()
    street = first.street if first is not None else None
    spec = {
        "city administrator": ("bench_pages_city", Role.CITY_ADMIN, city),
        "district manager": ("bench_pages_district", Role.DISTRICT_MANAGER, qixia),
        "street caseworker": ("bench_pages_street", Role.STREET_CASEWORKER, street),
    }
    return {
        label: User.objects.update_or_create(
            username=username, defaults={"role": role, "area": area, "is_active": True}
        )[0]
        for label, (username, role, area) in spec.items()
    }


def cases(people: dict[str, object]) -> list[tuple[str, object, str, dict[str, str]]]:
    """(label, user, url, headers): what each role opens."""
    from urllib.parse import quote

    from jiuzhu.core import crypto
    from jiuzhu.registry.models import Household, Member

    middle = Household.objects.order_by("id").values_list("id", flat=True)
    count = Household.objects.count()
    some = middle[count // 2]
    in_street = (
        Household.objects.filter(street=people["street caseworker"].area)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    member = Member.objects.filter(household_id=some).order_by("id").first()
    id_number = crypto.decrypt(member.id_number_encrypted)
    names = list(Member.objects.order_by("id").values_list("name", flat=True)[:5000])
    two = next(n for n in names if len(n) == 2)
    three = next(n for n in names if len(n) == 3)
    city, district, street = people.values()
    poll = {"HTTP_HX_REQUEST": "true", "HTTP_X_JIUZHU_POLL": "1"}
    out = []
    for label, user in people.items():
        out.append((f"household list, page 1 ({label})", user, "/households/", {}))
    out += [
        (
            f"household list, name of 3 characters ({three})",
            city,
            f"/households/?q={quote(three)}",
            {},
        ),
        (f"household list, name of 2 characters ({two})", city, f"/households/?q={quote(two)}", {}),
        (
            "household list, identity number (18 characters)",
            city,
            f"/households/?q={id_number}",
            {},
        ),
        ("household page (city administrator)", city, f"/households/{some}/", {}),
        ("household page (street caseworker)", street, f"/households/{in_street}/", {}),
        ("dispatch board (city administrator)", city, "/dispatch/board/", {}),
        ("dispatch board (district manager)", district, "/dispatch/board/", {}),
        ("dispatch board, its poll (district manager)", district, "/dispatch/board/", poll),
        ("dispatch backlog, page 1 (district manager)", district, "/dispatch/backlog/", {}),
        (
            "dispatch backlog, overdue (district manager)",
            district,
            "/dispatch/backlog/?list=overdue",
            {},
        ),
    ]
    for label, user in people.items():
        out.append((f"dashboard, 365 days ({label})", user, "/dashboards/?days=365", {}))
    return out


def measure(user, url: str, headers: dict[str, str], repeat: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(user)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url, **headers)
    if response.status_code != 200:
        raise SystemExit(f"{url}: status {response.status_code}")
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url, **headers)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), p95(times), len(queries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--households", type=int, default=300, help="SQLite only: fill first")
    parser.add_argument("--write", type=Path, help="update this section of RESULTS.md")
    parser.add_argument(
        "--only", default="", help="only the pages whose label contains this (e.g. dispatch)"
    )
    args = parser.parse_args(argv)
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from jiuzhu.analytics.models import CurrentFigure
    from jiuzhu.analytics.services.snapshots import figures_refresh
    from jiuzhu.registry.models import Household, Member

    call_command("migrate", interactive=False, verbosity=0)
    if connection.vendor == "sqlite" and not Household.objects.exists():
        call_command(
            "demo_data",
            households=args.households,
            assessments=args.households // 2,
            orders=args.households,
            seed=20261203,
            verbosity=0,
        )
    if not CurrentFigure.objects.exists():
        figures_refresh()
    people = users()
    rows = [
        (label, *measure(user, url, headers, args.repeat))
        for label, user, url, headers in cases(people)
        if args.only in label
    ]
    households, members = Household.objects.count(), Member.objects.count()
    vendor = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    lines = [
        SECTION,
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}; {vendor}; "
        f"{households:,} households, {members:,} members; load average "
        f"{os.getloadavg()[0]:.1f} at the end. Command: "
        f"`{'DATABASE_URL=postgres://… ' if vendor == 'PostgreSQL' else ''}.venv/bin/python "
        f"bench/bench_pages.py --repeat {args.repeat}"
        f"{f' --only {args.only}' if args.only else ''}`. The whole request through Django's test "
        f"client (one warm-up, then {args.repeat} timed); target p95 under {TARGET_MS} ms.",
        "",
        "| page | median | p95 | queries | under 300 ms at p95 |",
        "|---|---:|---:|---:|---|",
        *(
            f"| {label} | {median:.0f} ms | {high:.0f} ms | {queries} "
            f"| {'yes' if high < TARGET_MS else '**no**'} |"
            for label, median, high, queries in rows
        ),
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.write:
        write_section(args.write, SECTION, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
