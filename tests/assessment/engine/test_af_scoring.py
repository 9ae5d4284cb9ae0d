"""The hand-worked Alkire–Foster case of test_af_handworked.py along every path the engine takes.

The engine reaches the same figures in several ways: households collapsed into (subgroup,
pattern) cells or kept row by row (`compress`), a whole table or chunks whose sufficient
statistics are added (`MeasureStream`), exact integer scores or the float fallback. Each path
must give the figures worked out by hand from the rule (docs/assessment-engine.md,
ALKIRE_FOSTER.md), not merely agree with another path.

The case (k = 0.4; weights income 0.4, illness 0.2 (critical), insured 0.1, housing 0.3):
  h1 1 1 0 0  c = 0.6  poor        district 建邺
  h2 0 0 1 1  c = 0.4  poor (= k)  district 建邺
  h3 0 1 0 0  c = 0.2  vulnerable  district 栖霞
  h4 1 0 0 1  c = 0.7  poor        district 栖霞
H = 3/4, A = 1.7/3, M0 = 1.7/4 = 0.425; vulnerable 1/4, severe (c >= 1/2: h1, h4) 2/4,
critical (illness: h1, h3) 2/4; censored headcounts 1/2, 1/4, 1/4, 1/2; contributions
8/17, 2/17, 1/17, 6/17; 建邺: n 2, poor 2, H 1, A 0.5, M0 0.5; 栖霞: n 2, poor 1, H 1/2, A 0.7,
M0 0.35; contributions 10/17 and 7/17.
"""

from fractions import Fraction

import numpy as np
import pytest

from jiuzhu.assessment.engine import (
    DataError,
    compute_measures,
    evaluate,
    evaluation_from_g0,
    framework_from_dict,
    score_household,
)
from jiuzhu.assessment.engine.groups import factorize
from jiuzhu.assessment.engine.measures import measure_stats
from jiuzhu.assessment.engine.patterns import (
    all_patterns,
    any_columns,
    pattern_codes,
    pattern_matrix,
)
from jiuzhu.assessment.engine.stream import MeasureStream
from jiuzhu.assessment.engine.values import CodedColumn

# The case of test_af_handworked.py (copied: test modules are not a package here).
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

FW = framework_from_dict(FRAMEWORK)
G0 = np.array([[1, 1, 0, 0], [0, 0, 1, 1], [0, 1, 0, 0], [1, 0, 0, 1]], dtype=bool)


def assert_hand_figures(m, *, groups=True):
    assert (m.n, m.poor, m.excluded) == (4, 3, 0)
    assert (m.framework, m.k, m.denominator) == ("hand", Fraction(2, 5), 10)
    assert (0.75, float(Fraction(17, 30)), 0.425) == (m.H, m.A, m.M0)
    assert (m.vulnerable, m.severe, m.critical) == (0.25, 0.5, 0.5)
    ind = m.indicators
    assert [(i.name, i.dimension, i.weight, i.critical, i.missing) for i in ind] == [
        ("income", "income", Fraction(2, 5), False, 0),
        ("illness", "health", Fraction(1, 5), True, 0),
        ("insured", "health", Fraction(1, 10), False, 0),
        ("housing", "housing", Fraction(3, 10), False, 0),
    ]
    assert [i.uncensored_headcount for i in ind] == [0.5, 0.5, 0.25, 0.5]
    assert [i.censored_headcount for i in ind] == [0.5, 0.25, 0.25, 0.5]
    assert [i.contribution for i in ind] == [8 / 17, 2 / 17, 1 / 17, 6 / 17]
    assert [(d.name, d.weight, d.contribution) for d in m.dimensions] == [
        ("income", Fraction(2, 5), 8 / 17),
        ("health", Fraction(3, 10), 3 / 17),
        ("housing", Fraction(3, 10), 6 / 17),
    ]
    assert [(c.score, c.n, c.share) for c in m.distribution] == [
        (Fraction(1, 5), 1, 0.25),
        (Fraction(2, 5), 1, 0.25),
        (Fraction(3, 5), 1, 0.25),
        (Fraction(7, 10), 1, 0.25),
    ]
    if groups:
        got = [(g.label, g.n, g.poor, g.population_share, g.H, g.A, g.M0) for g in m.groups]
        assert got == [("建邺", 2, 2, 0.5, 1.0, 0.5, 0.5), ("栖霞", 2, 1, 0.5, 0.5, 0.7, 0.35)]
        assert [g.contribution for g in m.groups] == [10 / 17, 7 / 17]


@pytest.mark.parametrize("compress", [True, False, None])
def test_cells_and_rows_give_the_hand_worked_figures(compress):
    m = compute_measures(evaluate(FW, COLUMNS), groups=DISTRICT, compress=compress)
    assert_hand_figures(m)
    assert m.weighted is False


@pytest.mark.parametrize("compress", [True, False])
def test_cells_and_rows_give_the_hand_worked_figures_without_groups(compress):
    m = compute_measures(evaluate(FW, COLUMNS), compress=compress)
    assert_hand_figures(m, groups=False)
    assert m.groups is None


