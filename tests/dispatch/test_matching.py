"""The assignment engine on hand-built cases whose optimum is worked out in the comments."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from jiuzhu.dispatch.engine.matching import (
    EARTH_RADIUS_KM,
    NO_CAPACITY_LEFT,
    NO_ELIGIBLE_PROVIDER,
    URGENCY_WEIGHTS,
    Assignment,
    CostWeights,
    MatchingError,
    Orders,
    PairCosts,
    Pairs,
    Providers,
    Unassigned,
    assign,
    assign_greedy,
    eligible_pairs,
    haversine_km,
    pair_costs,
)

KM = 180 / (math.pi * EARTH_RADIUS_KM)  # degrees of longitude per km on the equator


def orders(n, *, urgency=None, created=None, item=None, area=None, lon=None, excluded=None):
    return Orders(
        ids=[f"o{i}" for i in range(n)],
        lat=np.zeros(n),
        lon=np.zeros(n) if lon is None else lon,
        item=np.zeros(n, dtype=int) if item is None else item,
        urgency=urgency,
        created=created,
        area=area,
        excluded=excluded,
    )


def providers(capacity, **kw):
    m = len(capacity)
    return Providers(
        ids=[f"p{j}" for j in range(m)],
        lat=kw.pop("lat", np.zeros(m)),
        lon=kw.pop("lon", np.zeros(m)),
        capacity=capacity,
        **kw,
    )


def given(o, p, pairs_with_costs):
    """Pairs and costs from {(order, provider): cost}."""
    pairs = Pairs.of(
        [k[0] for k in pairs_with_costs],
        [k[1] for k in pairs_with_costs],
        n_orders=len(o),
        n_providers=len(p),
    )
    costs = [pairs_with_costs[(a, b)] for a, b in zip(pairs.order, pairs.provider, strict=True)]
    return pairs, PairCosts.given(pairs, costs, n_orders=len(o))


def outcome(result):
    """{order id: provider id or reason}."""
    return {
        d.order_id: d.provider_id if isinstance(d, Assignment) else d.reason
        for d in result.decisions()
    }


# --------------------------------------------------------------------------- greedy is wrong


def test_greedy_strands_an_order_the_optimum_serves():
    # o0 (created first) may go to p0 (cost 1) or p1 (cost 2); o1 only to p0 (cost 3);
    # capacities 1 and 1.
    # greedy: o0 -> p0 (its cheapest, 1); o1 finds p0 full -> unassigned. 1 order, cost 1.
    # optimum: o0 -> p1 (2) and o1 -> p0 (3): 2 orders, cost 5. Serving both beats any saving.
    o, p = orders(2), providers([1, 1])
    pairs, costs = given(o, p, {(0, 0): 1.0, (0, 1): 2.0, (1, 0): 3.0})
    greedy = assign_greedy(o, p, pairs, costs=costs)
    assert outcome(greedy) == {"o0": "p0", "o1": NO_CAPACITY_LEFT}
    best = assign(o, p, pairs, costs=costs)
    assert outcome(best) == {"o0": "p1", "o1": "p0"}
    assert best.n_assigned == 2 and best.total_cost == pytest.approx(5.0)


def test_greedy_pays_more_for_the_same_number_of_orders():
    # o0: p0 costs 1, p1 costs 2.  o1: p0 costs 2, p1 costs 10.  Capacities 1 and 1.
    # greedy: o0 -> p0 (1), then o1 -> p1 (10): total 11.
    # optimum: o0 -> p1 (2) + o1 -> p0 (2) = 4 (the other way round is 1 + 10 = 11).
    o, p = orders(2), providers([1, 1])
    pairs, costs = given(o, p, {(0, 0): 1.0, (0, 1): 2.0, (1, 0): 2.0, (1, 1): 10.0})
    greedy = assign_greedy(o, p, pairs, costs=costs)
    best = assign(o, p, pairs, costs=costs)
    assert greedy.total_cost == pytest.approx(11.0)
    assert outcome(best) == {"o0": "p1", "o1": "p0"}
    assert best.total_cost == pytest.approx(4.0)


def test_a_chain_of_three_is_reassigned_as_a_whole():
    # p0, p1, p2 with capacity 1 each. o0: p0 (1) or p1 (2); o1: p1 (1) or p2 (2); o2: p0 (5)
    # only. Greedy in creation order: o0 -> p0 (1), o1 -> p1 (1), o2 finds p0 full ->
    # unassigned: 2 orders, cost 2.
    # Optimum must serve all 3: o2 -> p0 (5) forces o0 -> p1 (2) forces o1 -> p2 (2): cost 9.
    o, p = orders(3), providers([1, 1, 1])
    pairs, costs = given(o, p, {(0, 0): 1.0, (0, 1): 2.0, (1, 1): 1.0, (1, 2): 2.0, (2, 0): 5.0})
    assert assign_greedy(o, p, pairs, costs=costs).n_assigned == 2
    best = assign(o, p, pairs, costs=costs)
    assert outcome(best) == {"o0": "p1", "o1": "p2", "o2": "p0"}
    assert best.total_cost == pytest.approx(9.0)


def test_capacity_two_shared_by_the_cheapest_pairs():
    # p0 capacity 2, p1 capacity 1. Costs: o0 (p0 1, p1 4), o1 (p0 1, p1 3), o2 (p0 1, p1 1).
    # All three are served; one goes to p1. Choosing which: o0 -> p1 adds 4 - 1 = 3,
    # o1 -> p1 adds 3 - 1 = 2, o2 -> p1 adds 1 - 1 = 0. Optimum: o2 -> p1, total 1 + 1 + 1 = 3.
    # Greedy in array order: o0 -> p0, o1 -> p0, o2 finds p0 full -> p1 (1): also 3. With
    # reversed creation times: o2 -> p0 (tie with p1, first listed), o1 -> p0, o0 finds p0 full
    # -> p1 (4): total 1 + 1 + 4 = 6.
    o = orders(3, created=[3, 2, 1])
    p = providers([2, 1])
    pairs, costs = given(
        o, p, {(0, 0): 1.0, (0, 1): 4.0, (1, 0): 1.0, (1, 1): 3.0, (2, 0): 1.0, (2, 1): 1.0}
    )
    greedy = assign_greedy(o, p, pairs, costs=costs)
    assert outcome(greedy) == {"o0": "p1", "o1": "p0", "o2": "p0"}
    assert greedy.total_cost == pytest.approx(6.0)
    best = assign(o, p, pairs, costs=costs)
    assert best.total_cost == pytest.approx(3.0)
    assert outcome(best)["o2"] == "p1"
    assert list(best.taken) == [2, 1]


# --------------------------------------------------------------------------- urgency


def test_urgent_order_wins_the_last_capacity():
    # One place left at p0. o0 (watch, created first) costs 1 there; o1 (urgent) costs 5.
    # Weighted reward: serving o1 is worth 4 units of urgency, o0 only 1, so o1 gets it
    # although it costs more; greedy (first come) gives it to o0.
    o = orders(2, urgency=[URGENCY_WEIGHTS["watch"], URGENCY_WEIGHTS["urgent"]])
    p = providers([1])
    pairs, costs = given(o, p, {(0, 0): 1.0, (1, 0): 5.0})
    assert outcome(assign_greedy(o, p, pairs, costs=costs)) == {"o0": "p0", "o1": NO_CAPACITY_LEFT}
    assert outcome(assign(o, p, pairs, costs=costs)) == {"o0": NO_CAPACITY_LEFT, "o1": "p0"}


def test_urgency_never_costs_the_number_served():
    # The urgent o1 can only use p0; o0 can use p0 (cheap) or p1 (expensive). Priority for o1
    # must not leave o0 out: o1 -> p0, o0 -> p1 serves both (cost 100 + 1).
    o = orders(2, urgency=[1.0, 4.0])
    p = providers([1, 1])
    pairs, costs = given(o, p, {(0, 0): 0.0, (0, 1): 100.0, (1, 0): 1.0})
    best = assign(o, p, pairs, costs=costs)
    assert outcome(best) == {"o0": "p1", "o1": "p0"}


def test_urgency_weights_that_differ_slightly_still_rank_first():
    # Weights 1.0 and 1.01 with costs 0 and 1000: the reward scale grows with the cost range
    # over the smallest weight gap, so the more urgent order still wins the single place.
    o = orders(2, urgency=[1.0, 1.01])
    p = providers([1])
    pairs, costs = given(o, p, {(0, 0): 0.0, (1, 0): 1000.0})
    assert outcome(assign(o, p, pairs, costs=costs))["o1"] == "p0"


def test_equal_urgency_keeps_the_cheaper_order():
    o = orders(2, urgency=[2.0, 2.0])
    p = providers([1])
    pairs, costs = given(o, p, {(0, 0): 3.0, (1, 0): 1.0})
    assert outcome(assign(o, p, pairs, costs=costs)) == {"o0": NO_CAPACITY_LEFT, "o1": "p0"}


# --------------------------------------------------------------------------- reasons, edges


def test_unassigned_reasons_and_escalation():
    # o0 has no eligible provider; o1's only provider has no capacity; o2 is served.
    o, p = orders(3), providers([0, 1])
    pairs, costs = given(o, p, {(1, 0): 1.0, (2, 1): 1.0})
    for result in (assign(o, p, pairs, costs=costs), assign_greedy(o, p, pairs, costs=costs)):
        d0, d1, d2 = result.decisions()
        assert isinstance(d0, Unassigned) and d0.reason == NO_ELIGIBLE_PROVIDER and d0.escalate
        assert d0.message == "No eligible provider"
        assert isinstance(d1, Unassigned) and d1.reason == NO_CAPACITY_LEFT and not d1.escalate
        assert isinstance(d2, Assignment) and d2.provider_id == "p1"
        assert result.summary()[NO_ELIGIBLE_PROVIDER] == 1
        assert result.summary()[NO_CAPACITY_LEFT] == 1


def test_a_provider_with_zero_capacity_is_never_used_even_when_cheapest():
    o, p = orders(2), providers([0, 2])
    pairs, costs = given(o, p, {(0, 0): 0.0, (0, 1): 9.0, (1, 0): 0.0, (1, 1): 9.0})
    for result in (assign(o, p, pairs, costs=costs), assign_greedy(o, p, pairs, costs=costs)):
        assert outcome(result) == {"o0": "p1", "o1": "p1"}
        assert list(result.taken) == [0, 2]


def test_capacity_short_everywhere():
    # 5 orders, all eligible at both providers, 1 + 1 places: exactly 2 served.
    o, p = orders(5), providers([1, 1])
    pairs, costs = given(o, p, {(i, j): float(i + j) for i in range(5) for j in range(2)})
    best = assign(o, p, pairs, costs=costs)
    assert best.n_assigned == 2
    # cost(i, j) = i + j; the cheapest way to fill both places uses o0 and o1:
    # o0 -> p0 (0) + o1 -> p1 (2) = 2, or o1 -> p0 (1) + o0 -> p1 (1) = 2.
    assert best.total_cost == pytest.approx(2.0)
    assert set(best.reason[~best.assigned]) == {NO_CAPACITY_LEFT}


def test_empty_inputs():
    no_orders = orders(0)
    some = providers([1, 2])
    for fn in (assign, assign_greedy):
        result = fn(no_orders, some, Pairs.empty())
        assert result.decisions() == [] and result.n_assigned == 0 and result.total_cost == 0
    two = orders(2, area=["s1", "s1"])
    nobody = providers([])
    assert len(eligible_pairs(two, nobody)) == 0
    for fn in (assign, assign_greedy):
        result = fn(two, nobody)
        assert [d.reason for d in result.decisions()] == [NO_ELIGIBLE_PROVIDER] * 2
        assert result.taken.shape == (0,)
    result = assign(two, some, Pairs.empty())
    assert list(result.reason) == [NO_ELIGIBLE_PROVIDER] * 2


def test_no_binding_constraint_assigns_every_pair_without_the_solver():
    # Each order has one pair and no provider is over capacity: every order is served.
    o, p = orders(3), providers([5, 5])
    pairs, costs = given(o, p, {(0, 0): 1.0, (1, 1): 2.0, (2, 0): 3.0})
    assert outcome(assign(o, p, pairs, costs=costs)) == {"o0": "p0", "o1": "p1", "o2": "p0"}


# --------------------------------------------------------------------------- eligibility


def test_eligible_pairs_need_the_area_the_item_and_no_exclusion():
    o = orders(
        4,
        area=["s1", "s1", "s2", "s9"],
        item=[1, 2, 1, 1],
        excluded=[None, None, {"p1", "unknown"}, None],
    )
    p = providers(
        [1, 1, 1],
        items=[{1}, {1, 2}, {1}],
        areas=[{"s1"}, {"s1", "s2"}, {"s2"}],
    )
    pairs = eligible_pairs(o, p)
    # o0 (s1, item 1): p0, p1. o1 (s1, item 2): p1. o2 (s2, item 1): p1 excluded, p2.
    # o3: nobody serves s9.
    assert list(zip(pairs.order.tolist(), pairs.provider.tolist(), strict=True)) == [
        (0, 0),
        (0, 1),
        (1, 1),
        (2, 2),
    ]


def test_eligible_pairs_need_areas():
    with pytest.raises(MatchingError):
        eligible_pairs(orders(1), providers([1]))


def test_pairs_of_sorts_and_deduplicates():
    pairs = Pairs.of([1, 0, 1, 0], [0, 1, 0, 0], n_orders=2, n_providers=2)
    assert pairs.order.tolist() == [0, 0, 1] and pairs.provider.tolist() == [0, 1, 0]
    with pytest.raises(MatchingError):
        Pairs.of([2], [0], n_orders=2, n_providers=1)
    with pytest.raises(MatchingError):  # built directly, they must already be in order
        Pairs(np.array([1, 0]), np.array([0, 0]))
    with pytest.raises(MatchingError):
        Pairs(np.array([0, 0]), np.array([1, 1]))


# --------------------------------------------------------------------------- costs and why


def test_haversine_on_known_distances():
    # On the equator and along a meridian the distance is R * angle.
    assert haversine_km(0, 0, 0, 1) == pytest.approx(EARTH_RADIUS_KM * math.pi / 180)
    assert haversine_km(32, 118.8, 33, 118.8) == pytest.approx(EARTH_RADIUS_KM * math.pi / 180)
    # Xinjiekou to Nanjing South station, about 9 km as the crow flies.
    assert 8 < haversine_km(32.0418, 118.7845, 31.9688, 118.7975) < 9
    assert haversine_km(10, 20, 10, 20) == 0


def test_cost_terms_by_hand():
    # The order sits at the origin. p0: 5 km east, load 3 with 1 place left (3/4 used),
    # rating 4, offers items {0, 1, 2} of which 0 and 1 are in the order item's category A.
    # p1: 10 km east, idle, rating 2, offers only item 0. p2: 0 km, unrated, offers {0, 9}.
    o = orders(1, area=["s"], item=[0])
    p = providers(
        [1, 1, 1],
        lon=[5 * KM, 10 * KM, 0.0],
        load=[3, 0, 0],
        rating=[4.0, 2.0, np.nan],
        items=[{0, 1, 2}, {0}, {0, 9}],
        areas=[{"s"}] * 3,
    )
    category = {0: "A", 1: "A", 2: "B", 9: "B"}
    w = CostWeights()  # distance 1 per 5 km, load 0.5, rating 1, specialisation 0.5
    costs = pair_costs(o, p, eligible_pairs(o, p), weights=w, item_category=category)
    # p0: distance 5/5 = 1; load 0.5 * 3/4 = 0.375; rating (5-4)/4 = 0.25;
    #     specialisation 0.5 * (1 - 2/3) = 1/6.               total 1.791666...
    # p1: distance 2; load 0; rating (5-2)/4 = 0.75; specialisation 0.  total 2.75
    # p2: distance 0; load 0; rating: unrated = mean of rated terms (0.25 + 0.75)/2 = 0.5;
    #     specialisation 0.5 * (1 - 1/2) = 0.25.                  total 0.75
    assert costs.distance_km == pytest.approx([5, 10, 0])
    assert costs.terms["load"] == pytest.approx([0.375, 0, 0])
    assert costs.terms["rating"] == pytest.approx([0.25, 0.75, 0.5])
    assert costs.specialisation == pytest.approx([2 / 3, 1, 1 / 2])
    assert costs.total == pytest.approx([1 + 0.375 + 0.25 + 1 / 6, 2.75, 0.75])
    assert costs.rank.tolist() == [2, 3, 1]
    # Without categories, specialisation is 1 / number of items offered.
    plain = pair_costs(o, p, eligible_pairs(o, p))
    assert plain.specialisation == pytest.approx([1 / 3, 1, 1 / 2])


def test_all_unrated_providers_are_neutral():
    o = orders(1, area=["s"])
    p = providers([1, 1], rating=[np.nan, np.nan], items=[{0}, {0}], areas=[{"s"}, {"s"}])
    costs = pair_costs(o, p, eligible_pairs(o, p))
    assert costs.terms["rating"] == pytest.approx([0.5, 0.5])


def test_an_unknown_location_gets_the_average_distance_term():
    # p0 is 5 km away (term 1), p1 10 km (term 2), p2's base is unknown: (1 + 2) / 2 = 1.5.
    o = orders(1, area=["s"])
    p = providers(
        [1, 1, 1],
        lat=[0.0, 0.0, np.nan],
        lon=[5 * KM, 10 * KM, np.nan],
        items=[{0}] * 3,
        areas=[{"s"}] * 3,
    )
    costs = pair_costs(o, p, eligible_pairs(o, p))
    assert costs.terms["distance"] == pytest.approx([1.0, 2.0, 1.5])
    assert np.isnan(costs.distance_km[2])
    with pytest.raises(MatchingError):
        providers([1], lat=[np.nan], lon=[0.0])


def test_why_records_the_choice_and_serialises_to_json():
    o = orders(1, area=["s"], item=[0])
    p = providers(
        [0, 2, 1],
        lon=[0.0, 2 * KM, 1 * KM],
        load=[4, 1, 0],
        rating=[5.0, np.nan, 3.0],
        items=[{0}, {0, 1}, {0}],
        areas=[{"s"}] * 3,
    )
    result = assign(o, p)
    (d,) = result.decisions()
    assert isinstance(d, Assignment)
    why = d.why
    assert why.eligible == 3
    assert sum(why.terms.values()) == pytest.approx(d.cost) == pytest.approx(why.cost)
    # p0 has no capacity, so the choice is between p1 and p2; the rank counts all three.
    assert d.provider_id in {"p1", "p2"}
    assert 1 <= why.rank <= 3
    data = why.to_dict()
    json.dumps(data, allow_nan=False)
    assert set(data) >= {"distance_km", "load", "rating", "specialisation", "terms", "rank"}
    if d.provider_id == "p1":
        assert data["rating"] is None


def test_why_as_stored_rounds_each_figure_to_its_own_precision():
    """``DispatchOffer.why``: km to metres (3), shares and costs to 4 places, ratings to 2;
    a missing figure (NaN) is null, which JSON can hold."""
    from jiuzhu.dispatch.engine.matching import Why

    why = Why(
        distance_km=1.234567,
        load=2,
        capacity_left=3,
        load_share=0.4444444,
        rating=4.256,
        specialisation=0.333333,
        terms={"distance": 0.123456, "rating": float("nan")},
        cost=1.23456,
        rank=2,
        eligible=5,
    )
    assert why.to_dict() == {
        "distance_km": 1.235,
        "load": 2,
        "capacity_left": 3,
        "load_share": 0.4444,
        "rating": 4.26,
        "specialisation": 0.3333,
        "cost": 1.2346,
        "terms": {"distance": 0.1235, "rating": None},
        "rank": 2,
        "eligible": 5,
    }
    unknown = dataclasses.replace(why, rating=None, distance_km=float("nan")).to_dict()
    assert (unknown["rating"], unknown["distance_km"]) == (None, None)


def test_given_costs_have_no_figures_but_serialise():
    o, p = orders(1), providers([1])
    pairs, costs = given(o, p, {(0, 0): 2.5})
    (d,) = assign(o, p, pairs, costs=costs).decisions()
    data = d.why.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["cost"] == 2.5 and data["distance_km"] is None and data["rank"] == 1


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: providers([-1]), "capacity and load must be ≥ 0"),
        (lambda: providers([1.5]), "capacity must hold whole numbers"),
        (lambda: providers([1], load=[-2]), "capacity and load must be ≥ 0"),
        (lambda: providers([1], load=[1, 2]), "load has 2 values, expected 1"),
        (lambda: providers([1], rating=[5.5]), "ratings must be between 1 and 5 (NaN when none)"),
        (lambda: providers([1], rating=[0.99]), "ratings must be between 1 and 5 (NaN when none)"),
        (lambda: providers([1], rating=[1, 2]), "rating has 2 values, expected 1"),
        (
            lambda: Providers(ids=["a", "a"], lat=[0, 0], lon=[0, 0], capacity=[1, 1]),
            "provider ids must be unique",
        ),
        (
            lambda: Providers(ids=[["a"]], lat=[0], lon=[0], capacity=[1]),
            "provider ids must be one-dimensional",
        ),
        (lambda: providers([1], lat=[0, 0]), "provider lat has 2 values, expected 1"),
        (lambda: providers([1], lon=[[0]]), "provider lon must be one-dimensional"),
        (
            lambda: providers([1], lat=[np.nan]),
            "provider coordinates must be finite, or NaN in both for unknown",
        ),
        (
            lambda: providers([1], lon=[181.0]),
            "provider coordinates out of range (lat ±90, lon ±180)",
        ),
        (lambda: providers([1], items=[{1}, {2}]), "provider items has 2 entries, expected 1"),
        (lambda: providers([1], areas=[{1}, {2}]), "provider areas has 2 entries, expected 1"),
        (lambda: orders(2, urgency=[1.0, 0.0]), "urgency weights must be positive and finite"),
        (lambda: orders(1, urgency=[np.inf]), "urgency weights must be positive and finite"),
        (
            lambda: Orders(ids=[1], lat=[95.0], lon=[0.0], item=[0]),
            "order coordinates out of range (lat ±90, lon ±180)",
        ),
        (
            lambda: Orders(ids=[1, 2], lat=[0.0], lon=[0.0, 0.0], item=[0, 0]),
            "order lat has 1 values, expected 2",
        ),
        (
            lambda: Orders(ids=[1, 1], lat=[0, 0], lon=[0, 0], item=[0, 0]),
            "order ids must be unique",
        ),
        (
            lambda: Orders(ids=[1], lat=[0], lon=[np.inf], item=[0]),
            "order coordinates must be finite, or NaN in both for unknown",
        ),
        (lambda: orders(2, item=[0]), "order item must have 2 values"),
        (lambda: orders(2, area=[0]), "order area must have 2 values"),
        (lambda: orders(2, created=[0]), "order created must have 2 values"),
        (lambda: orders(2, excluded=[{1}]), "excluded has 1 entries, expected 2"),
        (lambda: orders(1, lon=[0, 0]), "order lon has 2 values, expected 1"),
        (lambda: CostWeights(distance=-1), "cost weights must be finite and ≥ 0"),
        (lambda: CostWeights(distance_scale_km=0), "distance_scale_km must be positive"),
        (
            lambda: PairCosts.given(
                Pairs.of([0], [0], n_orders=1, n_providers=1), [-1], n_orders=1
            ),
            "costs must be finite and ≥ 0",
        ),
        (lambda: Pairs.of([1], [0], n_orders=1, n_providers=1), "pair order index out of range"),
        (lambda: Pairs.of([0], [1], n_orders=1, n_providers=1), "pair provider index out of range"),
        (lambda: Pairs.of([-1], [0], n_orders=1, n_providers=1), "pair order index out of range"),
        (
            lambda: Pairs(order=np.array([1, 0]), provider=np.array([0, 0])),
            "pairs must be sorted by order then provider, without repeats",
        ),
        (lambda: Pairs(order=np.array([-1]), provider=np.array([0])), "pair positions must be ≥ 0"),
    ],
)
def test_bad_input_is_refused_saying_what_is_wrong(build, message):
    with pytest.raises(MatchingError) as caught:
        build()
    assert str(caught.value) == message


def test_ratings_of_exactly_one_and_five_and_none_are_accepted():
    p = providers([1, 1, 1], rating=[1.0, 5.0, np.nan], load=[0, 3, 0])
    assert p.rating[:2].tolist() == [1.0, 5.0] and np.isnan(p.rating[2])
    assert p.load.tolist() == [0, 3, 0] and p.load.dtype == np.int64
    assert providers([2]).load.tolist() == [0]


def test_costs_must_match_the_pairs():
    o, p = orders(1), providers([1])
    _, costs = given(o, p, {(0, 0): 1.0})
    with pytest.raises(MatchingError):
        assign(o, p, Pairs.empty(), costs=costs)


# --------------------------------------------------------------------------- outcomes and options


def test_the_summary_counts_each_outcome_for_both_methods():
    """Order 0 can go to p0 only, order 1 to p0 only (p0 takes one), order 2 to nobody."""
    o = orders(3, area=["a", "a", "b"], item=[0, 0, 0], urgency=[2.0, 1.0, 1.0])
    p = providers([1], areas=[{"a"}], items=[{0}])
    for run, method in ((assign, "optimal"), (assign_greedy, "greedy")):
        result = run(o, p)
        summary = result.summary()
        assert summary == {
            "method": method,
            "orders": 3,
            "assigned": 1,
            NO_ELIGIBLE_PROVIDER: 1,
            NO_CAPACITY_LEFT: 1,
            "total_cost": pytest.approx(float(result.cost[0])),
            "urgency_assigned": 2.0,  # order 0, the urgent one, in both
        }
        assert [type(d).__name__ for d in result.decisions()] == [
            "Assignment",
            "Unassigned",
            "Unassigned",
        ]
        assert [getattr(d, "reason", "") for d in result.decisions()] == [
            "",
            NO_CAPACITY_LEFT,
            NO_ELIGIBLE_PROVIDER,
        ]


def test_cost_weights_and_item_categories_reach_the_costs_of_both_methods():
    o = orders(2, area=["a", "a"], item=[0, 1], lon=[0.0, 3 * KM])
    p = providers(
        [2, 2],
        lon=[0.0, 1 * KM],
        rating=[2.0, 5.0],
        load=[1, 0],
        areas=[{"a"}] * 2,
        items=[{0, 1}, {1}],
    )
    weights = CostWeights(distance=0.5, load=2.0, rating=3.0, specialisation=1.5)
    category = {0: "meal", 1: "clean"}
    pairs = eligible_pairs(o, p)
    expected = pair_costs(o, p, pairs, weights=weights, item_category=category).total
    default = pair_costs(o, p, pairs).total
    assert not np.allclose(expected, default)  # the options change the figures
    for run in (assign, assign_greedy):
        got = run(o, p, weights=weights, item_category=category).costs.total
        assert got.tolist() == pytest.approx(expected.tolist())


def test_an_order_with_a_single_pair_is_still_taken_once_when_the_solver_runs():
    """o0 can only go to p0 (plenty of room); o1 and o2 compete for p1's one place, so the LP
    runs with o0 unconstrained by any order row: its pair must still be 0 or 1, not more."""
    o = orders(3, area=["a", "b", "b"], item=[0, 0, 0])
    p = providers([5, 1], areas=[{"a"}, {"b"}], items=[{0}, {0}])
    result = assign(o, p)
    assert result.provider.tolist()[0] == 0 and result.n_assigned == 2
    assert result.taken.tolist() == [1, 1]


def test_pairs_or_costs_that_do_not_fit_the_inputs_are_refused():
    o, p = orders(1), providers([1])
    for pairs in (
        Pairs(order=np.array([0]), provider=np.array([1])),
        Pairs(order=np.array([1]), provider=np.array([0])),
    ):
        with pytest.raises(MatchingError) as caught:
            assign(o, p, pairs)
        assert str(caught.value) == "pairs refer to orders or providers that are not given"
    _, costs = given(o, p, {(0, 0): 1.0})
    with pytest.raises(MatchingError) as caught:
        assign(o, p, Pairs.empty(), costs=costs)
    assert str(caught.value) == "costs do not match the pairs"
    one = Pairs.of([0], [0], n_orders=1, n_providers=1)
    with pytest.raises(MatchingError) as caught:
        PairCosts.given(one, [1.0, 2.0], n_orders=1)
    assert str(caught.value) == "costs has 2 values, expected 1"
    assert list(PairCosts.given(one, [1.0], n_orders=1).terms) == ["given"]


def test_neutral_terms_when_nothing_is_known_and_a_full_provider_with_no_capacity():
    """No location known anywhere: the distance term is 0 for every pair; nobody rated: the
    rating term is the neutral 0.5; load 1 and capacity 0 is full (share 1), 0 and 0 is idle."""
    o = Orders(ids=[1], lat=[np.nan], lon=[np.nan], item=[0], area=["a"])
    p = Providers(
        ids=["x", "y"], lat=[np.nan] * 2, lon=[np.nan] * 2, capacity=[0, 0], load=[1, 0],
        items=[{0}, {0}], areas=[{"a"}, {"a"}],
    )  # fmt: skip
    costs = pair_costs(o, p, eligible_pairs(o, p))
    assert costs.terms["distance"].tolist() == [0.0, 0.0]
    assert costs.terms["rating"].tolist() == pytest.approx([0.5 * CostWeights().rating] * 2)
    assert costs.load_share.tolist() == [1.0, 0.0]
