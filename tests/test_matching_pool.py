"""Stable's pool of lists and the compiled run copies it uses, against plain Python.

The pool (``exact._ListPool``) holds every apprentice's current list in one buffer,
appends refills, drops spent entries only when the buffer is full (compaction) and keeps
the entries proposed to. A model keeps each list as a Python list; after every step the
pool's live entries, host scores and ties must equal the model's, and at the end the
proposals kept (or the placements marked as seen) must be exactly the entries the model
consumed, in order per apprentice.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mobility.matching import kernel
from mobility.matching.exact import _ListPool
from mobility.matching.segments import concatenated_ranges

RUNS = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 6)), max_size=12)


@settings(max_examples=60, deadline=None)
@given(RUNS, st.sampled_from([np.int32, np.int64]))
def test_gather_runs_equals_indexing_by_concatenated_ranges(runs, dtype):
    src = np.arange(100, 140, dtype=dtype)
    starts = np.array([s for s, _ in runs], np.int64)
    counts = np.array([min(c, len(src) - s) for s, c in runs], np.int64)
    out = np.full(int(counts.sum()), -1, dtype)
    written = kernel.gather_runs(src, starts, counts, out)
    want = [int(src[s + k]) for s, c in zip(starts, counts, strict=True) for k in range(c)]
    assert written == len(want)
    assert out.tolist() == want == src[concatenated_ranges(starts, counts)].tolist()
    seen = np.zeros(200, bool)
    kernel.mark_runs(seen, src, starts, counts)
    assert set(np.flatnonzero(seen).tolist()) == set(want)


def _lists(draw, n):
    return [[(draw(st.integers(0, 9)), draw(st.integers(0, 1000)))
             for _ in range(draw(st.integers(0, 4)))] for _ in range(n)]


@st.composite
def histories(draw):
    """Initial lists and a sequence of steps: proposals (an apprentice moves down her
    list) and refills (every apprentice at the end of her list gets a new one)."""
    n = draw(st.integers(1, 5))
    first = _lists(draw, n)
    steps = []
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.booleans()):
            steps.append(("propose", draw(st.integers(0, n - 1)), draw(st.integers(0, 4))))
        else:
            steps.append(("refill", _lists(draw, n)))
    return n, first, steps, draw(st.booleans())


def _flat(lists, who):
    p = np.array([p for a in who for p, _ in lists[a]], np.int32)
    host = np.array([h for a in who for _, h in lists[a]], np.int32)
    sizes = np.array([len(lists[a]) for a in who], np.int64)
    return p, host, sizes


@settings(max_examples=150, deadline=None)
@given(histories())
def test_pool_keeps_every_live_entry_and_every_proposal(history):
    n, first, steps, keep_pairs = history
    p, host, sizes = _flat(first, range(n))
    tie = np.arange(n)[::-1] * 7
    # The buffer is exactly full: the first refill that adds anything compacts it.
    pool = _ListPool(p, host, sizes, tie, None if keep_pairs else 10)
    model = [list(entries) for entries in first]
    position = [0] * n
    consumed: list[list[int]] = [[] for _ in range(n)]
    for step in steps:
        if step[0] == "propose":
            _, a, k = step
            k = min(k, len(model[a]) - position[a])
            consumed[a] += [q for q, _ in model[a][position[a]:position[a] + k]]
            position[a] += k
            pool.ptr[a] += k  # what deferred acceptance does
        else:
            spent = np.array([a for a in range(n) if position[a] == len(model[a])], np.int64)
            if len(spent) == 0:
                continue
            new_p, new_host, new_sizes = _flat(step[1], spent)
            pool.refill(spent, [(spent, new_p, new_host, new_sizes)])
            for a in spent:
                model[a], position[a] = list(step[1][a]), 0
        for a in range(n):
            live = slice(pool.start[a] + pool.ptr[a], pool.start[a] + pool.length[a])
            assert pool.p[live].tolist() == [q for q, _ in model[a][position[a]:]]
            assert pool.host[live].tolist() == [h for _, h in model[a][position[a]:]]
            assert pool.meta[a, 3] == tie[a]
    runs, proposed = pool.proposed_pairs()
    if not keep_pairs:
        assert set(np.flatnonzero(pool.seen).tolist()) == {q for c in consumed for q in c}
        return
    # Pieces one after another, each with a run per apprentice 0..n-1.
    got: list[list[int]] = [[] for _ in range(n)]
    at = 0
    for i, count in enumerate(runs.tolist()):
        got[i % n] += proposed[at:at + count].tolist()
        at += count
    assert at == len(proposed)
    assert got == consumed