@pytest.mark.parametrize("compress", [True, False])
def test_sample_weights_on_cells_and_rows(compress):
    # Weights 1, 2, 3, 4 (total 10); h1 and h2 fall in one cell only if their rows are equal,
    # so duplicate h4 as h5 with weight 0.5 to make a cell hold two households of one pattern.
    cols = {c: [*v, v[3]] for c, v in COLUMNS.items()}
    m = compute_measures(
        evaluate(FW, cols),
        groups=[*DISTRICT, "栖霞"],
        sample_weights=[1, 2, 3, 4, 0.5],
        compress=compress,
    )
    # Total 10.5; poor h1, h2, h4, h5 weigh 1 + 2 + 4 + 0.5 = 7.5: H = 7.5/10.5 = 5/7.
    assert (m.n, m.poor, m.weighted) == (5, 4, True)
    assert pytest.approx(5 / 7) == m.H
    # Censored sum 0.6 + 0.8 + 2.8 + 0.35 = 4.55: A = 4.55/7.5, M0 = 4.55/10.5.
    assert pytest.approx((4.55 / 7.5, 4.55 / 10.5)) == (m.A, m.M0)
    # Vulnerable h3 3/10.5; severe h1, h4, h5 5.5/10.5; critical (illness) h1, h3 4/10.5.
    assert (m.vulnerable, m.severe, m.critical) == pytest.approx((3 / 10.5, 5.5 / 10.5, 4 / 10.5))
    # Uncensored income {h1, h4, h5} 5.5/10.5; censored illness {h1} 1/10.5.
    assert m.indicators[0].uncensored_headcount == pytest.approx(5.5 / 10.5)
    assert m.indicators[1].censored_headcount == pytest.approx(1 / 10.5)
    # Contribution of income: 0.4 * 5.5 / 4.55.
    assert m.indicators[0].contribution == pytest.approx(2.2 / 4.55)
    # 栖霞 = h3 (3), h4 (4), h5 (0.5): n 3 rows, 2 poor; mass 7.5, poor mass 4.5: H = 0.6;
    # censored sum 2.8 + 0.35 = 3.15: A = 0.7, M0 = 3.15/7.5 = 0.42; share 7.5/10.5.
    qx = m.groups[1]
    assert (qx.label, qx.n, qx.poor) == ("栖霞", 3, 2)
    assert (qx.population_share, qx.H, qx.A, qx.M0) == pytest.approx((7.5 / 10.5, 0.6, 0.7, 0.42))
    assert qx.contribution == pytest.approx(3.15 / 4.55)
    # Distribution: n counts households, share is weight: 0.7 held by h4 and h5 (4.5 of 10.5).
    assert [(c.score, c.n) for c in m.distribution][-1] == (Fraction(7, 10), 2)
    assert m.distribution[-1].share == pytest.approx(4.5 / 10.5)


@pytest.mark.parametrize("compress", [True, False])
def test_a_household_of_weight_zero_is_counted_but_weighs_nothing(compress):
    # h3 weighs 0: n and poor count it, every mean ignores it; its score still appears in the
    # distribution (one household) with a share of 0.
    m = compute_measures(
        evaluate(FW, COLUMNS), groups=DISTRICT, sample_weights=[1, 1, 0, 1], compress=compress
    )
    assert (m.n, m.poor) == (4, 3)
    # Poor mass 3 of 3: H = 1; censored 0.6 + 0.4 + 0.7 = 1.7: A = M0 = 1.7/3.
    assert pytest.approx((1.0, 1.7 / 3, 1.7 / 3)) == (m.H, m.A, m.M0)
    assert m.vulnerable == 0.0
    assert [(c.score, c.n, c.share) for c in m.distribution][0] == (Fraction(1, 5), 1, 0.0)


def test_a_group_of_weight_zero_has_zero_measures():
    # 栖霞 (h3, h4) weighs nothing: its shares and ratios are 0, not a division by zero.
    m = compute_measures(evaluate(FW, COLUMNS), groups=DISTRICT, sample_weights=[1, 1, 0, 0])
    qx = m.groups[1]
    assert (qx.label, qx.n, qx.poor) == ("栖霞", 2, 1)
    assert (qx.population_share, qx.H, qx.A, qx.M0, qx.contribution) == (0.0, 0.0, 0.0, 0.0, 0.0)
    # 建邺 carries everything: H 1, A = M0 = (0.6 + 0.4)/2 = 0.5, contribution 1.
    jy = m.groups[0]
    assert (jy.population_share, jy.H, jy.A, jy.M0, jy.contribution) == pytest.approx(
        (1.0, 1.0, 0.5, 0.5, 1.0)
    )


