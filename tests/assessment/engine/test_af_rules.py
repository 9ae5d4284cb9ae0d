"""Deprivation rules, value conversion and the missing-data rule, column by column."""

import math
from decimal import Decimal

import numpy as np
import pytest

from jiuzhu.assessment.engine import DataError, evaluate, framework_from_dict, parse_rule
from jiuzhu.assessment.engine.values import CodedColumn, Place

PLACE = Place("indicator 'x' (column 'x')")


def apply(rule, values):
    deprived, missing = parse_rule(rule, "test").apply(values, PLACE)
    return deprived.tolist(), missing.tolist()


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("< 13", [True, False, False]),
        ("<= 13", [True, True, False]),
        ("> 13", [False, False, True]),
        (">=13", [False, True, True]),
        ("== 13", [False, True, False]),
        ("!= 13", [True, False, True]),
        ("in [12.5, 14]", [True, False, True]),
    ],
)
def test_numeric_rules(rule, expected):
    assert apply(rule, np.array([12.5, 13.0, 14.0])) == (expected, [False] * 3)
    assert apply(rule, [" 12.5", "13", "14 "]) == (expected, [False] * 3)
    assert apply(rule, [12.5, 13, Decimal("14")]) == (expected, [False] * 3)


def test_missing_cells_are_neither_deprived_nor_not_deprived():
    deprived, missing = apply("!= 1", [None, "", "  ", math.nan, "2", 1])
    assert missing == [True, True, True, True, False, False]
    assert deprived == [False, False, False, False, True, False]
    assert apply("< 3", np.array([1.0, np.nan])) == ([True, False], [False, True])


@pytest.mark.parametrize("rule", ["< 9", "<= 9", "> 1", ">= 1", "== 5", "!= 1", "in [5, 7]"])
def test_no_comparison_deprives_a_missing_cell(rule):
    # Every rule deprives 5; the missing cells (None, blank text, NaN) are missing, not deprived,
    # as text, as floats and as coded cells.
    cells = [None, "", " ", math.nan, "5"]
    want = ([False, False, False, False, True], [True, True, True, True, False])
    assert apply(rule, cells) == want
    assert apply(rule, np.array([np.nan, 5.0])) == ([False, True], [True, False])
    coded = CodedColumn(np.array([1, 0, 1, 2]), np.array(["", "5", "nan"]))  # 5, "", 5, nan
    assert apply(rule, coded) == ([True, False, True, False], [False, True, False, True])


def test_true_rule_accepts_the_usual_words():
    values = ["1", "0", "TRUE", "false", "Yes", "no", "是", "否", "", 1.0]
    deprived, missing = apply("true", values)
    assert deprived == [True, False, True, False, True, False, True, False, False, True]
    assert missing == [False] * 8 + [True, False]
    assert apply(True, np.array([0, 1, 1])) == ([False, True, True], [False] * 3)
    assert apply("true", np.array([True, False])) == ([True, False], [False, False])
    assert apply("true", np.array(["是", "否"])) == ([True, False], [False, False])


def test_text_membership_compares_stripped_text_and_whole_numbers():
    deprived, missing = apply('in ["危房", "3"]', [" 危房 ", "楼房", 3.0, 3, None])
    assert deprived == [True, False, True, True, False]
    assert missing == [False, False, False, False, True]
    assert apply("in ['a']", np.array([1, 2])) == ([False, False], [False, False])


@pytest.mark.parametrize(
    ("rule", "values", "message"),
    [
        ("< 13", ["1", "abc"], "indicator 'x' (column 'x'), row 2: 'abc' is not a number"),
        ("< 13", np.array(["1", "abc"]), "row 2: 'abc' is not a number"),
        ("in [1]", [object()], "row 1:"),
        ("true", ["1", "maybe"], "row 2: 'maybe' is not 0/1, true/false, yes/no or 是/否"),
        ("true", np.array([0, 2]), "row 2: 2 is not 0/1"),
    ],
)
def test_bad_values_name_column_and_row(rule, values, message):
    with pytest.raises(DataError) as info:
        apply(rule, values)
    assert message in str(info.value)


FW = {
    "name": "r",
    "poverty_cutoff": 0.5,
    "dimensions": [
        {"name": "a", "indicators": [{"name": "income", "column": "inc", "deprived_if": "< 13"}]},
        {"name": "b", "indicators": [{"name": "ill", "deprived_if": "true"}]},
    ],
}


def test_evaluate_reports_missing_column_and_mismatched_lengths():
    fw = framework_from_dict(FW)
    with pytest.raises(
        DataError, match="indicator 'income' needs column 'inc', which is not in the data"
    ):
        evaluate(fw, {"ill": [1]})
    with pytest.raises(DataError, match="different lengths"):
        evaluate(fw, {"inc": [1, 2], "ill": [1]})
    with pytest.raises(DataError, match="indicator 'income' \\(column 'inc'\\), row 1: 'x'"):
        evaluate(fw, {"inc": ["x"], "ill": [1]})


def test_incomplete_households_are_not_classified():
    fw = framework_from_dict(FW)
    ev = evaluate(fw, {"inc": [5, None, 20], "ill": ["1", "1", ""]})
    assert ev.complete.tolist() == [True, False, False]
    assert ev.poor.tolist() == [True, False, False]
    assert np.isnan(ev.scores[1]) and np.isnan(ev.scores[2])
    assert ev.scores[0] == 1.0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, ("true", "true", None, (), ())),  # YAML's bare true
        ("  TRUE ", ("true", "true", None, (), ())),
        ("<=  13", ("<= 13", "<=", 13.0, (), ())),
        ('in [" 危房", "棚户 "]', ('in [" 危房", "棚户 "]', "in", None, (), ("危房", "棚户"))),
        ("in [1, 2.5]", ("in [1, 2.5]", "in", None, (1.0, 2.5), ())),
    ],
)
def test_a_rule_is_read_into_its_text_operator_and_operands(raw, expected):
    """The rule's text is what reports and pages show for it; the operands are what it tests."""
    rule = parse_rule(raw, "indicator 'x'")
    assert (rule.text, rule.op, rule.number, rule.numbers, rule.texts) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "in [1, 'a']",
            "indicator 'x': deprived_if \"in [1, 'a']\" must list only numbers"
            " or only quoted texts",
        ),
        ("in []", "indicator 'x': deprived_if 'in []' needs a non-empty list like [1, 2]"),
        ("in [1 2]", "indicator 'x': deprived_if 'in [1 2]' needs a non-empty list like [1, 2]"),
    ],
)
def test_a_bad_list_is_refused_naming_the_indicator_and_the_rule(raw, message):
    from jiuzhu.assessment.engine.errors import FrameworkError

    with pytest.raises(FrameworkError) as caught:
        parse_rule(raw, "indicator 'x'")
    assert str(caught.value) == message
