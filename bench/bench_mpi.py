"""Benchmark the Alkire–Foster engine against the PyPI package mpitb on the same data.

    .venv/bin/python bench/bench_mpi.py [--rows N] [--mpitb-rows M] [--write bench/RESULTS.md]

Data: N households x 12 indicators (6 dimensions x 2, nested equal weights 1/12), raw
achievements uniform on [0, 100) deprived when below a per-indicator cutoff, 6 subgroups, a fixed
seed. k = 0.40: scores are multiples of 1/12, so none lies within 1e-9 of k and mpitb's
whole-percent cutoff (score >= 40/100) identifies exactly the same households.

Timed: (a) rule application, raw achievements -> g0 (and the full `evaluate`, which adds scores
and identification); (b) every measure with subgroup decomposition in our engine; (c) the same
measures with mpitb.est (nat + over=group, H/A/M0, hdk/actb/pctb, hd) on the same g0. Before
timing anything the script checks that H, A, M0, headcounts, contributions and subgroup
H/A/M0 agree within 1e-9. Peak memory is measured in a separate, untimed tracemalloc pass.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from jiuzhu.assessment.engine import compute_measures, evaluate, framework_from_dict
from jiuzhu.assessment.engine.values import Place
from results import (  # bench/results.py (this script's directory is on sys.path)
    machine,
    write_section,
)

SECTION = "## Alkire–Foster engine (issue 3 item 12)"
N_DIMS, PER_DIM, N_GROUPS, SEED, K_PERCENT = 6, 2, 6, 20261128, 40
NAMES = [f"i{j + 1}" for j in range(N_DIMS * PER_DIM)]
CUTOFFS = [10, 15, 20, 25, 30, 35, 40, 45, 20, 30, 12, 50]  # deprived if achievement < cutoff
TOL = 1e-9


def framework() -> dict:
    """6 dimensions x 2 indicators, no explicit weights: 1/6 per dimension, 1/12 per indicator."""
    return {
        "name": "bench",
        "poverty_cutoff": f"{K_PERCENT}/100",
        "dimensions": [
            {
                "name": f"d{d + 1}",
                "indicators": [
                    {"name": NAMES[j], "deprived_if": f"< {CUTOFFS[j]}", "critical": j == 0}
                    for j in range(d * PER_DIM, (d + 1) * PER_DIM)
                ],
            }
            for d in range(N_DIMS)
        ],
    }


def make_data(n: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Raw achievements per indicator column, and subgroup codes 0..5."""
    rng = np.random.default_rng(SEED)
    raw = rng.uniform(0, 100, size=(len(NAMES), n))
    columns = {name: raw[j] for j, name in enumerate(NAMES)}
    return columns, rng.integers(0, N_GROUPS, size=n)


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    """Best wall-clock time of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_mib(fn: Callable[[], object]) -> float:
    """Peak memory traced while fn runs (numpy and pandas buffers included), in MiB."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


class Mpitb:
    """mpitb on a pandas DataFrame holding the same 0/1 deprivations and the subgroup column."""

    def __init__(self, g0: np.ndarray, groups: np.ndarray) -> None:
        import pandas as pd
        from mpitb import MPIToolbox

        self.pd = pd
        self.frame = pd.DataFrame(g0.astype(np.int8), columns=NAMES)
        self.frame["group"] = groups
        self.tool = MPIToolbox()
        dims = [(NAMES[d * PER_DIM : (d + 1) * PER_DIM], f"d{d + 1}") for d in range(N_DIMS)]
        self.tool.set(name="bench", dimensions=dims)

    def run(self) -> list[dict]:
        """mpitb.est adds score/poor columns to the frame it gets, so give it a fresh copy."""
        frame = self.frame.copy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self.tool.est(frame, name="bench", klist=[K_PERCENT], over=["group"])


def compare(ours: dict, records: list[dict]) -> float:
    """Largest absolute difference between our figures and mpitb's; raises if above TOL."""
    by_key = {}
    for r in records:
        key = (r["loa"], r.get("subg"), r["measure"], r.get("indicator"))
        by_key[key] = r["b"]
    pairs = [(ours[m], by_key[("nat", None, m, None)]) for m in ("H", "A", "M0")]
    for name, ind in ours["indicators"].items():
        pairs.append((ind["censored_headcount"], by_key[("nat", None, "hdk", name)]))
        pairs.append((ind["uncensored_headcount"], by_key[("nat", None, "hd", name)]))
        pairs.append((ind["contribution"], by_key[("nat", None, "pctb", name)]))
    for label, g in ours["groups"].items():
        for m in ("H", "A", "M0"):
            pairs.append((g[m], by_key[("group", int(label), m, None)]))
    worst = max(abs(float(a) - float(b)) for a, b in pairs)
    if worst > TOL:
        raise SystemExit(f"engine and mpitb disagree by {worst:g} (> {TOL:g})")
    return worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--mpitb-rows", type=int, help="rows for mpitb (default: --rows)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per step (best kept)")
    parser.add_argument("--write", type=Path, help="update this RESULTS.md section")
    args = parser.parse_args(argv)
    report = render(measure(args.rows, args.mpitb_rows or args.rows, args.repeat))
    print(report)
    if args.write:
        write_section(args.write, SECTION, report)
    return 0