def test_a_group_with_nobody_poor_has_zero_intensity():
    # k = 0.65: only h4 (0.7) is poor. 建邺 has nobody poor: H = A = M0 = 0, contribution 0.
    m = compute_measures(evaluate(FW, COLUMNS), groups=DISTRICT, k="0.65")
    jy, qx = m.groups
    assert (jy.poor, jy.H, jy.A, jy.M0, jy.contribution) == (0, 0.0, 0.0, 0.0, 0.0)
    # 栖霞: H 1/2, A 0.7, M0 0.35, all of M0 (0.7/4 = 0.175): contribution 1.
    assert (qx.poor, qx.H, qx.A, qx.M0, qx.contribution) == (1, 0.5, 0.7, 0.35, 1.0)
    assert (m.H, m.A, m.M0) == (0.25, 0.7, 0.175)
    # Vulnerable: 0.2 <= c < 0.65 is h1 (0.6), h2 (0.4), h3 (0.2): 3/4.
    assert m.vulnerable == 0.75


@pytest.mark.parametrize("chunks", [((0, 2), (2, 4)), ((0, 1), (1, 3), (3, 4)), ((0, 4),)])
def test_streamed_chunks_give_the_hand_worked_figures(chunks):
    stream = MeasureStream(FW, grouped=True)
    for start, stop in chunks:
        stream.add(
            {c: v[start:stop] for c, v in COLUMNS.items()},
            groups=np.array(DISTRICT[start:stop], dtype=object),
        )
    assert_hand_figures(stream.result())


def test_streamed_chunks_whose_groups_appear_in_another_order():
    # The second chunk meets 栖霞 before 建邺: the group numbering is remapped, the labels sorted.
    order = [0, 2, 1, 3]  # h1 (建邺), then h3 (栖霞), h2 (建邺), h4 (栖霞)
    cols = {c: [v[i] for i in order] for c, v in COLUMNS.items()}
    district = [DISTRICT[i] for i in order]
    stream = MeasureStream(FW, grouped=True)
    stream.add({c: v[1:] for c, v in cols.items()}, groups=district[1:])
    stream.add({c: v[:1] for c, v in cols.items()}, groups=district[:1])
    assert_hand_figures(stream.result())


def test_streamed_sample_weights_give_the_hand_worked_figures():
    # Weights 1, 2, 3, 4 in two chunks: as test_af_handworked's weighted case, H 0.7,
    # A 0.6, M0 0.42; 建邺 share 0.3, 栖霞 H 4/7.
    stream = MeasureStream(FW, grouped=True, weighted=True)
    weights = np.array([1.0, 2.0, 3.0, 4.0])
    for start, stop in ((0, 3), (3, 4)):
        stream.add(
            {c: v[start:stop] for c, v in COLUMNS.items()},
            groups=DISTRICT[start:stop],
            sample_weights=weights[start:stop],
        )
    m = stream.result()
    assert (m.n, m.poor, m.weighted) == (4, 3, True)
    assert pytest.approx((0.7, 0.6, 0.42)) == (m.H, m.A, m.M0)
    assert (m.groups[0].population_share, m.groups[1].H) == pytest.approx((0.3, 4 / 7))


def test_a_bad_sample_weight_in_a_later_chunk_is_named_by_its_row_in_the_whole_table():
    stream = MeasureStream(FW, weighted=True)
    stream.add({c: v[:3] for c, v in COLUMNS.items()}, sample_weights=[1.0, 2.0, 3.0])
    with pytest.raises(DataError) as caught:
        stream.add({c: v[3:] for c, v in COLUMNS.items()}, sample_weights=[-4.0])
    assert str(caught.value) == "sample weight in row 4 must be a finite number >= 0, got -4.0"


def test_a_cutoff_given_with_an_evaluation_is_checked_and_named_k():
    with pytest.raises(DataError) as caught:
        compute_measures(evaluate(FW, COLUMNS), k="0")
    assert str(caught.value) == "k: the poverty cutoff must be in (0, 1], got '0'"
    assert compute_measures(evaluate(FW, COLUMNS), k="0.7").poor == 1  # only h4 (0.7)


# --- One household (score_household) at its edges, with the same framework (k = 0.4). ---
NOTHING = {"income": "20", "illness": "否", "insured": "1", "house": "楼房"}


def test_one_household_with_a_score_of_exactly_one_fifth_is_vulnerable():
    # illness alone: 0.2 = 1/5, the lower edge of the vulnerable band [1/5, k).
    r = score_household(FW, {**NOTHING, "illness": "是"})
    assert (r.score, r.poor, r.vulnerable, r.severe) == (Fraction(1, 5), False, True, False)
    assert (r.k, r.max_score) == (Fraction(2, 5), Fraction(1, 5))


def test_one_household_that_reaches_one_fifth_only_if_a_missing_answer_is_deprived():
    # illness missing (weight 1/5), nothing else deprived: 0 observed, at most 1/5. Vulnerable
    # if illness is deprived, not if it is not: undecided. Poor and severe are impossible.
    r = score_household(FW, {k: v for k, v in NOTHING.items() if k != "illness"})
    assert (r.score, r.max_score) == (Fraction(0), Fraction(1, 5))
    assert (r.poor, r.vulnerable, r.severe) == (False, None, False)


