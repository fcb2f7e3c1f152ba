"""The warm-started assignment solver (``mobility.matching.assign``) against OR-Tools'
min-cost flow and the LP optimality conditions, on random column sets solved in
several rounds (as column generation does): every round's allocation must be optimal
on its columns, and the solver's own duals must prove it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobility.matching import assign
from mobility.matching.optimal import max_gain_allocation


def _instance(rng):
    n_a, n_p = int(rng.integers(1, 14)), int(rng.integers(1, 8))
    a = np.repeat(np.arange(n_a), int(rng.integers(1, 6)))
    p = rng.integers(0, n_p, len(a))
    key = np.unique(a * n_p + p)
    a, p = key // n_p, key % n_p
    gain = rng.integers(1, 25, len(a)).astype(np.int64)
    cap = rng.integers(0, 4, n_p).astype(np.int64)
    return n_a, n_p, a, p, gain, cap


def _total(assignment, a, p, gain):
    held = assignment[a] == p
    return int(gain[held].sum())


def _assert_certified(assignment, u, v, a, p, gain, cap):
    load = np.bincount(assignment[assignment >= 0], minlength=len(v))
    held = assignment[a] == p
    assert (load <= cap).all()
    assert (u >= 0).all() and (v >= 0).all()
    assert (u[a] + v[p] >= gain).all()                 # dual feasible on every column
    assert (u[a[held]] + v[p[held]] == gain[held]).all()  # tight where held
    assert (u[assignment < 0] == 0).all()              # unplaced: u = 0
    assert (v[load < cap] == 0).all()                  # a free slot: v = 0
    assert int(u.sum() + (cap * v).sum()) == _total(assignment, a, p, gain)


@pytest.mark.parametrize("rounds", [1, 2, 4])
def test_warm_started_rounds_stay_optimal_and_certified(rounds):
    rng = np.random.default_rng(rounds)
    deficit_searches = 0
    for _ in range(300):
        n_a, n_p, a, p, gain, cap = _instance(rng)
        batch = rng.integers(0, rounds, len(a))
        assignment = np.full(n_a, -1, np.int64)
        u, v = np.zeros(n_a, np.int64), np.zeros(n_p, np.int64)
        free = np.arange(n_a)
        for r in range(rounds):
            have = batch <= r
            if r > 0:  # the rows that gained columns start again, as in optimal_exact
                free = np.unique(a[batch == r])
                assignment[free] = -1
            cols_a, cols_p, cols_g = a[have], p[have], gain[have]
            by_a = assign.columns_by(cols_a, cols_p, cols_g, n_a)
            by_p = assign.columns_by(cols_p, cols_a, cols_g, n_p)
            _, deficits = assign.solve(n_p, *by_a, *by_p, cap, assignment, u, v, free)
            deficit_searches += deficits
            truth = max_gain_allocation(n_a, n_p, a=cols_a, p=cols_p, gain=cols_g,
                                        capacity=cap)
            assert _total(assignment, cols_a, cols_p, cols_g) == \
                _total(truth, cols_a, cols_p, cols_g)
            _assert_certified(assignment, u, v, cols_a, cols_p, cols_g, cap)
    if rounds > 1:  # the warm start's hard case (a vacancy at a positive price) was met
        assert deficit_searches > 0


def _listed(by):
    """The columns of a CSR ``(ptr, other, gain)`` as a sorted list of triples."""
    ptr, other, gain = by
    key = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
    return sorted(zip(key.tolist(), other.tolist(), gain.tolist(), strict=True))


@st.composite
def _rounds(draw):
    """A column set revealed over a few rounds (as pricing adds violators), crowded
    (few slots for many apprentices, so that searches run long) and with many equal
    gains (ties are where a pruned search could go wrong)."""
    n_a, n_p = draw(st.integers(1, 40)), draw(st.integers(1, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    a = np.repeat(np.arange(n_a), rng.integers(1, min(n_p, 8) + 1, n_a))
    key = np.unique(a * n_p + rng.integers(0, n_p, len(a)))
    a, p = key // n_p, key % n_p
    top = draw(st.sampled_from([3, 12, 10**6]))
    gain = rng.integers(1, top + 1, len(a)).astype(np.int64)
    cap = rng.integers(0, draw(st.integers(1, 4)), n_p).astype(np.int64)
    rounds = draw(st.integers(1, 4))
    return n_a, n_p, a, p, gain, cap, rounds, rng.integers(0, rounds, len(a))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_rounds())
def test_warm_start_after_any_column_additions_is_optimal_and_certified(instance):
    """Whatever columns each round adds, the rows that gained some start again and the
    solver ends at OR-Tools' optimum with feasible, complementary duals of its own; the
    columns it reorders in place are still the same columns."""
    n_a, n_p, a, p, gain, cap, rounds, batch = instance
    assignment = np.full(n_a, -1, np.int64)
    u, v = np.zeros(n_a, np.int64), np.zeros(n_p, np.int64)
    free = np.arange(n_a)
    for r in range(rounds):
        have = batch <= r
        if r > 0:
            free = np.unique(a[batch == r])
            assignment[free] = -1
        cols_a, cols_p, cols_g = a[have], p[have], gain[have]
        by_a = assign.columns_by(cols_a, cols_p, cols_g, n_a)
        by_p = assign.columns_by(cols_p, cols_a, cols_g, n_p)
        before = _listed(by_a), _listed(by_p)
        assign.solve(n_p, *by_a, *by_p, cap, assignment, u, v, free)
        assert (_listed(by_a), _listed(by_p)) == before
        truth = max_gain_allocation(n_a, n_p, a=cols_a, p=cols_p, gain=cols_g, capacity=cap)
        assert _total(assignment, cols_a, cols_p, cols_g) == _total(truth, cols_a, cols_p,
                                                                    cols_g)
        _assert_certified(assignment, u, v, cols_a, cols_p, cols_g, cap)
