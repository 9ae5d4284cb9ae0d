"""Who the donation pool serves first: elderly people living alone, then households with an
elderly member, then the others; within a rank, in the order asked."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu.timebank.engine.pool import (
    ALONE_ELDERLY,
    ELDERLY,
    OTHERS,
    PoolRequest,
    allocate,
    rank_of,
)


def test_the_order_of_allocation_worked_by_hand():
    # Asked in this order (seq), 10 hours in the pool (600 minutes):
    #   a: a family with a child, 4 h        → rank 2 (others)
    #   b: an old couple, 3 h                 → rank 1 (elderly, not alone)
    #   c: an 80-year-old living alone, 4 h   → rank 0
    #   d: a 59-year-old living alone, 2 h    → rank 2 (alone, but not elderly)
    #   e: a 60-year-old living alone, 5 h    → rank 0
    # Served: c (4 h, 6 left), e (5 h, 1 left), b (1 of 3 h, 0 left), a (0), d (0).
    requests = [
        PoolRequest("a", 240, elderly=False, living_alone=False, seq=0),
        PoolRequest("b", 180, elderly=True, living_alone=False, seq=1),
        PoolRequest("c", 240, elderly=True, living_alone=True, seq=2),
        PoolRequest("d", 120, elderly=False, living_alone=True, seq=3),
        PoolRequest("e", 300, elderly=True, living_alone=True, seq=4),
    ]
    grants = allocate(600, requests)
    assert [(g.key, g.granted, g.rank) for g in grants] == [
        ("c", 240, ALONE_ELDERLY),
        ("e", 300, ALONE_ELDERLY),
        ("b", 60, ELDERLY),
        ("a", 0, OTHERS),
        ("d", 0, OTHERS),
    ]


def test_an_empty_pool_grants_nothing_and_a_full_one_grants_every_request():
    requests = [PoolRequest("x", 60, True, True), PoolRequest("y", 90, False, False, 1)]
    assert [g.granted for g in allocate(0, requests)] == [0, 0]
    assert [g.granted for g in allocate(1000, requests)] == [60, 90]


def test_bad_requests_are_refused():
    with pytest.raises(ValueError):
        allocate(60, [PoolRequest("x", 0, True, True)])
    with pytest.raises(ValueError):
        allocate(60, [PoolRequest("x", 30, True, True), PoolRequest("x", 30, True, True)])


requests_strategy = st.lists(
    st.tuples(st.integers(1, 600), st.booleans(), st.booleans()), min_size=0, max_size=12
)


@settings(max_examples=60, deadline=None)
@given(pool=st.integers(0, 5000), asked=requests_strategy)
def test_the_pool_never_gives_more_than_it_holds_nor_skips_a_higher_rank(pool, asked):
    requests = [
        PoolRequest(str(i), minutes, elderly, alone, seq=i)
        for i, (minutes, elderly, alone) in enumerate(asked)
    ]
    grants = allocate(pool, requests)
    assert sorted(g.key for g in grants) == sorted(r.key for r in requests)
    assert sum(g.granted for g in grants) == min(pool, sum(r.minutes for r in requests))
    assert all(0 <= g.granted <= g.requested for g in grants)
    # Nobody after a request that was not served in full receives anything.
    short = next((i for i, g in enumerate(grants) if g.granted < g.requested), len(grants))
    assert all(g.granted == 0 for g in grants[short + 1 :])
    assert [g.rank for g in grants] == sorted(g.rank for g in grants)
    assert all(rank_of(r) in (ALONE_ELDERLY, ELDERLY, OTHERS) for r in requests)


def test_bad_requests_are_refused_with_the_rule():
    with pytest.raises(ValueError, match="^the pool and every request are positive$"):
        allocate(-1, [])
    with pytest.raises(ValueError, match="^one request per account$"):
        allocate(60, [PoolRequest("x", 30, True, True), PoolRequest("x", 30, True, True)])