def test_one_household_with_nothing_deprived_scores_an_exact_zero():
    r = score_household(FW, NOTHING)
    assert (r.score, r.max_score, r.deprived) == (Fraction(0), Fraction(0), ())
    # The declared type: an exact Fraction (callers store numerator and denominator).
    assert isinstance(r.score, Fraction) and isinstance(r.max_score, Fraction)
    assert (r.poor, r.vulnerable, r.severe) == (False, False, False)


def test_one_household_keeps_the_cutoff_it_was_scored_with():
    assert score_household(FW, NOTHING).k == Fraction(2, 5)
    r = score_household(FW, {**NOTHING, "illness": "是"}, k="1/5")
    assert (r.k, r.poor, r.vulnerable) == (Fraction(1, 5), True, False)


def test_one_household_refuses_a_cutoff_outside_zero_to_one_naming_it():
    with pytest.raises(DataError) as caught:
        score_household(FW, NOTHING, k="1.5")
    assert str(caught.value) == "poverty cutoff: the poverty cutoff must be in (0, 1], got '1.5'"


def test_one_household_names_the_indicator_of_a_bad_answer_without_a_row():
    # One household has no rows: the message names the indicator and column only.
    with pytest.raises(DataError) as caught:
        score_household(FW, {**NOTHING, "income": "many"})
    assert str(caught.value) == "indicator 'income' (column 'income'): 'many' is not a number"


def test_a_stored_matrix_of_zeros_and_ones_is_read_as_deprivations():
    # Deprivations stored as integers 0/1 (as a database returns them) mean the same as bools.
    ev = evaluation_from_g0(FW, G0.astype(int).tolist())
    assert ev.g0.dtype == bool
    assert ev.integer_scores.tolist() == [6, 4, 2, 7]
    assert ev.critical.tolist() == [True, False, True, False]
    assert_hand_figures(compute_measures(ev, groups=DISTRICT))


def test_a_stored_missing_mask_of_zeros_and_ones_marks_missing_cells():
    # h1's illness and h4's housing missing, given as 0/1 integers: their deprivations there
    # are not counted, both are excluded, and h2, h3 remain (0.4 poor, 0.2 not).
    missing = [[0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]]
    ev = evaluation_from_g0(FW, G0.astype(int).tolist(), missing)
    assert ev.missing.dtype == bool
    assert ev.g0.astype(int).tolist() == [[1, 0, 0, 0], [0, 0, 1, 1], [0, 1, 0, 0], [1, 0, 0, 0]]
    assert ev.complete.tolist() == [False, True, True, False]
    assert ev.critical.tolist() == [False, False, True, False]
    m = compute_measures(ev)
    assert (m.n, m.excluded, m.poor, m.H, m.M0) == (2, 2, 1, 0.5, 0.2)
    assert m.missing == {"income": 0, "illness": 1, "insured": 0, "housing": 1}
    assert [i.missing for i in m.indicators] == [0, 1, 0, 1]


ONE = np.array([[1, 0]])
HALVES = ["0.5", "0.5"]


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((ONE * 2, HALVES, "0.5"), {}, "deprivation matrix row 1, column 1: 2 is not 0/1"),
        (
            (np.array([[1, 0], [0, 0.5]]), HALVES, "0.5"),
            {},
            "deprivation matrix row 2, column 2: 0.5 is not 0/1",
        ),
        (
            (ONE, ["0.5", "0.4"], "0.5"),
            {},
            "weights must be positive and sum to 1, got ['1/2', '2/5']",
        ),
        (
            (ONE, ["1.5", "-0.5"], "0.5"),
            {},
            "weights must be positive and sum to 1, got ['3/2', '-1/2']",
        ),
        (
            (ONE, ["0.5", "x"], "0.5"),
            {},
            "weight 2: expected a number or a fraction like \"1/3\", got 'x'",
        ),
        ((ONE, ["0.5"], "0.5"), {}, "1 weights for 2 indicators"),
        ((ONE, None, "0.5"), {}, "weights and k are required with a raw deprivation matrix"),
        ((ONE, HALVES, None), {}, "weights and k are required with a raw deprivation matrix"),
        ((ONE, HALVES, "0"), {}, "k: the poverty cutoff must be in (0, 1], got '0'"),
        (
            (np.array([1, 0]), HALVES, "0.5"),
            {},
            "deprivation matrix must be 2-D, got shape (2,)",
        ),
        (
            (np.array([[1, None]], dtype=object), HALVES, "0.5"),
            {"groups": [1, 2]},
            "groups must have one value per household (1), got 2",
        ),
        (
            (ONE, HALVES, "0.5"),
            {"sample_weights": [-1]},
            "sample weight in row 1 must be a finite number >= 0, got -1.0",
        ),
        (
            (np.array([[1, 0], [0, 0]]), HALVES, "0.5"),
            {"sample_weights": [0, float("inf")]},
            "sample weight in row 2 must be a finite number >= 0, got inf",
        ),
        (
            (ONE, HALVES, "0.5"),
            {"sample_weights": [1, 2]},
            "sample weights must have one value per household (1), got (2,)",
        ),
        ((ONE, HALVES, "0.5"), {"sample_weights": ["a"]}, "sample weights must be numbers"),
        (
            (ONE, HALVES, "0.5"),
            {"dimensions": {"d": ["zz", "i1"]}},
            "dimensions name unknown indicators: ['zz']",
        ),
        ((ONE, HALVES, "0.5"), {"indicator_names": ["a"]}, "1 indicator names for 2 columns"),
        (
            (np.array([[1, "x"]], dtype=object), HALVES, "0.5"),
            {},
            "deprivation matrix row 1, column 2: 'x' is not 0/1",
        ),
        (
            ([[1, 0], [0, "a"]], HALVES, "0.5"),  # NumPy makes every cell text, "1" too
            {},
            "deprivation matrix row 2, column 2: 'a' is not 0/1",
        ),
        (
            ([[1, 0], [0, 2.5]], HALVES, "0.5"),
            {},
            "deprivation matrix row 2, column 2: 2.5 is not 0/1",
        ),
        (  # missing cells and True/False are 0/1 answers; the first other cell is named
            (np.array([[None, True, 2, "x"]], dtype=object), ["1/4"] * 4, "0.5"),
            {},
            "deprivation matrix row 1, column 3: 2 is not 0/1",
        ),
        (
            (np.array([[None, 1.0], [float("nan"), "x"]], dtype=object), HALVES, "0.5"),
            {},
            "deprivation matrix row 2, column 2: 'x' is not 0/1",
        ),
        (
            (np.array([1, "x"], dtype=object), HALVES, "0.5"),
            {},
            "deprivation matrix must be 2-D, got shape (2,)",
        ),
        (
            (ONE, ["0", "1"], "0.5"),
            {},
            "weights must be positive and sum to 1, got ['0', '1']",
        ),
        (
            (np.array([[1, [0]]], dtype=object), HALVES, "0.5"),
            {},
            "deprivation matrix row 1, column 2: [0] is not 0/1",
        ),
    ],
)
def test_bad_arguments_are_refused_with_the_exact_message(args, kwargs, message):
    with pytest.raises(DataError) as caught:
        compute_measures(*args, **kwargs)
    assert str(caught.value) == message


