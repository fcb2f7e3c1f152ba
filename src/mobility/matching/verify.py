"""Independent proof of an allocation (``mobility match --verify``), for small and
medium caseloads.

It enumerates the full acceptable set with its own plain numpy code (trade, time,
distance and language rules written again, not the compiled scan), scores those pairs
with the one score definition (:func:`~mobility.matching.candidates.pair_features`),
and checks the allocation against it:

* ``acceptable_pairs``: must equal the count the fast path reported;
* ``blocking_pairs``: pairs (a, p) where both would rather be together (must be 0 for
  stable);
* ``textbook_identical``: a textbook deferred acceptance over the full set
  (:func:`mobility.matching.stable.deferred_acceptance`) gives the same matching (stable);
* ``lp_bound`` and ``optimality_gap``: the LP optimum of the maximum-score problem over
  the full set (scipy HiGHS; the constraint matrix is totally unimodular, so the LP bound
  is attained) minus the allocation's total (must be 0 for optimal);
* ``free_slot_beside_unplaced``: unplaced apprentices with an acceptable placement that
  still has a free slot (must be 0 for stable).
"""

from __future__ import annotations

import numpy as np

from mobility.matching.candidates import (
    ApprenticeBatch,
    PlacementIndex,
    apprentice_key,
    host_key,
    pair_features,
)
from mobility.matching.scores import SCORE_SCALE, MatchSettings

#: Above this many acceptable pairs the LP is not attempted (memory and time).
LP_PAIR_LIMIT = 3_000_000
#: ``--verify`` refuses larger caseloads (the enumeration holds every pair in memory).
MAX_VERIFY_APPRENTICES = 30_000


