"""Optimal allocation: the largest total ``score`` under the placements' capacities.

Exact, not greedy: a min-cost flow (OR-Tools ``SimpleMinCostFlow``) on the network
source -> apprentice (capacity 1) -> placement (capacity 1 per acceptable pair, cost
``-score``) -> sink (capacity ``slots``), plus a free arc source -> sink so that leaving an
apprentice unplaced is always allowed. A min-cost flow with integer costs has an integral
optimum, so every apprentice gets at most one placement.

Precision. The solver needs integer costs. Scores are rounded to 6 decimals *where they
are computed* (:func:`mobility.matching.scores.quantise`) and the costs are exactly
``score * 10**6``: the integer problem is the same problem as the one on the scores we
report, so no rounding can change which allocation is optimal. Among allocations with
equal total the solver picks one deterministically (same input, same answer).

This answers "as much total fit as possible"; it is not stable (a host may be passed
over by someone it likes less), and it usually places more apprentices than
:func:`mobility.matching.stable.deferred_acceptance`.

Examples
--------
Greedy would give apprentice 0 their best pair (0.9) and leave apprentice 1 without a
place; the optimum places both (0.8 + 0.7 = 1.5 > 0.9).

>>> import numpy as np
>>> max_score_allocation(2, 2, a=np.array([0, 0, 1]), p=np.array([0, 1, 0]),
...                      score=np.array([0.9, 0.8, 0.7]), capacity=np.array([1, 1])).tolist()
[1, 0]
"""

from __future__ import annotations

import numpy as np

from mobility.errors import MobilityError
from mobility.matching.scores import SCORE_SCALE


def max_score_allocation(n_apprentices: int, n_placements: int, *, a: np.ndarray,
                         p: np.ndarray, score: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Maximum-total-score allocation over the acceptable pairs ``(a[i], p[i])``.

    Parameters
    ----------
    n_apprentices, n_placements : int
        Sizes; apprentices and placements are positions ``0..n-1``.
    a, p : array of int
        The acceptable pairs (each at most once).
    score : array of float
        The pair's score, already rounded to 6 decimals (anything finer is rounded here).
    capacity : array of int
        Slots per placement (0 allowed).

    Returns
    -------
    numpy.ndarray
        The placement of each apprentice, ``-1`` for the unplaced.
    """
    gain = np.round(np.asarray(score, dtype=np.float64) * SCORE_SCALE).astype(np.int64)
    return max_gain_allocation(n_apprentices, n_placements, a=a, p=p, gain=gain,
                               capacity=capacity)


def max_gain_allocation(n_apprentices: int, n_placements: int, *, a: np.ndarray,
                        p: np.ndarray, gain: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """:func:`max_score_allocation` with integer gains (``score * 10**6``)."""
    from ortools.graph.python import min_cost_flow

    a = np.asarray(a, dtype=np.int64)
    p = np.asarray(p, dtype=np.int64)
    capacity = np.asarray(capacity, dtype=np.int64)
    gain = np.asarray(gain, dtype=np.int64)
    assignment = np.full(n_apprentices, -1, dtype=np.int64)
    # A pair with no gain, or at a full placement, can never improve the total.
    useful = (gain > 0) & (capacity[p] > 0)
    a, p, gain = a[useful], p[useful], gain[useful]
    if len(a) == 0:
        return assignment
    # Only apprentices and placements that appear in a pair become nodes.
    apprentices, a_node = np.unique(a, return_inverse=True)
    placements, p_node = np.unique(p, return_inverse=True)
    n_a, n_p = len(apprentices), len(placements)
    source, sink = 0, 1 + n_a + n_p
    flow = min_cost_flow.SimpleMinCostFlow()
    # Arcs go in as three batches, each freed once OR-Tools holds its own copy: at a
    # million apprentices the pair arcs alone are tens of millions.
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(n_a, source, np.int32), (1 + np.arange(n_a)).astype(np.int32),
        np.ones(n_a, np.int64), np.zeros(n_a, np.int64))
    pair_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        (1 + a_node).astype(np.int32), (1 + n_a + p_node).astype(np.int32),
        np.ones(len(a), np.int64), -gain)
    del a_node, p_node, gain
    flow.add_arcs_with_capacity_and_unit_cost(
        np.r_[1 + n_a + np.arange(n_p), source].astype(np.int32),
        np.full(n_p + 1, sink, np.int32),
        np.r_[np.minimum(capacity[placements], n_a), n_a].astype(np.int64),
        np.zeros(n_p + 1, np.int64))
    flow.set_nodes_supplies(np.array([source, sink]), np.array([n_a, -n_a]))
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise MobilityError(f"the min-cost-flow solver did not find the optimum ({status})")
    used = flow.flows(pair_arcs) > 0
    assignment[a[used]] = p[used]
    return assignment