def test_a_raw_matrix_with_a_missing_mask_and_names():
    # Two indicators p, q (1/2 each), k = 1/2; row 2's q is masked as missing although its
    # stored value is 1, row 3 is None in p. Rows 2 and 3 are excluded; row 1 (score 1) is poor.
    data = np.array([[1, 1], [0, 1], [None, 0]], dtype=object)
    mask = np.array([[False, False], [False, True], [False, False]])
    m = compute_measures(data, HALVES, "1/2", missing=mask, indicator_names=["p", "q"])
    assert (m.n, m.excluded, m.poor, m.missing) == (1, 2, 1, {"p": 1, "q": 1})
    assert [i.name for i in m.indicators] == ["p", "q"]
    # The default names are i1, i2, …; a raw matrix has no framework and no critical figure.
    m = compute_measures(np.array([[True, False]]), HALVES, "1/2")
    assert ([i.name for i in m.indicators], m.framework, m.critical) == (["i1", "i2"], None, None)
    assert [i.critical for i in m.indicators] == [False, False]


def test_a_missing_column_is_named_with_the_columns_that_are_there():
    def message(columns):
        with pytest.raises(DataError) as caught:
            evaluate(FW, columns)
        return str(caught.value)

    head = "indicator '{}' needs column '{}', which is not in the data (columns: {})"
    assert message({}) == head.format("income", "income", "none")
    assert message({"income": [1]}) == head.format("illness", "illness", "'income'")
    # At most 30 columns are listed (a wide sheet would flood the message).
    wide = {f"c{i}": [1] for i in range(31)}
    listed = ", ".join(f"'c{i}'" for i in range(30))
    assert message(wide) == head.format("income", "income", listed)


def test_a_batch_cutoff_outside_zero_to_one_is_refused_naming_it():
    with pytest.raises(DataError) as caught:
        evaluate(FW, COLUMNS, k="0")
    assert str(caught.value) == "poverty cutoff: the poverty cutoff must be in (0, 1], got '0'"


# --- The float fallback (denominator above 2**40) by hand. ---
A_, B_, C_ = Fraction(1, 1000003), Fraction(1, 1000033), Fraction(1, 1000037)
HUGE = [A_, B_, C_, 1 - A_ - B_ - C_]


