"""Hypothesis properties of the Alkire–Foster measures.

The expected side is always computed here, independently, with exact Fractions, never by calling
the engine's own scoring: censored scores, M0 as their plain (or sample-weighted) mean, etc.
"""

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu.assessment.engine import (
    compute_measures,
    evaluate,
    framework_from_dict,
    score_household,
)

TOL = 1e-9


@st.composite
def problems(draw, weighted=False):
    """Weights (Fractions summing to 1), a 0/1 matrix, a cutoff k, groups, sample weights."""
    d = draw(st.integers(1, 5))
    parts = draw(st.lists(st.integers(1, 12), min_size=d, max_size=d))
    weights = [Fraction(p, sum(parts)) for p in parts]
    n = draw(st.integers(0, 25))
    rows = draw(st.lists(st.lists(st.booleans(), min_size=d, max_size=d), min_size=n, max_size=n))
    g0 = np.array(rows, dtype=bool).reshape(n, d)
    # Half the time k is an achievable score, so the c_i == k edge case is exercised often.
    subset = draw(st.lists(st.booleans(), min_size=d, max_size=d))
    on_score = sum((w for w, s in zip(weights, subset, strict=True) if s), Fraction(0))
    free = Fraction(draw(st.integers(1, 30)), 30)
    k = on_score if draw(st.booleans()) and on_score > 0 else free
    groups = draw(st.lists(st.sampled_from("abc"), min_size=n, max_size=n))
    sw = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)) if weighted else [1] * n
    return weights, g0, k, groups, sw


def exact_scores(weights, g0):
    return [sum((w for w, x in zip(weights, row, strict=True) if x), Fraction(0)) for row in g0]


def weighted_mean(values, sw):
    total = sum(sw)
    return (
        sum((v * s for v, s in zip(values, sw, strict=True)), Fraction(0)) / total if total else 0
    )


def run_engine(weights, g0, k, groups, sw, weighted):
    kwargs = {"groups": groups}
    if weighted:
        kwargs["sample_weights"] = np.array(sw, dtype=float)
    return compute_measures(g0, [str(w) for w in weights], k, **kwargs)


@settings(max_examples=150, deadline=None)
@given(st.booleans(), st.data())
def test_m0_is_mean_of_censored_scores_and_equals_h_times_a(weighted, data):
    weights, g0, k, groups, sw = data.draw(problems(weighted))
    m = run_engine(weights, g0, k, groups, sw, weighted)
    c = exact_scores(weights, g0)
    censored = [ci if ci >= k else Fraction(0) for ci in c]
    m0 = weighted_mean(censored, sw)
    assert abs(float(m0) - m.H * m.A) < TOL
    assert abs(float(m0) - m.M0) < TOL
    assert m.poor == sum(ci >= k for ci in c)


@settings(max_examples=150, deadline=None)
@given(st.booleans(), st.data())
def test_contributions_from_censored_headcounts_sum_to_one(weighted, data):
    weights, g0, k, groups, sw = data.draw(problems(weighted))
    m = run_engine(weights, g0, k, groups, sw, weighted)
    c = exact_scores(weights, g0)
    poor = [ci >= k for ci in c]
    for j, ind in enumerate(m.indicators):
        h_k = weighted_mean(
            [Fraction(bool(row[j] and p)) for row, p in zip(g0, poor, strict=True)], sw
        )
        assert abs(float(h_k) - ind.censored_headcount) < TOL
    if m.M0 > 0:
        from_headcounts = sum(
            float(w) * i.censored_headcount / m.M0
            for w, i in zip(weights, m.indicators, strict=True)
        )
        assert abs(from_headcounts - 1) < 1e-9
        assert abs(sum(i.contribution for i in m.indicators) - 1) < 1e-9
    else:
        assert all(i.contribution == 0 for i in m.indicators)
        assert m.A == 0


