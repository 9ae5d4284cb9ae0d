"""Load benchmark of the production server (issue 15 item 4): ``jiuzhu serve`` (gunicorn) over
loopback, driven by a small asyncio HTTP client in this process.

    .venv/bin/python bench/bench_load.py [--households 2000] [--clients 50] [--duration 20]
        [--workers 3] [--port 8106] [--write bench/RESULTS.md]
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_load.py …   # on PostgreSQL

Scenarios, each first in a **closed loop** (``--clients`` clients, each sending its next request
as soon as the previous one answered, for ``--duration`` seconds or ``--max-requests``) and then
in an **open loop** (requests start at a fixed rate, half the closed loop's throughput, whatever
the answers; latency counts from the scheduled start, so a stall is not hidden):

* ``healthz``: ``GET /healthz`` -- the same server's trivial endpoint, the ceiling;
* ``household list``: ``GET /api/v1/households?limit=25`` (bearer token, city administrator);
* ``household search``: ``GET /api/v1/households?q=<a 2- or 3-character name>``;
* ``order create``: ``POST /api/v1/orders`` (hotline operator);
* ``order lifecycle``: create, accept, start, complete (provider staff), rate (hotline) -- five
  requests per order, each timed on its own.

Every request is bounded (``--timeout``); the server listens on 127.0.0.1 only. A request that
fails (connection error, timeout, status >= 400) counts as an error. ``--smoke`` runs every
scenario for a moment at a tiny size (CI: the harness must not rot).

``--profile N`` skips the server and profiles N order creations in-process with pyinstrument.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from results import load_note, machine, write_section

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


# ---------------------------------------------------------------------- preparation


def setup_django(var_dir: str) -> None:
    os.environ.update(
        JIUZHU_DEMO="1",
        JIUZHU_VAR_DIR=var_dir,
        DJANGO_SETTINGS_MODULE="jiuzhu.settings",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        JIUZHU_REQUEST_LOG="0",
    )
    import django

    django.setup()


def prepare(households: int) -> dict:
    """Migrate, fill (if the database has fewer households), and make the bench's accounts,
    tokens, an unrestricted service item and a provider serving the households' streets."""
    from django.core.management import call_command
    from django.db import connection

    from jiuzhu.catalog.models import ServiceCategory, ServiceItem
    from jiuzhu.catalog.services import catalogue_load_defaults
    from jiuzhu.core.models import Area, AreaLevel, Organisation, OrganisationKind, Role, User
    from jiuzhu.core.services.areas import load_default_areas
    from jiuzhu.core.services.tokens import token_create
    from jiuzhu.orders.models import Provider
    from jiuzhu.registry.demo.generate import generate_households
    from jiuzhu.registry.models import Household, Member

    call_command("migrate", interactive=False, verbosity=0)
    load_default_areas()
    catalogue_load_defaults()
    qixia = Area.objects.get(code="320113")
    have = Household.objects.filter(district=qixia).count()
    if have < households:
        generate_households(count=households - have, seed=11, streets=["320113001000"])
    city = Area.objects.get(level=AreaLevel.CITY)

    def user(name, role, **extra):
        found, _ = User.objects.get_or_create(username=name, defaults={"role": role, **extra})
        return found

    org, _ = Organisation.objects.get_or_create(
        name="压测服务机构", defaults={"kind": OrganisationKind.PROVIDER}
    )
    admin = user("bench_admin", Role.CITY_ADMIN, area=city)
    hotline = user("bench_hotline", Role.HOTLINE_OPERATOR, area=qixia)
    staff = user("bench_staff", Role.PROVIDER_STAFF, organisation=org)
    category = ServiceCategory.objects.order_by("id").first()
    item, _ = ServiceItem.objects.get_or_create(
        code="bench_visit",
        defaults={"name": "压测探访", "category": category, "price": 0},
    )
    streets = Area.objects.filter(level=AreaLevel.STREET, parent=qixia)
    provider = Provider.objects.filter(organisation=org).first()
    if provider is None:
        provider = Provider.objects.create(
            organisation=org,
            supply_type="government_purchase",
            uscc="91320113MA1BENCH0X",
            base=Area.objects.filter(level=AreaLevel.COMMUNITY, parent__parent=qixia).first(),
            latitude=32.1,
            longitude=118.9,
            daily_capacity=1_000_000,
            contact_name="压测",
            contact_phone="025-1",
        )
    provider.streets.set(streets)
    provider.items.add(item)
    ids = list(
        Household.objects.filter(district=qixia, status="active")
        .order_by("id")
        .values_list("id", flat=True)[:households]
    )
    names = [
        name
        for name in Member.objects.filter(household_id__in=ids[:500]).values_list("name", flat=True)
        if len(name) in (2, 3)
    ][:50]
    tokens = {
        who: token_create(user=account, name="bench")[1]
        for who, account in (("admin", admin), ("hotline", hotline), ("staff", staff))
    }
    total = Household.objects.count()
    connection.close()
    return {"households": ids, "item": item.pk, "names": names, "tokens": tokens, "total": total}


