"""A nation in a minute: `jiuzhu mpi` on a Parquet snapshot of 25,000,000 households.

    .venv/bin/python bench/bench_mpi_nation.py [--households N] [--row-group R] [--repeat K]
                                               [--dir DIR] [--write bench/RESULTS.md]

Generator (`generate`): N households x 15 indicators (5 dimensions x 3, nested equal weights)
and a district code (2,852 county-level codes, skewed sizes), written with pyarrow in row groups
of R rows, each drawn by vectorised numpy from its own seed (SEED, row group), so the file is the
same whatever the machine. Indicator columns are typed as a survey export would be: incomes and
areas as float32 with 0.2 % nulls (missing), 0/1 answers as int8, the house type as
dictionary-encoded text. The file goes to --dir (default /tmp), never into git; it is reused
when it already exists with the same size.

Timed: `jiuzhu mpi FILE --framework nation.yaml --by district --format json` as a command
(a fresh interpreter: what an analyst waits for, imports included), K times, median kept, with
the child's peak RSS (getrusage). The CLI streams the file batch by batch (row groups) and adds
up each batch's sufficient statistics, so memory does not grow with N.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from jiuzhu.assessment.engine.io import BATCH_ROWS
from results import load_note, machine, write_section

SECTION = "## A nation in a minute: 25,000,000 households from Parquet (issue 15 items 2 and 9)"
SEED = 20261202
N_DISTRICTS = 2852
HOUSES = ["楼房", "平房", "危房", "棚户", "自建房"]
FRAMEWORK = """\
name: nation-bench
poverty_cutoff: 1/3
dimensions:
  - name: income
    indicators:
      - {name: income, deprived_if: "< 4500"}
      - {name: assets, deprived_if: "< 2000"}
      - {name: employment, deprived_if: "true"}
  - name: health
    indicators:
      - {name: illness, deprived_if: "true", critical: true}
      - {name: disability, deprived_if: "true"}
      - {name: insured, deprived_if: "== 0"}
  - name: education
    indicators:
      - {name: schooling, deprived_if: "< 6"}
      - {name: dropout, deprived_if: "true"}
      - {name: literacy, deprived_if: "== 0"}
  - name: housing
    indicators:
      - {name: house, deprived_if: 'in ["危房", "棚户"]'}
      - {name: area, deprived_if: "< 12"}
      - {name: water, deprived_if: "== 0"}
  - name: living
    indicators:
      - {name: toilet, deprived_if: "== 0"}
      - {name: fuel, deprived_if: "true"}
      - {name: electricity, deprived_if: "== 0"}
