"""Hand-worked Alkire–Foster examples: every expected number is derived in the comments."""

from fractions import Fraction

import numpy as np
import pytest

from jiuzhu.assessment.engine import (
    compute_measures,
    evaluate,
    framework_from_dict,
    score_household,
)

# Four households, three dimensions, four indicators, k = 0.4.
#   income    : income      weight 0.4  deprived if income < 13
#   health    : illness     weight 0.2  deprived if "true" (0/1, 是/否 …), critical
#               insured     weight 0.1  deprived if == 0
#   housing   : housing     weight 0.3  deprived if house type in ["危房", "棚户"]
FRAMEWORK = {
    "name": "hand",
    "poverty_cutoff": 0.4,
    "dimensions": [
        {
            "name": "income",
            "indicators": [{"name": "income", "weight": 0.4, "deprived_if": "< 13"}],
        },
        {
            "name": "health",
            "indicators": [
                {"name": "illness", "weight": 0.2, "deprived_if": "true", "critical": True},
                {"name": "insured", "weight": 0.1, "deprived_if": "== 0"},
            ],
        },
        {
            "name": "housing",
            "indicators": [
                {
                    "name": "housing",
                    "column": "house",
                    "weight": "0.3",
                    "deprived_if": 'in ["危房", "棚户"]',
                }
            ],
        },
    ],
}
# Deprivations (1 = deprived) and scores c_i:
#   h1: income 10, ill 是, insured 1, 楼房  -> 1 1 0 0  c = 0.4 + 0.2       = 0.6  poor (>= 0.4)
#   h2: income 20, ill 否, insured 0, 危房  -> 0 0 1 1  c = 0.1 + 0.3       = 0.4  poor (== k)
#   h3: income 30, ill 1,  insured 1, 楼房  -> 0 1 0 0  c = 0.2             = 0.2  not poor
#   h4: income 5,  ill 0,  insured 1, 棚户  -> 1 0 0 1  c = 0.4 + 0.3       = 0.7  poor
COLUMNS = {
    "income": ["10", "20", "30", "5"],
    "illness": ["是", "否", "1", "0"],
    "insured": ["1", "0", "1", "1"],
    "house": ["楼房", "危房", "楼房", "棚户"],
}
DISTRICT = ["建邺", "建邺", "栖霞", "栖霞"]


def measures(**kwargs):
    return compute_measures(evaluate(framework_from_dict(FRAMEWORK), COLUMNS), **kwargs)


def test_scores_and_identification_by_hand():
    ev = evaluate(framework_from_dict(FRAMEWORK), COLUMNS)
    assert ev.g0.astype(int).tolist() == [[1, 1, 0, 0], [0, 0, 1, 1], [0, 1, 0, 0], [1, 0, 0, 1]]
    # Common denominator D = lcm(5, 5, 10, 10) = 10; integer weights 4, 2, 1, 3.
    assert ev.scale.denominator == 10
    assert ev.integer_scores.tolist() == [6, 4, 2, 7]
    assert ev.scores.tolist() == [0.6, 0.4, 0.2, 0.7]
    assert ev.poor.tolist() == [True, True, False, True]
    # Only h1 is deprived in the critical indicator (illness); h3 is ill but is flagged too.
    assert ev.critical.tolist() == [True, False, True, False]


def test_overall_measures_by_hand():
    m = measures()
    # q = 3 of n = 4: H = 3/4.
    assert (m.n, m.poor, m.excluded) == (4, 3, 0)
    assert m.H == 0.75
    # Censored scores 0.6, 0.4, 0, 0.7 sum to 1.7: A = 1.7 / 3, M0 = 1.7 / 4 = 0.425.
    assert float(Fraction(17, 30)) == m.A
    assert m.M0 == 0.425
    # Bands: vulnerable 0.2 <= c < 0.4 is h3 only (1/4); severe c >= 0.5 is h1, h4 (2/4).
    assert m.vulnerable == 0.25
    assert m.severe == 0.5
    # Critical deprivation (illness) among the 4 households: h1 and h3.
    assert m.critical == 0.5


