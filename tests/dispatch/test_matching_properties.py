"""Properties of the assignment engine on random small instances (hypothesis).

Independent references: scipy's maximum flow for the largest number of orders that can be
served, and brute force over every feasible assignment (itertools) for the lexicographic optimum
(largest urgency-weighted number served, then the smallest cost).
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.sparse.csgraph import maximum_flow

from jiuzhu.dispatch.engine.matching import (
    NO_CAPACITY_LEFT,
    NO_ELIGIBLE_PROVIDER,
    Dispatch,
    Orders,
    Pairs,
    Providers,
    assign,
    assign_greedy,
    eligible_pairs,
)

#: The LP solver (HiGHS through scipy's linprog) calls a vertex optimal when no reduced cost is
#: below -1e-7, its default dual feasibility tolerance: a pair can be chosen over one that is
#: cheaper by less than that (seen: 1.0000000188 against greedy's 1.0). Costs are compared with
#: that slack per assigned order, never with a tighter one.
HIGHS_DUAL_TOLERANCE = 1e-7


def cost_slack(dispatch) -> float:
    return HIGHS_DUAL_TOLERANCE * max(1, dispatch.n_assigned)


@st.composite
def instances(draw, max_orders=12, max_providers=5, max_capacity=3, urgent=True):
    """Orders and providers near Nanjing, random eligibility, capacities (some zero), loads,
    ratings (some missing) and, optionally, urgency weights from the tag weights."""
    n = draw(st.integers(0, max_orders))
    m = draw(st.integers(0, max_providers))
    coord = st.floats(-0.2, 0.2, allow_nan=False)
    eligible = draw(
        st.lists(st.lists(st.booleans(), min_size=m, max_size=m), min_size=n, max_size=n)
    )
    order_idx = [i for i in range(n) for j in range(m) if eligible[i][j]]
    prov_idx = [j for i in range(n) for j in range(m) if eligible[i][j]]
    weights = st.sampled_from([1.0, 2.0, 3.0, 4.0]) if urgent else st.just(1.0)
    orders = Orders(
        ids=np.arange(n),
        lat=32.06 + np.array(draw(st.lists(coord, min_size=n, max_size=n)), dtype=float),
        lon=118.79 + np.array(draw(st.lists(coord, min_size=n, max_size=n)), dtype=float),
        item=np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)), dtype=int),
        urgency=draw(st.lists(weights, min_size=n, max_size=n)),
        created=draw(st.permutations(list(range(n)))),
    )
    ratings = st.one_of(st.just(float("nan")), st.floats(1, 5))
    providers = Providers(
        ids=[f"p{j}" for j in range(m)],
        lat=32.06 + np.array(draw(st.lists(coord, min_size=m, max_size=m)), dtype=float),
        lon=118.79 + np.array(draw(st.lists(coord, min_size=m, max_size=m)), dtype=float),
        capacity=draw(st.lists(st.integers(0, max_capacity), min_size=m, max_size=m)),
        load=draw(st.lists(st.integers(0, 5), min_size=m, max_size=m)),
        rating=draw(st.lists(ratings, min_size=m, max_size=m)),
        items=draw(st.lists(st.sets(st.integers(0, 3), min_size=1), min_size=m, max_size=m)),
    )
    pairs = Pairs.of(order_idx, prov_idx, n_orders=n, n_providers=m)
    categories = [0, 0, 1, 1]
    return orders, providers, pairs, categories


def max_flow_count(orders: Orders, providers: Providers, pairs: Pairs) -> int:
    n, m = len(orders), len(providers)
    if n == 0 or m == 0 or len(pairs) == 0:
        return 0
    src, sink = n + m, n + m + 1
    rows = np.concatenate((np.full(n, src), pairs.order, n + np.arange(m)))
    cols = np.concatenate((np.arange(n), n + pairs.provider, np.full(m, sink)))
    caps = np.concatenate((np.ones(n), np.ones(len(pairs)), providers.capacity)).astype(np.int32)
    graph = sparse.csr_array((caps, (rows, cols)), shape=(n + m + 2, n + m + 2))
    return int(maximum_flow(graph, src, sink).flow_value)


def brute_force(result: Dispatch) -> tuple[float, float, int]:
    """(largest urgency-weighted number served, smallest cost at it, largest number served)
    over every feasible choice of one eligible pair or none per order."""
    orders, providers, pairs = result.orders, result.providers, result.pairs
    options = [[-1] for _ in range(len(orders))]
    for k, o in enumerate(pairs.order.tolist()):
        options[o].append(k)
    best = (-1.0, 0.0)
    most = 0
    for choice in itertools.product(*options):
        used = np.zeros(len(providers), dtype=int)
        urgency = cost = 0.0
        count = 0
        for o, k in enumerate(choice):
            if k >= 0:
                used[pairs.provider[k]] += 1
                urgency += orders.urgency[o]
                cost += result.costs.total[k]
                count += 1
        if np.any(used > providers.capacity):
            continue
        most = max(most, count)
        if urgency > best[0] + 1e-9 or (abs(urgency - best[0]) <= 1e-9 and cost < best[1]):
            best = (urgency, cost)
    return best[0], best[1], most


def check_feasible(result: Dispatch) -> None:
    chosen = result.chosen[result.assigned]
    # every assignment is an eligible pair of that very order
    assert np.array_equal(result.pairs.order[chosen], np.flatnonzero(result.assigned))
    # capacities are never exceeded
    assert np.all(result.taken <= result.providers.capacity)
    # reasons: escalate only when the order had no eligible provider at all
    n_eligible = result.costs.n_eligible
    assert np.all(result.reason[result.assigned] == "")
    unassigned = ~result.assigned
    assert np.all(result.reason[unassigned & (n_eligible == 0)] == NO_ELIGIBLE_PROVIDER)
    assert np.all(result.reason[unassigned & (n_eligible > 0)] == NO_CAPACITY_LEFT)


@settings(max_examples=200, deadline=None)
@given(instances())
def test_optimal_is_feasible_maximal_and_no_worse_than_greedy(instance):
    orders, providers, pairs, cats = instance
    best = assign(orders, providers, pairs, item_category=cats)
    greedy = assign_greedy(orders, providers, pairs, item_category=cats)
    check_feasible(best)
    check_feasible(greedy)
    # the most orders that can be served, by an independent max flow
    assert best.n_assigned == max_flow_count(orders, providers, pairs)
    assert greedy.n_assigned <= best.n_assigned
    assert greedy.urgency_assigned <= best.urgency_assigned + 1e-9
    # at the same urgency-weighted number served, the optimum costs no more
    if abs(greedy.urgency_assigned - best.urgency_assigned) <= 1e-9:
        assert best.total_cost <= greedy.total_cost + cost_slack(best)


@settings(max_examples=200, deadline=None)
@given(instances(urgent=False))
def test_same_number_served_means_no_more_cost_than_greedy(instance):
    orders, providers, pairs, cats = instance
    best = assign(orders, providers, pairs, item_category=cats)
    greedy = assign_greedy(orders, providers, pairs, item_category=cats)
    if greedy.n_assigned == best.n_assigned:
        assert best.total_cost <= greedy.total_cost + cost_slack(best)


@settings(max_examples=150, deadline=None)
@given(instances(max_orders=5, max_providers=3, max_capacity=2))
def test_optimal_matches_brute_force_on_tiny_instances(instance):
    orders, providers, pairs, cats = instance
    best = assign(orders, providers, pairs, item_category=cats)
    urgency, cost, most = brute_force(best)
    assert best.n_assigned == most
    assert abs(best.urgency_assigned - max(urgency, 0.0)) <= 1e-9
    assert abs(best.total_cost - cost) <= cost_slack(best)


@settings(max_examples=100, deadline=None)
@given(instances(max_orders=30, max_providers=8, max_capacity=4))
def test_larger_instances_stay_feasible_and_maximal(instance):
    orders, providers, pairs, cats = instance
    best = assign(orders, providers, pairs, item_category=cats)
    check_feasible(best)
    assert best.n_assigned == max_flow_count(orders, providers, pairs)


@settings(max_examples=100, deadline=None)
@given(instances())
def test_greedy_gives_each_order_its_cheapest_provider_with_capacity_left(instance):
    orders, providers, pairs, cats = instance
    greedy = assign_greedy(orders, providers, pairs, item_category=cats)
    left = providers.capacity.copy()
    for o in np.argsort(orders.created, kind="stable"):
        ks = np.flatnonzero((pairs.order == o) & (left[pairs.provider] > 0))
        if ks.size == 0:
            assert not greedy.assigned[o]
            continue
        k = greedy.chosen[o]
        assert k in ks
        assert greedy.costs.total[k] == greedy.costs.total[ks].min()
        left[pairs.provider[k]] -= 1


@st.composite
def coded_instances(draw):
    """Orders with area/item codes, providers with area/item sets, some exclusions."""
    n = draw(st.integers(0, 15))
    m = draw(st.integers(0, 6))
    areas = st.sampled_from(["s1", "s2", "s3", "s4"])
    items = st.integers(0, 4)
    ids = [f"p{j}" for j in range(m)]
    orders = Orders(
        ids=np.arange(n),
        lat=np.zeros(n),
        lon=np.zeros(n),
        item=draw(st.lists(items, min_size=n, max_size=n)),
        area=draw(st.lists(areas, min_size=n, max_size=n)),
        excluded=draw(st.lists(st.sets(st.sampled_from([*ids, "gone"])), min_size=n, max_size=n)),
    )
    providers = Providers(
        ids=ids,
        lat=np.zeros(m),
        lon=np.zeros(m),
        capacity=np.ones(m, dtype=int),
        items=draw(st.lists(st.sets(items), min_size=m, max_size=m)),
        areas=draw(st.lists(st.sets(areas), min_size=m, max_size=m)),
    )
    return orders, providers


@settings(max_examples=200, deadline=None)
@given(coded_instances())
def test_eligible_pairs_equal_the_plain_rule(instance):
    orders, providers = instance
    pairs = eligible_pairs(orders, providers)
    expected = [
        (i, j)
        for i in range(len(orders))
        for j in range(len(providers))
        if orders.area[i] in providers.areas[j]
        and orders.item[i] in providers.items[j]
        and providers.ids[j] not in orders.excluded[i]
    ]
    assert list(zip(pairs.order.tolist(), pairs.provider.tolist(), strict=True)) == expected
