"""The assignment engine's inputs and outputs at their edges (docs/dispatch-matching.md): how
arrays are normalised and refused, which coordinates and weights are allowed, unknown items,
categories given as a mapping or an array, the great-circle distance, the why record, ranks,
ties in the first-come baseline, and the LP's variable bound. Every expected value is worked
out in the comment beside it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from jiuzhu.dispatch.engine.matching import (
    EARTH_RADIUS_KM,
    CostWeights,
    MatchingError,
    Orders,
    PairCosts,
    Pairs,
    Providers,
    assign,
    assign_greedy,
    eligible_pairs,
    haversine_km,
    pair_costs,
)


def refused(build) -> str:
    with pytest.raises(MatchingError) as caught:
        build()
    return str(caught.value)


def at_origin(n, **kw):
    return Orders(ids=[f"o{i}" for i in range(n)], lat=[0.0] * n, lon=[0.0] * n, **kw)


def based_at_origin(m, **kw):
    return Providers(ids=[f"p{j}" for j in range(m)], lat=[0.0] * m, lon=[0.0] * m, **kw)


# ---------------------------------------------------------------- pairs


def test_pairs_are_refused_by_name_and_kept_as_integer_arrays():
    assert refused(lambda: Pairs([0.5], [0])) == "pair order must hold whole numbers"
    assert refused(lambda: Pairs([0, 1], [0])) == "pair provider has 1 values, expected 2"
    assert (
        refused(lambda: Pairs.of([0.5], [0], n_orders=1, n_providers=1))
        == "pair order must hold whole numbers"
    )
    assert (
        refused(lambda: Pairs.of([0, 1], [0], n_orders=2, n_providers=1))
        == "pair provider has 1 values, expected 2"
    )
    pairs = Pairs([0, 1], [1, 0])
    assert isinstance(pairs.order, np.ndarray) and pairs.order.dtype == np.int64
    assert isinstance(pairs.provider, np.ndarray) and pairs.provider.dtype == np.int64


@pytest.mark.parametrize(
    ("order", "provider"),
    [([0, 2, 1], [0, 0, 0]), ([0, 0, 0], [0, 2, 1])],
    ids=["orders out of order", "providers out of order"],
)
def test_pairs_out_of_order_anywhere_are_refused(order, provider):
    """Three pairs, the first two in order and the third before the second."""
    message = "pairs must be sorted by order then provider, without repeats"
    assert refused(lambda: Pairs(order, provider)) == message


# ---------------------------------------------------------------- orders and providers


def test_orders_are_normalised_and_refused_by_name():
    orders = Orders(
        ids=[1, 2],
        lat=[0, 1],
        lon=[0, 1],
        item=[0, 0],
        urgency=[1, 2],
        created=[2, 1],
        excluded=[None, ["p1"]],
    )
    assert orders.lat.dtype == np.float64 and orders.lon.dtype == np.float64
    assert orders.urgency.dtype == np.float64
    assert isinstance(orders.created, np.ndarray)
    assert orders.excluded == (frozenset(), frozenset({"p1"}))
    assert (
        refused(lambda: at_origin(2, item=[0, 0], urgency=[1.0, 2.0, 3.0]))
        == "urgency has 3 values, expected 2"
    )


def test_providers_are_normalised_and_refused_by_name():
    providers = Providers(
        ids=["a", "b"], lat=[0, 1], lon=[0, 1], capacity=[2.0, 3.0], rating=[5, 4]
    )
    assert providers.capacity.tolist() == [2, 3] and providers.capacity.dtype == np.int64
    assert providers.load.tolist() == [0, 0] and providers.load.dtype == np.int64
    assert providers.lat.dtype == np.float64 and providers.lon.dtype == np.float64
    assert providers.rating.dtype == np.float64
    assert providers.areas == (frozenset(), frozenset())
    assert providers.items == (frozenset(), frozenset())
    assert refused(lambda: based_at_origin(1, capacity=[1.5])) == "capacity must hold whole numbers"
    assert refused(lambda: based_at_origin(1, capacity=[np.inf])) == (
        "capacity must hold whole numbers"
    )
    assert refused(lambda: based_at_origin(2, capacity=[1])) == "capacity has 1 values, expected 2"
    assert (
        refused(lambda: Providers(ids=["a", "b"], lat=[0, 0], lon=[0], capacity=[1, 1]))
        == "provider lon has 1 values, expected 2"
    )


def test_coordinates_on_the_poles_and_the_date_line_are_allowed():
    Providers(ids=list("abcd"), lat=[90, -90, 0, 0], lon=[0, 0, 180, -180], capacity=[1] * 4)
    out_of_range = "provider coordinates out of range (lat ±90, lon ±180)"
    assert refused(lambda: Providers(ids=["a"], lat=[90.5], lon=[0], capacity=[1])) == out_of_range
    assert refused(lambda: Providers(ids=["a"], lat=[0], lon=[180.5], capacity=[1])) == out_of_range
    infinite = "order coordinates must be finite, or NaN in both for unknown"
    assert refused(lambda: Orders(ids=[1], lat=[np.inf], lon=[0.0], item=[0])) == infinite


def test_zero_weights_and_a_short_distance_scale_are_allowed():
    weights = CostWeights(distance=1.0, distance_scale_km=0.5, load=0.0, rating=0.0)
    assert (weights.load, weights.distance_scale_km) == (0.0, 0.5)
    assert refused(lambda: CostWeights(load=-0.1)) == "cost weights must be finite and ≥ 0"


# ---------------------------------------------------------------- eligibility


def test_eligible_pairs_needs_the_orders_areas():
    orders = at_origin(1, item=["x"])
    providers = based_at_origin(1, capacity=[1], items=[{"x"}], areas=[{"A"}])
    assert refused(lambda: eligible_pairs(orders, providers)) == "eligible_pairs needs Orders.area"


def test_an_item_nobody_offers_has_no_pair_even_where_providers_serve():
    """p0 serves areas A and B and offers x and y. The order is in A and wants z: no pair. (The
    unknown item must not fall onto a known item's or area's row.)"""
    orders = at_origin(3, item=["z", "y", "x"], area=["A", "A", "B"])
    providers = based_at_origin(1, capacity=[3], items=[["x", "y"]], areas=[["A", "B"]])
    pairs = eligible_pairs(orders, providers)
    assert (pairs.order.tolist(), pairs.provider.tolist()) == ([1, 2], [0, 0])


# ---------------------------------------------------------------- costs


def test_the_great_circle_distance_by_the_spherical_law_of_cosines():
    """(30° N, 0°) to (31° N, 1° E), and two antipodal points (half the circumference)."""
    phi1, phi2, dlmb = map(math.radians, (30.0, 31.0, 1.0))
    central = math.acos(
        math.sin(phi1) * math.sin(phi2) + math.cos(phi1) * math.cos(phi2) * math.cos(dlmb)
    )
    assert float(haversine_km(30.0, 0.0, 31.0, 1.0)) == pytest.approx(EARTH_RADIUS_KM * central)
    half = math.pi * EARTH_RADIUS_KM
    assert float(haversine_km(10.0, 0.0, -10.0, 180.0)) == pytest.approx(half)


def test_an_unrated_provider_costs_the_average_of_the_rated_ones():
    """p0 has 5 stars (rating term 0), p1 3 stars (term 1/2), p2 none: (0 + 1/2) / 2 = 1/4."""
    orders = at_origin(1, item=[0], area=["A"])
    providers = based_at_origin(
        3, capacity=[1, 1, 1], rating=[5.0, 3.0, np.nan], items=[[0]] * 3, areas=[["A"]] * 3
    )
    costs = pair_costs(orders, providers, eligible_pairs(orders, providers))
    assert costs.terms["rating"].tolist() == pytest.approx([0.0, 0.5, 0.25])


def test_ranks_count_within_each_order():
    """o0: p0 costs 2, p1 1 → ranks 2, 1; o1: p0 1, p1 3 → ranks 1, 2."""
    pairs = Pairs.of([0, 0, 1, 1], [0, 1, 0, 1], n_orders=2, n_providers=2)
    costs = PairCosts.given(pairs, [2.0, 1.0, 1.0, 3.0], n_orders=2)
    assert costs.rank.tolist() == [2, 1, 1, 2]
    assert costs.n_eligible.tolist() == [2, 2]


def specialists():
    """Item 0 and 2 are in category A, item 1 in B. p0 offers 0 and 1 (half its items in A),
    p1 offers 0 and 2 (all in A); both at the order's place, same load and no ratings. The
    order wants item 0: p1 is the specialist and cheaper by 0.5 × (1 − 1/2) = 0.25."""
    orders = at_origin(1, item=[0], area=["A"])
    providers = based_at_origin(2, capacity=[1, 1], items=[[0, 1], [0, 2]], areas=[["A"], ["A"]])
    return orders, providers


@pytest.mark.parametrize("solve", [assign, assign_greedy], ids=["optimal", "greedy"])
@pytest.mark.parametrize(
    "categories", [{0: "A", 1: "B", 2: "A"}, ["A", "B", "A"]], ids=["mapping", "array"]
)
def test_the_items_categories_reach_both_methods(solve, categories):
    orders, providers = specialists()
    dispatch = solve(orders, providers, item_category=categories)
    assert dispatch.decision(0).provider_id == "p1"
    assert dispatch.decision(0).why.specialisation == 1.0
    # Without categories both providers offer two items (share 1/2): the tie goes to p0.
    assert solve(orders, providers).decision(0).provider_id == "p0"


def test_an_item_without_a_category_has_no_share_in_any():
    """Categories are known for items 1 and 2 only; the order's item 0 has none: share 0."""
    orders, providers = specialists()
    costs = pair_costs(
        orders, providers, eligible_pairs(orders, providers), item_category={1: "B", 2: "A"}
    )
    assert costs.specialisation.tolist() == [0.0, 0.0]
    costs = pair_costs(orders, providers, eligible_pairs(orders, providers), item_category={5: "C"})
    assert costs.specialisation.tolist() == [0.0, 0.0]