def test_headcounts_and_contributions_by_hand():
    ind = {i.name: i for i in measures().indicators}
    # Uncensored h_j: income {h1,h4} 2/4; illness {h1,h3} 2/4; insured {h2} 1/4; housing {h2,h4}.
    assert [ind[n].uncensored_headcount for n in ind] == [0.5, 0.5, 0.25, 0.5]
    # Censored h_j(k): h3 is not poor, so illness drops to {h1} = 1/4; the others are unchanged.
    assert [ind[n].censored_headcount for n in ind] == [0.5, 0.25, 0.25, 0.5]
    # Contribution w_j h_j(k) / M0 with M0 = 0.425:
    #   income 0.4*0.5/0.425 = 8/17, illness 0.2*0.25/0.425 = 2/17,
    #   insured 0.1*0.25/0.425 = 1/17, housing 0.3*0.5/0.425 = 6/17; total 17/17.
    assert [ind[n].contribution for n in ind] == [8 / 17, 2 / 17, 1 / 17, 6 / 17]
    dims = {d.name: d.contribution for d in measures().dimensions}
    # Dimension contributions: income 8/17, health (2+1)/17, housing 6/17.
    assert dims == {"income": 8 / 17, "health": 3 / 17, "housing": 6 / 17}


def test_subgroups_by_hand():
    groups = {g.label: g for g in measures(groups=DISTRICT).groups}
    jy, qx = groups["建邺"], groups["栖霞"]
    # 建邺 = {h1 0.6, h2 0.4}: both poor, H = 1, A = 1.0/2 = 0.5, M0 = 1.0/2 = 0.5.
    assert (jy.n, jy.poor, jy.population_share, jy.H, jy.A, jy.M0) == (2, 2, 0.5, 1.0, 0.5, 0.5)
    # 栖霞 = {h3 0.2, h4 0.7}: only h4 poor, H = 1/2, A = 0.7, M0 = 0.7/2 = 0.35.
    assert (qx.n, qx.poor, qx.population_share, qx.H, qx.A, qx.M0) == (2, 1, 0.5, 0.5, 0.7, 0.35)
    # Contributions 0.5*0.5/0.425 = 10/17 and 0.5*0.35/0.425 = 7/17.
    assert (jy.contribution, qx.contribution) == (10 / 17, 7 / 17)


def test_sample_weighted_measures_by_hand():
    m = measures(groups=DISTRICT, sample_weights=[1, 2, 3, 4])
    # Total weight 10; poor h1, h2, h4 weigh 1 + 2 + 4 = 7: H = 0.7 (n and poor stay counts).
    assert (m.n, m.poor) == (4, 3)
    assert pytest.approx(0.7) == m.H
    # Weighted censored sum 1*0.6 + 2*0.4 + 4*0.7 = 4.2: A = 4.2/7 = 0.6, M0 = 4.2/10 = 0.42.
    assert pytest.approx(0.6) == m.A
    assert pytest.approx(0.42) == m.M0
    ind = {i.name: i for i in m.indicators}
    # Censored: income {h1,h4} 5/10, illness {h1} 1/10, insured {h2} 2/10, housing {h2,h4} 6/10.
    assert [ind[n].censored_headcount for n in ind] == pytest.approx([0.5, 0.1, 0.2, 0.6])
    # Uncensored illness {h1,h3} = 4/10.
    assert ind["illness"].uncensored_headcount == pytest.approx(0.4)
    # Contributions 0.2/0.42, 0.02/0.42, 0.02/0.42, 0.18/0.42 = 10/21, 1/21, 1/21, 9/21.
    expected = [10 / 21, 1 / 21, 1 / 21, 9 / 21]
    assert [ind[n].contribution for n in ind] == pytest.approx(expected)
    # Bands: vulnerable h3 (3/10), severe h1 + h4 (5/10).
    assert (m.vulnerable, m.severe) == pytest.approx((0.3, 0.5))
    g = {x.label: x for x in m.groups}
    # 建邺 weight 3: share 0.3, H = 1, M0 = (0.6 + 0.8)/3; 栖霞 weight 7: H = 4/7, M0 = 2.8/7.
    assert g["建邺"].population_share == pytest.approx(0.3)
    assert pytest.approx(1.4 / 3) == g["建邺"].M0
    assert pytest.approx((4 / 7, 0.7, 0.4)) == (g["栖霞"].H, g["栖霞"].A, g["栖霞"].M0)
    # Contributions 0.3*(1.4/3)/0.42 = 1/3 and 0.7*0.4/0.42 = 2/3.
    assert (g["建邺"].contribution, g["栖霞"].contribution) == pytest.approx((1 / 3, 2 / 3))


