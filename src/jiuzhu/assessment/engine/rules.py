"""Deprivation rules: the small language of `deprived_if`, parsed once and applied column-wise.

Syntax (the whole rule is one string):
  "< 13", "<= 13", "> 2", ">= 2", "== 0", "!= 1"   compare a numeric column with a number
  "in [1, 2]"                                       numeric membership
  'in ["a", "b"]'                                   text membership (cells are stripped)
  "true"                                            a 0/1 (true/false, yes/no, 是/否) column
A missing cell is never deprived *and* never "not deprived": it is reported as missing.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import values as V
from .errors import DataError, FrameworkError

_COMPARE = re.compile(r"^(<=|>=|==|!=|<|>)\s*(\S.*)$")
_MEMBER = re.compile(r"^in\s*(\[.*\])$", re.DOTALL)
_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
SYNTAX = '"< 13", "<= 13", "> 2", ">= 2", "== 0", "!= 1", "in [1, 2]", \'in ["a", "b"]\', "true"'


@dataclass(frozen=True)
class Rule:
    """A parsed `deprived_if`: op is one of < <= > >= == != in true."""

    text: str
    op: str
    number: float | None = None
    numbers: tuple[float, ...] = ()
    texts: tuple[str, ...] = ()

    def apply(self, column: V.ColumnLike, place: V.Place) -> tuple[np.ndarray, np.ndarray]:
        """Return (deprived, missing) boolean arrays; deprived is False wherever missing."""
        if isinstance(column, V.CodedColumn):  # once per distinct cell, then look up per row
            try:
                deprived, missing = self.apply(column.cells, V.Place(place.label, False))
            except DataError:  # a bad cell: the row-by-row path names its first row
                return self.apply(column.decoded(), place)
            return deprived[column.codes], missing[column.codes]
        if self.op == "true":
            deprived, missing = V.boolean(column, place)
        elif self.texts:
            words, missing = V.text(column)
            deprived = np.isin(words, np.array(self.texts, dtype=str))
        else:
            x, missing = V.numeric(column, place)
            if self.op == "in":
                deprived = np.isin(x, np.array(self.numbers, dtype=np.float64))
            else:
                # A comparison rule always carries its number (parse_rule).
                number = np.nan if self.number is None else self.number
                with np.errstate(invalid="ignore"):
                    deprived = _OPS[self.op](x, number)
            if self.op != "!=":
                return deprived, missing  # a missing cell is NaN here, and NaN compares False
        return deprived & ~missing, missing


def parse_rule(raw: object, where: str) -> Rule:
    """Parse a `deprived_if` value; YAML's bare `true` is accepted as the "true" rule."""
    if raw is True:
        return Rule("true", "true")
    if not isinstance(raw, str):
        raise FrameworkError(
            f"{where}: deprived_if must be a text rule such as {SYNTAX}; got {raw!r}"
        )
    text = raw.strip()
    if text.lower() == "true":
        return Rule("true", "true")
    match = _COMPARE.match(text)
    if match:
        op, number_text = match.groups()
        number = _number(number_text.strip(), where, raw)
        return Rule(f"{op} {number_text.strip()}", op, number=number)
    match = _MEMBER.match(text)
    if match:
        return _membership(match.group(1), where, raw)
    raise FrameworkError(f"{where}: cannot read deprived_if {raw!r}; use one of {SYNTAX}")


def _number(text: str, where: str, raw: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise FrameworkError(
            f"{where}: deprived_if {raw!r} needs a number after the operator"
        ) from None
    if not math.isfinite(number):
        raise FrameworkError(f"{where}: deprived_if {raw!r} needs a finite number")
    return number


def _membership(list_text: str, where: str, raw: str) -> Rule:
    try:
        items = ast.literal_eval(list_text)
    except (ValueError, SyntaxError):
        items = None
    if not isinstance(items, list) or not items:
        raise FrameworkError(f"{where}: deprived_if {raw!r} needs a non-empty list like [1, 2]")
    if all(isinstance(i, str) for i in items):
        return Rule(f"in {list_text}", "in", texts=tuple(i.strip() for i in items))
    numeric = all(isinstance(i, int | float) and not isinstance(i, bool) for i in items)
    if numeric and all(math.isfinite(i) for i in items):
        return Rule(f"in {list_text}", "in", numbers=tuple(float(i) for i in items))
    raise FrameworkError(
        f"{where}: deprived_if {raw!r} must list only numbers or only quoted texts"
    )
