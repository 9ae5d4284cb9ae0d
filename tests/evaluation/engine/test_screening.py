"""Screening arithmetic: a worked example with two reviewers, and properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu.evaluation.engine.screening import application_score, rank, review_total

WEIGHTS = {
    "size": 20,
    "professional_staff": 25,
    "signature_projects": 20,
    "qualifications": 15,
    "past_performance": 20,
}


def _scores(*values: int) -> dict[str, int]:
    return dict(zip(WEIGHTS, values, strict=True))


def test_a_worked_example_with_two_reviewers():
    # Applicant A: reviewer 1 gives 80 85 90 80 70, reviewer 2 gives 75 80 85 85 75.
    # R1: (20×80 + 25×85 + 20×90 + 15×80 + 20×70) / 100 = (1600+2125+1800+1200+1400)/100 = 81.25
    # R2: (1500 + 2000 + 1700 + 1275 + 1500) / 100 = 79.75;  A = (81.25 + 79.75) / 2 = 80.50
    a1 = review_total(_scores(80, 85, 90, 80, 70), WEIGHTS)
    a2 = review_total(_scores(75, 80, 85, 85, 75), WEIGHTS)
    assert (a1, a2) == (Decimal("81.25"), Decimal("79.75"))
    a = application_score([a1, a2])
    assert a == Decimal("80.50")
    # Applicant B: R1 60 90 75 70 60 → (1200+2250+1500+1050+1200)/100 = 72.00;
    # R2 65 85 80 75 65 → (1300+2125+1600+1125+1300)/100 = 74.50; B = 73.25.
    b = application_score(
        [
            review_total(_scores(60, 90, 75, 70, 60), WEIGHTS),
            review_total(_scores(65, 85, 80, 75, 65), WEIGHTS),
        ]
    )
    assert b == Decimal("73.25")
    # Applicant C: one review of 40 30 50 35 50 → (800+750+1000+525+1000)/100 = 40.75.
    c = application_score([review_total(_scores(40, 30, 50, 35, 50), WEIGHTS)])
    assert c == Decimal("40.75")
    ranked = rank([("C", c), ("none", None), ("A", a), ("B", b)])
    assert [(r.key, r.rank, r.score) for r in ranked] == [
        ("A", 1, Decimal("80.50")),
        ("B", 2, Decimal("73.25")),
        ("C", 3, Decimal("40.75")),
        ("none", None, None),
    ]


def test_equal_scores_share_a_rank_and_the_next_is_skipped():
    ranked = rank(
        [("a", Decimal("70")), ("b", Decimal("80")), ("c", Decimal("70")), ("d", Decimal("60"))]
    )
    assert [(r.key, r.rank) for r in ranked] == [("b", 1), ("a", 2), ("c", 2), ("d", 4)]


def test_rounding_is_half_up_to_cents():
    # 1×1 + 2×0 = 1 / 3 = 0.333… → 0.33; 2/3 → 0.67; 0.125 → 0.13 (half up, not to even).
    assert review_total({"a": 1, "b": 0, "c": 0}, {"a": 1, "b": 1, "c": 1}) == Decimal("0.33")
    assert review_total({"a": 1, "b": 1, "c": 0}, {"a": 1, "b": 1, "c": 1}) == Decimal("0.67")
    assert application_score([Decimal("0.25"), Decimal("0.00")]) == Decimal("0.13")


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        review_total({"a": 50}, {"b": 1})
    with pytest.raises(ValueError):
        review_total({"a": 50}, {"a": 0})
    with pytest.raises(ValueError):
        review_total({"a": 101}, {"a": 1})
    assert application_score([]) is None


score = st.integers(min_value=0, max_value=100)
weight = st.integers(min_value=0, max_value=100)


@settings(deadline=None)
@given(
    st.lists(st.tuples(score, weight), min_size=1, max_size=8).filter(
        lambda r: any(w for _s, w in r)
    )
)
def test_a_review_total_lies_between_its_lowest_and_highest_weighted_score(rows):
    scores = {str(i): s for i, (s, _w) in enumerate(rows)}
    weights = {str(i): w for i, (_s, w) in enumerate(rows)}
    total = review_total(scores, weights)
    counted = [s for s, w in rows if w]
    assert min(counted) <= total <= max(counted)


@settings(deadline=None)
@given(
    st.lists(st.tuples(score, st.integers(min_value=1, max_value=20)), min_size=1, max_size=6),
    st.integers(min_value=2, max_value=9),
)
def test_scaling_every_weight_changes_nothing(rows, factor):
    scores = {str(i): s for i, (s, _w) in enumerate(rows)}
    weights = {str(i): w for i, (_s, w) in enumerate(rows)}
    scaled = {k: w * factor for k, w in weights.items()}
    assert review_total(scores, weights) == review_total(scores, scaled)


@settings(deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2)), max_size=12)
)
def test_ranks_follow_scores(values):
    ranked = rank(list(enumerate(values)))
    assert sorted(r.key for r in ranked) == list(range(len(values)))
    scored = [r for r in ranked if r.score is not None]
    assert all(a.score >= b.score for a, b in zip(scored, scored[1:], strict=False))
    for r in scored:  # a rank is one more than the number of strictly better scores
        assert r.rank == 1 + sum(1 for o in scored if o.score > r.score)
    assert all(r.rank is None for r in ranked if r.score is None)
