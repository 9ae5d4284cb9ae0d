"""`jiuzhu mpi`: Alkire–Foster measures for a household table, for analysts.

    jiuzhu mpi DATA.csv|DATA.xlsx|DATA.parquet --framework FILE.yaml|FILE.json [--k K]
               [--by COLUMN] [--weight-column COLUMN] [--sheet NAME] [--format table|json]

CSV and workbooks are read columnar (pyarrow, python-calamine); Parquet is streamed in batches
of rows, so a national snapshot is scored in bounded memory.

Errors in the data, the framework or the arguments print one line "error: ..." on stderr and
exit with status 2; analysts should never see a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jiuzhu.assessment.engine import (
    DataError,
    EngineError,
    Framework,
    load_framework,
    parse_cutoff,
)
from jiuzhu.assessment.engine.evaluate import require_columns
from jiuzhu.assessment.engine.io import (
    BATCH_ROWS,
    PARQUET_SUFFIXES,
    iter_parquet,
    parquet_header,
    read_table,
)
from jiuzhu.assessment.engine.report import render_table
from jiuzhu.assessment.engine.stream import MeasureStream
from jiuzhu.assessment.engine.values import Place, column_rows, numeric

EXIT_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed so the lead can embed it in the `jiuzhu` command)."""
    parser = argparse.ArgumentParser(
        prog="jiuzhu mpi",
        description="Alkire–Foster multidimensional poverty measures (H, A, M0, contributions) "
        "for a table with one row per household.",
    )
    parser.add_argument(
        "data", help="household table: .csv (UTF-8 or GBK), .xlsx or .parquet (streamed)"
    )
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
    """Load, evaluate and measure; returns the JSON-shaped report.

    Parquet files are streamed batch by batch (bounded memory, any size); CSV and workbooks
    are read whole, columnar, and scored in slices of the same size (faster: a slice's arrays
    stay in the CPU cache). Both feed the same accumulator: results do not depend on the format
    or the batching (exactly; to float rounding with sample weights)."""
    framework = load_framework(args.framework)
    k = None if args.k is None else parse_cutoff(args.k, "--k", DataError)
    wanted = {ind.column for ind in framework.indicators}
    wanted |= {c for c in (args.by, args.weight_column) if c is not None}
    stream = MeasureStream(
        framework, k, grouped=args.by is not None, weighted=args.weight_column is not None
    )
    if Path(args.data).suffix.lower() in PARQUET_SUFFIXES and args.sheet is None:
        header, _ = parquet_header(args.data)
        _check_columns(args, framework, header)
        for _, columns in iter_parquet(args.data, wanted):
            _add(stream, args, columns)
    else:
        table = read_table(
            args.data, args.sheet, columns=wanted, numeric=_numeric_only(framework, args)
        )
        _check_columns(args, framework, table.header)
        try:
            for start in range(0, max(table.n, 1), BATCH_ROWS):  # slices stay in the CPU cache
                stop = start + BATCH_ROWS
                _add(
                    stream, args, {c: column_rows(v, start, stop) for c, v in table.columns.items()}
                )
        except DataError:
            if table.n <= BATCH_ROWS:
                raise
            # Report what the whole table's first bad column is, as a one-slice run would.
            _add(
                MeasureStream(framework, k, grouped=stream.grouped, weighted=stream.weighted),
                args,
                table.columns,
            )
            raise
    report = stream.result().to_dict()
    report["by"] = args.by
    report["weight_column"] = args.weight_column
    return report


def _numeric_only(framework: Framework, args: argparse.Namespace) -> set[str]:
    """Columns read only as numbers (numeric rules, sample weights): a reader may parse them
    straight to floats."""
    numeric = {i.column for i in framework.indicators if i.rule.op != "true" and not i.rule.texts}
    other = {i.column for i in framework.indicators if i.column not in numeric}
    if args.weight_column is not None:
        numeric.add(args.weight_column)
    if args.by is not None:
        other.add(args.by)
    return numeric - other


def _check_columns(args: argparse.Namespace, framework: Framework, header: Sequence[str]) -> None:
    for option, column in (("--by", args.by), ("--weight-column", args.weight_column)):
        if column is not None and column not in header:
            raise DataError(f"{option}: column {column!r} is not in {args.data}")
    require_columns(framework, header)


def _add(stream: MeasureStream, args: argparse.Namespace, columns: dict[str, Any]) -> None:
    """Add one batch of rows (the whole table, or the next Parquet batch) to the stream."""
    g0, missing = stream.deprivations(columns)  # indicator errors first, then the weight column's
    sample_weights = None
    if args.weight_column is not None:
        place = Place(f"weight column '{args.weight_column}'", offset=stream.rows)
        sample_weights, empty = numeric(columns[args.weight_column], place)
        if empty.any():
            row = int(empty.argmax())
            raise DataError(f"{place.at(row)}: the sample weight is empty")
    groups = columns[args.by] if args.by is not None else None
    stream.add_deprivations(g0, missing, groups=groups, sample_weights=sample_weights)


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
