"""Edges of the public API the Django layer calls: raw matrices, overrides, bad arguments."""

from fractions import Fraction

import numpy as np
import pytest

from jiuzhu.assessment.engine import (
    DataError,
    EngineError,
    FrameworkError,
    compute_measures,
    evaluate,
    evaluation_from_g0,
    framework_from_dict,
)

FW = framework_from_dict(
    {
        "name": "api",
        "poverty_cutoff": "1/2",
        "dimensions": [
            {"name": "a", "indicators": [{"name": "x", "deprived_if": "true"}]},
            {"name": "b", "indicators": [{"name": "y", "deprived_if": "true", "critical": True}]},
        ],
    }
)


def test_error_classes_share_a_base():
    assert issubclass(FrameworkError, EngineError) and issubclass(DataError, EngineError)
    assert str(DataError("boom")) == "boom"


def test_raw_matrix_with_nan_or_none_counts_as_missing():
    m = compute_measures(np.array([[1, np.nan], [1, 0]]), ["1/2", "1/2"], "1/2")
    assert (m.n, m.excluded, m.missing) == (1, 1, {"i1": 0, "i2": 1})
    m = compute_measures([[1, None], [0, 0]], ["0.5", "0.5"], 0.5, indicator_names=["p", "q"])
    assert (m.n, m.excluded, m.missing, m.poor) == (1, 1, {"p": 0, "q": 1}, 0)


def test_raw_matrix_with_dimensions():
    m = compute_measures(
        np.array([[1, 1, 0]]), ["0.25", "0.25", "0.5"], "0.5", dimensions={"d": ["i1", "i2"]}
    )
    assert [(d.name, d.weight, d.contribution) for d in m.dimensions] == [
        ("d", Fraction(1, 2), 1.0)
    ]
    assert m.indicators[2].dimension is None


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((np.array([[2, 0]]), ["0.5", "0.5"], "0.5"), {}, "row 1, column 1: 2 is not 0/1"),
        ((np.array([[1, 0]]), ["0.5", "0.4"], "0.5"), {}, "sum to 1"),
        ((np.array([[1, 0]]), ["0.5"], "0.5"), {}, "1 weights for 2 indicators"),
        ((np.array([[1, 0]]), None, "0.5"), {}, "weights and k are required"),
        ((np.array([[1, 0]]), ["0.5", "0.5"], "0"), {}, "k: the poverty cutoff must be in (0, 1]"),
        ((np.array([1, 0]), ["0.5", "0.5"], "0.5"), {}, "must be 2-D"),
        (
            (np.array([[1, 0]]), ["0.5", "0.5"], "0.5"),
            {"groups": [1, 2]},
            "one value per household",
        ),
        ((np.array([[1, 0]]), ["0.5", "0.5"], "0.5"), {"sample_weights": [-1]}, "row 1 must be"),
        ((np.array([[1, 0]]), ["0.5", "0.5"], "0.5"), {"sample_weights": ["a"]}, "must be numbers"),
        ((np.array([[1, 0]]), ["0.5", "0.5"], "0.5"), {"dimensions": {"d": ["zz"]}}, "unknown"),
    ],
)
def test_bad_arguments_raise_data_errors(args, kwargs, message):
    with pytest.raises(DataError) as info:
        compute_measures(*args, **kwargs)
    assert message in str(info.value)


def test_k_and_weight_overrides_on_an_evaluation():
    ev = evaluate(FW, {"x": [1, 1, 0], "y": [0, 1, 1]})
    assert compute_measures(ev).poor == 3  # scores 1/2, 1, 1/2 against k = 1/2
    assert compute_measures(ev, k=1).poor == 1
    # Weights 0.25/0.75: scores 1/4, 1, 3/4; k = 1/2 -> 2 poor.
    assert compute_measures(ev, weights=["0.25", "0.75"]).poor == 2
    low = evaluate(FW, {"x": [1], "y": [0]}, k="0.4")
    assert (low.k, low.poor.tolist()) == (Fraction(2, 5), [True])


def test_evaluation_from_a_stored_deprivation_matrix():
    ev = evaluation_from_g0(
        FW, np.array([[True, False], [False, True]]), np.array([[False, True], [False, False]])
    )
    assert ev.complete.tolist() == [False, True]
    assert ev.critical.tolist() == [False, True]
    assert ev.poor.tolist() == [False, True]
    with pytest.raises(DataError, match="must have 2 columns"):
        evaluation_from_g0(FW, np.zeros((2, 3), dtype=bool))
