"""`jiuzhu mpi`: Alkire–Foster measures for a household table, for analysts.

    jiuzhu mpi DATA.csv|DATA.xlsx --framework FILE.yaml|FILE.json [--k K] [--by COLUMN]
               [--weight-column COLUMN] [--sheet NAME] [--format table|json]

Errors in the data, the framework or the arguments print one line "error: ..." on stderr and
exit with status 2; analysts should never see a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from jiuzhu.assessment.engine import (
    DataError,
    EngineError,
    compute_measures,
    evaluate,
    load_framework,
    parse_cutoff,
)
from jiuzhu.assessment.engine.io import read_table
from jiuzhu.assessment.engine.report import render_table
from jiuzhu.assessment.engine.values import Place, numeric

EXIT_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed so the lead can embed it in the `jiuzhu` command)."""
    parser = argparse.ArgumentParser(
        prog="jiuzhu mpi",
        description="Alkire–Foster multidimensional poverty measures (H, A, M0, contributions) "
        "for a table with one row per household.",
    )
    parser.add_argument("data", help="household table: .csv (UTF-8 or GBK) or .xlsx")
    parser.add_argument("--framework", required=True, help="indicator framework, .yaml or .json")
    parser.add_argument("--k", help='poverty cutoff overriding the framework\'s, e.g. 0.5 or "1/3"')
    parser.add_argument("--by", metavar="COLUMN", help="decompose by the values of this column")
    parser.add_argument(
        "--weight-column", metavar="COLUMN", help="sample weights (e.g. household size)"
    )
    parser.add_argument("--sheet", metavar="NAME", help="workbook sheet (default: the first)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    return parser


def analyse(args: argparse.Namespace) -> dict[str, Any]:
    """Load, evaluate and measure; returns the JSON-shaped report."""
    framework = load_framework(args.framework)
    k = None if args.k is None else parse_cutoff(args.k, "--k", DataError)
    table = read_table(args.data, args.sheet)
    for option, column in (("--by", args.by), ("--weight-column", args.weight_column)):
        if column is not None and column not in table.columns:
            raise DataError(f"{option}: column {column!r} is not in {args.data}")
    evaluation = evaluate(framework, table.columns, k)
    sample_weights = None
    if args.weight_column is not None:
        place = Place(f"weight column '{args.weight_column}'")
        sample_weights, empty = numeric(table.columns[args.weight_column], place)
        if empty.any():
            row = int(empty.argmax())
            raise DataError(f"{place.at(row)}: the sample weight is empty")
    groups = table.columns[args.by] if args.by is not None else None
    measures = compute_measures(evaluation, groups=groups, sample_weights=sample_weights)
    report = measures.to_dict()
    report["by"] = args.by
    report["weight_column"] = args.weight_column
    return report


def run(argv: list[str]) -> int:
    """Entry point for `jiuzhu mpi ...`; returns the exit status instead of exiting."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse already printed usage and the reason
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    try:
        report = analyse(args)
        text = (
            json.dumps(report, ensure_ascii=False, indent=2, allow_nan=False)
            if args.format == "json"
            else render_table(report)
        )
    except EngineError as exc:
        return _fail(str(exc))
    except Exception as exc:  # the CLI promises a one-line message, never a traceback
        return _fail(f"unexpected failure ({type(exc).__name__}): {exc}")
    print(text)
    return 0


def _fail(message: str) -> int:
    print("error: " + " ".join(message.split()), file=sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
