"""``make mutation``: mutation testing of the rule modules, each against its focused tests.

mutmut (3.x) changes one small thing at a time in a rule module — ``<`` to ``<=``, 91 to 92,
``and`` to ``or``, a dropped argument — and runs the tests that cover the changed function. A
change no test notices ("survived") is a rule without a test at its boundary, or an equivalent
mutant (a change that cannot alter behaviour), which docs/testing.md then explains.

Usage::

    python bench/mutation.py                  # every rule module below (DEFAULT)
    python bench/mutation.py dues scoping     # some of them
    python bench/mutation.py --jobs 1 dues    # one worker (default: 2)
    python bench/mutation.py scoring          # every scoring-* module (one per engine file)
    python bench/mutation.py --survivors dues # after adding tests: re-run the last survivors

Each module runs in its own copy of ``src/`` and ``tests/`` under ``var/mutation/<module>/``
(mutmut writes its mutated tree there; the working tree is never touched). Survivors' diffs go
to ``var/mutation/<module>/survivors.txt``. The exit code is 1 when a module scores below
``--target`` (default 90 %).

Edit MODULES to add a rule module: the files to mutate (globs, relative to the repository),
optionally only some of their functions, and the focused tests.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Module:
    files: list[str]
    tests: list[str]
    functions: list[str] = field(default_factory=list)  # empty: every function in the files
    #: Rough seconds of a run on this machine (two mutants at a time), to start the longest first.
    seconds: int = 60
    #: For a merged run (`merged`): each module's files, reported on their own.
    parts: dict[str, list[str]] = field(default_factory=dict)


ENGINE_TESTS = [
    f"tests/assessment/engine/test_af_{name}.py"
    for name in (
        "handworked",
        "boundaries",
        "household",
        "api",
        "rules",
        "framework",
        "groups_io",
        "stream",
        "scoring",
        "values",
        # Unusual inputs and what the results promise (from the survivors of 3 December).
        "edges",
    )
]
CLI_TESTS = ["tests/assessment/test_mpi_cli.py", "tests/assessment/test_mpi_cli_formats.py"]

MODULES: dict[str, Module] = {
    # The scoring engine, one module per file so each runs (and re-runs) on its own. The
    # hypothesis properties (test_af_properties.py, about 40 s a run on the shared machine) are
    # left out: every survivor would pay for them. The hand-worked cases and boundaries carry
    # the rules; the properties stay in the ordinary suite.
    **{
        f"scoring-{name}": Module(files=[f"src/jiuzhu/assessment/engine/{name}.py"], tests=tests)
        for name, tests in {
            "evaluate": ENGINE_TESTS,
            "measures": ENGINE_TESTS,
            "cells": ENGINE_TESTS,
            "groups": ENGINE_TESTS,
            "totals": ENGINE_TESTS,
            "rules": ENGINE_TESTS,
            "weights": ENGINE_TESTS,
            "values": ENGINE_TESTS,
            "patterns": ENGINE_TESTS,
            "stream": ENGINE_TESTS,
            "framework": ENGINE_TESTS,
            "io": [*ENGINE_TESTS, *CLI_TESTS],
            "results": [*ENGINE_TESTS, *CLI_TESTS],
            "report": CLI_TESTS,
        }.items()
    },
    "matching": Module(
        seconds=138,
        # dispatch/matching.py moves to dispatch/engine/matching.py; either is picked up.
        files=["src/jiuzhu/dispatch/matching*.py", "src/jiuzhu/dispatch/engine/matching*.py"],
        # The hypothesis properties (test_matching_properties.py, 90 s a run) are left out:
        # per mutant they would take hours on a shared machine.
        tests=[
            "tests/dispatch/test_matching.py",
            "tests/dispatch/engine/test_matching.py",
            # What is done with the solver's answer: rounding, the second solver, refusals.
            "tests/dispatch/test_matching_solver.py",
            # Inputs normalised and refused, categories, distance, the why record, ties.
            "tests/dispatch/test_matching_inputs.py",
        ],
    ),
    "sla-cycle": Module(
        seconds=665,
        files=[
            "src/jiuzhu/dispatch/sla.py",
            "src/jiuzhu/dispatch/services/sla.py",
            "src/jiuzhu/dispatch/services/cycle.py",
        ],
        tests=[
            "tests/dispatch/test_sla_clock.py",
            "tests/dispatch/test_cycle.py",
            "tests/dispatch/test_cycle_boundaries.py",
            # Which provider gets the offer (declines, expiry, urgency, rating, category, load,
            # live offers) and "Dispatch now".
            "tests/dispatch/test_cycle_dispatch_rules.py",
            # What a run records, orders without a clock, exclusions together, no query per row.
            "tests/dispatch/test_cycle_records.py",
        ],
    ),
    # The late / at-risk rule (applied in Python to each open order the board and the backlog
    # read) and the deadline that applies (waiting: accept by; taken: complete by).
    "deadlines": Module(
        files=["src/jiuzhu/dispatch/selectors/deadlines.py"],
        tests=["tests/dispatch/test_board_figures.py", "tests/dispatch/test_backlog_reasons.py"],
    ),
    # The board's figures from its one read of the open orders: counts by state, street and
    # district, the most pressing of each list, the providers shown, the waiting reasons.
    "board": Module(
        files=[
            "src/jiuzhu/dispatch/selectors/board.py",
            "src/jiuzhu/dispatch/selectors/open_orders.py",
        ],
        tests=[
            "tests/dispatch/test_board_figures.py",
            "tests/dispatch/test_board_capacity.py",
            "tests/dispatch/test_backlog_reasons.py",
            "tests/dispatch/test_views_board.py",
            # A city user's district rows and filter; which related rows the lists read.
            "tests/dispatch/test_views_backlog.py",
            "tests/test_query_counts.py",
        ],
    ),
    # The backlog's order and lists from the same read, and the reasons counted from it.
    "backlog": Module(
        files=["src/jiuzhu/dispatch/selectors/backlog.py"],
        functions=["backlog", "_most_pressing_first", "count_reasons", "_offers_and_refusals"],
        tests=[
            "tests/dispatch/test_board_figures.py",
            "tests/dispatch/test_backlog_reasons.py",
            "tests/dispatch/test_views_backlog.py",
        ],
    ),
    "dues": Module(
        seconds=93,
        files=["src/jiuzhu/assessment/services/dues.py"],
        tests=[
            "tests/assessment/services/test_dues.py",
            "tests/assessment/services/test_assessment_flow.py",
        ],
    ),
    "scoping": Module(
        seconds=124,
        files=["src/jiuzhu/core/scoping.py", "src/jiuzhu/registry/scopes.py"],
        tests=[
            "tests/registry/test_scopes.py",
            "tests/test_scoping_matrix.py",
            # The case-note and team-record rules (registry/scopes.py) are tested here.
            "tests/registry/test_casework_notes.py",
            "tests/registry/test_casework_team.py",
        ],
    ),
    "identity": Module(
        seconds=141,
        files=["src/jiuzhu/core/identity.py", "src/jiuzhu/core/crypto.py"],
        tests=[
            "tests/core/test_identity.py",
            "tests/core/test_crypto.py",
            "tests/registry/test_beneficiary_signin.py",
        ],
    ),
    "ordering-limits": Module(
        seconds=210,
        # The limits live in orders/services/placing.py (orders.py before the split).
        files=["src/jiuzhu/orders/services/placing.py", "src/jiuzhu/orders/services/orders.py"],
        functions=["check_can_order", "used_in_period"],
        tests=["tests/orders/test_ordering_limits.py", "tests/orders/test_order_lifecycle.py"],
    ),
    "settlement": Module(
        files=[
            "src/jiuzhu/evaluation/engine/settlement.py",
            "src/jiuzhu/evaluation/engine/quality.py",
        ],
        tests=["tests/evaluation/test_engine_settlement.py"],
    ),
    "timebank": Module(
        files=["src/jiuzhu/timebank/engine/ledger.py", "src/jiuzhu/timebank/engine/pool.py"],
        tests=["tests/timebank/engine"],
    ),
    "figures": Module(
        seconds=263,
        # The dashboards' figures (counts, rates, headcount ratios) by area and period.
        files=["src/jiuzhu/analytics/selectors/figures.py"],
        tests=["tests/analytics/test_dashboards.py", "tests/analytics/test_figures_parts.py"],
    ),
    "timebank-scopes": Module(
        # Who sees which time-bank accounts, entries and tasks.
        files=["src/jiuzhu/timebank/scopes.py"],
        tests=["tests/timebank/test_scopes.py"],
    ),
}

# Names that stand for several modules: `make mutation MODULES=scoring` runs every engine file.
GROUPS: dict[str, list[str]] = {
    "scoring": [name for name in MODULES if name.startswith("scoring-")]
}

# Not rules: the table readers (file formats, encodings, Arrow's options) and the text report's
# layout. `make mutation` leaves them out so that the rule modules are checked in one sitting;
# name them to run them (`make mutation MODULES="scoring-io scoring-report"`).
NOT_RULES = {"scoring-io", "scoring-report"}
DEFAULT = [name for name in MODULES if name not in NOT_RULES]

KILLED = {"killed", "timeout", "caught by type check", "segfault"}


def module_name(path: str) -> str:
    return path.removeprefix("src/").removesuffix(".py").replace("/", ".")


def files_of(module: Module) -> list[str]:
    found = []
    for pattern in module.files:
        for path in sorted(ROOT.glob(pattern)):
            if path.name != "__init__.py" or path.stat().st_size > 200:
                found.append(str(path.relative_to(ROOT)))
    return found


def mutant_globs(module: Module, files: list[str]) -> list[str]:
    if not module.functions:
        return [f"{module_name(f)}.*" for f in files]
    return [f"{module_name(f)}.x_{fn}__mutmut_*" for f in files for fn in module.functions]


def prepare(name: str, module: Module, files: list[str]) -> Path:
    work = ROOT / "var" / "mutation" / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "src", work / "src", ignore=ignore)
    shutil.copytree(ROOT / "tests", work / "tests", ignore=ignore)
    configure(work, module, files)
    return work


def configure(work: Path, module: Module, files: list[str]) -> None:
    """mutmut's settings in the work folder's pyproject.toml, with the focused tests that exist
    now (a test file added after the first run is picked up by ``--survivors``)."""
    tests = [t for t in module.tests if (ROOT / t).exists()]
    config = "\n".join(
        [
            "",
            "[tool.mutmut]",
            'source_paths = ["src"]',
            f"only_mutate = {files!r}".replace("'", '"'),
            # --assert=plain: no assertion rewriting (it scans every plugin's files per run);
            # a failing assert fails the same, only its message is shorter.
            'pytest_add_cli_args = ["-p", "no:randomly", "-p", "no:cacheprovider", "-n", "0",'
            ' "-q", "-W", "ignore", "--assert=plain"]',
            f"pytest_add_cli_args_test_selection = {tests!r}".replace("'", '"'),
            "",
        ]
    )
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (work / "pyproject.toml").write_text(text + config, encoding="utf-8")


def results(work: Path, env: dict) -> dict[str, str]:
    out = subprocess.run(
        [str(BIN / "mutmut"), "results", "--all", "true"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    found = {}
    for line in out.splitlines():
        match = re.match(r"\s+(\S+): (.+)$", line)
        if match:
            found[match.group(1)] = match.group(2).strip()
    return found


SHOW = """
import sys
from mutmut.__main__ import find_mutant, get_diff_for_mutant
for name in sys.stdin.read().split():
    print(f"# {name}: survived")
    print(get_diff_for_mutant(name, path=find_mutant(name).path))