# ---------------------------------------------------------------------- the client


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, op: str, ms: float, ok: bool, detail: str = "") -> None:
        if ok:
            self.latencies.setdefault(op, []).append(ms)
        else:
            self.errors[op] = self.errors.get(op, 0) + 1
            self.samples.setdefault(op, [])
            if len(self.samples[op]) < 3:
                self.samples[op].append(detail[:200])

    @property
    def requests(self) -> int:
        return sum(map(len, self.latencies.values())) + sum(self.errors.values())


async def http(port, method, path, token=None, body=None, timeout=30.0):
    """One HTTP/1.1 request on its own connection (gunicorn's sync workers close it after each
    response): (status, parsed JSON or None)."""
    data = json.dumps(body).encode() if body is not None else b""
    head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n"
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    if body is not None:
        head += "Content-Type: application/json\r\n"
    head += f"Content-Length: {len(data)}\r\n\r\n"

    async def go():
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            writer.write(head.encode() + data)
            await writer.drain()
            raw = await reader.read()
        finally:
            writer.close()
        status = int(raw[9:12])
        payload = raw.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in raw else b""
        return status, payload

    status, payload = await asyncio.wait_for(go(), timeout)
    try:
        parsed = json.loads(payload) if payload else None
    except ValueError:
        parsed = None
    return status, parsed, payload


class Scenario:
    def __init__(self, name: str, world: dict, port: int, timeout: float):
        self.name, self.world, self.port, self.timeout = name, world, port, timeout
        self.rng = random.Random(7)

    async def timed(self, tally: Tally, op: str, method, path, token=None, body=None):
        begin = time.perf_counter()
        try:
            status, parsed, raw = await http(self.port, method, path, token, body, self.timeout)
        except Exception as error:  # timeouts, refused connections
            tally.add(op, 0, False, repr(error))
            return None
        ms = (time.perf_counter() - begin) * 1000
        ok = status < 400
        tally.add(op, ms, ok, f"{status} {raw[:150]!r}")
        return parsed if ok else None

    async def once(self, tally: Tally) -> None:
        world, tokens = self.world, self.world["tokens"]
        if self.name == "healthz":
            await self.timed(tally, "healthz", "GET", "/healthz")
        elif self.name == "household list":
            page = self.rng.randint(0, 20) * 25
            path = f"/api/v1/households?limit=25&offset={page}"
            await self.timed(tally, "list", "GET", path, tokens["admin"])
        elif self.name == "household search":
            q = quote(self.rng.choice(world["names"]))
            await self.timed(tally, "search", "GET", f"/api/v1/households?q={q}", tokens["admin"])
        elif self.name in ("order create", "order lifecycle"):
            body = {"household_id": self.rng.choice(world["households"]), "item_id": world["item"]}
            order = await self.timed(
                tally, "create", "POST", "/api/v1/orders", tokens["hotline"], body
            )
            if order is None or self.name == "order create":
                return
            base = f"/api/v1/orders/{order['id']}"
            staff = tokens["staff"]
            if await self.timed(tally, "accept", "POST", f"{base}/accept", staff) is None:
                return
            if await self.timed(tally, "start", "POST", f"{base}/start", staff) is None:
                return
            done = {"summary": "完成", "duration_minutes": 30}
            if await self.timed(tally, "complete", "POST", f"{base}/complete", staff, done) is None:
                return
            await self.timed(tally, "rate", "POST", f"{base}/rate", tokens["hotline"], {"score": 5})


