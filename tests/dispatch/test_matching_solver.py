"""What `assign` does with the LP solver's answer (docs/dispatch-matching.md, "The assignment"): it
accepts a vertex within 1e-6 of whole numbers and rounds it; a fractional one is solved again
with the dual simplex; a second fractional answer, a failed solve, or an answer that gives an
order twice or a provider more than its capacity is refused with a MatchingError, never turned
into offers. The solver is replaced here by a stand-in that answers what each test needs: a
correct HiGHS never returns these answers on this totally unimodular LP.

Cases: two orders o0, o1 and two providers p0, p1 of capacity 1, every pair eligible, costs
o0–p0 1, o0–p1 2, o1–p0 2, o1–p1 1 (the optimum: o0–p0, o1–p1).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from jiuzhu.dispatch.engine import matching
from jiuzhu.dispatch.engine.matching import MatchingError, Orders, PairCosts, Pairs, Providers

# Pairs are sorted by order then provider: (o0,p0) (o0,p1) (o1,p0) (o1,p1).
OPTIMUM = [1.0, 0.0, 0.0, 1.0]


def square(capacity=(1, 1)):
    orders = Orders(ids=["o0", "o1"], lat=[0.0, 0.0], lon=[0.0, 0.0], item=[0, 0])
    providers = Providers(ids=["p0", "p1"], lat=[0.0, 0.0], lon=[0.0, 0.0], capacity=capacity)
    pairs = Pairs.of([0, 0, 1, 1], [0, 1, 0, 1], n_orders=2, n_providers=2)
    costs = PairCosts.given(pairs, [1.0, 2.0, 2.0, 1.0], n_orders=2)
    return orders, providers, pairs, costs


@pytest.fixture
def solver(monkeypatch):
    """A stand-in for scipy's linprog: answers from ``solver.answers`` by method, and records the
    methods asked for."""
    stand_in = SimpleNamespace(answers={}, asked=[])

    def linprog(objective, *, A_ub, b_ub, bounds, method):
        stand_in.asked.append(method)
        status, x, message = stand_in.answers[method]
        return SimpleNamespace(status=status, x=np.asarray(x, dtype=float), message=message)

    monkeypatch.setattr(matching, "linprog", linprog)
    return stand_in


def chosen(dispatch):
    return [str(d.provider_id) if hasattr(d, "provider_id") else None for d in dispatch.decisions()]


def test_the_real_solver_finds_the_optimum():
    orders, providers, pairs, costs = square()
    assert chosen(matching.assign(orders, providers, pairs, costs=costs)) == ["p0", "p1"]


def test_an_answer_within_the_tolerance_is_rounded_and_used(solver):
    solver.answers["highs"] = (0, [1.0, 1e-6, 0.0, 1.0], "ok")  # exactly the tolerance
    orders, providers, pairs, costs = square()
    assert chosen(matching.assign(orders, providers, pairs, costs=costs)) == ["p0", "p1"]
    assert solver.asked == ["highs"]


def test_a_fractional_answer_is_solved_again_with_the_dual_simplex(solver):
    solver.answers["highs"] = (0, [1 - 2e-6, 2e-6, 0.0, 1.0], "ok")  # 2e-6 off: not accepted
    solver.answers["highs-ds"] = (0, OPTIMUM, "ok")
    orders, providers, pairs, costs = square()
    assert chosen(matching.assign(orders, providers, pairs, costs=costs)) == ["p0", "p1"]
    assert solver.asked == ["highs", "highs-ds"]


def test_two_fractional_answers_are_refused(solver):
    half = [0.5, 0.5, 0.5, 0.5]
    solver.answers["highs"] = solver.answers["highs-ds"] = (0, half, "ok")
    orders, providers, pairs, costs = square()
    with pytest.raises(MatchingError) as refused:
        matching.assign(orders, providers, pairs, costs=costs)
    assert str(refused.value) == "the assignment LP returned a fractional solution"
    assert solver.asked == ["highs", "highs-ds"]


def test_a_failed_solve_is_refused_with_the_solvers_message(solver):
    solver.answers["highs"] = (2, [0.0] * 4, "infeasible model")
    orders, providers, pairs, costs = square()
    with pytest.raises(MatchingError) as refused:
        matching.assign(orders, providers, pairs, costs=costs)
    assert str(refused.value) == "the assignment LP failed: infeasible model"
    assert solver.asked == ["highs"]


def test_a_failed_second_solve_is_refused_with_its_message(solver):
    solver.answers["highs"] = (0, [0.5] * 4, "ok")
    solver.answers["highs-ds"] = (4, [0.0] * 4, "numerical difficulties")
    orders, providers, pairs, costs = square()
    with pytest.raises(MatchingError) as refused:
        matching.assign(orders, providers, pairs, costs=costs)
    assert str(refused.value) == "the assignment LP failed: numerical difficulties"


@pytest.mark.parametrize(
    ("answer", "capacity"),
    [
        ([1.0, 1.0, 0.0, 0.0], (2, 2)),  # o0 given twice (no provider over its capacity)
        ([1.0, 0.0, 1.0, 0.0], (1, 1)),  # p0 given two orders, capacity 1
    ],
    ids=["an order twice", "a provider over capacity"],
)
def test_an_answer_that_breaks_a_constraint_is_refused(solver, answer, capacity):
    solver.answers["highs"] = (0, answer, "ok")
    orders, providers, pairs, costs = square(capacity)
    with pytest.raises(MatchingError) as refused:
        matching.assign(orders, providers, pairs, costs=costs)
    assert str(refused.value) == "the assignment LP returned an infeasible solution"


def test_a_provider_with_room_for_two_may_take_both(solver):
    """Capacity 2 for p0: giving it both orders is feasible (only p0's own row is checked
    against its own capacity)."""
    solver.answers["highs"] = (0, [1.0, 0.0, 1.0, 0.0], "ok")
    orders, providers, pairs, costs = square(capacity=(2, 1))
    assert chosen(matching.assign(orders, providers, pairs, costs=costs)) == ["p0", "p0"]


def test_when_no_constraint_can_bind_the_solver_is_not_asked(solver):
    """Each order has one eligible provider and each provider room for all its pairs: every
    pair is taken without an LP."""
    orders, providers, _, _ = square()
    pairs = Pairs.of([0, 1], [0, 1], n_orders=2, n_providers=2)
    costs = PairCosts.given(pairs, [3.0, 4.0], n_orders=2)
    assert chosen(matching.assign(orders, providers, pairs, costs=costs)) == ["p0", "p1"]
    assert solver.asked == []
