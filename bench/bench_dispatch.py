"""Benchmark automatic dispatch: the optimal assignment against the first-come greedy baseline.

    .venv/bin/python bench/bench_dispatch.py [--orders N] [--providers P] [--repeat R]
        [--write bench/RESULTS.md]

Synthetic Nanjing-like data with a fixed seed: ~100 streets spread around the city centre, 8
communities each; N waiting orders (default 10,000) in communities weighted by street demand,
over 40 items in 8 categories with skewed popularity; P providers (default 500), each based in a
street and serving it and 1-4 nearest streets, offering 5-15 items mostly from one or two
categories, capacity 8-32 (total about 100% of demand), a current load, a rating (15% unrated);
urgency weights from the urgency-tag mix (5% urgent, 15% safety net, 30% care, 50% watch); 5% of
orders have excluded one provider that serves their street.

Times (best of R): building the eligible pairs, their costs, the optimal assignment (LP), the
greedy baseline. Peak memory of the whole pipeline in a separate tracemalloc pass; process peak
RSS. Checks before reporting: every assignment is an eligible pair, no capacity is exceeded, the
optimal number assigned equals an independent maximum flow (scipy.sparse.csgraph).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy
from scipy import sparse
from scipy.sparse.csgraph import maximum_flow

from jiuzhu.dispatch.engine.matching import (
    URGENCY_WEIGHTS,
    Dispatch,
    Orders,
    Pairs,
    Providers,
    assign,
    assign_greedy,
    eligible_pairs,
    pair_costs,
)
from results import (  # bench/results.py (this script's directory is on sys.path)
    machine,
    write_section,
)

SECTION = "## Automatic dispatch (issue 5 item 9)"
SEED = 20261128
RUN_DATE = "2026-11-28"
N_STREETS, COMMUNITIES_PER_STREET = 100, 8
N_ITEMS, N_CATEGORIES = 40, 8
CENTRE = (32.06, 118.79)  # Nanjing, Xinjiekou
TAGS = {"urgent": 0.05, "safety_net": 0.15, "care": 0.30, "watch": 0.50}


def make_data(n_orders: int, n_providers: int, seed: int = SEED) -> tuple[Orders, Providers, list]:
    """Orders, providers and the item → category list (see the module docstring)."""
    rng = np.random.default_rng(seed)
    street_lat = CENTRE[0] + rng.normal(0, 0.09, N_STREETS)  # ~10 km spread north-south
    street_lon = CENTRE[1] + rng.normal(0, 0.11, N_STREETS)
    streets = np.array([f"3201{j:05d}000" for j in range(N_STREETS)])
    comm_street = np.repeat(np.arange(N_STREETS), COMMUNITIES_PER_STREET)
    comm_lat = street_lat[comm_street] + rng.normal(0, 0.008, comm_street.size)
    comm_lon = street_lon[comm_street] + rng.normal(0, 0.009, comm_street.size)
    item_category = [i * N_CATEGORIES // N_ITEMS for i in range(N_ITEMS)]

    demand = rng.lognormal(0, 0.6, N_STREETS)
    street_of_order = rng.choice(N_STREETS, n_orders, p=demand / demand.sum())
    comm = street_of_order * COMMUNITIES_PER_STREET + rng.integers(
        0, COMMUNITIES_PER_STREET, n_orders
    )
    popularity = 1.0 / (rng.permutation(N_ITEMS) + 4.0)
    item = rng.choice(N_ITEMS, n_orders, p=popularity / popularity.sum())
    tag = rng.choice(list(TAGS), n_orders, p=list(TAGS.values()))
    urgency = np.array([URGENCY_WEIGHTS[t] for t in tag])
    created = np.sort(rng.uniform(0, 7 * 24 * 3600, n_orders))[rng.permutation(n_orders)]

    home = rng.choice(N_STREETS, n_providers, p=demand / demand.sum())
    dist2 = (street_lat[:, None] - street_lat[None, :]) ** 2 + (
        (street_lon[:, None] - street_lon[None, :]) * np.cos(np.radians(CENTRE[0]))
    ) ** 2
    nearest = np.argsort(dist2, axis=1)
    areas, items = [], []
    by_category = [
        [i for i in range(N_ITEMS) if item_category[i] == c] for c in range(N_CATEGORIES)
    ]
    for h in home:
        areas.append({streets[s] for s in nearest[h, : 1 + rng.integers(1, 5)]})
        main = rng.choice(N_CATEGORIES, rng.integers(1, 3), replace=False)
        core = [i for c in main for i in by_category[c]]
        k = int(rng.integers(5, 16))
        chosen = set(rng.choice(core, min(k, len(core)), replace=False).tolist())
        while len(chosen) < k:
            chosen.add(int(rng.integers(N_ITEMS)))
        items.append(chosen)
    capacity = rng.integers(8, 33, n_providers)
    load = rng.integers(0, capacity + 1)
    rating = np.round(rng.uniform(2.5, 5.0, n_providers), 1)
    rating[rng.random(n_providers) < 0.15] = np.nan
    provider_ids = np.array([f"P{j:04d}" for j in range(n_providers)])

    serving = [[] for _ in range(N_STREETS)]
    street_index = {s: j for j, s in enumerate(streets)}
    for p, served in enumerate(areas):
        for s in served:
            serving[street_index[s]].append(provider_ids[p])
    excluded: list[set | None] = [None] * n_orders
    for o in np.flatnonzero(rng.random(n_orders) < 0.05):
        options = serving[street_of_order[o]]
        if options:
            excluded[o] = {options[int(rng.integers(len(options)))]}

    orders = Orders(
        ids=np.arange(1, n_orders + 1),
        lat=comm_lat[comm],
        lon=comm_lon[comm],
        item=item,
        urgency=urgency,
        area=streets[street_of_order],
        created=created,
        excluded=excluded,
    )
    providers = Providers(
        ids=provider_ids,
        lat=street_lat[home] + rng.normal(0, 0.005, n_providers),
        lon=street_lon[home] + rng.normal(0, 0.006, n_providers),
        capacity=capacity,
        load=load,
        rating=rating,
        items=items,
        areas=areas,
    )
    return orders, providers, item_category


def max_flow_count(result: Dispatch) -> int:
    """Largest number of orders that can be served, by an independent maximum flow:
    source → order (1) → provider (eligible pair, 1) → sink (capacity)."""
    n, m = len(result.orders), len(result.providers)
    o, p = result.pairs.order, result.pairs.provider
    src, sink = n + m, n + m + 1
    rows = np.concatenate((np.full(n, src), o, n + np.arange(m)))
    cols = np.concatenate((np.arange(n), n + p, np.full(m, sink)))
    caps = np.concatenate((np.ones(n), np.ones(o.size), result.providers.capacity))
    graph = sparse.csr_array((caps.astype(np.int32), (rows, cols)), shape=(n + m + 2, n + m + 2))
    return int(maximum_flow(graph, src, sink).flow_value)


def check(result: Dispatch) -> None:
    """Assignments are eligible pairs and capacities hold."""
    chosen = result.chosen[result.assigned]
    if not np.array_equal(result.pairs.order[chosen], np.flatnonzero(result.assigned)):
        raise SystemExit(f"{result.method}: an assignment is not an eligible pair of its order")
    if np.any(result.taken > result.providers.capacity):
        raise SystemExit(f"{result.method}: a provider's capacity is exceeded")


def best_of(repeat: int, fn: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def peak_mib(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def measure(n_orders: int, n_providers: int, repeat: int) -> dict:
    start = time.perf_counter()
    orders, providers, cats = make_data(n_orders, n_providers)
    f: dict = {"n": n_orders, "m": n_providers, "repeat": repeat}
    f["generate"] = time.perf_counter() - start
    f["t_pairs"], pairs = best_of(repeat, lambda: eligible_pairs(orders, providers))
    f["t_costs"], costs = best_of(
        repeat, lambda: pair_costs(orders, providers, pairs, item_category=cats)
    )
    f["t_optimal"], optimal = best_of(repeat, lambda: assign(orders, providers, pairs, costs=costs))
    f["t_greedy"], greedy = best_of(
        repeat, lambda: assign_greedy(orders, providers, pairs, costs=costs)
    )
    f["t_decisions"], _ = best_of(repeat, optimal.decisions)
    # The same orders greedy served, re-assigned optimally: the cost ratio at an equal number.
    same = np.isin(pairs.order, np.flatnonzero(greedy.assigned))
    subset = Pairs(pairs.order[same], pairs.provider[same])
    same_set = assign(orders, providers, subset, item_category=cats)
    if same_set.n_assigned != greedy.n_assigned:
        raise SystemExit("re-optimising greedy's orders lost some of them")
    f["same_cost"] = same_set.total_cost
    for result in (optimal, greedy):
        check(result)
    f["maxflow"] = max_flow_count(optimal)
    if optimal.n_assigned != f["maxflow"]:
        raise SystemExit(f"optimal assigns {optimal.n_assigned}, max flow is {f['maxflow']}")
    f["mem_pipeline"] = peak_mib(
        lambda: assign(orders, providers, pairs=None, item_category=cats).decisions()
    )
    f["mem_lp"] = peak_mib(lambda: assign(orders, providers, pairs, costs=costs))
    f["rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    f["pairs"] = len(pairs)
    f["capacity"] = int(providers.capacity.sum())
    f["no_pairs"] = int((costs.n_eligible == 0).sum())
    f["per_order"] = len(pairs) / n_orders
    f["excluded"] = sum(1 for e in orders.excluded if e)
    f["urgent_total"] = int((orders.urgency == URGENCY_WEIGHTS["urgent"]).sum())
    for name, r in (("opt", optimal), ("greedy", greedy)):
        f[name] = r.summary()
        f[name]["urgent"] = int((r.assigned & (orders.urgency == URGENCY_WEIGHTS["urgent"])).sum())
        f[name]["rank1"] = float((costs.rank[r.chosen[r.assigned]] == 1).mean())
        f[name]["km"] = float(costs.distance_km[r.chosen[r.assigned]].mean())
    return f


def render(f: dict) -> str:
    n, m, o, g = f["n"], f["m"], f["opt"], f["greedy"]
    command = f"`.venv/bin/python bench/bench_dispatch.py --orders {n} --providers {m}`"

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:,.1f} ms"

    lines = [
        SECTION,
        "",
        f"Run {RUN_DATE} on {machine()}; numpy {np.__version__}, scipy {scipy.__version__} "
        f"(HiGHS). Command: {command}; best of {f['repeat']} runs.",
        "",
        f"Data (seed {SEED}, generated in {f['generate']:.2f} s): {n:,} waiting orders in "
        f"{N_STREETS} streets x {COMMUNITIES_PER_STREET} communities, {N_ITEMS} items in "
        f"{N_CATEGORIES} categories; {m:,} providers serving 2-5 streets and offering 5-15 "
        f"items, total capacity {f['capacity']:,} ({f['capacity'] / n:.0%} of demand); "
        f"{f['excluded']:,} orders exclude a provider. Eligible pairs: {f['pairs']:,} "
        f"({f['per_order']:.1f} per order; dense orders x providers would be {n * m:,}); "
        f"{f['no_pairs']:,} orders have none.",
        "",
        "| step | time |",
        "|---|---:|",
        f"| build eligible pairs (`eligible_pairs`) | {ms(f['t_pairs'])} |",
        f"| cost of every pair (`pair_costs`) | {ms(f['t_costs'])} |",
        f"| optimal assignment (`assign`: sparse LP, HiGHS) | {ms(f['t_optimal'])} |",
        f"| greedy baseline (`assign_greedy`) | {ms(f['t_greedy'])} |",
        f"| per-order outcomes with `Why` (`decisions()`) | {ms(f['t_decisions'])} |",
        "",
        f"Peak memory (tracemalloc): whole pipeline (pairs, costs, LP, outcomes) "
        f"{f['mem_pipeline']:.1f} MiB, the LP alone {f['mem_lp']:.1f} MiB; process peak RSS "
        f"{f['rss']:.0f} MiB.",
        "",
        "| | optimal | greedy | optimal / greedy |",
        "|---|---:|---:|---:|",
        f"| orders assigned | {o['assigned']:,} | {g['assigned']:,} | "
        f"{o['assigned'] / max(g['assigned'], 1):.4f} |",
        f"| unassigned: no capacity left | {o['no_capacity']:,} | {g['no_capacity']:,} | |",
        f"| unassigned: no eligible provider (escalate) | {o['no_provider']:,} | "
        f"{g['no_provider']:,} | |",
        f"| urgent orders assigned (of {f['urgent_total']:,}) | {o['urgent']:,} | "
        f"{g['urgent']:,} | |",
        f"| urgency-weighted orders assigned | {o['urgency_assigned']:,.0f} | "
        f"{g['urgency_assigned']:,.0f} | {o['urgency_assigned'] / g['urgency_assigned']:.4f} |",
        f"| total cost | {o['total_cost']:,.1f} | {g['total_cost']:,.1f} | "
        f"{o['total_cost'] / g['total_cost']:.4f} |",
        f"| cost per assigned order | {o['total_cost'] / o['assigned']:.4f} | "
        f"{g['total_cost'] / g['assigned']:.4f} | "
        f"{(o['total_cost'] / o['assigned']) / (g['total_cost'] / g['assigned']):.4f} |",
        f"| total cost, greedy's {g['assigned']:,} orders re-assigned optimally | "
        f"{f['same_cost']:,.1f} | {g['total_cost']:,.1f} | "
        f"{f['same_cost'] / g['total_cost']:.4f} |",
        f"| mean distance, km | {o['km']:.2f} | {g['km']:.2f} | |",
        f"| share given their cheapest provider | {o['rank1']:.1%} | {g['rank1']:.1%} | |",
        "",
        f"Checks: every assignment is an eligible pair and no capacity is exceeded (both); the "
        f"optimal number assigned equals an independent maximum flow "
        f"(scipy.sparse.csgraph.maximum_flow: {f['maxflow']:,}).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--providers", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per step (best kept)")
    parser.add_argument("--write", type=Path, help="update this RESULTS.md section")
    args = parser.parse_args(argv)
    report = render(measure(args.orders, args.providers, args.repeat))
    print(report)
    if args.write:
        write_section(args.write, SECTION, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