def measure(n: int, n_mpitb: int, repeat: int) -> dict:
    """Run every timed step and the agreement check; returns the figures for the report."""
    fw = framework_from_dict(framework())
    columns, groups = make_data(n)
    place = Place("bench")
    rules = [(ind.rule, columns[ind.column]) for ind in fw.indicators]
    ev = evaluate(fw, columns)
    weights = np.random.default_rng(SEED + 1).integers(1, 8, size=n).astype(np.float64)
    f = {"n": n, "n_mpitb": n_mpitb, "repeat": repeat, "mpitb_repeat": max(1, min(repeat, 3))}
    f["rules"] = best_of(repeat, lambda: [rule.apply(col, place) for rule, col in rules])
    f["evaluate"] = best_of(repeat, lambda: evaluate(fw, columns))
    f["ours"] = best_of(repeat, lambda: compute_measures(ev, groups=groups))
    f["ours_w"] = best_of(
        repeat, lambda: compute_measures(ev, groups=groups, sample_weights=weights)
    )
    f["ours_rows"] = best_of(repeat, lambda: compute_measures(ev, groups=groups, compress=False))
    f["result"] = compute_measures(ev, groups=groups).to_dict()
    if n_mpitb == n:
        small_ev, small_groups, f["ours_small"] = ev, groups, f["ours"]
    else:
        small_cols, small_groups = make_data(n_mpitb)
        small_ev = evaluate(fw, small_cols)
        f["ours_small"] = best_of(repeat, lambda: compute_measures(small_ev, groups=small_groups))
    tool = Mpitb(small_ev.g0, small_groups)
    f["worst"] = compare(compute_measures(small_ev, groups=small_groups).to_dict(), tool.run())
    f["mpitb"] = best_of(f["mpitb_repeat"], tool.run)
    f["mem_eval"] = peak_mib(lambda: evaluate(fw, columns))
    f["mem_ours"] = peak_mib(lambda: compute_measures(ev, groups=groups))
    f["mem_mpitb"] = peak_mib(tool.run)
    f["rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    f["pandas"] = tool.pd.__version__
    return f


def render(f: dict) -> str:
    """The RESULTS.md section, ratios against mpitb from this same run."""
    n, n_m, r = f["n"], f["n_mpitb"], f["result"]
    command = f"`.venv/bin/python bench/bench_mpi.py --rows {n}" + (
        f" --mpitb-rows {n_m}`" if n_m != n else "`"
    )

    def row(step: str, rows: int, seconds: float, mem: float | None = None) -> str:
        memory = "-" if mem is None else f"{mem:.0f} MiB"
        return f"| {step} | {rows:,} | {seconds * 1000:.1f} ms | {memory} |"

    lines = [
        SECTION,
        "",
        f"Run {dt.date.today().isoformat()} on {machine()}; numpy {np.__version__}, "
        f"pandas {f['pandas']}, mpitb 0.2. Command: {command}; best of {f['repeat']} runs "
        f"(mpitb best of {f['mpitb_repeat']}).",
        "",
        f"Data: {n:,} households x 12 indicators (6 dimensions x 2, weights 1/12), 6 subgroups, "
        f"seed {SEED}, k = {K_PERCENT / 100:.2f}; H = {r['H']:.4f}, A = {r['A']:.4f}, "
        f"M0 = {r['M0']:.4f}.",
        "",
        "| step | rows | time | peak memory (tracemalloc) |",
        "|---|---:|---:|---:|",
        row("(a) rules: raw achievements -> g0", n, f["rules"]),
        row("(a') evaluate: rules + scores + identification", n, f["evaluate"], f["mem_eval"]),
        row("(b) engine: all measures + 6-group decomposition", n, f["ours"], f["mem_ours"]),
        row("(b) same, with sample weights", n, f["ours_w"]),
        row(
            "(b) same, row-by-row path (compress=False; used beyond 2**22 cells)", n, f["ours_rows"]
        ),
    ]
    if n_m != n:
        lines.append(row("(b) engine at mpitb's size", n_m, f["ours_small"]))
    both = f["evaluate"] * n_m / n + f["ours_small"]
    lines += [
        row("(c) mpitb.est, same measures (nat + over=group)", n_m, f["mpitb"], f["mem_mpitb"]),
        "",
        f"**Ratio at equal N ({n_m:,} rows): engine measures are "
        f"{f['mpitb'] / f['ours_small']:.1f}x faster than mpitb** (target >= 10x); counting "
        f"evaluate (rules + scores) as well, {f['mpitb'] / both:.1f}x; the row-by-row path "
        f"alone {f['mpitb'] / f['ours_rows'] * n_m / n:.1f}x. Peak memory "
        f"{f['mem_mpitb'] / max(f['mem_ours'], 1e-9):.1f}x lower than mpitb's. Largest "
        f"difference from mpitb over H, A, M0, hd, hdk, contributions and subgroup H/A/M0: "
        f"{f['worst']:.1e} (checked <= 1e-9). Process peak RSS {f['rss']:.0f} MiB.",
        "",
        "mpitb also computes standard errors and confidence intervals, which the engine does not; "
        "the engine also computes bands, the score distribution and dimension contributions, "
        "which mpitb does not.",
        "",
        "Rescoring 100,000 households stored in the database needs Django and is recorded "
        "separately.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