async def closed_loop(scenario: Scenario, clients: int, duration: float, max_requests: int):
    tally = Tally()
    deadline = time.perf_counter() + duration

    async def client():
        while time.perf_counter() < deadline and tally.requests < max_requests:
            await scenario.once(tally)

    begin = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return tally, time.perf_counter() - begin


async def open_loop(scenario: Scenario, rate: float, duration: float, max_requests: int):
    """Start one scenario run every 1/rate seconds (whatever the answers), up to ``duration``
    or ``max_requests`` runs; latency counts from each run's scheduled start."""
    tally = Tally()
    interval = 1.0 / rate
    runs = max(1, min(int(duration * rate), max_requests))
    begin = time.perf_counter()
    tasks = []

    async def one(at: float):
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        lag = (time.perf_counter() - at) * 1000  # the client's own delay, added back below
        inner = Tally()
        await scenario.once(inner)
        for op, values in inner.latencies.items():
            for value in values:
                tally.add(op, value + lag, True)
        for op, count in inner.errors.items():
            for sample in inner.samples.get(op, [""]) * count:
                tally.add(op, 0, False, sample)

    for i in range(runs):
        tasks.append(asyncio.create_task(one(begin + i * interval)))
    await asyncio.gather(*tasks)
    return tally, time.perf_counter() - begin


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def summarise(tally: Tally, seconds: float) -> dict:
    everything = [v for values in tally.latencies.values() for v in values]
    errors = sum(tally.errors.values())
    return {
        "requests": tally.requests,
        "errors": errors,
        "rps": tally.requests / seconds if seconds else 0.0,
        "p50": statistics.median(everything) if everything else float("nan"),
        "p95": percentile(everything, 95),
        "p99": percentile(everything, 99),
        "ops": {
            op: (len(values), percentile(values, 50), percentile(values, 99))
            for op, values in tally.latencies.items()
        },
        "samples": tally.samples,
    }


# ---------------------------------------------------------------------- server


