"""``make bench``: run every benchmark and refresh its section of bench/RESULTS.md.

Benchmarks are slow on purpose (millions of rows, 100,000 households) and are not part of
``make test``. Each script can also be run alone; see its docstring.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
SCRIPTS = [
    "bench_mpi.py",
    "bench_mpi_cli.py",
    "bench_mpi_nation.py",
    "bench_household_list.py",
    "bench_rescore.py",
    "bench_dispatch.py",
    "bench_search.py",
    "bench_load.py",
    "bench_outbox.py",
    "bench_soak.py",  # ten minutes of mixed work at 50 clients (issue 16 item 19)
]
# Not run here, because their figures mean something only on a database filled first (a
# million households takes most of an hour; see each docstring): bench_dashboards.py,
# bench_pages.py and bench_discovery.py.


def main() -> int:
    failed = []
    for script in SCRIPTS:
        print(f"=== {script}", flush=True)
        result = subprocess.run([sys.executable, str(HERE / script), "--write", str(RESULTS)])
        if result.returncode != 0:
            failed.append(script)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"results written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