# ---------------------------------------------------------------- results


def test_the_why_record_carries_the_figures_of_the_chosen_provider():
    """The order at (0°, 0°); p0 at (0°, 0.09°) ≈ 10.008 km, 1 order in hand and 3 places left
    (load share 1/4), 4 stars, offering two items without categories (share 1/2)."""
    orders = Orders(ids=[7], lat=[0.0], lon=[0.0], item=[0], area=["A"])
    providers = Providers(
        ids=[11],
        lat=[0.0],
        lon=[0.09],
        capacity=[3],
        load=[1],
        rating=[4.0],
        items=[[0, 1]],
        areas=[["A"]],
    )
    decision = assign(orders, providers).decision(0)
    assert type(decision.order_id) is int and type(decision.provider_id) is int
    why = decision.why
    km = math.radians(0.09) * EARTH_RADIUS_KM
    assert why.distance_km == pytest.approx(km)
    assert (why.load, why.capacity_left, why.load_share) == (1, 3, 0.25)
    assert (why.rating, why.specialisation) == (4.0, 0.5)
    unrated = Providers(ids=[11], lat=[0.0], lon=[0.0], capacity=[1], items=[[0]], areas=[["A"]])
    assert assign(orders, unrated).decision(0).why.rating is None


@pytest.mark.parametrize("solve", [assign, assign_greedy], ids=["optimal", "greedy"])
def test_the_result_arrays_per_order(solve):
    """o0 → p1 (cost 1), o1 unassigned (its one provider p1 is full), as positions."""
    orders = at_origin(2, item=[0, 0])
    providers = based_at_origin(2, capacity=[0, 1])
    pairs = Pairs.of([0, 0, 1], [0, 1, 1], n_orders=2, n_providers=2)
    costs = PairCosts.given(pairs, [0.5, 1.0, 2.0], n_orders=2)
    dispatch = solve(orders, providers, pairs, costs=costs)
    assert dispatch.provider.tolist() == [1, -1]
    assert dispatch.cost[0] == 1.0 and math.isnan(dispatch.cost[1])
    assert dispatch.taken.tolist() == [0, 1]