"""


def write_survivors(work: Path, env: dict, survivors: list[str], statuses: dict) -> None:
    """Each survivor's diff into survivors.txt, from one process (``mutmut show`` per mutant
    would start Python once per survivor)."""
    shown = subprocess.run(
        [str(BIN / "python"), "-c", SHOW],
        cwd=work,
        env=env,
        input="\n".join(survivors),
        capture_output=True,
        text=True,
    )
    with open(work / "survivors.txt", "w", encoding="utf-8") as out:
        if shown.returncode == 0:
            out.write(shown.stdout)
        else:  # names and statuses at least
            out.writelines(f"{name}: {statuses[name]}\n" for name in survivors)


def run(name: str, module: Module, jobs: int, mode: str = "run") -> list[dict]:
    """Run a module's mutants ("run"), only summarise the last run ("report"), or run the last
    run's survivors again against the current tests ("survivors": after adding tests).

    One summary per part: a module made by `merged` reports each of its modules on its own."""
    files = files_of(module)
    if not files:
        print(f"--- {name}: no files match {module.files}", flush=True)
        return [{"name": name, "mutants": 0}]
    work = ROOT / "var" / "mutation" / name
    if mode == "run":
        work = prepare(name, module, files)
    globs = mutant_globs(module, files)
    env = {
        **os.environ,
        "JIUZHU_MUTATION": "1",
        "JIUZHU_VAR_DIR": str(work / "var"),
        # The migrated test database, built by the first module's run and copied by the rest.
        "JIUZHU_MUTATION_DB_DIR": str(ROOT / "var" / "mutation" / "schema"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("DATABASE_URL", None)  # SQLite in memory: created once, inherited by every fork
    print(f"--- {name}: {', '.join(files)}", flush=True)
    started = time.monotonic()
    targets = globs
    if mode == "survivors":
        earlier = results(work, env)
        targets = [k for k, v in earlier.items() if v not in KILLED and v != "not checked"]
        targets = [k for k in targets if any(fnmatch.fnmatch(k, g) for g in globs)]
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.rmtree(work / "tests")
        shutil.copytree(ROOT / "tests", work / "tests", ignore=ignore)
        configure(work, module, files)
        print(f"    re-running {len(targets)} survivors of the last run", flush=True)
    if mode != "report" and targets:
        log_name = "run.log" if mode == "run" else "rerun.log"
        with open(work / log_name, "w", encoding="utf-8") as log:
            subprocess.run(
                [str(BIN / "mutmut"), "run", "--max-children", str(jobs), *targets],
                cwd=work,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
    seconds = time.monotonic() - started
    statuses = {
        k: v
        for k, v in results(work, env).items()
        if any(fnmatch.fnmatch(k, g) for g in globs) and v != "not checked"
    }
    survivors = sorted(k for k, v in statuses.items() if v not in KILLED)
    write_survivors(work, env, survivors, statuses)
    for mod in sorted({k.split(".x")[0] for k in statuses}):
        mine = [v for k, v in statuses.items() if k.split(".x")[0] == mod]
        dead = sum(1 for v in mine if v in KILLED)
        untested = sum(1 for v in mine if v == "no tests")
        print(f"    {mod}: {dead}/{len(mine)} killed, {untested} not reached by the tests")
    summaries = []
    for number, (part, part_files) in enumerate((module.parts or {name: files}).items()):
        mods = {module_name(f) for f in part_files}
        mine = {k: v for k, v in statuses.items() if k.split(".x")[0] in mods}
        killed = sum(1 for v in mine.values() if v in KILLED)
        summaries.append(
            {
                "name": part,
                "mutants": len(mine),
                "killed": killed,
                "survived": [f"{k} ({v})" for k, v in sorted(mine.items()) if v not in KILLED],
                "score": killed / len(mine) if mine else 0.0,
                "seconds": seconds if number == 0 else None,  # a merged run's time, once
            }
        )
    killed = sum(1 for v in statuses.values() if v in KILLED)
    print(
        f"    {name}: {killed}/{len(statuses)} killed "
        f"({killed / len(statuses) if statuses else 0:.1%}) in {seconds:.0f} s; "
        f"survivors in {work / 'survivors.txt'}",
        flush=True,
    )
    return summaries


def merged(names: list[str]) -> dict[str, Module]:
    """The chosen modules, those with the same focused tests (and no function filter) merged into
    one run named after the first one's group: mutmut then maps the tests to functions once (its
    stats pass runs the focused tests twice, tens of seconds) instead of once per module."""
    runs: dict[str, Module] = {}
    by_tests: dict[tuple[str, ...], list[str]] = {}
    for name in names:
        module = MODULES[name]
        if module.functions:
            runs[name] = module
        else:
            by_tests.setdefault(tuple(module.tests), []).append(name)
    for tests, group in by_tests.items():
        if len(group) == 1:
            runs[group[0]] = MODULES[group[0]]
            continue
        # Named after the members' common prefix ("scoring"), unless another run has it.
        label = group[0].split("-")[0] if len({n.split("-")[0] for n in group}) == 1 else ""
        if not label or label in runs or label in MODULES:
            label = "+".join(group)
        parts = {n: files_of(MODULES[n]) for n in group}
        runs[label] = Module(
            files=[f for n in group for f in MODULES[n].files],
            tests=list(tests),
            parts=parts,
            seconds=sum(MODULES[n].seconds for n in group),
        )
    return runs


def run_all(runs: dict[str, Module], jobs: int, lanes: int, mode: str) -> list[dict]:
    """Run the modules in ``lanes`` parallel queues, the longest first, each module with up to
    ``jobs`` mutants at a time. Two lanes keep both cores busy while one module is in a
    single-process phase (copying, generating mutants, mutmut's stats and clean runs)."""
    order = sorted(runs, key=lambda n: -runs[n].seconds)
    with ThreadPoolExecutor(max_workers=max(1, lanes)) as pool:
        done = pool.map(lambda n: run(n, runs[n], jobs, mode), order)
        by_name = dict(zip(order, done, strict=True))
    return [summary for name in runs for summary in by_name[name]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", metavar="module", help=", ".join([*GROUPS, *MODULES]))
    parser.add_argument("--jobs", type=int, default=2, help="mutants at a time per module")
    parser.add_argument(
        "--lanes", type=int, default=2, help="modules at a time (when several are chosen)"
    )
    parser.add_argument("--target", type=float, default=0.90)
    parser.add_argument(
        "--report",
        action="store_true",
        help="summarise the last (possibly interrupted) run's checked mutants without running",
    )
    parser.add_argument(
        "--survivors",
        action="store_true",
        help="run the last run's survivors again with the current tests (after adding tests)",
    )
    args = parser.parse_args()
    mode = "report" if args.report else "survivors" if args.survivors else "run"
    chosen = [m for name in args.modules or DEFAULT for m in GROUPS.get(name, [name])]
    unknown = [name for name in chosen if name not in MODULES]
    if unknown:
        parser.error(f"unknown module(s) {', '.join(unknown)}; choose from {', '.join(MODULES)}")
    runs = merged(chosen)  # a merged run's work folder is named after the merge ("scoring")
    summaries = run_all(runs, args.jobs, args.lanes, mode)
    print("\n| module | mutants | killed | score | seconds |\n|---|---:|---:|---:|---:|")
    for s in summaries:
        if s["mutants"]:
            print(
                f"| {s['name']} | {s['mutants']} | {s['killed']} | {s['score']:.1%} "
                f"| {'″' if s['seconds'] is None else format(s['seconds'], '.0f')} |"
            )
    for s in summaries:
        for mutant in s.get("survived", []):
            print(f"survived: {mutant}")
    below = [s["name"] for s in summaries if s["mutants"] and s["score"] < args.target]
    if below:
        print(f"below {args.target:.0%}: {', '.join(below)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