@pytest.mark.parametrize("compress", [True, False])
def test_the_float_fallback_by_hand(compress):
    # k = a + b + c. h1 deprived in a, b, c: exactly on k, poor (within the 1e-9 tolerance);
    # h2 in a, b: about 2e-6, not poor; h3 in the rest: about 0.999997, poor and severe.
    g0 = np.array([[1, 1, 1, 0], [1, 1, 0, 0], [0, 0, 0, 1]])
    m = compute_measures(g0, HUGE, A_ + B_ + C_, compress=compress)
    assert (m.denominator, m.n, m.poor) == (None, 3, 2)
    # Censored scores (a+b+c) and (1-a-b-c) sum to 1: M0 = 1/3, A = 1/2, H = 2/3.
    assert pytest.approx((2 / 3, 1 / 2, 1 / 3), rel=1e-12) == (m.H, m.A, m.M0)
    assert (m.vulnerable, m.severe) == pytest.approx((0.0, 1 / 3))
    # Every indicator's censored headcount is 1/3, so its contribution w_j (1/3) / M0 = w_j.
    contributions = [i.contribution for i in m.indicators]
    assert contributions == pytest.approx([float(w) for w in HUGE], rel=1e-9)
    # Distribution: float scores rounded to 1e-9, in increasing order.
    assert [(c.score, c.n) for c in m.distribution] == [(2e-6, 1), (3e-6, 1), (0.999997, 1)]
    assert all(type(c.score) is float for c in m.distribution)
    assert [c.share for c in m.distribution] == pytest.approx([1 / 3] * 3)


def test_a_framework_without_critical_indicators_reports_a_critical_share_of_zero():
    plain = framework_from_dict(
        {
            **FRAMEWORK,
            "dimensions": [
                {**d, "indicators": [{**i, "critical": False} for i in d["indicators"]]}
                for d in FRAMEWORK["dimensions"]
            ],
        }
    )
    m = compute_measures(evaluate(plain, COLUMNS))
    assert (m.critical, m.M0) == (0.0, 0.425)


def test_weighted_and_unweighted_statistics_cannot_be_added():
    k, flags, none = FW.k, np.array(FW.critical_flags), np.zeros(G0.shape, dtype=bool)
    plain, _ = measure_stats(G0, none, FW.scale, k, flags, None, None)
    weighted, _ = measure_stats(G0, none, FW.scale, k, flags, None, [1, 1, 1, 1])
    with pytest.raises(ValueError, match="^cannot add weighted and unweighted statistics$"):
        plain + weighted
    # Two halves of the same households add up to the whole's sums.
    first, _ = measure_stats(G0[:2], none[:2], FW.scale, k, flags, None, None)
    second, _ = measure_stats(G0[2:], none[2:], FW.scale, k, flags, None, None)
    both = first + second
    assert (both.n_all, both.rows, both.q, both.total, both.poor_mass) == (4, 4, 3, 4.0, 3.0)
    # Censored sum on D = 10: 6 + 4 + 7 = 17; vulnerable h3, severe h1 and h4, critical h1, h3.
    assert (both.censored_sum, both.vulnerable, both.severe, both.critical) == (17, 1, 2, 2)
    assert both.uncensored.tolist() == [2, 2, 1, 2]
    assert both.censored.tolist() == [2, 1, 1, 2]
    assert both.missing.tolist() == [0, 0, 0, 0]
    assert (both.score_keys.tolist(), both.score_rows.tolist()) == ([2, 4, 6, 7], [1, 1, 1, 1])


def test_an_empty_weighted_stream_is_weighted():
    m = MeasureStream(FW, weighted=True).result()
    assert (m.n, m.weighted, m.H, m.groups) == (0, True, 0.0, None)


# --- Deprivation patterns and subgroup codes, the building blocks of the cells. ---


def test_a_row_packs_into_a_code_with_bit_j_for_indicator_j():
    rows = np.array([[1, 0, 0], [0, 1, 1], [1, 1, 1], [0, 0, 0]], dtype=bool)
    # Bit j is indicator j: 1, 2 + 4, 1 + 2 + 4, 0.
    assert pattern_codes(rows).tolist() == [1, 6, 7, 0]
    assert pattern_matrix(np.array([1, 6, 7, 0]), 3).tolist() == rows.tolist()
    # Sixteen indicators fill the 16 bits; a seventeenth cannot be packed.
    assert pattern_codes(np.ones((1, 16), dtype=bool)).tolist() == [65535]
    with pytest.raises(ValueError, match=r"^at most 16 columns can be packed, got 17$"):
        pattern_codes(np.ones((1, 17), dtype=bool))


def test_all_patterns_lists_every_row_in_code_order_read_only():
    table = all_patterns(2)
    assert table.tolist() == [[False, False], [True, False], [False, True], [True, True]]
    assert not table.flags.writeable


def test_any_columns_is_a_row_wise_or():
    m = np.array([[0, 0, 1], [0, 0, 0], [1, 1, 0]], dtype=bool)
    assert any_columns(m).tolist() == [True, False, True]
    assert any_columns(np.zeros((2, 0), dtype=bool)).tolist() == [False, False]


def test_subgroup_codes_of_integers_near_and_far_apart():
    # Close integers take the counting path, far ones the sorting path; both label by value.
    codes, labels = factorize(np.array([12, 10, 12, 11]))
    assert (codes.tolist(), labels) == ([2, 0, 2, 1], ["10", "11", "12"])
    codes, labels = factorize(np.array([5, -(2**21), 5]))
    assert (codes.tolist(), labels) == ([1, 0, 1], [str(-(2**21)), "5"])
    codes, labels = factorize(np.array([], dtype=np.int64))
    assert (codes.tolist(), labels) == ([], [])
    # Text labels are stripped and sorted; empty cells are the "(missing)" group.
    codes, labels = factorize(np.array([" b", "a", "", "b "]))
    assert (codes.tolist(), labels) == ([2, 1, 0, 2], ["(missing)", "a", "b"])