def test_the_first_come_baseline_breaks_ties_in_time_by_array_order():
    """100 orders placed at the same instant, one provider with 50 places: the first 50."""
    orders = at_origin(100, item=[0] * 100, created=[5] * 100)
    providers = based_at_origin(1, capacity=[50])
    pairs = Pairs.of(np.arange(100), np.zeros(100, dtype=int), n_orders=100, n_providers=1)
    costs = PairCosts.given(pairs, np.zeros(100), n_orders=100)
    served = assign_greedy(orders, providers, pairs, costs=costs).assigned
    assert np.flatnonzero(served).tolist() == list(range(50))


def test_orders_placed_at_the_same_time_keep_their_array_order_among_many():
    """999 orders placed at three instants (order i at instant i mod 3), one provider with 400
    places: the 333 of the first instant, then the first 67 of the second (orders 1, 4, …,
    199) — ties keep the array order however the times are interleaved."""
    n = 999
    orders = at_origin(n, item=[0] * n, created=[i % 3 for i in range(n)])
    providers = based_at_origin(1, capacity=[400])
    pairs = Pairs.of(np.arange(n), np.zeros(n, dtype=int), n_orders=n, n_providers=1)
    costs = PairCosts.given(pairs, np.zeros(n), n_orders=n)
    served = set(np.flatnonzero(assign_greedy(orders, providers, pairs, costs=costs).assigned))
    assert served == set(range(0, n, 3)) | set(range(1, 200, 3))


def test_a_variable_takes_at_most_one_order():
    """p0 has 2 places and is the only provider of o0, o1, o2 (o0 the cheapest). Were a pair
    allowed to count twice, o0 alone would fill p0; two orders are served."""
    orders = at_origin(3, item=[0, 0, 0])
    providers = based_at_origin(1, capacity=[2])
    pairs = Pairs.of([0, 1, 2], [0, 0, 0], n_orders=3, n_providers=1)
    costs = PairCosts.given(pairs, [0.0, 1.0, 1.0], n_orders=3)
    dispatch = assign(orders, providers, pairs, costs=costs)
    assert dispatch.n_assigned == 2 and dispatch.assigned[0]


def test_a_pair_outside_every_binding_row_still_counts():
    """o0 may go to p0 or p1 (one binding row); o1's one pair, to p2 with room, is the last
    variable and in no row: both orders are served."""
    orders = at_origin(2, item=[0, 0])
    providers = based_at_origin(3, capacity=[1, 1, 1])
    pairs = Pairs.of([0, 0, 1], [0, 1, 2], n_orders=2, n_providers=3)
    costs = PairCosts.given(pairs, [1.0, 2.0, 1.0], n_orders=2)
    assert assign(orders, providers, pairs, costs=costs).provider.tolist() == [0, 2]