def start_server(var_dir: str, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "JIUZHU_DEMO": "1",
        "JIUZHU_VAR_DIR": var_dir,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "jiuzhu.settings",
    }
    log = open(Path(var_dir) / "server.log", "w")  # noqa: SIM115 - closed with the process
    server = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
        [
            str(Path(sys.executable).parent / "jiuzhu"),
            "serve",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 180  # a loaded, shared machine boots gunicorn slowly
    while time.time() < deadline:
        try:
            status, _, _ = asyncio.run(http(port, "GET", "/healthz", timeout=2))
            if status == 200:
                return server
        except Exception:  # noqa: S110 - not up yet
            pass
        if server.poll() is not None:
            raise SystemExit(f"the server exited: see {var_dir}/server.log")
        time.sleep(0.3)
    server.terminate()
    raise SystemExit("the server did not answer /healthz within 180 s")


# ---------------------------------------------------------------------- profile


def profile(n: int) -> None:
    from django.test import Client
    from pyinstrument import Profiler

    world = prepare(200)
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {world['tokens']['hotline']}"}
    body = lambda i: json.dumps(  # noqa: E731
        {
            "household_id": world["households"][i % len(world["households"])],
            "item_id": world["item"],
        }
    )
    for i in range(10):  # warm up
        client.post("/api/v1/orders", body(i), content_type="application/json", **headers)
    profiler = Profiler(interval=0.0005)
    begin = time.perf_counter()
    with profiler:
        for i in range(n):
            response = client.post(
                "/api/v1/orders", body(i), content_type="application/json", **headers
            )
            assert response.status_code == 201, response.content
    ms = (time.perf_counter() - begin) * 1000 / n
    print(f"{n} order creations in-process: {ms:.1f} ms each")
    print(profiler.output_text(unicode=True, color=False, show_all=False))


# ---------------------------------------------------------------------- main


SCENARIOS = ["healthz", "household list", "household search", "order create", "order lifecycle"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per run")
    parser.add_argument("--max-requests", type=int, default=20_000, help="per run")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8106)
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    parser.add_argument("--var-dir", help="keep the SQLite database and logs here")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--smoke", action="store_true", help="tiny and quick (CI)")
    parser.add_argument("--profile", type=int, default=0, help="profile N order creations")
    parser.add_argument("--write", type=Path, help="update this section of RESULTS.md")
    parser.add_argument("--json", type=Path, help="write the figures as JSON")
    args = parser.parse_args()
    if args.smoke:
        args.households, args.clients, args.duration, args.max_requests = 30, 4, 1.0, 40
    var_dir = args.var_dir or tempfile.mkdtemp(prefix="jz-bench-load-")
    Path(var_dir).mkdir(parents=True, exist_ok=True)
    setup_django(var_dir)
    if args.profile:
        profile(args.profile)
        return
    from django.db import connection

    vendor = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    world = prepare(args.households)
    server = start_server(var_dir, args.port, args.workers)
    results = {}
    try:
        for name in [s.strip() for s in args.scenarios.split(",") if s.strip()]:
            scenario = Scenario(name, world, args.port, args.timeout)
            tally, seconds = asyncio.run(
                closed_loop(scenario, args.clients, args.duration, args.max_requests)
            )
            closed = summarise(tally, seconds)
            rate = max(closed["rps"] / 2, 0.5)
            if name == "order lifecycle":
                rate = rate / 5  # five requests per run
            tally, seconds = asyncio.run(
                open_loop(scenario, rate, args.duration, args.max_requests)
            )
            opened = summarise(tally, seconds)
            opened["offered_rps"] = rate * (5 if name == "order lifecycle" else 1)
            results[name] = {"closed": closed, "open": opened}
            print(
                f"{name}: closed {closed['rps']:.1f} req/s p99 {closed['p99']:.0f} ms "
                f"errors {closed['errors']}; open at {opened['offered_rps']:.1f} req/s "
                f"p50 {opened['p50']:.0f} p99 {opened['p99']:.0f} ms errors {opened['errors']}",
                flush=True,
            )
            for phase in (closed, opened):
                for op, samples in phase["samples"].items():
                    print(f"  {op} errors, e.g. {samples}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    report = render(results, args, vendor, world["total"])
    print(report)
    if args.write:
        write_section(args.write, report.splitlines()[0], report)
    if not args.var_dir:
        shutil.rmtree(var_dir, ignore_errors=True)
    if args.smoke:
        bad = {n: r["closed"]["errors"] + r["open"]["errors"] for n, r in results.items()}
        idle = [
            n for n, r in results.items() if not (r["closed"]["requests"] and r["open"]["requests"])
        ]
        if any(bad.values()) or idle:
            raise SystemExit(f"smoke run had errors {bad} or scenarios without requests {idle}")


def render(results: dict, args, vendor: str, total: int) -> str:
    ceiling = results.get("healthz", {}).get("closed", {}).get("rps")
    lines = [
        f"## Load: the production server on {vendor} (issue 15 item 4)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}; "
        f"`jiuzhu serve` (gunicorn, {args.workers} sync workers) on {vendor} and the asyncio "
        f"client in one machine over loopback; {total:,} households stored (the list counts "
        f"them all), orders placed for {args.households:,} of them. "
        f"{load_note(own_load=True)} Command: `"
        f"{'DATABASE_URL=postgres://… ' if vendor == 'PostgreSQL' else ''}"
        f".venv/bin/python bench/bench_load.py --clients {args.clients} "
        f"--duration {args.duration:g} --workers {args.workers}`.",
        "",
        f"Closed loop: {args.clients} clients, {args.duration:g} s. Open loop: a fixed arrival "
        "rate of half the closed loop's throughput (lifecycle: half its runs), latency from "
        "each request's scheduled start.",
        "",
        "| scenario | closed req/s | × healthz | closed p50 / p95 / p99 ms | errors | "
        "open req/s | open p50 / p95 / p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        c, o = r["closed"], r["open"]
        ratio = f"{c['rps'] / ceiling:.2f}" if ceiling else "-"
        lines.append(
            f"| {name} | {c['rps']:.1f} | {ratio} | {c['p50']:.0f} / {c['p95']:.0f} / "
            f"{c['p99']:.0f} | {c['errors']} | {o['offered_rps']:.1f} | {o['p50']:.0f} / "
            f"{o['p95']:.0f} / {o['p99']:.0f} | {o['errors']} |"
        )
    if "order lifecycle" in results:
        lines += ["", "Order lifecycle, per step (open loop): count, p50 ms, p99 ms:", ""]
        for op, (count, p50, p99) in results["order lifecycle"]["open"]["ops"].items():
            lines.append(f"- {op}: {count}, {p50:.0f}, {p99:.0f}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