# --- Streams: the set-up is kept, labels sort as numbers only when every chunk had numbers. ---


def test_a_stream_refuses_chunks_unlike_its_set_up():
    message = "^every chunk needs groups and sample weights as the stream was set up$"
    with pytest.raises(DataError, match=message):
        MeasureStream(FW, grouped=True).add(COLUMNS)
    with pytest.raises(DataError, match=message):
        MeasureStream(FW).add(COLUMNS, groups=DISTRICT)
    with pytest.raises(DataError, match=message):
        MeasureStream(FW, weighted=True).add(COLUMNS)
    with pytest.raises(DataError, match=message):
        MeasureStream(FW).add(COLUMNS, sample_weights=[1, 1, 1, 1])


def test_a_stream_with_its_own_cutoff():
    # k = 0.65: only h4 (0.7) is poor: H 1/4, A 0.7, M0 0.175; vulnerable h1, h2, h3.
    stream = MeasureStream(FW, k="0.65")
    stream.add({c: v[:2] for c, v in COLUMNS.items()})
    stream.add({c: v[2:] for c, v in COLUMNS.items()})
    m = stream.result()
    assert (m.k, m.poor, m.H, m.A, m.M0, m.vulnerable) == (
        Fraction(13, 20),
        1,
        0.25,
        0.7,
        0.175,
        0.75,
    )
    with pytest.raises(DataError, match=r"^poverty cutoff: the poverty cutoff must be in"):
        MeasureStream(FW, k=0)


def test_stream_labels_sort_as_text_once_a_chunk_has_text_labels():
    # Chunk 1 has integer codes 10 and 9, chunk 2 text "9" and "10": as text "10" < "9".
    stream = MeasureStream(FW, grouped=True)
    stream.add({c: v[:2] for c, v in COLUMNS.items()}, groups=np.array([10, 9]))
    stream.add({c: v[2:] for c, v in COLUMNS.items()}, groups=["9", "10"])
    groups = stream.result().groups
    # "10" = h1 (0.6) + h4 (0.7): both poor; "9" = h2 (0.4) + h3 (0.2): one poor.
    assert [(g.label, g.n, g.poor) for g in groups] == [("10", 2, 2), ("9", 2, 1)]


def test_stream_labels_sort_as_numbers_when_every_chunk_had_numbers():
    stream = MeasureStream(FW, grouped=True)
    stream.add({c: v[:2] for c, v in COLUMNS.items()}, groups=np.array([10, 9]))
    stream.add({c: v[2:] for c, v in COLUMNS.items()}, groups=np.array([9, 10]))
    assert [(g.label, g.n, g.poor) for g in stream.result().groups] == [("9", 2, 1), ("10", 2, 2)]


def test_stream_labels_of_a_coded_column_sort_as_text():
    stream = MeasureStream(FW, grouped=True)
    coded = CodedColumn(np.array([1, 0, 0, 1]), np.array(["10", "9"]))
    stream.add(COLUMNS, groups=coded)
    assert [(g.label, g.n, g.poor) for g in stream.result().groups] == [("10", 2, 1), ("9", 2, 2)]


def test_an_empty_grouped_weighted_stream_has_no_groups_and_no_households():
    m = MeasureStream(FW, grouped=True, weighted=True).result()
    assert (m.n, m.poor, m.weighted, m.groups, m.distribution) == (0, 0, True, (), ())
    assert m.missing == {"income": 0, "illness": 0, "insured": 0, "housing": 0}


def test_float_fallback_contributions_weigh_each_indicator_by_its_poor_households():
    # h1 and h2 deprived in a, b, c (s = a + b + c, on k), h3 in the rest r = 1 - s: all poor.
    # Censored sum 2s + r = 1 + s; indicator a: w_a * 2 / (1 + s); the rest: r / (1 + s).
    g0 = np.array([[1, 1, 1, 0], [1, 1, 1, 0], [0, 0, 0, 1]])
    s = A_ + B_ + C_
    m = compute_measures(g0, HUGE, s)
    expected = [float(2 * w / (1 + s)) for w in HUGE[:3]] + [float((1 - s) / (1 + s))]
    assert [i.contribution for i in m.indicators] == pytest.approx(expected, rel=1e-9)
    assert pytest.approx(float((1 + s) / 3), rel=1e-12) == m.M0
    # Distribution: two households (2/3 of the population) at about 3e-6, one at 0.999997.
    assert [(c.score, c.n) for c in m.distribution] == [(3e-6, 2), (0.999997, 1)]
    assert [c.share for c in m.distribution] == pytest.approx([2 / 3, 1 / 3])