def test_distribution_counts_each_distinct_score():
    dist = measures().distribution
    assert [(c.score, c.n, c.share) for c in dist] == [
        (Fraction(1, 5), 1, 0.25),
        (Fraction(2, 5), 1, 0.25),
        (Fraction(3, 5), 1, 0.25),
        (Fraction(7, 10), 1, 0.25),
    ]


def test_score_equal_to_k_is_poor_although_float_sum_falls_short():
    # Weights 0.20, 0.15, 0.10, 0.55; deprived in the first three; k = 0.45.
    weights = [0.20, 0.15, 0.10, 0.55]
    # Naive float arithmetic, left to right: 0.2 + 0.15 = 0.35, + 0.1 -> 0.44999999999999996,
    # which is below 0.45 and would wrongly make the household non-poor. Summing in the other
    # order, 0.2 + 0.1 + 0.15 gives 0.45000000000000007, so the result depends on order.
    assert 0.2 + 0.15 + 0.1 == 0.44999999999999996 < 0.45
    assert 0.2 + 0.1 + 0.15 == 0.45000000000000007 > 0.45
    assert float(np.array([1.0, 1.0, 1.0, 0.0]) @ np.array(weights)) < 0.45
    # Exactly: 4/20 + 3/20 + 2/20 = 9/20 = k, on D = 20 with K = ceil(0.45 * 20) = 9 -> poor.
    m = compute_measures(np.array([[1, 1, 1, 0]]), weights, "0.45")
    assert (m.poor, m.H, m.A, m.M0) == (1, 1.0, 0.45, 0.45)
    assert m.denominator == 20
    fw = framework_from_dict(
        {
            "name": "equality",
            "poverty_cutoff": 0.45,
            "dimensions": [
                {
                    "name": f"d{j}",
                    "indicators": [{"name": f"x{j}", "weight": w, "deprived_if": "true"}],
                }
                for j, w in enumerate(weights)
            ],
        }
    )
    one = score_household(fw, {"x0": 1, "x1": 1, "x2": 1, "x3": 0})
    assert one.score == Fraction(9, 20)
    assert one.poor is True


def test_vulnerable_cutoff_uses_the_same_exactness():
    # 0.02 + 0.15 + 0.03 is 0.19999999999999998 in floats but exactly 1/5: vulnerable at k = 0.5.
    assert 0.02 + 0.15 + 0.03 < 0.2
    m = compute_measures(np.array([[1, 1, 1, 0]]), [0.02, 0.15, 0.03, 0.80], 0.5)
    assert (m.poor, m.vulnerable, m.severe) == (0, 1.0, 0.0)


def test_huge_denominator_falls_back_to_tolerance():
    # 1/1000003 + 1/1000033 + rest: lcm of denominators is about 1e12 * ... > 2**40.
    a, b = Fraction(1, 1000003), Fraction(1, 1000033)
    c = Fraction(1, 1000037)
    weights = [a, b, c, 1 - a - b - c]
    k = a + b + c  # a household deprived in the first three sits exactly on k
    m = compute_measures(np.array([[1, 1, 1, 0], [1, 1, 0, 0]]), weights, k)
    assert m.denominator is None
    assert m.poor == 1
    assert m.to_dict()["exact"] is False


def test_nobody_poor_gives_zero_intensity_and_contributions():
    m = compute_measures(np.array([[1, 0], [0, 0]]), ["1/2", "1/2"], 1)
    assert (m.poor, m.H, m.A, m.M0) == (0, 0.0, 0.0, 0.0)
    assert [i.contribution for i in m.indicators] == [0.0, 0.0]
    assert m.indicators[0].uncensored_headcount == 0.5


def test_missing_values_exclude_the_household_listwise():
    cols = dict(COLUMNS)
    cols["income"] = ["10", "", "30", None]  # h2 and h4 lack income
    cols["house"] = ["楼房", "危房", "  ", "棚户"]  # h3 lacks housing
    m = compute_measures(evaluate(framework_from_dict(FRAMEWORK), cols))
    assert m.missing == {"income": 2, "illness": 0, "insured": 0, "housing": 1}
    # h2, h3, h4 are excluded; only h1 (score 0.6, poor) remains.
    assert (m.n, m.excluded, m.poor, m.H, m.M0) == (1, 3, 1, 1.0, 0.6)


def test_empty_population_gives_zeros():
    m = compute_measures(np.zeros((0, 2)), ["0.5", "0.5"], "0.5", groups=[])
    assert (m.n, m.H, m.A, m.M0, m.groups, m.distribution) == (0, 0.0, 0.0, 0.0, (), ())