"""
FLAGS = {  # 0/1 columns (int8) and the share of 1s
    "employment": 0.10,
    "illness": 0.12,
    "disability": 0.05,
    "insured": 0.93,
    "dropout": 0.04,
    "literacy": 0.90,
    "water": 0.92,
    "toilet": 0.85,
    "fuel": 0.15,
    "electricity": 0.99,
}


def districts() -> np.ndarray:
    """2,852 six-digit county codes (fixed, text) and their population weights (skewed)."""
    rng = np.random.default_rng(SEED)
    provinces = np.repeat(np.arange(11, 11 + 31), N_DISTRICTS // 31 + 1)[:N_DISTRICTS]
    codes = [f"{p:02d}{i // 100 % 100:02d}{i % 100:02d}" for i, p in enumerate(provinces)]
    return np.array(codes), rng.lognormal(0, 0.8, N_DISTRICTS)


def row_group(index: int, rows: int, codes: np.ndarray, weights: np.ndarray):
    """One row group of households, drawn from its own seed (vectorised numpy)."""
    import pyarrow as pa

    rng = np.random.default_rng([SEED, index])
    district = rng.choice(len(codes), size=rows, p=weights / weights.sum())

    def with_nulls(values: np.ndarray) -> pa.Array:
        return pa.array(values, mask=rng.random(rows) < 0.002)

    columns = {
        "district": pa.DictionaryArray.from_arrays(
            pa.array(district.astype(np.int32)), pa.array(codes)
        ),
        "income": with_nulls(rng.lognormal(9.5, 0.8, rows).astype(np.float32)),
        "assets": pa.array(rng.exponential(20000, rows).astype(np.float32)),
        "schooling": pa.array(rng.integers(0, 16, rows, dtype=np.int8)),
        "house": pa.DictionaryArray.from_arrays(
            pa.array(
                rng.choice(len(HOUSES), rows, p=[0.6, 0.25, 0.05, 0.03, 0.07]).astype(np.int8)
            ),
            pa.array(HOUSES),
        ),
        "area": with_nulls(rng.gamma(4.0, 8.0, rows).astype(np.float32)),
        "size": pa.array(rng.integers(1, 7, rows, dtype=np.int8)),
    }
    for name, share in FLAGS.items():
        columns[name] = pa.array((rng.random(rows) < share).astype(np.int8))
    return pa.table(columns)


def generate(path: Path, households: int, group_rows: int) -> float:
    """Write the snapshot (seconds taken); rows are generated and written a row group at a time."""
    import pyarrow.parquet as pq

    codes, weights = districts()
    start = time.perf_counter()
    tmp = path.with_suffix(".partial")
    writer = None
    for index, first in enumerate(range(0, households, group_rows)):
        table = row_group(index, min(group_rows, households - first), codes, weights)
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema, compression="snappy")
        writer.write_table(table, row_group_size=group_rows)
        print(f"  row group {index + 1}: {first + table.num_rows:,} households", flush=True)
    if writer is not None:
        writer.close()
    tmp.replace(path)
    return time.perf_counter() - start


def run_cli(path: Path, framework: Path) -> tuple[float, float, dict, float]:
    """Wall seconds, peak RSS (MiB), the report and CPU seconds of one `jiuzhu mpi` command."""
    jiuzhu = str(Path(sys.executable).with_name("jiuzhu"))
    argv = [jiuzhu, "mpi", str(path), "--framework", str(framework), "--by", "district"]
    start = time.perf_counter()
    # A fresh child per run so its getrusage peak is its own (RUSAGE_CHILDREN keeps the max).
    code = (
        "import resource, subprocess, sys, json; "
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "print(json.dumps({'rc': p.returncode, 'out': p.stdout, 'err': p.stderr, "
        "'rss': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
        "'cpu': resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime "
        "+ resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime}))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *argv, "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - start
    result = json.loads(proc.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"jiuzhu mpi failed: {result['err']}")
    return seconds, result["rss"] / 1024, json.loads(result["out"]), result["cpu"]


def measure(households: int, group_rows: int, repeat: int, folder: Path) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"jiuzhu-nation-{households}.parquet"
    framework = folder / "nation.yaml"
    framework.write_text(FRAMEWORK, encoding="utf-8")
    f: dict = {"n": households, "group_rows": group_rows, "repeat": repeat, "path": str(path)}
    import pyarrow.parquet as pq

    if path.exists() and pq.ParquetFile(path).metadata.num_rows == households:
        f["generated"] = None
    else:
        f["generated"] = generate(path, households, group_rows)
    meta = pq.ParquetFile(path).metadata
    f["size"], f["row_groups"] = path.stat().st_size, meta.num_row_groups
    runs = [run_cli(path, framework) for _ in range(repeat)]
    f["times"] = [r[0] for r in runs]
    f["rss"] = [r[1] for r in runs]
    f["cpu"] = [r[3] for r in runs]
    f["result"] = runs[0][2]
    if any(r[2] != f["result"] for r in runs):
        raise SystemExit("runs gave different reports")
    r = f["result"]
    if r["n"] + r["excluded"] != households or len(r["groups"]) > N_DISTRICTS:
        raise SystemExit("the report does not cover every household")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import jiuzhu.assessment.mpi_cli"], check=True)
    f["import"] = time.perf_counter() - start
    f["load"] = os.getloadavg()
    return f


def render(f: dict) -> str:
    r, n = f["result"], f["n"]
    median = statistics.median(f["times"])
    generated = (
        "reused from an earlier run"
        if f["generated"] is None
        else f"generated in {f['generated']:.0f} s"
    )
    times = ", ".join(f"{t:.1f}" for t in f["times"])
    rss = ", ".join(f"{m:.0f}" for m in f["rss"])
    cpu = ", ".join(f"{c:.1f}" for c in f["cpu"])
    return "\n".join(
        [
            SECTION,
            "",
            f"Run {dt.date.today().isoformat()} on {machine()}. Command: `.venv/bin/python "
            f"bench/bench_mpi_nation.py --households {n} --row-group {f['group_rows']} --repeat "
            f"{f['repeat']}`. {load_note()}",
            "",
            f"Snapshot: {n:,} households x 15 indicators (5 dimensions x 3, k = 1/3) plus district "
            f"(2,852 county codes, dictionary-encoded) and household size; {f['row_groups']} row "
            f"groups, {f['size'] / 2**20:,.0f} MiB (snappy), {generated} by `generate` in this "
            "script (vectorised numpy, one seed per row group, written a row group at a time).",
            "",
            "| step | result |",
            "|---|---:|",
            f"| `jiuzhu mpi SNAPSHOT --framework nation.yaml --by district --format json`, "
            f"median of {f['repeat']} | **{median:.1f} s** (runs: {times}) |",
            f"| CPU time of the command (user + system), median | "
            f"{statistics.median(f['cpu']):.1f} s (runs: {cpu}) |",
            f"| peak RSS of the command | **{max(f['rss']):.0f} MiB** (runs: {rss}) |",
            f"| of which interpreter start and imports | {f['import']:.1f} s |",
            f"| households scored / excluded (a missing cell) | {r['n']:,} / {r['excluded']:,} |",
            f"| districts in the decomposition | {len(r['groups']):,} |",
            f"| H, A, M0 | {r['H']:.4f}, {r['A']:.4f}, {r['M0']:.4f} |",
            "",
            f"Target: under 60 s in bounded memory. The file is read batch by batch (pyarrow "
            f"`iter_batches`, {BATCH_ROWS:,} rows at most), each batch evaluated and reduced to "
            "its sufficient statistics (engine/stream.py); memory is one batch plus the "
            "per-district sums, whatever the number of households. Streamed results equal the "
            "in-memory engine's (tests/assessment/engine/test_af_stream.py).",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=25_000_000)
    parser.add_argument("--row-group", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the command (median)")
    parser.add_argument("--dir", type=Path, default=Path("/tmp"))
    parser.add_argument("--write", type=Path, help="update this RESULTS.md section")
    args = parser.parse_args(argv)
    report = render(measure(args.households, args.row_group, args.repeat, args.dir))
    print(report)
    if args.write:
        write_section(args.write, SECTION, report)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("JIUZHU_VAR_DIR", "/tmp/jiuzhu-var-bench")
    sys.exit(main())
