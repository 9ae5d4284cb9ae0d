"""Benchmark rescoring and analytics over households stored in the database.

    .venv/bin/python bench/bench_rescore.py [--households N] [--repeat R] [--write bench/RESULTS.md]

Builds a throw-away SQLite database in a temporary directory (JIUZHU_VAR_DIR, demo mode):
migrate, the Nanjing areas, the default catalogue and framework, N demo households from the demo
generator (``jiuzhu.registry.demo.generate``), and one submitted assessment per household with
random answers, scored by the engine and stored with ``bulk_create`` the way a submission stores
them (score, deprived list, urgency tag). Then times:

- ``services.rescore.rescore(framework=published)``: every household's newest answers scored
  again and written as Rescore rows (batches of 2,000);
- ``selectors.analytics.analytics_for``: the city administrator over all N households, without
  and with each decomposition, a district manager's district, and ``source="rescored"``.

Before timing, the analytics figures are checked against the engine run directly on the answers
in memory (H, A, M0 and every subgroup's M0 must agree within 1e-12).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import numpy as np

from results import (  # bench/results.py (this script's directory is on sys.path)
    machine,
    write_section,
)

SECTION = "## Rescoring and analytics over stored assessments (issue item 9)"
SEED = 20261128
TOL = 1e-12


def setup_django(var_dir: str) -> None:
    """A demo-mode Django on a fresh SQLite file under ``var_dir``."""
    os.environ["JIUZHU_VAR_DIR"] = var_dir
    os.environ["JIUZHU_DEMO"] = "1"
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiuzhu.settings"
    import django

    django.setup()


def best_of(repeat: int, fn: Callable[[], object]) -> tuple[float, object]:
    """Best wall-clock time of ``repeat`` runs (seconds) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def random_answers(spec, n: int, rng: np.random.Generator) -> dict[str, list]:
    """Answers by indicator column: yes/no with a 25% "yes", numbers spread around the
    cutoffs, and about 1 answer in 200 left blank (such households stay incomplete)."""
    columns: dict[str, list] = {}
    for indicator in spec.indicators:
        rule = indicator.rule
        if rule.op == "true":
            values = (rng.random(n) < 0.25).astype(np.int64)
        else:
            centre = rule.number if rule.number is not None else 1.0
            values = np.round(rng.uniform(0, 2.5 * max(centre, 0.1), n), 3)
        column: list = values.tolist()
        for i in np.flatnonzero(rng.random(n) < 0.005).tolist():
            column[i] = None
        columns[indicator.column] = column
    return columns


def build(n: int) -> dict:
    from django.core.management import call_command
    from django.utils import timezone

    from jiuzhu.assessment import engine
    from jiuzhu.assessment.frameworks import engine_framework, urgency_tag_for
    from jiuzhu.assessment.models import Assessment
    from jiuzhu.assessment.services.defaults import framework_load_default
    from jiuzhu.catalog.services import catalogue_load_defaults
    from jiuzhu.core.models import Area, AreaLevel, Role, User
    from jiuzhu.core.services.areas import load_default_areas
    from jiuzhu.registry.demo.generate import generate_households
    from jiuzhu.registry.models import Household

    call_command("migrate", interactive=False, verbosity=0)
    load_default_areas()
    catalogue_load_defaults()
    framework = framework_load_default()
    start = time.perf_counter()
    created = generate_households(count=n, seed=SEED)
    generated = time.perf_counter() - start

    city = Area.objects.get(level=AreaLevel.CITY)
    qixia = Area.objects.get(code="320113")
    users = {
        "city": User.objects.create(username="bench_city", role=Role.CITY_ADMIN, area=city),
        "district": User.objects.create(
            username="bench_qixia", role=Role.DISTRICT_MANAGER, area=qixia
        ),
        "assessor": User.objects.create(username="bench_assessor", role=Role.ASSESSOR),
    }
    spec = engine_framework(framework)
    rows = list(
        Household.objects.order_by("id").values_list("id", "district_id", "street_id", "tier")
    )
    rng = np.random.default_rng(SEED)
    columns = random_answers(spec, len(rows), rng)
    evaluation = engine.evaluate(spec, columns)
    names = [indicator.name for indicator in spec.indicators]
    scale = spec.scale
    now = timezone.now()
    start = time.perf_counter()
    batch = []
    for i, (household_id, *_rest) in enumerate(rows):
        score = Fraction(int(evaluation.integer_scores[i]), scale.denominator)
        complete = bool(evaluation.complete[i])
        answers = {column: values[i] for column, values in columns.items()}
        batch.append(
            Assessment(
                household_id=household_id,
                framework=framework,
                assessor=users["assessor"],
                reason="scheduled",
                status="submitted",
                answers=answers,
                submitted_at=now - dt.timedelta(minutes=i % 10_000),
                score=round(float(score), 6),
                score_exact=f"{score.numerator}/{score.denominator}",
                poor=bool(evaluation.poor[i]) if complete else None,
                deprived=[name for j, name in enumerate(names) if evaluation.g0[i, j]],
                missing=[name for j, name in enumerate(names) if evaluation.missing[i, j]],
                urgency_tag=urgency_tag_for(
                    score=score, critical=bool(evaluation.critical[i]), framework=framework
                )
                if complete
                else "",
            )
        )
        if len(batch) == 5_000:
            Assessment.objects.bulk_create(batch)
            batch = []
    Assessment.objects.bulk_create(batch)
    stored = time.perf_counter() - start
    return {
        "framework": framework,
        "users": users,
        "households": created,
        "rows": rows,
        "evaluation": evaluation,
        "generate_seconds": generated,
        "store_seconds": stored,
        "qixia": qixia,
    }


