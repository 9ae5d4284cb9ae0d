"""The scoring engine at the edges its mutation survivors found (docs/testing.md): messages for
badly shaped frameworks and files, matrices of unusual types, the missing mask, the stream's own
cutoff, what the returned objects promise (column-major matrices, exact weights), row-by-row
weighted sums, and group codes of any integer type. Each expected value is worked out in the
comment beside it."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from jiuzhu.assessment.engine import (
    DataError,
    FrameworkError,
    WeightScale,
    compute_measures,
    evaluate,
    evaluation_from_g0,
    framework_from_dict,
    load_framework,
)
from jiuzhu.assessment.engine.groups import factorize
from jiuzhu.assessment.engine.stream import MeasureStream

#: Two indicators a and b (deprived when 1), weights 1/2 each, k = 1/3.
TWO = {
    "name": "two",
    "poverty_cutoff": "1/3",
    "dimensions": [
        {
            "name": "d",
            "weight": "1",
            "indicators": [
                {"name": "a", "deprived_if": "== 1"},
                {"name": "b", "deprived_if": "== 1"},
            ],
        }
    ],
}


def message(error) -> str:
    return getattr(error.value, "message", str(error.value))


# ---------------------------------------------------------------- frameworks and their files


def test_a_framework_that_is_not_a_mapping_is_named_by_its_type():
    with pytest.raises(FrameworkError) as refused:
        framework_from_dict([])
    assert "expected a mapping of keys, got list" in message(refused)
    with pytest.raises(FrameworkError) as refused:
        framework_from_dict({**TWO, "dimensions": [5]})
    assert "dimensions[0]: expected a mapping of keys, got int" in message(refused)


def test_a_framework_without_a_version_has_none():
    fw = framework_from_dict(TWO)
    assert fw.version is None
    assert fw.to_dict().get("version") is None


def test_a_yaml_syntax_error_keeps_the_parsers_words(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("a: [1,\nb", encoding="utf-8")
    with pytest.raises(FrameworkError) as refused:
        load_framework(path)
    assert f"{path}: invalid YAML: while parsing a flow sequence" in message(refused)


def test_a_json_framework_may_start_with_a_byte_order_mark(tmp_path):
    import json

    path = tmp_path / "two.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(TWO).encode("utf-8"))
    assert load_framework(path).name == "two"


# ---------------------------------------------------------------- raw matrices


def test_a_text_matrix_without_columns_is_refused_as_not_binary():
    with pytest.raises(DataError) as refused:
        compute_measures(np.empty((1, 0), dtype=str), weights=[], k=1)
    assert message(refused) == "deprivation matrix must hold 0/1 values"


def test_a_complex_nan_is_not_a_missing_cell():
    """Only a float NaN marks a missing cell; (nan+0j) is a bad value, named by its row."""
    with pytest.raises(DataError) as refused:
        compute_measures(np.array([[1 + 0j], [complex("nan")]]), weights=[1], k=1)
    assert message(refused) == "deprivation matrix row 2, column 1: (nan+0j) is not 0/1"


def test_an_integer_missing_mask_is_read_as_yes_no():
    """Household 1 is deprived in a (1/2 ≥ k = 1/2) but b is missing: excluded. Household 2 is
    counted, not deprived."""
    measures = compute_measures(
        np.array([[1, 0], [0, 0]]),
        weights=["1/2", "1/2"],
        k="1/2",
        missing=np.array([[0, 1], [0, 0]]),
    )
    assert (measures.n, measures.excluded, measures.H) == (1, 1, 0.0)


def test_a_missing_matrix_of_another_width_is_refused():
    fw = framework_from_dict(TWO)
    evaluation = evaluation_from_g0(fw, np.zeros((1, 2), bool), np.zeros((1, 3), bool))
    with pytest.raises(ValueError):
        compute_measures(evaluation)


def test_without_compression_weighted_rows_are_added_in_order():
    """Household 1 is poor (weight 1), households 2 and 3 are not (weights 1e-16 each). Row by
    row, 1 + 1e-16 + 1e-16 is 1.0 in floating point, so H = 1.0 exactly; collapsing 2 and 3
    into one cell of weight 2e-16 first would give 1 / (1 + 2e-16) = 0.9999999999999998."""
    measures = compute_measures(
        np.array([[1], [0], [0]]),
        weights=[1],
        k=1,
        sample_weights=[1.0, 1e-16, 1e-16],
        compress=False,
    )
    assert measures.H == 1.0 and measures.M0 == 1.0


# ---------------------------------------------------------------- what the results promise


def test_the_deprivation_and_missing_matrices_are_column_major():
    fw = framework_from_dict(TWO)
    evaluation = evaluate(fw, {"a": [1, 0], "b": [0, 1]})
    assert evaluation.g0.flags.f_contiguous and evaluation.missing.flags.f_contiguous
    assert evaluation.g0.tolist() == [[True, False], [False, True]]


def test_an_empty_dimension_has_an_exact_weight_of_zero():
    measures = compute_measures(np.array([[1]]), weights=[1], k=1, dimensions={"e": []})
    weight = measures.dimensions[0].weight
    assert weight == 0 and isinstance(weight, Fraction)


def test_an_exact_scale_keeps_its_float_weights_and_a_float_scale_its_integer_type():
    exact = WeightScale.from_weights([Fraction(1, 2), Fraction(1, 2)])
    assert exact.float_weights is not None and exact.float_weights.tolist() == [0.5, 0.5]
    tiny = Fraction(1, 2**41)  # common denominator past 2**40: the float fallback
    fallback = WeightScale.from_weights([tiny, 1 - tiny])
    assert fallback.integer_weights.dtype == np.int64


def test_a_streams_own_cutoff_is_used_for_its_evaluation():
    """k = 1 given to the stream (the framework says 1/3): a household deprived in a only
    (score 1/2) is not poor."""
    stream = MeasureStream(framework_from_dict(TWO), k="1")
    evaluation = stream.evaluate({"a": [1], "b": [0]})
    assert evaluation.k == 1 and evaluation.poor.tolist() == [False]


# ---------------------------------------------------------------- group codes


@pytest.mark.parametrize(
    ("codes", "labels"),
    [
        (
            np.array([2**63, 2**63 + 5, 2**63], dtype=np.uint64),
            ["9223372036854775808", "9223372036854775813"],
        ),
        (
            np.array([2**63 + 2**20, 2**63], dtype=np.uint64),
            ["9223372036854775808", "9223372036855824384"],
        ),
        (np.array([-100, 100, 5], dtype=np.int8), ["-100", "5", "100"]),
        (np.array([0, -(2**40)]), ["-1099511627776", "0"]),
        (np.array([5, 3, 5], dtype=np.uint16), ["3", "5"]),
        (np.array([2**62 + 1, 2**62]), ["4611686018427387904", "4611686018427387905"]),
    ],
    ids=[
        "uint64 past 2**63, close",
        "uint64 past 2**63, far",
        "int8 across zero",
        "int64 far apart",
        "uint16 small",
        "int64 past float precision",
    ],
)
def test_integer_group_codes_of_any_type_keep_their_values(codes, labels):
    got, names = factorize(codes)
    assert names == labels
    assert [names[i] for i in got] == [str(int(c)) for c in codes]


# ---------------------------------------------------------------- objects built by hand


def test_a_framework_built_without_indicators_evaluates_nobody_as_deprived():
    from jiuzhu.assessment.engine import Framework

    empty = Framework(name="x", k=Fraction(1, 3), dimensions=())
    evaluation = evaluation_from_g0(empty, np.zeros((2, 0), bool))
    assert evaluation.critical.tolist() == [False, False]


def test_a_comparison_rule_without_a_number_deprives_nobody():
    from jiuzhu.assessment.engine import Rule
    from jiuzhu.assessment.engine.values import Place

    deprived, missing = Rule("<", "<").apply(np.array([1.0]), Place("c"))
    assert deprived.tolist() == [False] and missing.tolist() == [False]


def test_weights_too_large_for_exact_integers_are_refused():
    with pytest.raises(OverflowError):
        WeightScale.from_weights([Fraction(2**70)])
