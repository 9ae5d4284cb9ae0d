"""The one-household path used when an assessor saves a form."""

from fractions import Fraction

from jiuzhu.assessment.engine import (
    critical_households,
    evaluate,
    framework_from_dict,
    score_household,
)

FW = framework_from_dict(
    {
        "name": "one",
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


def test_complete_answers():
    r = score_household(FW, {"income": 10, "illness": "是", "insured": 1, "housing": "否"})
    # income 1/3 + illness 1/6 = 1/2 >= 1/3: poor, severe (>= 1/2), not vulnerable.
    assert (r.score, r.score_float, r.poor, r.severe, r.vulnerable) == (
        Fraction(1, 2),
        0.5,
        True,
        True,
        False,
    )
    assert r.deprived == ("income", "illness")
    assert r.critical_deprivations == ("illness",)
    assert r.complete and r.critical and r.missing == ()


def test_vulnerable_household():
    r = score_household(FW, {"income": 20, "illness": 0, "insured": 0, "housing": 0})
    # insured 1/6 < 1/5: not even vulnerable. With housing instead: 1/3 = k -> poor.
    assert (r.score, r.poor, r.vulnerable) == (Fraction(1, 6), False, False)
    r = score_household(FW, {"income": 20, "illness": 1, "insured": 0, "housing": 0})
    # 1/6 + 1/6 = 1/3 = k: poor exactly at the cutoff.
    assert (r.score, r.poor) == (Fraction(1, 3), True)
    r = score_household(FW, {"income": 20, "illness": 1, "insured": 0}, k="0.5")
    # housing missing: 1/3 observed, up to 2/3 -> undecided at k = 1/2; vulnerable undecided too.
    assert (r.poor, r.vulnerable, r.missing, r.max_score) == (
        None,
        None,
        ("housing",),
        Fraction(2, 3),
    )


def test_missing_answers_are_reported_and_decide_only_when_they_cannot_matter():
    r = score_household(FW, {"income": 5, "illness": None})
    assert r.missing == ("illness", "insured", "housing")
    assert not r.complete
    assert (r.score, r.poor) == (Fraction(1, 3), True)  # already at k whatever the rest says
    r = score_household(FW, {"income": 50, "illness": 0, "insured": 1, "housing": ""})
    assert (r.score, r.max_score, r.poor) == (Fraction(0), Fraction(1, 3), None)
    r = score_household(FW, {"income": "", "illness": 0, "insured": 1, "housing": 0}, k=1)
    assert r.poor is False  # at most 1/3 < 1


def test_batch_critical_mask():
    ev = evaluate(FW, {"income": [1, 50], "illness": [0, 1], "insured": [1, 1], "housing": [0, 0]})
    assert critical_households(ev).tolist() == [False, True]
