"""Stable allocation: apprentice-proposing deferred acceptance with capacities.

This is the hospitals/residents problem. Every apprentice proposes to their acceptable
placements from best to worst (``apprentice_score``, ties by ``placement_id``); every
placement holds the best proposals it has had so far up to its capacity (``host_score``,
ties by ``apprentice_id``) and rejects the rest. The outcome is the **apprentice-optimal
stable matching**: no apprentice and placement would both rather be together than with
what they got, no capacity is exceeded, nobody is placed where they are not acceptable.
It is unique for given preferences, so the order in which proposals are processed does
not matter; we process them in vectorised rounds (every free apprentice proposes at once).

Stable is *fair*, not *maximal*: it can leave more apprentices unplaced than
:func:`mobility.matching.optimal.max_score_allocation`.

Examples
--------
Two apprentices want the one slot of placement 0; the host prefers apprentice 1, so
apprentice 0 takes their second choice.

>>> import numpy as np
>>> deferred_acceptance(2, 2, a=np.array([0, 0, 1]), p=np.array([0, 1, 0]),
...                     apprentice_key=np.array([2, 1, 1]), host_key=np.array([1, 5, 2]),
...                     capacity=np.array([1, 1])).tolist()
[1, 0]
"""

from __future__ import annotations

import numpy as np


def deferred_acceptance(n_apprentices: int, n_placements: int, *, a: np.ndarray, p: np.ndarray,
                        apprentice_key: np.ndarray, host_key: np.ndarray,
                        capacity: np.ndarray) -> np.ndarray:
    """Apprentice-optimal stable matching over the acceptable pairs ``(a[i], p[i])``.

    Parameters
    ----------
    n_apprentices, n_placements : int
        Sizes; apprentices and placements are positions ``0..n-1``.
    a, p : array of int
        The acceptable pairs (each pair at most once).
    apprentice_key : array of int
        How much apprentice ``a[i]`` wants placement ``p[i]`` (higher first); must be
        unique within one apprentice's list.
    host_key : array of int
        How much placement ``p[i]`` wants apprentice ``a[i]`` (higher first); unique
        within one placement's list.
    capacity : array of int
        Slots per placement (0 allowed).

    Returns
    -------
    numpy.ndarray
        The placement of each apprentice, ``-1`` for the unmatched.
    """
    a = np.asarray(a, dtype=np.int64)
    p = np.asarray(p, dtype=np.int64)
    capacity = np.asarray(capacity, dtype=np.int64)
    # Preference lists as one array sorted by apprentice, best first (CSR layout).
    order = np.lexsort((-np.asarray(apprentice_key), a))
    pref_p = p[order]
    pref_h = np.asarray(host_key, dtype=np.int64)[order]
    counts = np.bincount(a, minlength=n_apprentices)
    ends = np.cumsum(counts)
    next_choice = ends - counts
    held = np.full(n_apprentices, -1, dtype=np.int64)  # position in pref_* of the held pair
    held_at = np.full(n_apprentices, -1, dtype=np.int64)  # placement held, for fast lookups
    free = np.flatnonzero(counts > 0)
    touched = np.zeros(n_placements, dtype=bool)
    while len(free):
        proposal = next_choice[free]
        next_choice[free] += 1
        targets = pref_p[proposal]
        touched[targets] = True
        holders = np.flatnonzero((held_at >= 0) & touched[np.maximum(held_at, 0)])
        touched[targets] = False
        who = np.concatenate([holders, free])
        pos = np.concatenate([held[holders], proposal])
        place = pref_p[pos]
        rank_order = np.lexsort((-pref_h[pos], place))
        sorted_place = place[rank_order]
        starts = np.flatnonzero(np.r_[True, sorted_place[1:] != sorted_place[:-1]])
        first = np.repeat(starts, np.diff(np.r_[starts, len(rank_order)]))
        accepted_sorted = (np.arange(len(rank_order)) - first) < capacity[sorted_place]
        accepted = np.empty(len(who), dtype=bool)
        accepted[rank_order] = accepted_sorted
        held[who[accepted]] = pos[accepted]
        held_at[who[accepted]] = place[accepted]
        rejected = who[~accepted]
        held[rejected] = -1
        held_at[rejected] = -1
        free = rejected[next_choice[rejected] < ends[rejected]]
    return held_at


def blocking_pairs(assignment: np.ndarray, *, a: np.ndarray, p: np.ndarray,
                   apprentice_key: np.ndarray, host_key: np.ndarray,
                   capacity: np.ndarray) -> np.ndarray:
    """Indices of the pairs that block ``assignment`` (for tests and self-checks).

    Pair ``i`` blocks when apprentice ``a[i]`` prefers ``p[i]`` to what they got (or got
    nothing) and placement ``p[i]`` has a free slot or holds someone it likes less.
    """
    a, p = np.asarray(a), np.asarray(p)
    apprentice_key, host_key = np.asarray(apprentice_key), np.asarray(host_key)
    own = {(int(x), int(y)): i for i, (x, y) in enumerate(zip(a, p, strict=True))}
    current_key = np.full(len(assignment), np.iinfo(np.int64).min)
    for who, where in enumerate(assignment):
        if where >= 0:
            current_key[who] = apprentice_key[own[(who, int(where))]]
    worst_held: dict[int, int] = {}
    load = np.bincount(assignment[assignment >= 0], minlength=len(capacity))
    for who, where in enumerate(assignment):
        if where >= 0:
            k = host_key[own[(who, int(where))]]
            worst_held[int(where)] = min(worst_held.get(int(where), k), k)
    blocking = []
    for i in range(len(a)):
        if assignment[a[i]] == p[i] or apprentice_key[i] <= current_key[a[i]]:
            continue
        place = int(p[i])
        if capacity[place] == 0:
            continue
        if load[place] < capacity[place] or host_key[i] > worst_held.get(place, np.inf):
            blocking.append(i)
    return np.array(blocking, dtype=np.int64)