def check(world: dict) -> dict:
    """analytics_for against the engine run directly on the in-memory answers."""
    from jiuzhu.assessment import engine
    from jiuzhu.assessment.selectors.analytics import analytics_for

    evaluation = world["evaluation"]
    streets = np.array([street for _h, _d, street, _t in world["rows"]], dtype=np.int64)
    direct = engine.compute_measures(evaluation, groups=streets).to_dict()
    report = analytics_for(user=world["users"]["city"], by="street")
    worst = 0.0
    for key in ("H", "A", "M0", "vulnerable", "severe"):
        worst = max(worst, abs(report[key] - direct[key]))
    keyed = {str(g["key"]): g for g in report["groups"].values()}
    for label, group in direct["groups"].items():
        worst = max(worst, abs(keyed[label]["M0"] - group["M0"]))
    assert (report["n"], report["excluded"]) == (direct["n"], direct["excluded"]), "counts differ"
    assert worst <= TOL, f"analytics and engine differ by {worst}"
    return {"difference": worst, "report": report}


def measure(world: dict, repeat: int) -> dict:
    from jiuzhu.assessment.selectors.analytics import analytics_for
    from jiuzhu.assessment.services.rescore import rescore

    framework, users = world["framework"], world["users"]
    timings: dict[str, float] = {}
    start = time.perf_counter()
    rescored = rescore(framework=framework)
    timings["rescore"] = time.perf_counter() - start
    start = time.perf_counter()
    rescore(framework=framework)  # again: replaces the rows
    timings["rescore_again"] = time.perf_counter() - start
    cases = [
        ("city, no decomposition", users["city"], {}),
        ("city, by district", users["city"], {"by": "district"}),
        ("city, by street", users["city"], {"by": "street"}),
        ("city, by group", users["city"], {"by": "group"}),
        ("city, by tier", users["city"], {"by": "tier"}),
        ("city, by street, source=rescored", users["city"], {"by": "street", "source": "rescored"}),
        ("district manager (Qixia), by street", users["district"], {"by": "street"}),
    ]
    analytics = []
    for label, user, kwargs in cases:
        seconds, report = best_of(repeat, lambda u=user, k=kwargs: analytics_for(user=u, **k))
        analytics.append((label, report["counts"]["households"], report["n"], seconds))
    return {"rescored": rescored, "timings": timings, "analytics": analytics}


def render(world: dict, checked: dict, figures: dict, repeat: int, n: int) -> str:
    report = checked["report"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        SECTION,
        "",
        f"Run {dt.date.today():%Y-%m-%d} on {machine()}; SQLite (temporary file). Command: "
        f"`.venv/bin/python bench/bench_rescore.py --households {n}`; analytics best of {repeat} "
        "runs, rescoring timed once (and once more, replacing its rows).",
        "",
        f"Data: {world['households']:,} demo households from `generate_households(seed={SEED})` "
        f"(Jianye and Qixia; {world['generate_seconds']:.1f} s), one submitted assessment each "
        f"with random answers under the default framework (15 indicators, k = 1/3; stored with "
        f"bulk_create in {world['store_seconds']:.1f} s). H = {report['H']:.4f}, "
        f"A = {report['A']:.4f}, M0 = {report['M0']:.4f}; {report['excluded']:,} households "
        "with a blank answer are left out (listwise).",
        "",
        "| step | households | time |",
        "|---|---:|---:|",
        f"| `rescore(framework=published)`: score answers, write Rescore rows "
        f"| {figures['rescored']:,} | {figures['timings']['rescore']:.2f} s |",
        f"| same, again (deletes and rewrites the rows) | {figures['rescored']:,} "
        f"| {figures['timings']['rescore_again']:.2f} s |",
    ]
    for label, in_scope, measured, seconds in figures["analytics"]:
        lines.append(
            f"| `analytics_for`: {label} | {measured:,} of {in_scope:,} | {seconds:.2f} s |"
        )
    lines += [
        "",
        f"Check before timing: analytics from the stored deprivation lists equal the engine run "
        f"on the answers in memory (H, A, M0, bands, every street's M0); largest difference "
        f"{checked['difference']:.1e}. Process peak RSS {peak:.0f} MiB.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per analytics case")
    parser.add_argument("--write", type=Path, help="update this RESULTS.md section")
    args = parser.parse_args(argv)
    if args.households < 1:
        parser.error("--households must be at least 1")
    with tempfile.TemporaryDirectory(prefix="jiuzhu-bench-") as var_dir:
        setup_django(var_dir)
        print(f"Building {args.households:,} households in {var_dir} …", file=sys.stderr)
        world = build(args.households)
        checked = check(world)
        figures = measure(world, args.repeat)
        report = render(world, checked, figures, args.repeat, args.households)
    print(report)
    if args.write:
        write_section(args.write, SECTION, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
