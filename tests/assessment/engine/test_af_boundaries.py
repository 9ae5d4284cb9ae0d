"""Scoring at its edges (docs/assessment-engine.md): the bands around the poverty cutoff k, and
deprivations recorded in cells that are missing.

- poor: c ≥ k; vulnerable: 1/5 ≤ c < k — a score exactly on k is poor and *not* vulnerable;
  severe: c ≥ 1/2. With missing answers each is True or False only when no answer to the
  missing questions could change it, otherwise None.
- A missing cell is never a deprivation: a stored deprivation matrix scored with its missing
  mask counts only the observed deprivations (and an incomplete household is excluded, not
  classified).
"""

from fractions import Fraction

import numpy as np

from jiuzhu.assessment.engine import evaluation_from_g0, framework_from_dict, score_household

FW = framework_from_dict(
    {
        "name": "edges",
        "poverty_cutoff": "1/3",
        "dimensions": [
            {"name": "income", "indicators": [{"name": "income", "deprived_if": "< 13"}]},
            {
                "name": "health",
                "indicators": [
                    {"name": "illness", "deprived_if": "true", "critical": True},
                    {"name": "insured", "deprived_if": "== 0"},
                ],
            },
            {"name": "housing", "indicators": [{"name": "housing", "deprived_if": "true"}]},
        ],
    }
)
# Weights: income 1/3, illness 1/6, insured 1/6, housing 1/3.
NOTHING = {"income": 20, "illness": 0, "insured": 1, "housing": 0}


def bands(r):
    return (r.score, r.poor, r.vulnerable, r.severe)


def test_a_score_exactly_on_k_is_poor_and_not_vulnerable():
    r = score_household(FW, {**NOTHING, "illness": 1, "insured": 0})  # 1/6 + 1/6 = 1/3 = k
    assert bands(r) == (Fraction(1, 3), True, False, False)


def test_below_k_and_from_a_fifth_is_vulnerable():
    # k = 1/2: 1/3 is in [1/5, 1/2) — vulnerable, not poor.
    r = score_household(FW, {**NOTHING, "income": 10}, k="1/2")
    assert bands(r) == (Fraction(1, 3), False, True, False)
    # 1/6 < 1/5: not vulnerable (a score of exactly 1/5 is in test_af_handworked).
    r = score_household(FW, {**NOTHING, "insured": 0}, k="1/2")
    assert bands(r) == (Fraction(1, 6), False, False, False)


def test_on_k_with_answers_missing_is_decided_not_vulnerable():
    # income deprived (1/3 = k) and housing missing: poor whatever housing is, so not vulnerable.
    r = score_household(FW, {"income": 10, "illness": 0, "insured": 1})
    assert (r.score, r.max_score, r.poor, r.vulnerable) == (
        Fraction(1, 3),
        Fraction(2, 3),
        True,
        False,
    )


def test_reaching_k_only_if_a_missing_answer_is_deprived_leaves_vulnerable_open():
    # k = 1/2: income 1/3 observed, insured missing (1/6): 1/3 (vulnerable) or 1/2 (poor).
    r = score_household(FW, {"income": 10, "illness": 0, "housing": 0}, k="1/2")
    assert (r.score, r.max_score, r.poor, r.vulnerable, r.severe) == (
        Fraction(1, 3),
        Fraction(1, 2),
        None,
        None,
        None,
    )


def test_a_stored_deprivation_in_a_missing_cell_is_not_counted():
    two = framework_from_dict(
        {
            "name": "two",
            "poverty_cutoff": "1/2",
            "dimensions": [
                {"name": "a", "indicators": [{"name": "x", "deprived_if": "true"}]},
                {
                    "name": "b",
                    "indicators": [{"name": "y", "deprived_if": "true", "critical": True}],
                },
            ],
        }
    )
    g0 = np.array([[True, True], [True, True], [True, True]])
    missing = np.array([[False, True], [True, False], [False, False]])
    ev = evaluation_from_g0(two, g0, missing)
    # Row 1: x observed and deprived, y missing → 1/2 observed; row 2: only y → 1/2; row 3: 1.
    assert ev.g0.tolist() == [[True, False], [False, True], [True, True]]
    assert ev.scale.to_float(ev.integer_scores).tolist() == [0.5, 0.5, 1.0]
    assert ev.critical.tolist() == [False, True, True]  # y (critical) is missing in row 1
    assert ev.complete.tolist() == [False, False, True]
    assert ev.poor.tolist() == [False, False, True]  # incomplete rows are not classified
    assert np.isnan(ev.scores[:2]).all() and ev.scores[2] == 1.0