def enumerate_acceptable(A: ApprenticeBatch, P: PlacementIndex) -> tuple[np.ndarray, np.ndarray]:
    """Every acceptable ``(a, p)`` pair, by brute force within ISCO sub-major groups
    (the trade rule never reaches further) plus the further trades placements name."""
    open_p = np.flatnonzero(P.slots > 0)
    found_a, found_p = [], []
    a_sub = A.isco // 100
    for group in np.unique(a_sub):
        rows = np.flatnonzero(a_sub == group)
        cols = open_p[P.isco[open_p] // 100 == group]
        named = P.named_keys[np.isin(P.named_keys % 10_000, A.isco[rows])] // 10_000
        cols = np.union1d(cols, named[P.slots[named] > 0]).astype(np.int64)
        if len(cols) == 0:
            continue
        step = max(1, 2_000_000 // len(cols))
        for lo in range(0, len(rows), step):
            r = rows[lo:lo + step]
            ok = _rules(A, P, r, cols)
            i, j = np.nonzero(ok)
            found_a.append(r[i])
            found_p.append(cols[j])
    if not found_a:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(found_a).astype(np.int64), np.concatenate(found_p).astype(np.int64)


def _rules(A: ApprenticeBatch, P: PlacementIndex, r: np.ndarray, c: np.ndarray) -> np.ndarray:
    ai, pi = A.isco[r][:, None], P.isco[c][None, :]
    named = np.zeros((len(r), len(c)), dtype=bool)
    if len(P.named_keys):
        keys = c[None, :] * 10_000 + A.isco[r][:, None]
        named = np.isin(keys, P.named_keys)
    trade = (ai // 10 == pi // 10) | ((ai // 100 == pi // 100) & P.accepts_related[c][None, :])
    trade |= named
    first = np.maximum(A.start[r][:, None], P.start[c][None, :])
    last = np.minimum(A.end[r][:, None], P.end[c][None, :])
    time = (last - first + 1) >= P.min_days[c][None, :]
    cosine = np.einsum("ik,jk->ij", A.xyz[r], P.xyz[c])
    distance = cosine >= A.cos_max[r][:, None]
    spoken = np.full((len(r), len(c)), -10_000, dtype=np.int64)
    for m in range(P.lang.shape[1]):
        have = A.level[r][:, P.lang[c, m]].astype(np.int64)
        spoken = np.maximum(spoken, have - P.req[c, m][None, :].astype(np.int64))
    return trade & time & distance & (spoken >= -1)


def verify(A: ApprenticeBatch, P: PlacementIndex, settings: MatchSettings, method: str,
           assignment: np.ndarray, reported_pairs: int | None = None) -> dict[str, object]:
    """Check ``assignment`` against the full acceptable set (see the module docstring)."""
    from mobility.matching.stable import deferred_acceptance

    a, p = enumerate_acceptable(A, P)
    f = pair_features(A, P, a, p, settings)
    assert f["acceptable"].all(), "the enumeration and the score definition disagree"
    cap = P.slots.astype(np.int64)
    a_key = apprentice_key(f["apprentice_score"], p, P)
    h_key = host_key(f["host_score"], a, A)
    load = np.bincount(assignment[assignment >= 0], minlength=len(P))
    own_key = np.full(len(A), np.iinfo(np.int64).min)
    held = assignment[a] == p
    own_key[a[held]] = a_key[held]
    worst = np.full(len(P), np.iinfo(np.int64).max)
    np.minimum.at(worst, p[held], h_key[held])
    wants = a_key > own_key[a]
    blocking = wants & ((load[p] < cap[p]) | (h_key > worst[p]))
    unplaced = assignment[a] < 0
    beside = np.unique(a[unplaced & (load[p] < cap[p])])
    gain = np.round(f["score"] * SCORE_SCALE).astype(np.int64)
    total = int(gain[held].sum())
    report: dict[str, object] = {
        "acceptable_pairs": len(a),
        "acceptable_pairs_agree": None if reported_pairs is None else len(a) == reported_pairs,
        "blocking_pairs": int(blocking.sum()),
        "free_slot_beside_unplaced": len(beside),
    }
    if method == "stable":
        textbook = deferred_acceptance(len(A), len(P), a=a, p=p, apprentice_key=a_key,
                                       host_key=h_key, capacity=cap)
        report["textbook_identical"] = bool((textbook == assignment).all())
    bound = lp_bound(len(A), len(P), a, p, gain, cap)
    report["lp_bound"] = None if bound is None else bound / SCORE_SCALE
    report["total_score"] = total / SCORE_SCALE
    report["optimality_gap"] = None if bound is None else (bound - total) / SCORE_SCALE
    return report


def lp_bound(n_a: int, n_p: int, a: np.ndarray, p: np.ndarray, gain: np.ndarray,
             cap: np.ndarray) -> int | None:
    """The LP optimum of max sum(gain x) s.t. each apprentice <= 1, each placement <=
    cap, 0 <= x <= 1, by scipy's HiGHS (None above :data:`LP_PAIR_LIMIT` pairs)."""
    if len(a) > LP_PAIR_LIMIT:
        return None
    if len(a) == 0:
        return 0
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix, vstack

    n = len(a)
    rows_a = coo_matrix((np.ones(n), (a, np.arange(n))), shape=(n_a, n))
    rows_p = coo_matrix((np.ones(n), (p, np.arange(n))), shape=(n_p, n))
    result = linprog(-gain.astype(float), A_ub=vstack([rows_a, rows_p]).tocsr(),
                     b_ub=np.r_[np.ones(n_a), cap.astype(float)], bounds=(0, 1),
                     method="highs")
    if result.status != 0:
        return None
    return round(-result.fun)


def verify_ranked(A: ApprenticeBatch, P: PlacementIndex, settings: MatchSettings,
                  recommendations, k: int) -> dict[str, object]:
    """Compare recommendations with the brute-force top ``k`` by score key."""
    a, p = enumerate_acceptable(A, P)
    f = pair_features(A, P, a, p, settings)
    key = apprentice_key(f["score"], p, P)
    order = np.lexsort((-key, a))
    a, p = a[order], p[order]
    first = np.r_[0, np.flatnonzero(a[1:] != a[:-1]) + 1]
    position = np.arange(len(a)) - np.repeat(first, np.diff(np.r_[first, len(a)]))
    top = position < k
    truth = set(zip(A.ids[a[top]], P.ids[p[top]], position[top] + 1, strict=True))
    got = set(zip(recommendations["apprentice_id"].astype(str),
                  recommendations["placement_id"].astype(str),
                  recommendations["rank"].astype(int), strict=True))
    wrong = {x[0] for x in truth ^ got}
    return {"acceptable_pairs": len(a), "apprentices_with_a_wrong_top_k": len(wrong)}
