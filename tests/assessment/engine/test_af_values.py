"""Reading cells (engine/values.py): numbers, 0/1 answers and text, from plain lists, NumPy
arrays and coded (dictionary-encoded) columns; a bad cell is named by its row."""

import math
from decimal import Decimal

import numpy as np
import pytest

from jiuzhu.assessment.engine import DataError
from jiuzhu.assessment.engine.values import (
    CodedColumn,
    Place,
    as_column,
    boolean,
    column_rows,
    numeric,
    text,
)

PLACE = Place("column 'x'")


def coded(cells, codes) -> CodedColumn:
    return CodedColumn(codes=np.array(codes), cells=np.array(cells, dtype=object))


def nan_list(x: np.ndarray) -> list:
    return ["nan" if math.isnan(v) else v for v in x.tolist()]


@pytest.mark.parametrize(
    ("values", "expected", "missing"),
    [
        (np.array([1, 0, 7], dtype=np.int8), [1.0, 0.0, 7.0], [False, False, False]),
        (np.array([True, False]), [1.0, 0.0], [False, False]),
        (np.array([" 2.5", "", "3 "]), [2.5, "nan", 3.0], [False, True, False]),
        ([None, Decimal("1.5"), " ", 4, True], ["nan", 1.5, "nan", 4.0, 1.0], [1, 0, 1, 0, 0]),
        (coded(["10", "", "2"], [2, 0, 1, 2]), [2.0, 10.0, "nan", 2.0], [0, 0, 1, 0]),
    ],
)
def test_numbers_are_read_with_blanks_as_missing(values, expected, missing):
    x, found = numeric(values, PLACE)
    assert x.dtype == np.float64
    assert nan_list(x) == expected
    assert found.tolist() == [bool(m) for m in missing]


@pytest.mark.parametrize(
    ("values", "truth", "missing"),
    [
        (np.array([True, False]), [True, False], [False, False]),
        (np.array([1.0, 0.0, np.nan]), [True, False, False], [False, False, True]),
        (
            ["1.0", "0", " 是 ", "No", "", "TRUE", "0.0"],
            [1, 0, 1, 0, 0, 1, 0],
            [0, 0, 0, 0, 1, 0, 0],
        ),
        (coded(["否", "yes"], [1, 0, 1]), [True, False, True], [False, False, False]),
        ([], [], []),
    ],
)
def test_yes_no_answers_in_every_spelling(values, truth, missing):
    found, found_missing = boolean(values, PLACE)
    assert found.dtype == np.bool_ and len(found) == len(truth)
    assert found.tolist() == [bool(t) for t in truth]
    assert found_missing.tolist() == [bool(m) for m in missing]


NOT_YES_NO = "is not 0/1, true/false, yes/no or 是/否"


@pytest.mark.parametrize(
    ("read", "values", "message"),
    [
        (numeric, np.array(["1", " ", "abc"]), "column 'x', row 3: 'abc' is not a number"),
        (numeric, ["1", None, "1,5"], "column 'x', row 3: '1,5' is not a number"),
        (numeric, [1, [2]], "column 'x', row 2: [2] is not a number"),
        # A coded column's bad cell is named by its row in the column, not its place in the cells.
        (numeric, coded(["1", "abc"], [0, 0, 0, 1]), "column 'x', row 4: 'abc' is not a number"),
        (boolean, ["1", "2.0"], f"column 'x', row 2: '2.0' {NOT_YES_NO}"),
        (boolean, np.array([0, 1, 2]), f"column 'x', row 3: 2 {NOT_YES_NO}"),
        (boolean, coded(["1", "maybe"], [0, 1]), f"column 'x', row 2: 'maybe' {NOT_YES_NO}"),
    ],
)
def test_a_cell_the_reader_cannot_read_is_named_by_its_row(read, values, message):
    with pytest.raises(DataError) as caught:
        read(values, PLACE)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("values", "words", "missing"),
    [
        (np.array([" 危房 ", ""]), ["危房", ""], [False, True]),
        (np.array([3.0, np.nan, 2.5, 3.0]), ["3", "", "2.5", "3"], [False, True, False, False]),
        (np.array([], dtype=np.float64), [], []),
        ([], [], []),
        ([None, True, 4.0, " a "], ["", "true", "4", "a"], [True, False, False, False]),
        (coded(["棚户", " ", "楼房"], [2, 1, 0]), ["楼房", "", "棚户"], [False, True, False]),
    ],
)
def test_text_is_stripped_and_whole_numbers_lose_their_point(values, words, missing):
    found, found_missing = text(values)
    assert found.dtype.kind == "U"
    assert (found.tolist(), found_missing.tolist()) == (words, missing)


def test_a_coded_column_slices_decodes_and_knows_which_cells_are_used():
    column = coded(["a", "b", "c", "d"], [2, 0, 2, 1])
    part = column_rows(column, 1, 3)
    assert isinstance(part, CodedColumn) and part.codes.tolist() == [0, 2]
    assert part.cells is column.cells
    assert column.tolist() == ["c", "a", "c", "b"]
    assert column.used().tolist() == [0, 1, 2]
    assert column_rows(np.array([5, 6, 7]), 1, 3).tolist() == [6, 7]


def test_a_column_must_be_one_dimensional():
    with pytest.raises(DataError) as caught:
        as_column(np.zeros((2, 2)))
    assert str(caught.value) == "a column must be one-dimensional, got shape (2, 2)"