@settings(max_examples=150, deadline=None)
@given(st.booleans(), st.data())
def test_population_weighted_subgroup_m0_adds_up_to_total(weighted, data):
    weights, g0, k, groups, sw = data.draw(problems(weighted))
    m = run_engine(weights, g0, k, groups, sw, weighted)
    total = sum(g.population_share * g.M0 for g in m.groups)
    assert abs(total - m.M0) < TOL
    assert abs(sum(g.population_share * g.H for g in m.groups) - m.H) < TOL
    c = exact_scores(weights, g0)
    for g in m.groups:
        rows = [i for i, label in enumerate(groups) if label == g.label]
        censored = [c[i] if c[i] >= k else Fraction(0) for i in rows]
        assert abs(float(weighted_mean(censored, [sw[i] for i in rows])) - g.M0) < TOL
        assert g.n == len(rows)
    if m.M0 > 0:
        assert abs(sum(g.contribution for g in m.groups) - 1) < TOL


@settings(max_examples=100, deadline=None)
@given(st.booleans(), st.data(), st.integers(1, 30), st.integers(1, 30))
def test_raising_k_never_raises_h(weighted, data, a, b):
    weights, g0, _, groups, sw = data.draw(problems(weighted))
    low, high = sorted([Fraction(a, 30), Fraction(b, 30)])
    h_low = run_engine(weights, g0, low, groups, sw, weighted).H
    h_high = run_engine(weights, g0, high, groups, sw, weighted).H
    assert h_high <= h_low


def framework_for(weights, k):
    dims = [
        {
            "name": f"d{j}",
            "indicators": [{"name": f"x{j}", "weight": str(w), "deprived_if": "true"}],
        }
        for j, w in enumerate(weights)
    ]
    return framework_from_dict({"name": "prop", "poverty_cutoff": str(k), "dimensions": dims})


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_k_at_or_below_smallest_weight_is_the_union(data):
    weights, g0, _, _, _ = data.draw(problems())
    k = min(weights) * Fraction(data.draw(st.integers(1, 10)), 10)
    columns = {f"x{j}": g0[:, j].astype(int) for j in range(len(weights))}
    ev = evaluate(framework_for(weights, k), columns)
    assert ev.poor.tolist() == g0.any(axis=1).tolist()


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_k_equal_one_is_the_intersection(data):
    weights, g0, _, _, _ = data.draw(problems())
    columns = {f"x{j}": g0[:, j].astype(int) for j in range(len(weights))}
    ev = evaluate(framework_for(weights, 1), columns)
    assert ev.poor.tolist() == g0.all(axis=1).tolist()
    if len(g0):
        m = compute_measures(ev)
        assert float(Fraction(int(g0.all(axis=1).sum()), len(g0))) == m.H


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_identification_matches_exact_fractions_row_by_row(data):
    weights, g0, k, _, _ = data.draw(problems())
    fw = framework_for(weights, k)
    columns = {f"x{j}": g0[:, j].astype(int) for j in range(len(weights))}
    ev = evaluate(fw, columns)
    c = exact_scores(weights, g0)
    assert ev.poor.tolist() == [ci >= k for ci in c]
    for i, row in enumerate(g0):
        one = score_household(fw, {f"x{j}": int(x) for j, x in enumerate(row)})
        assert one.score == c[i]
        assert one.poor is (c[i] >= k)


def flat(d, prefix=""):
    """Flatten a to_dict() report into {path: value} for comparison."""
    items = d.items() if isinstance(d, dict) else enumerate(d)
    out = {}
    for key, value in items:
        if isinstance(value, dict | list):
            out.update(flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


@settings(max_examples=100, deadline=None)
@given(st.booleans(), st.data())
def test_cell_compression_and_row_by_row_paths_agree(weighted, data):
    weights, g0, k, groups, sw = data.draw(problems(weighted))
    kwargs = {"groups": groups, "sample_weights": np.array(sw, float) if weighted else None}
    args = (g0, [str(w) for w in weights], k)
    packed = flat(compute_measures(*args, compress=True, **kwargs).to_dict())
    by_row = flat(compute_measures(*args, compress=False, **kwargs).to_dict())
    assert packed.keys() == by_row.keys()
    for key, value in packed.items():
        if isinstance(value, float) and weighted:
            assert abs(value - by_row[key]) < TOL, key
        else:
            assert value == by_row[key], key
