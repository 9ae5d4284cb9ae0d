"""Plain-text rendering of a measures report (the CLI's default `--format table`).

Column widths account for wide CJK characters so Chinese indicator names line up.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

MAX_SCORE_ROWS = 20


def width(text: str) -> int:
    """Display width: East Asian wide and full-width characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, size: int, right: bool) -> str:
    gap = " " * max(size - width(text), 0)
    return gap + text if right else text + gap


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Aligned columns: the first left-aligned, the rest right-aligned."""
    sizes = [max([width(h)] + [width(r[c]) for r in rows]) for c, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(_pad(x, sizes[c], right=c > 0) for c, x in enumerate(cells)).rstrip()

    return [line(headers), line(["-" * s for s in sizes]), *(line(r) for r in rows)]


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def render_table(report: dict[str, Any]) -> str:
    """Overall measures, then indicators, dimensions, groups and the score distribution."""
    out = [f"Framework: {report['framework']}    k = {report['k_exact']} ({report['k']:.4f})"]
    n_line = f"Households: {report['n']}   excluded for missing data: {report['excluded']}"
    if report.get("weight_column"):
        n_line += f"   weighted by '{report['weight_column']}'"
    out += [n_line, f"Poor (q): {report['poor']}", ""]
    overall = [
        ("H   headcount ratio", report["H"]),
        ("A   intensity among the poor", report["A"]),
        ("M0  adjusted headcount ratio", report["M0"]),
        ("vulnerable (0.2 <= c < k)", report["vulnerable"]),
        ("severe (c >= 0.5)", report["severe"]),
        ("any critical deprivation", report.get("critical")),
    ]
    out += table(["measure", "value"], [[name, _f(v)] for name, v in overall])
    missing = {k: v for k, v in report["missing"].items() if v}
    if missing:
        out += ["", "Missing values (rows): " + ", ".join(f"{k} {v}" for k, v in missing.items())]
    out += ["", "Indicators"]
    out += table(
        ["indicator", "dimension", "weight", "uncensored h", "censored h(k)", "contribution"],
        [
            [
                name + (" *" if ind["critical"] else ""),
                ind["dimension"] or "",
                _f(ind["weight"]),
                _f(ind["uncensored_headcount"]),
                _f(ind["censored_headcount"]),
                _f(ind["contribution"]),
            ]
            for name, ind in report["indicators"].items()
        ],
    )
    if any(ind["critical"] for ind in report["indicators"].values()):
        out.append("(* critical indicator)")
    out += ["", "Dimensions"]
    out += table(
        ["dimension", "weight", "contribution"],
        [[n, _f(d["weight"]), _f(d["contribution"])] for n, d in report["dimensions"].items()],
    )
    if report.get("groups") is not None:
        out += ["", f"Groups by '{report.get('by')}'"]
        out += table(
            ["group", "n", "poor", "pop. share", "H", "A", "M0", "contribution"],
            [
                [label, str(g["n"]), str(g["poor"])]
                + [_f(g[key]) for key in ("population_share", "H", "A", "M0", "contribution")]
                for label, g in report["groups"].items()
            ],
        )
    out += ["", "Score distribution", *_distribution(report["distribution"])]
    return "\n".join(out)


def _distribution(rows: list[dict[str, Any]]) -> list[str]:
    if len(rows) <= MAX_SCORE_ROWS:
        return table(
            ["score", "households", "share"],
            [[f"{r['score']:.4f}", str(r["n"]), _f(r["share"])] for r in rows],
        )
    bins: dict[int, list[float]] = {}
    for r in rows:
        b = min(int(Fraction(r["score_exact"]) * 10), 9)
        n_share = bins.setdefault(b, [0, 0.0])
        n_share[0] += r["n"]
        n_share[1] += r["share"]
    labels = {b: f"[{b / 10:.1f}, {(b + 1) / 10:.1f}{']' if b == 9 else ')'}" for b in range(10)}
    return table(
        ["score", "households", "share"],
        [[labels[b], str(int(v[0])), _f(v[1])] for b, v in sorted(bins.items())],
    )