# --- When households are collapsed into cells (cells.build_cells): a speed rule, pinned so that
# a change cannot quietly send a million rows down the slow path or overflow the pattern key.
def _cells(n, d, *, n_groups=0, compress=None, weights=None):
    from jiuzhu.assessment.engine.cells import build_cells

    rng = np.random.default_rng(n + d)
    g0 = rng.random((n, d)) < 0.3
    codes = None if not n_groups else (np.arange(n) % n_groups).astype(np.int32)
    return g0, build_cells(g0, codes, n_groups, weights, compress)


@pytest.mark.parametrize(
    ("n", "d", "n_groups", "per_row"),
    [
        (10, 4, 0, False),  # 16 possible cells for 10 rows: collapsed
        (1, 12, 0, False),  # 2**12 = 4096 cells, the floor of the table's size: collapsed
        (1, 12, 2, True),  # 8192 cells for one row: rows
        (512, 13, 0, False),  # 8192 cells = 16 per row: collapsed
        (500, 13, 0, True),  # 8192 cells > 16 per row (8000): rows
        (4096, 16, 0, False),  # 16 indicators, the most a pattern key holds: collapsed
        (10_000, 17, 0, True),  # 17 indicators: rows, however many households
    ],
)
def test_households_are_collapsed_into_cells_when_the_table_is_small(n, d, n_groups, per_row):
    g0, cells = _cells(n, d, n_groups=n_groups)
    assert cells.per_row is per_row
    assert cells.rows.dtype == np.int64 and cells.mass.dtype == np.int64 and not cells.weighted
    assert int(cells.rows.sum()) == n
    if per_row:
        assert (cells.g0 == g0).all() and (cells.rows == 1).all()
    else:
        distinct = {(row.tobytes(), i % max(n_groups, 1)) for i, row in enumerate(g0)}
        assert len(cells.rows) == len(distinct)


def test_a_forced_collapse_still_keeps_rows_past_the_largest_table():
    _, at_limit = _cells(64, 16, n_groups=64, compress=True)  # 64 * 2**16 = 2**22 cells
    _, past_bits = _cells(8, 17, compress=True)  # a 17-bit pattern key does not fit
    _, kept = _cells(10, 4, compress=False)
    assert (at_limit.per_row, past_bits.per_row, kept.per_row) == (False, True, True)


def test_the_measures_as_data_carry_every_figure_under_its_name():
    """``to_dict`` is what the API, the JSON report and stored results read. Three households,
    two indicators of 1/2, k = 1/2: scores 1, 0 and 1/2 -> two poor (H 2/3, A 3/4, M0 1/2)."""
    m = compute_measures(
        np.array([[1, 1], [0, 0], [1, 0]]), ["1/2", "1/2"], "1/2", groups=["a", "b", "a"]
    )
    third = 1 / 3
    assert m.to_dict() == {
        "framework": None,
        "k": 0.5,
        "k_exact": "1/2",
        "n": 3,
        "poor": 2,
        "excluded": 0,
        "missing": {"i1": 0, "i2": 0},
        "H": 2 / 3,
        "A": 0.75,
        "M0": 0.5,
        "vulnerable": 0.0,
        "severe": 2 / 3,
        "critical": None,
        "weighted": False,
        "exact": True,
        "denominator": 2,
        "indicators": {
            "i1": {
                "dimension": None,
                "weight": 0.5,
                "critical": False,
                "missing": 0,
                "uncensored_headcount": 2 / 3,
                "censored_headcount": 2 / 3,
                "contribution": 2 / 3,  # 1/2 x 2/3 / M0
            },
            "i2": {
                "dimension": None,
                "weight": 0.5,
                "critical": False,
                "missing": 0,
                "uncensored_headcount": third,
                "censored_headcount": third,
                "contribution": third,
            },
        },
        "dimensions": {},
        "distribution": [
            {"score": 0.0, "score_exact": "0", "n": 1, "share": third},
            {"score": 0.5, "score_exact": "1/2", "n": 1, "share": third},
            {"score": 1.0, "score_exact": "1", "n": 1, "share": third},
        ],
        "groups": {
            "a": {
                "n": 2,
                "poor": 2,
                "population_share": 2 / 3,
                "H": 1.0,
                "A": 0.75,
                "M0": 0.75,
                "contribution": 1.0,  # 2/3 x 3/4 / (1/2)
            },
            "b": {
                "n": 1,
                "poor": 0,
                "population_share": third,
                "H": 0.0,
                "A": 0.0,
                "M0": 0.0,
                "contribution": 0.0,
            },
        },
    }


@pytest.mark.parametrize(
    ("n", "d", "by_pattern"),
    [
        (64, 4, False),  # 4 x 16 patterns: not more rows than that
        (65, 4, True),
        (4 * 2**16, 16, False),
        (4 * 2**16 + 1, 16, True),  # the most bits a pattern key holds
        (10**7, 17, False),  # 17 indicators: row by row, however many rows
    ],
)
def test_scores_are_looked_up_by_pattern_when_rows_outnumber_patterns_four_to_one(n, d, by_pattern):
    """A speed rule: both ways give the same scores."""
    from jiuzhu.assessment.engine.weights import scores_by_pattern

    assert scores_by_pattern(n, d) is by_pattern
