"""Maximum total gain allocation on candidate columns, warm-started (numba).

The problem: apprentices ``a`` and placements ``p`` with ``cap[p]`` slots, columns
``(a, p, gain)``; each apprentice takes at most one placement (or none, gain 0); find
the largest total gain. Its LP dual: ``u[a] + v[p] >= gain`` on every column,
``u, v >= 0``; an allocation is optimal exactly when some dual satisfies
*complementary slackness*: ``u[a] + v[p] == gain`` where ``a`` holds ``p``,
``u[a] == 0`` where ``a`` is unplaced and ``v[p] == 0`` where ``p`` has a free slot.

:func:`solve` keeps an allocation and such duals and restores them by *shortest
augmenting paths* (the Hungarian method with Dijkstra on reduced costs
``u[a] + v[p] - gain >= 0``; integer arithmetic throughout, so exact):

* a **free** apprentice ``s`` takes ``u[s] = max(0, best gain - v)`` and searches the
  cheapest way in: onto a placement with a free slot, or pushing holders of full
  placements along tight columns until one of them reaches a free slot or prefers to
  leave (``u`` reaching 0); the duals move by the path lengths (see the comments);
* a **deficit** placement (a free slot but ``v[p] > 0``) searches backwards: an
  unplaced apprentice moves in, or the vacancy moves on, until it sits where ``v``
  can fall to 0.

Warm start (column generation, :func:`mobility.matching.exact.optimal_exact`): after
new columns violate the duals, their apprentices are made free again (leaving a
vacancy, perhaps a deficit) and only those are re-solved; everybody else keeps place
and duals. The caller checks the result independently (least prices, pricing every
acceptable pair, primal total == dual total): this module is not trusted.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_INF = np.iinfo(np.int64).max // 4


@njit(cache=True)
def _heap_push(hk, hn, size, key, node):
    i = size
    while i > 0:
        parent = (i - 1) >> 1
        if hk[parent] <= key:
            break
        hk[i] = hk[parent]
        hn[i] = hn[parent]
        i = parent
    hk[i] = key
    hn[i] = node
    return size + 1


@njit(cache=True)
def _heap_pop(hk, hn, size):
    key, node = hk[0], hn[0]
    size -= 1
    last_k, last_n = hk[size], hn[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        child = left
        if left + 1 < size and hk[left + 1] < hk[left]:
            child = left + 1
        if hk[child] >= last_k:
            break
        hk[i] = hk[child]
        hn[i] = hn[child]
        i = child
    hk[i] = last_k
    hn[i] = last_n
    return key, node, size


@njit(cache=True)
def _take(a, p, held_at, pos, slot_ptr, slot_a, load):
    """Move apprentice ``a`` from wherever she is to placement ``p`` (``-1``: out)."""
    q = held_at[a]
    if q >= 0:  # swap-remove from q's holders
        last = slot_ptr[q] + load[q] - 1
        moved = slot_a[last]
        slot_a[pos[a]] = moved
        pos[moved] = pos[a]
        load[q] -= 1
    held_at[a] = p
    if p >= 0:
        k = slot_ptr[p] + load[p]
        slot_a[k] = a
        pos[a] = k
        load[p] += 1


@njit(cache=True)
def _sort_by_reduced(lo, hi, other, gain, dual, key):
    """Order the columns ``lo:hi`` (their ``other`` ends, ``gain``) by ``gain -
    dual[other]`` from high to low, in place, and write that value to ``key``."""
    n = hi - lo
    k = np.empty(n, np.int64)
    for i in range(n):
        k[i] = gain[lo + i] - dual[other[lo + i]]
    order = np.argsort(-k)
    o2 = other[lo:hi].copy()
    g2 = gain[lo:hi].copy()
    for i in range(n):
        j = order[i]
        other[lo + i] = o2[j]
        gain[lo + i] = g2[j]
        key[lo + i] = k[j]


@njit(cache=True)
def solve(n_p, a_ptr, a_col, a_gain, p_ptr, p_row, p_gain, cap, held_at, u, v, free):
    """Re-solve for the apprentices ``free`` (their ``held_at`` must be ``-1``), then
    clear deficits. ``held_at``, ``u`` and ``v`` are updated in place; on entry every
    apprentice not in ``free`` must satisfy complementary slackness and feasibility on
    her columns (``a_ptr``/``a_col``/``a_gain``: columns by apprentice; ``p_ptr``/
    ``p_row``/``p_gain``: the same columns by placement). Returns the number of
    searches made from free apprentices and from deficit placements.

    The columns of each apprentice (and of each placement) may be reordered in place."""
    n_a = len(held_at)
    slot_ptr = np.zeros(n_p + 1, np.int64)
    for p in range(n_p):
        slot_ptr[p + 1] = slot_ptr[p] + cap[p]
    slot_a = np.full(max(slot_ptr[n_p], 1), -1, np.int64)
    pos = np.full(n_a, -1, np.int64)
    load = np.zeros(n_p, np.int64)
    for a in range(n_a):
        p = held_at[a]
        if p >= 0:
            held_at[a] = -1
            _take(a, p, held_at, pos, slot_ptr, slot_a, load)
    # Labels: placements (d, pred: the apprentice it was reached from), apprentices
    # (D, via). ``done`` marks finalised nodes of the running search.
    d = np.full(n_p, _INF, np.int64)
    pred = np.full(n_p, -1, np.int64)
    p_done = np.zeros(n_p, np.bool_)
    D = np.full(n_a, _INF, np.int64)
    a_done = np.zeros(n_a, np.bool_)
    via = np.full(n_a, -1, np.int64)
    touched_p = np.empty(n_p, np.int64)
    touched_a = np.empty(n_a, np.int64)
    heap_cap = len(a_col) + n_a + n_p + 16
    hk = np.empty(heap_cap, np.int64)
    hn = np.empty(heap_cap, np.int64)
    chain = np.empty(n_a + 1, np.int64)
    # Pruned relaxation: in the forward phase v only rises, so ``gain - v0[p]`` (v0: v
    # on entry) bounds each column's reduced gain from above; an apprentice's columns,
    # ordered by it (the first time she is reached), are relaxed only while they could
    # still come in under ``bound``. The deficit phase does the same by placement with
    # ``gain - u1[a]`` (u1: u when it starts; u only rises there).
    v0 = v.copy()
    a_key = np.empty(len(a_col), np.int64)
    a_sorted = np.zeros(n_a, np.bool_)
    start = np.empty(1, np.int64)
    searches = 0
    deficits = 0
    for s in free:
        searches += 1
        # -- forward search from a free apprentice -------------------------------------
        best = 0
        for j in range(a_ptr[s], a_ptr[s + 1]):
            gain = a_gain[j] - v[a_col[j]]
            if gain > best:
                best = gain
        u[s] = best
        n_tp, n_ta, size = 0, 0, 0
        # Node codes: placement p, or n_p + b: "b leaves" (u[b] falls to 0, b unplaced).
        # ``bound``: the shortest way out known so far; nothing at or beyond it is pushed
        # (it could not be finalised before that way out is taken).
        bound = _INF
        # The apprentices reached at ``key`` (from placement ``via_p``): ``src[lo:hi]``,
        # first s alone at 0, then the holders of each full placement finalised.
        start[0] = s
        src, lo, hi, key, via_p = start, 0, 1, 0, -1
        delta, term = 0, -1
        while True:
            for k in range(lo, hi):
                b = src[k]
                D[b] = key
                a_done[b] = True
                via[b] = via_p
                touched_a[n_ta] = b
                n_ta += 1
                base = key + u[b]
                if base < bound:
                    bound = base
                    size = _heap_push(hk, hn, size, base, n_p + b)
                if not a_sorted[b]:
                    _sort_by_reduced(a_ptr[b], a_ptr[b + 1], a_col, a_gain, v0, a_key)
                    a_sorted[b] = True
                for j in range(a_ptr[b], a_ptr[b + 1]):
                    if base - a_key[j] >= bound:
                        break
                    q = a_col[j]
                    nd = base + v[q] - a_gain[j]
                    if nd < d[q] and nd < bound and not p_done[q]:
                        if d[q] == _INF:
                            touched_p[n_tp] = q
                            n_tp += 1
                        d[q] = nd
                        pred[q] = b
                        if load[q] < cap[q]:
                            bound = nd
                        size = _heap_push(hk, hn, size, nd, q)
            hi = lo  # nothing more reached unless a full placement is finalised
            while size > 0:
                key, node, size = _heap_pop(hk, hn, size)
                if node >= n_p:
                    delta, term = key, node
                    break
                p = node
                if p_done[p] or key != d[p]:
                    continue
                p_done[p] = True
                if load[p] < cap[p]:
                    delta, term = key, p
                    break
                if load[p] == 0:
                    continue  # no slots at all: nobody to push on
                # A full placement: each holder can be pushed on at the same length.
                src, lo, hi, via_p = slot_a, slot_ptr[p], slot_ptr[p] + load[p], p
                break
            if term >= 0 or lo == hi:
                break
        # Duals: finalised placements rise, reached apprentices fall, by what the path
        # saved over their own label; tight columns stay tight, none becomes negative.
        for i in range(n_tp):
            p = touched_p[i]
            if p_done[p]:
                v[p] += delta - d[p]
        for i in range(n_ta):
            b = touched_a[i]
            u[b] -= delta - D[b]
        # Augment: from the end of the path back to s, each moves one step.
        if term >= n_p:
            b = term - n_p
            p = held_at[b]
            _take(b, -1, held_at, pos, slot_ptr, slot_a, load)
        else:
            p = term
        while p >= 0:
            b = pred[p]
            nxt = held_at[b]
            _take(b, p, held_at, pos, slot_ptr, slot_a, load)
            p = nxt if b != s else -1
        for i in range(n_tp):
            p = touched_p[i]
            d[p] = _INF
            p_done[p] = False
        for i in range(n_ta):
            b = touched_a[i]
            D[b] = _INF
            a_done[b] = False
    # -- deficits: a free slot at a positive price ------------------------------------
    # Labels now: apprentices (D: reached at, via: the placement she would move into),
    # placements (d: reached at, pred: the holder whose move vacated it).
    u1 = u.copy()
    p_key = np.empty(len(p_row), np.int64)
    p_sorted = np.zeros(n_p, np.bool_)
    for q0 in range(n_p):
        while load[q0] < cap[q0] and v[q0] > 0:
            deficits += 1
            n_tp, n_ta, size = 0, 0, 0
            d[q0] = 0
            p_done[q0] = True
            pred[q0] = -1
            touched_p[n_tp] = q0
            n_tp += 1
            for k in range(slot_ptr[q0], slot_ptr[q0] + load[q0]):
                h = slot_a[k]  # tied to q0 by tight columns: u rises as v[q0] falls
                D[h] = 0
                a_done[h] = True
                touched_a[n_ta] = h
                n_ta += 1
            # Node codes: apprentice b, or n_a + p: "v[p] falls to 0, p keeps a vacancy".
            bound = v[q0]
            size = _heap_push(hk, hn, size, bound, n_a + q0)
            q = q0
            key = 0
            delta, term = 0, -1
            while True:
                # Relax the columns into the newly finalised placement q (at ``key``).
                if not p_sorted[q]:
                    _sort_by_reduced(p_ptr[q], p_ptr[q + 1], p_row, p_gain, u1, p_key)
                    p_sorted[q] = True
                for j in range(p_ptr[q], p_ptr[q + 1]):
                    if key + v[q] - p_key[j] >= bound:
                        break
                    b = p_row[j]
                    if a_done[b] or held_at[b] == q:
                        continue
                    nd = key + u[b] + v[q] - p_gain[j]
                    if nd < D[b] and nd < bound:
                        if D[b] == _INF:
                            touched_a[n_ta] = b
                            n_ta += 1
                        D[b] = nd
                        via[b] = q
                        if held_at[b] < 0:
                            bound = nd
                        size = _heap_push(hk, hn, size, nd, b)
                found = False
                while size > 0:
                    key, node, size = _heap_pop(hk, hn, size)
                    if node >= n_a:
                        delta, term = key, node
                        found = True
                        break
                    b = node
                    if a_done[b] or key != D[b]:
                        continue
                    a_done[b] = True
                    if held_at[b] < 0:
                        delta, term = key, b
                        found = True
                        break
                    q = held_at[b]
                    if p_done[q]:
                        continue
                    # b's placement is reached: her move would vacate it; its other
                    # holders are tied to it by tight columns, so they move with it.
                    p_done[q] = True
                    d[q] = key
                    pred[q] = b
                    touched_p[n_tp] = q
                    n_tp += 1
                    for k in range(slot_ptr[q], slot_ptr[q] + load[q]):
                        h = slot_a[k]
                        if not a_done[h]:
                            if D[h] == _INF:
                                touched_a[n_ta] = h
                                n_ta += 1
                            a_done[h] = True
                        D[h] = key if D[h] > key else D[h]
                    if key + v[q] < bound:
                        bound = key + v[q]
                        size = _heap_push(hk, hn, size, bound, n_a + q)
                    break
                if found or size == 0:
                    break
            for i in range(n_tp):
                p = touched_p[i]
                v[p] -= delta - d[p]
            for i in range(n_ta):
                b = touched_a[i]
                if a_done[b]:
                    u[b] += delta - D[b]
            # Move the vacancy: walk back to q0, then move forwards from q0.
            n_chain = 0
            if term >= n_a:
                b = pred[term - n_a]
            else:
                chain[0] = term
                n_chain = 1
                b = pred[via[term]]
            while b >= 0:
                chain[n_chain] = b
                n_chain += 1
                b = pred[via[b]]
            for i in range(n_chain - 1, -1, -1):
                b = chain[i]
                _take(b, via[b], held_at, pos, slot_ptr, slot_a, load)
            for i in range(n_tp):
                p = touched_p[i]
                d[p] = _INF
                p_done[p] = False
                pred[p] = -1
            for i in range(n_ta):
                b = touched_a[i]
                D[b] = _INF
                a_done[b] = False
    return searches, deficits


@njit(cache=True)
def columns_by(key, other, gain, n):
    """CSR of the columns ``(key, other, gain)`` by ``key`` (``0..n-1``), in the order
    given within each key (a counting sort): ``(ptr, other, gain)``."""
    ptr = np.zeros(n + 1, np.int64)
    for i in range(len(key)):
        ptr[key[i] + 1] += 1
    for k in range(n):
        ptr[k + 1] += ptr[k]
    fill = ptr[:-1].copy()
    out_other = np.empty(len(key), np.int64)
    out_gain = np.empty(len(key), np.int64)
    for i in range(len(key)):
        j = fill[key[i]]
        out_other[j] = other[i]
        out_gain[j] = gain[i]
        fill[key[i]] = j + 1
    return ptr, out_other, out_gain
