"""Load soak of the production server (issue 16 item 19): ``jiuzhu serve`` (gunicorn) over
loopback for ten minutes of mixed work at 50 clients, with the server's memory sampled all along.

    .venv/bin/python bench/bench_soak.py [--minutes 10] [--clients 50] [--workers 3]
        [--households 2000] [--port 8107] [--write bench/RESULTS.md]
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_soak.py …   # on PostgreSQL

Each of the ``--clients`` clients loops until the time is up, each turn drawing one piece of
work (the weights in ``MIX``): reads as a city administrator (household list pages, name
search, one household), the hotline's order list, a provider's order list, and writes — an order
placed by the hotline and taken through its lifecycle by the provider's staff (accept, start,
complete) and rated by the hotline. Every request is bounded (``--timeout``) and counts as an
error when it fails (connection, timeout, status >= 400).

Every ``--sample`` seconds the resident memory (RSS) of the gunicorn master and its workers is
read from ``/proc``. "Flat" means: after the first fifth of the run (warm-up: imports, caches,
connection pools), the median of the last quarter's samples is within ``--growth`` (10 %) of
the median of the samples right after warm-up. The script exits 1 on any error or memory
that is not flat, so ``make bench`` notices.

``--smoke`` runs for a few seconds at a tiny size (CI: the harness must not rot; the memory
verdict is not checked, a few seconds say nothing about it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from bench_load import Scenario, Tally, percentile, prepare, setup_django, start_server
from results import machine, write_section

#: The mix of work: (name, weight). A lifecycle is five requests, so writes are about a third of
#: the requests.
MIX = [
    ("household list", 25),
    ("household search", 15),
    ("household detail", 15),
    ("hotline orders", 10),
    ("provider orders", 10),
    ("order lifecycle", 10),
]


def process_tree_rss_kib(root: int) -> int:
    """Resident memory of ``root`` and every process under it, in KiB (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


class Soak(Scenario):
    """The load benchmark's scenario (its timed call), with a mix of operations drawn at random."""

    def __init__(self, world: dict, port: int, timeout: float, seed: int):
        super().__init__("soak", world, port, timeout)
        self.rng = random.Random(seed)
        self.names = [name for name, _ in MIX]
        self.weights = [weight for _, weight in MIX]

    async def once(self, tally: Tally) -> None:
        world, tokens = self.world, self.world["tokens"]
        work = self.rng.choices(self.names, self.weights)[0]
        if work == "household list":
            path = f"/api/v1/households?limit=25&offset={self.rng.randint(0, 20) * 25}"
            await self.timed(tally, "list", "GET", path, tokens["admin"])
        elif work == "household search":
            q = quote(self.rng.choice(world["names"]))
            await self.timed(tally, "search", "GET", f"/api/v1/households?q={q}", tokens["admin"])
        elif work == "household detail":
            pk = self.rng.choice(world["households"])
            await self.timed(tally, "detail", "GET", f"/api/v1/households/{pk}", tokens["admin"])
        elif work == "hotline orders":
            await self.timed(tally, "orders", "GET", "/api/v1/orders?limit=25", tokens["hotline"])
        elif work == "provider orders":
            await self.timed(tally, "orders", "GET", "/api/v1/orders?limit=25", tokens["staff"])
        else:
            body = {"household_id": self.rng.choice(world["households"]), "item_id": world["item"]}
            order = await self.timed(
                tally, "create", "POST", "/api/v1/orders", tokens["hotline"], body
            )
            if order is None:
                return
            base, staff = f"/api/v1/orders/{order['id']}", tokens["staff"]
            for step, body in (("accept", None), ("start", None)):
                if await self.timed(tally, step, "POST", f"{base}/{step}", staff, body) is None:
                    return
            done = {"summary": "完成", "duration_minutes": 30}
            if await self.timed(tally, "complete", "POST", f"{base}/complete", staff, done) is None:
                return
            await self.timed(tally, "rate", "POST", f"{base}/rate", tokens["hotline"], {"score": 5})


async def soak(
    world: dict, port: int, server_pid: int, args: argparse.Namespace
) -> tuple[Tally, float, list[tuple[float, int]]]:
    tally = Tally()
    samples: list[tuple[float, int]] = []
    begin = time.perf_counter()
    deadline = begin + args.minutes * 60

    async def client(number: int) -> None:
        worker = Soak(world, port, args.timeout, seed=number)
        while time.perf_counter() < deadline and tally.requests < args.max_requests:
            await worker.once(tally)

    async def sampler() -> None:
        while time.perf_counter() < deadline:
            samples.append((time.perf_counter() - begin, process_tree_rss_kib(server_pid)))
            await asyncio.sleep(min(args.sample, max(0.0, deadline - time.perf_counter())))
        samples.append((time.perf_counter() - begin, process_tree_rss_kib(server_pid)))

    await asyncio.gather(sampler(), *(client(i) for i in range(args.clients)))
    return tally, time.perf_counter() - begin, samples


def memory_verdict(samples: list[tuple[float, int]], growth: float) -> dict:
    """Median RSS right after warm-up (the second fifth of the run) and over the last quarter,
    their ratio, and the least-squares slope after warm-up in MiB per minute."""
    end = samples[-1][0]
    after_warmup = [(t, kib) for t, kib in samples if t >= end / 5]
    early = [kib for t, kib in after_warmup if t < 2 * end / 5] or [after_warmup[0][1]]
    late = [kib for t, kib in samples if t >= 3 * end / 4] or [samples[-1][1]]
    ts = [t for t, _ in after_warmup]
    ys = [kib / 1024 for _, kib in after_warmup]
    slope = 0.0
    if len(ts) > 1 and max(ts) > min(ts):
        mean_t, mean_y = statistics.fmean(ts), statistics.fmean(ys)
        slope = sum((t - mean_t) * (y - mean_y) for t, y in zip(ts, ys, strict=True)) / sum(
            (t - mean_t) ** 2 for t in ts
        )
    early_mib, late_mib = statistics.median(early) / 1024, statistics.median(late) / 1024
    ratio = late_mib / early_mib if early_mib else float("nan")
    return {
        "early": early_mib,
        "late": late_mib,
        "ratio": ratio,
        "slope_per_min": slope * 60,
        "flat": ratio <= 1 + growth,
        "min": min(kib for _, kib in samples) / 1024,
        "max": max(kib for _, kib in samples) / 1024,
    }


def render(tally, seconds, samples, verdict, args, vendor, total) -> str:
    everything = [v for values in tally.latencies.values() for v in values]
    errors = sum(tally.errors.values())
    duration = f"{args.minutes:g} minutes"
    full = args.minutes >= 10
    lines = [
        f"## Soak: {duration if full else 'a shortened soak'} of mixed work on {vendor} "
        "(issue 16 item 19)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}; "
        f"`jiuzhu serve` (gunicorn, {args.workers} sync workers) on {vendor} and the asyncio "
        f"client in one machine over loopback; {args.clients} clients for {duration}"
        f"{'' if full else ' (**shorter than the 10 minutes the soak asks for**)'}; "
        f"{total:,} households stored, orders placed for {args.households:,} of them. "
        "Command: `"
        f"{'DATABASE_URL=postgres://… ' if vendor == 'PostgreSQL' else ''}"
        f".venv/bin/python bench/bench_soak.py --minutes {args.minutes:g} "
        f"--clients {args.clients} --workers {args.workers}` (the full soak: `--minutes 10`).",
        "",
        f"Load average of the machine (1 min) at the start and the end: {args.load[0]:.1f}, "
        f"{args.load[1]:.1f} on {os.cpu_count()} CPUs — above the CPU count the machine was busy "
        "with other work and absolute figures are depressed; errors and memory are what the soak "
        "checks.",
        "",
        "Mix of work (weights; a lifecycle is create, accept, start, complete, rate): "
        + ", ".join(f"{name} {weight}" for name, weight in MIX)
        + ".",
        "",
        "| requests | errors | req/s | p50 / p95 / p99 ms |",
        "|---:|---:|---:|---:|",
        f"| {tally.requests:,} | {errors} | {tally.requests / seconds:.1f} | "
        f"{statistics.median(everything) if everything else float('nan'):.0f} / "
        f"{percentile(everything, 95):.0f} / {percentile(everything, 99):.0f} |",
        "",
        "Per request kind: count, p50 ms, p99 ms, errors:",
        "",
    ]
    for op, values in sorted(tally.latencies.items()):
        lines.append(
            f"- {op}: {len(values)}, {percentile(values, 50):.0f}, {percentile(values, 99):.0f}, "
            f"{tally.errors.get(op, 0)}"
        )
    for op, count in tally.errors.items():
        if op not in tally.latencies:
            lines.append(f"- {op}: 0, -, -, {count}")
    lines += [
        "",
        f"Server memory (RSS of the gunicorn master and its {args.workers} workers, sampled every "
        f"{args.sample:g} s, {len(samples)} samples): {verdict['min']:.0f}–{verdict['max']:.0f} "
        f"MiB; median {verdict['early']:.0f} MiB right after warm-up (second fifth of the run), "
        f"{verdict['late']:.0f} MiB over the last quarter (×{verdict['ratio']:.3f}); slope after "
        f"warm-up {verdict['slope_per_min']:+.2f} MiB/min. "
        f"**{'Flat' if verdict['flat'] else 'NOT flat'}** (limit: +{args.growth:.0%}).",
        "",
        "Memory over time (s, MiB): "
        + ", ".join(f"{t:.0f}: {kib / 1024:.0f}" for t, kib in thin(samples, 20))
        + ".",
    ]
    return "\n".join(lines) + "\n"


def thin(samples: list, count: int) -> list:
    if len(samples) <= count:
        return samples
    step = (len(samples) - 1) / (count - 1)
    return [samples[round(i * step)] for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    parser.add_argument("--port", type=int, default=8107)
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    parser.add_argument("--sample", type=float, default=10.0, help="memory sample, seconds")
    parser.add_argument("--growth", type=float, default=0.10, help="allowed memory growth")
    parser.add_argument("--var-dir", help="keep the SQLite database and logs here")
    parser.add_argument("--smoke", action="store_true", help="tiny and quick (CI)")
    parser.add_argument("--write", type=Path, help="update this section of RESULTS.md")
    args = parser.parse_args()
    if args.smoke:
        args.households, args.clients, args.minutes, args.sample = 30, 4, 0.05, 1.0
    var_dir = args.var_dir or tempfile.mkdtemp(prefix="jz-bench-soak-")
    Path(var_dir).mkdir(parents=True, exist_ok=True)
    setup_django(var_dir)
    from django.db import connection

    vendor = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    world = prepare(args.households)
    server = start_server(var_dir, args.port, args.workers)
    load_before = os.getloadavg()[0]
    try:
        tally, seconds, samples = asyncio.run(soak(world, args.port, server.pid, args))
    finally:
        server.terminate()
        server.wait(timeout=30)
    args.load = (load_before, os.getloadavg()[0])
    verdict = memory_verdict(samples, args.growth)
    report = render(tally, seconds, samples, verdict, args, vendor, world["total"])
    print(report)
    for op, examples in tally.samples.items():
        print(f"  {op} errors, e.g. {examples}", file=sys.stderr)
    errors = sum(tally.errors.values())
    if args.write and not args.smoke:
        write_section(args.write, report.splitlines()[0], report)
    if errors or not tally.requests:
        raise SystemExit(f"the soak had {errors} errors in {tally.requests} requests")
    if not args.smoke and not verdict["flat"]:
        raise SystemExit(f"memory grew ×{verdict['ratio']:.3f} over the soak")


if __name__ == "__main__":
    main()
