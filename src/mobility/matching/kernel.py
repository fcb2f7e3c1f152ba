"""Compiled inner loops (numba): every apprentice x placement cell of a trade block.

The exact engine never stores the acceptable pairs (about 870 million at 100,000 x
50,000). It scans them: for each apprentice, every placement of her trade block
(:meth:`PlacementIndex.columns_for`) is checked against the hard rules and scored in
one fused pass, and only what the caller asks for is kept: her best ``K`` by some key,
or the count of pairs above a key. Rows are shared between threads (``prange``).

One definition of the score. :func:`pair_scores` (used by
:func:`mobility.matching.candidates.pair_features` for every score shown) and the scan
call the same compiled function :func:`_scores`, with the same floating-point operations
in the same order as :func:`mobility.matching.scores.combine`; the cosine of the angle
between home and placement comes from :func:`_cosine` in both. So the keys a scan ranks
by are exactly the keys of the scores reported.

Integer keys (unique, higher is better):

* apprentice key ``apprentice_score * 10**6 * (n_p + 1) + (n_p - id_rank[p])``: ties by
  ``placement_id`` ascending as strings;
* host key ``host_score * 10**6 * (n_a + 1) + (n_a - id_rank[a])``: ties by
  ``apprentice_id``;
* score key: as the apprentice key with ``score``.

Compilation is cached on disk (``cache=True``); the first call in a fresh environment
compiles (a few seconds, counted by the benchmark).
"""

from __future__ import annotations

import math
import os

import numpy as np

# OpenMP's worker threads otherwise spin for a while after every parallel scan, burning
# a core between the many short scans of a run (and on a shared machine, someone else's
# core). Read when the thread pool starts, so set before the first scan.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from numba import njit, prange

from mobility.geo import EARTH_RADIUS_KM
from mobility.matching.scores import NO_LANGUAGE_REQUIRED, SCORE_SCALE, MatchSettings
from mobility.matching.segments import single_segments

#: What a scan keeps for each row (see :func:`scan`).
BY_APPRENTICE, BY_SCORE, BY_REDUCED_PROFIT, COUNT_ABOVE, VALUES = 0, 1, 2, 3, 4
#: Added to a mode when the scan's count of acceptable cells is not needed (faster).
NO_COUNT = 8

_LOW = np.iinfo(np.int64).min
_HIGH = np.iinfo(np.int64).max
#: Rows one task of a parallel scan takes (scratch space is allocated per task).
_ROWS_PER_CHUNK = 64


def settings_vector(s: MatchSettings) -> np.ndarray:
    """The settings as the float vector the kernels read (same values as ``combine``)."""
    app_w = np.array([s.w_trade, s.w_twin_town, s.w_preference, s.w_distance])
    app_w = app_w / app_w.sum()
    host_w = np.array([s.host_w_trade, s.host_w_language, s.host_w_training_year])
    host_w = host_w / host_w.sum()
    return np.array([
        *app_w, *host_w, s.apprentice_weight, 1 - s.apprentice_weight,
        1.0, s.trade_related, s.trade_other, s.trade_named,
        s.language_one_below, s.language_at_level, s.language_per_level_above,
        0.0, s.dormant_twin_factor, 1.0, s.no_preference, s.distance_scale_km,
        EARTH_RADIUS_KM, float(NO_LANGUAGE_REQUIRED), float(SCORE_SCALE),
        s.unconfirmed_twin_factor, _DISTANCE_BINS / np.sqrt(2.0),
        *_distance_bounds(s.distance_scale_km)], dtype=np.float64)


#: Bins of the distance bound table (see :func:`_distance_bounds`).
_DISTANCE_BINS = 4096


def _distance_bounds(scale_km: float) -> np.ndarray:
    """Upper bounds of the distance component by bin of ``sqrt(1 - cosine)`` (nearly
    proportional to the angle, so every bin spans about 3 km): bin ``i`` holds the value
    at its near edge, plus a margin far above any rounding difference between numpy's
    and the kernel's arc cosine and exponential. The scan's first pass takes it instead
    of computing the distance: a bound, never a score."""
    edge = np.arange(_DISTANCE_BINS + 2) * (np.sqrt(2.0) / _DISTANCE_BINS)
    cosine = np.clip(1.0 - edge ** 2, -1.0, 1.0)
    km = EARTH_RADIUS_KM * np.arccos(cosine)
    return np.minimum(np.exp(-km / scale_km) + 1e-9, 1.0 + 1e-9)


@njit(cache=True, inline="always")
def _cosine(ax, p_xyz, a, p):
    return ax[a, 0] * p_xyz[p, 0] + ax[a, 1] * p_xyz[p, 1] + ax[a, 2] * p_xyz[p, 2]


@njit(cache=True, inline="always")
def _twin_component(status, S):
    """The twin-town component of a twin status: levels 0-2 (none, dormant, active),
    then 3 (unconfirmed); see ``scores.TWIN_*``."""
    return S[16 + status] if status < 3 else S[24]


@njit(cache=True, inline="always")
def _best_margin(a_level, a, lang, req, i, width):
    """Her best language margin at row ``i`` of ``lang``/``req`` (a placement's or a
    column's languages): per language named, her level less the level required (the
    language rule wants at least -1)."""
    best = np.int64(-32000)
    for m in range(width):
        gap = np.int64(a_level[a, lang[i, m]]) - np.int64(req[i, m])
        if gap > best:
            best = gap
    return best


@njit(cache=True, inline="always")
def _tier_at_extreme(tiers, S, best):
    """Of the trade tiers set in the bit mask ``tiers``, the one whose trade component
    is highest (``best``) or lowest."""
    found = -1
    for t in range(4):
        if tiers & (1 << t) and (found < 0 or (S[9 + t] > S[9 + found] if best
                                               else S[9 + t] < S[9 + found])):
            found = t
    return max(found, 0)


@njit(cache=True, inline="always")
def _apprentice_score(tier, twin, cosine, preferred, has_pref, S, exact, lower=False):
    """The apprentice score as an integer (x 10**6) and the distance in km.

    ``exact=False`` takes an upper bound of the distance component from the table in
    ``S`` (:func:`_distance_bounds`) instead of computing it: an upper bound on the
    score (every operation is monotone), and no arc cosine or exponential; with
    ``lower=True`` a lower bound (the bin's far edge, less twice the table's margin).
    """
    trade = S[9 + tier]
    twin_c = _twin_component(twin, S)
    pref = (1.0 if preferred else 0.0) if has_pref else S[19]
    km = 0.0
    if exact:
        km = S[21] * math.acos(min(max(cosine, -1.0), 1.0))
        dist = math.exp(-km / S[20])
    elif lower:
        dist = S[27 + int(math.sqrt(max(1.0 - cosine, 0.0)) * S[25])] - 2e-9
    else:
        dist = S[26 + int(math.sqrt(max(1.0 - cosine, 0.0)) * S[25])]
    return np.int64(np.rint((S[0] * trade + S[1] * twin_c + S[2] * pref + S[3] * dist)
                            * S[23])), km


@njit(cache=True, inline="always")
def _host_score(tier, margin, year, S):
    """The host score as an integer (x 10**6): trade, her best language margin, year."""
    trade = S[9 + tier]
    if margin >= S[22]:
        language = 1.0
    elif margin < 0:
        language = S[13]
    else:
        language = min(S[14] + S[15] * max(float(margin), 0.0), 1.0)
    year_c = min(float(year), 3.0) / 3.0
    return np.int64(np.rint((S[4] * trade + S[5] * language + S[6] * year_c) * S[23]))


@njit(cache=True, inline="always")
def _scores(tier, twin, margin, cosine, preferred, has_pref, year, S, exact=True):
    """(apprentice, host, score) as integers (score x 10**6) and the distance in km.

    ``exact=False``: the distance component bounded (see :func:`_apprentice_score`): an
    upper bound on the apprentice score and the score, the host score exactly.
    """
    app_i, km = _apprentice_score(tier, twin, cosine, preferred, has_pref, S, exact)
    host_i = _host_score(tier, margin, year, S)
    scale = S[23]
    score_i = np.rint((S[7] * (app_i / scale) + S[8] * (host_i / scale)) * scale)
    return app_i, host_i, np.int64(score_i), km


@njit(cache=True)
def pair_scores(cosine, tier, twin, margin, preferred, has_pref, year, S):
    """Vectorised :func:`_scores` over pairs (the scores every result shows)."""
    n = len(cosine)
    app = np.empty(n, np.int64)
    host = np.empty(n, np.int64)
    score = np.empty(n, np.int64)
    km = np.empty(n, np.float64)
    for i in range(n):
        app[i], host[i], score[i], km[i] = _scores(tier[i], twin[i], margin[i], cosine[i],
                                                   preferred[i], has_pref[i], year[i], S)
    return app, host, score, km


@njit(cache=True)
def pair_cosines(a_xyz, p_xyz, a, p):
    out = np.empty(len(a), np.float64)
    for i in range(len(a)):
        out[i] = _cosine(a_xyz, p_xyz, a[i], p[i])
    return out


@njit(cache=True, inline="always")
def _twin_range(twin_keys, home, n_cols):
    if home < 0 or len(twin_keys) == 0:
        return 0, 0
    return (np.searchsorted(twin_keys, home * n_cols),
            np.searchsorted(twin_keys, (home + 1) * n_cols))


@njit(cache=True)
def _sift(heap_k, heap_p, r, size, i):
    """Restore the min-heap ``heap_k[r, :size]`` below position ``i``."""
    while True:
        left, smallest = 2 * i + 1, i
        if left < size and heap_k[r, left] < heap_k[r, smallest]:
            smallest = left
        if left + 1 < size and heap_k[r, left + 1] < heap_k[r, smallest]:
            smallest = left + 1
        if smallest == i:
            return
        heap_k[r, smallest], heap_k[r, i] = heap_k[r, i], heap_k[r, smallest]
        heap_p[r, smallest], heap_p[r, i] = heap_p[r, i], heap_p[r, smallest]
        i = smallest


@njit(cache=True)
def _push(heap_k, heap_p, r, cap, size, key, p):
    """Keep the ``cap`` largest keys of row ``r`` in a min-heap; returns the new size."""
    if size < cap:
        i = size
        heap_k[r, i], heap_p[r, i] = key, p
        while i > 0:
            parent = (i - 1) // 2
            if heap_k[r, parent] <= heap_k[r, i]:
                break
            heap_k[r, parent], heap_k[r, i] = heap_k[r, i], heap_k[r, parent]
            heap_p[r, parent], heap_p[r, i] = heap_p[r, i], heap_p[r, parent]
            i = parent
        return size + 1
    if key <= heap_k[r, 0]:
        return size
    heap_k[r, 0], heap_p[r, 0] = key, p
    _sift(heap_k, heap_p, r, cap, 0)
    return size


@njit(cache=True, inline="always")
def _sift_max(heap, keys, size, i):
    """Restore the max-heap ``heap[:size]`` (of indices into ``keys``) below ``i``."""
    while True:
        left, largest = 2 * i + 1, i
        if left < size and keys[heap[left]] > keys[heap[largest]]:
            largest = left
        if left + 1 < size and keys[heap[left + 1]] > keys[heap[largest]]:
            largest = left + 1
        if largest == i:
            return
        heap[largest], heap[i] = heap[i], heap[largest]
        i = largest


@njit(cache=True, inline="always")
def _push_max(heap, keys, size, item):
    """Add ``item`` to the max-heap ``heap[:size]`` (by ``keys``); returns the new size."""
    i = size
    while i > 0:
        parent = (i - 1) // 2
        if keys[heap[parent]] >= keys[item]:
            break
        heap[i] = heap[parent]
        i = parent
    heap[i] = item
    return size + 1


@njit(cache=True, parallel=True)
def scan(rows, groups, mode, K, bound, col_ptr, col_idx, A, P, S, min_held, v, G, C,
         seg_floor, prune):
    """One pass over the cells of ``rows`` (row ``r`` meets the placements
    ``col_idx[col_ptr[groups[r]]:col_ptr[groups[r] + 1]]``, cut into the segments ``G``
    of :class:`mobility.matching.segments.Segments`). Placements are numbered in segment
    order (``pos``, see :mod:`mobility.matching.segments`): the arrays of ``P``, the
    columns, ``v`` and the placements returned. ``G`` ends with the twin table of the columns
    (keys ``home * len(col_idx) + j``, :func:`~mobility.matching.segments.twin_table_by_column`).
    ``C`` holds, per column ``j``, what the cells read (:func:`column_values`: dates,
    position, id rank, languages), in column order: a segment's cells then read neighbouring memory
    instead of one cache line per placement and array (at 1,000,000 x 500,000 the
    placements' arrays are far larger than the cache).

    ``mode`` :data:`BY_APPRENTICE` / :data:`BY_SCORE`: each row's best ``K`` cells by
    apprentice / score key among those with key ``< bound[r]`` (and, for apprentice keys,
    not at a placement that is full of apprentices it prefers: host key below
    ``min_held[j]``, per column; the placements then come as ``p | host_score << 32``, see
    :func:`unpack_hosts`). :data:`BY_REDUCED_PROFIT`: the best ``K`` by ``score - v[p]``
    among cells with ``score > bound[r] + v[p]`` (pricing against dual values).
    ``seg_floor[s]`` (one per segment): for BY_REDUCED_PROFIT the least ``v``, for
    BY_APPRENTICE the least ``min_held`` in segment ``s`` (zeros bound nothing).
    :data:`COUNT_ABOVE`: only the count of cells with apprentice key ``> bound[r]``.
    :data:`VALUES`: for one-cell rows, ``keys[r, 0]`` packs the three scores
    (``apprentice << 42 | host << 21 | score``; -1: not acceptable).

    ``prune``: segments whose bound cannot beat the row's ``K``-th best (or the bound
    of COUNT_ABOVE / BY_REDUCED_PROFIT) are skipped, best bound first. Then (and with
    :data:`NO_COUNT` added to ``mode``) the count of acceptable cells is an upper bound:
    skipped cells and cells a bound rejected count as acceptable unless the distance,
    date or language rule was seen to fail. Without ``prune`` and ``NO_COUNT`` the
    count is exact.

    Returns ``(placements, keys, sizes, acceptable)``: ``K`` slots per row sorted best
    first, how many are filled (the count for COUNT_ABOVE), and how many acceptable
    cells each row has (see above).

    The rules and scores are written out inside the loop on purpose: a helper function
    taking the arrays costs ten times the cell itself in reference counting.
    """
    (a_isco, a_minor, a_sub, a_start, a_end, a_xyz, a_cos_max, a_year, a_level, a_pref,
     a_has_pref, a_home, a_rank) = A
    # Dates, positions, id ranks and languages are read per column (C).
    p_isco, p_minor, p_sub, p_accepts, p_country = P[0], P[1], P[2], P[3], P[8]
    # Unpacked once: arrays handed to a helper per segment cost reference counting.
    c_start, c_end, c_min, c_xyz, c_rank, c_lang, c_req = C
    (seg_ptr, seg_lo, seg_hi, seg_country, seg_centre, seg_cos_r, seg_sin_r, seg_tiers,
     cap_first, cap_end, sup_ptr, sup_lo, sup_hi, cap_lang_ptr, cap_lang, cap_lang_req,
     twin_keys, twin_status) = G
    # NO_COUNT added to the mode: the caller needs no count of acceptable cells, so the
    # bounds may reject a cell before its language rule is checked.
    exact_count = mode < NO_COUNT and not prune
    first_stage = 1 if exact_count else 0
    mode = mode % NO_COUNT
    n = len(rows)
    out_p = np.full((n, K), -1, np.int64)
    out_k = np.full((n, K), _LOW, np.int64)
    sizes = np.zeros(n, np.int64)
    acceptable = np.zeros(n, np.int64)
    n_a = np.int64(len(a_isco))
    n_p = np.int64(len(p_isco))
    width = c_lang.shape[1]
    # The twin statuses whose component is least and most (bounds of every cell's).
    least_twin = 0
    top_twin = 0
    for level in range(1, 4):
        if _twin_component(level, S) < _twin_component(least_twin, S):
            least_twin = level
        if _twin_component(level, S) > _twin_component(top_twin, S):
            top_twin = level
    max_seg = 0
    max_sup = 0
    for g in range(len(seg_ptr) - 1):
        max_seg = max(max_seg, seg_ptr[g + 1] - seg_ptr[g])
        max_sup = max(max_sup, sup_ptr[g + 1] - sup_ptr[g])
    n_segs = len(seg_lo)
    n_cols = np.int64(len(col_idx))
    n_chunks = (n + _ROWS_PER_CHUNK - 1) // _ROWS_PER_CHUNK
    # Scratch space per chunk of rows, not per row: with three arrays allocated per row,
    # one count over the ranks of a 1,000,000-apprentice run grew from 10 to 23 GB and
    # was killed (out of memory).
    for chunk in prange(n_chunks):
        # Per item (a block's segments, then its supersegments): key bound, first twin
        # entry, cosine between home and cap centre, all keys above the limit, best
        # language margin, score bound.
        item_m = np.empty(max_seg + max_sup, np.int64)
        item_s = np.empty(max_seg + max_sup, np.int64)
        item_h = np.empty(max_seg + max_sup, np.int64)
        item_key = np.empty(max_seg + max_sup, np.int64)
        item_t = np.empty(max_seg + max_sup, np.int64)
        item_c = np.empty(max_seg + max_sup, np.float64)
        item_above = np.zeros(max_seg + max_sup, np.bool_)
        heap = np.empty(max_seg + max_sup, np.int64)  # items best bound first
        for r in range(chunk * _ROWS_PER_CHUNK, min(n, (chunk + 1) * _ROWS_PER_CHUNK)):
            a = rows[r]
            g = groups[r]
            size = 0
            count = 0
            above = 0
            limit = bound[r]
            own_host_tie = n_a - a_rank[a]
            home_base = a_home[a] * n_cols
            # The apprentice's own values, read once (the compiler cannot keep them in
            # registers across the writes to the output rows).
            ax, ay, az, cos_max = a_xyz[a, 0], a_xyz[a, 1], a_xyz[a, 2], a_cos_max[a]
            a_from, a_to, isco, minor, sub = a_start[a], a_end[a], a_isco[a], a_minor[a], a_sub[a]
            has_pref, year = a_has_pref[a], a_year[a]
            # This home's twin placements (keyed by column, see segments.py).
            t_lo, t_hi = _twin_range(twin_keys, a_home[a], n_cols)
            s_base = seg_ptr[g]
            u_lo = sup_ptr[g]
            # Caps best bound first, from a max-heap of items: a block's supersegments
            # (item max_seg + u - u_lo) are bounded first; one coming first is opened:
            # its segments (item seg - s_base) are bounded and pushed; a segment coming
            # first has its cells visited. The first item whose bound cannot beat the
            # K-th best ends the row. Without a K to beat (COUNT_ABOVE, VALUES, no
            # pruning) every item is taken in turn (the order then does not matter).
            best_first = prune and mode <= 2
            n_heap = 0
            b_lo, b_hi = n_segs + sup_ptr[g], n_segs + sup_ptr[g + 1]
            opened_above = False
            while True:
                # Bound the caps b_lo:b_hi (_LOW: nothing in it can be kept), push the rest.
                for cap in range(b_lo, b_hi):
                    it = cap - s_base if cap < n_segs else max_seg + cap - n_segs - u_lo
                    if opened_above:
                        # COUNT_ABOVE: every key in the supersegment is above the limit.
                        item_key[it], item_t[it], item_above[it] = _HIGH, t_lo, True
                        item_m[it], item_s[it] = np.int64(NO_LANGUAGE_REQUIRED), _HIGH
                        item_h[it] = _HIGH
                        n_heap = _push_max(heap, item_key, n_heap, it)
                        continue
                    if cap_end[cap] == cap_first[cap]:
                        continue  # no columns left in it (a scan of some columns only)
                    # The cosine of the smallest angle between the home and the cap: a
                    # bound of every cell's cosine (plus a margin).
                    c = ax * seg_centre[cap, 0] + ay * seg_centre[cap, 1] + az * seg_centre[cap, 2]
                    c = min(max(c, -1.0), 1.0)
                    if c >= seg_cos_r[cap]:
                        cos_ub = 1.0
                    else:
                        cos_ub = min(c * seg_cos_r[cap] + math.sqrt(1.0 - c * c) * seg_sin_r[cap]
                                     + 1e-12, 1.0)
                    # The best margin she can have at any of its placements: per language
                    # named there, her level less the least requirement.
                    margin_ub = np.int64(-32000)
                    if cos_ub >= cos_max:
                        for k in range(cap_lang_ptr[cap], cap_lang_ptr[cap + 1]):
                            language = cap_lang[k]
                            gap = (np.int64(NO_LANGUAGE_REQUIRED) if language < 0 else
                                   np.int64(a_level[a, language]) - cap_lang_req[k])
                            if gap > margin_ub:
                                margin_ub = gap
                    possible = cos_ub >= cos_max and margin_ub >= -1
                    if not exact_count:
                        # Cells possibly acceptable until seen: a supersegment's count
                        # them; a segment failing the distance or language rule takes
                        # its own back.
                        if cap >= n_segs and possible:
                            count += cap_end[cap] - cap_first[cap]
                        elif cap < n_segs and not possible:
                            count -= cap_end[cap] - cap_first[cap]
                    if not possible:
                        continue  # the distance or language rule fails for every cell
                    best_tier = _tier_at_extreme(seg_tiers[cap], S, True)
                    country = seg_country[cap]
                    preferred = True if country < 0 else a_pref[a, country]
                    if prune and mode == 2 and t_lo < t_hi:
                        # Pricing: the bound with the best twin status first; only a cap
                        # that passes it pays for the search of her twin placements.
                        _, _, score_u, _ = _scores(best_tier, top_twin, margin_ub, cos_ub,
                                                   preferred, has_pref, year, S, False)
                        if score_u - seg_floor[cap] <= limit:
                            continue
                    # The home's first twin placement in the cap (binary search) and the
                    # best twin status among them.
                    twin_best = 0
                    ts = t_lo
                    if t_lo < t_hi:
                        first_key = home_base + cap_first[cap]
                        hi = t_hi
                        while ts < hi:
                            mid = (ts + hi) >> 1
                            if twin_keys[mid] < first_key:
                                ts = mid + 1
                            else:
                                hi = mid
                        best_c = 0.0
                        t = ts
                        while t < t_hi and twin_keys[t] < home_base + cap_end[cap]:
                            status = np.int64(twin_status[t])
                            value = _twin_component(status, S)
                            if value > best_c:
                                best_c, twin_best = value, status
                            t += 1
                    app_u, host_u, score_u, _ = _scores(best_tier, twin_best, margin_ub, cos_ub,
                                                        preferred, has_pref, year, S, False)
                    key = _HIGH  # without pruning: every cap
                    if not prune:
                        pass
                    elif mode == 0:
                        key = app_u * (n_p + 1) + n_p
                        # Every placement in it full of apprentices its host prefers to her?
                        if host_u * (n_a + 1) + own_host_tie < seg_floor[cap]:
                            continue
                    elif mode == 3:
                        key = app_u * (n_p + 1) + n_p
                        if key <= limit:
                            continue
                    elif mode == 1:
                        key = score_u * (n_p + 1) + n_p
                    elif mode == 2:
                        key = (score_u - seg_floor[cap]) * (n_p + 1) + n_p
                        if score_u - seg_floor[cap] <= limit:
                            continue
                    item_m[it], item_s[it] = margin_ub, score_u
                    item_h[it] = host_u * (n_a + 1) + own_host_tie
                    item_key[it], item_t[it], item_c[it], item_above[it] = key, ts, c, False
                    n_heap = _push_max(heap, item_key, n_heap, it)
                b_lo = b_hi = 0
                opened_above = False
                if n_heap == 0:
                    break
                it = heap[0]
                n_heap -= 1
                heap[0] = heap[n_heap]
                _sift_max(heap, item_key, n_heap, 0)
                if best_first and size == K and item_key[it] <= out_k[r, 0]:
                    break  # nothing from here on can enter
                all_above = item_above[it]
                cap = n_segs + u_lo + it - max_seg if it >= max_seg else s_base + it
                if not all_above and prune and (mode == 3 or (mode == 0 and limit != _HIGH)):
                    # A lower bound of every apprentice key in the cap (computed only for
                    # the caps taken): its worst tier, no twin bonus, the preference for
                    # its country and the distance at the cap's farthest point (exactly,
                    # from a cosine lowered by a margin). A refill (keys below ``limit``)
                    # skips a cap whose keys are all at or above it: fetched before. A
                    # rank count needs no scores where all are above.
                    c = item_c[it]
                    if c < -seg_cos_r[cap]:
                        cos_lb = -1.0  # the cap reaches the antipode
                    else:
                        cos_lb = max(c * seg_cos_r[cap]
                                     - math.sqrt(1.0 - c * c) * seg_sin_r[cap] - 1e-12, -1.0)
                    worst_tier = _tier_at_extreme(seg_tiers[cap], S, False)
                    country = seg_country[cap]
                    app_l, _ = _apprentice_score(worst_tier, least_twin, cos_lb,
                                                 False if country < 0 else a_pref[a, country],
                                                 has_pref, S, False, True)
                    if mode == 0 and app_l * (n_p + 1) >= limit:
                        continue
                    all_above = mode == 3 and app_l * (n_p + 1) > limit
                if it >= max_seg:
                    # Open the supersegment: bound its segments next.
                    b_lo, b_hi = sup_lo[cap - n_segs], sup_hi[cap - n_segs]
                    opened_above = all_above
                    continue
                seg = cap
                t_at = item_t[it]
                seg_margin = item_m[it]
                seg_score = item_s[it]
                seg_host_key = item_h[it]
                # A segment holds one trade tier and one country (a cap of one-cell scans
                # may hold any: then the cell's own are read).
                tier_mask = seg_tiers[seg]
                seg_tier = -1
                for t in range(4):
                    if tier_mask == 1 << t:
                        seg_tier = t
                s_country = seg_country[seg]
                seg_pref = a_pref[a, s_country] if s_country >= 0 else False
                if all_above:
                    # COUNT_ABOVE where every key is above the limit: only the rules.
                    for j in range(seg_lo[seg], seg_hi[seg]):
                        if (min(a_to, c_end[j]) - max(a_from, c_start[j]) + 1 < c_min[j]
                                or ax * c_xyz[j, 0] + ay * c_xyz[j, 1] + az * c_xyz[j, 2]
                                < cos_max):
                            count -= 1
                            continue
                        if _best_margin(a_level, a, c_lang, c_req, j, width) < -1:
                            count -= 1
                        else:
                            above += 1
                    continue
                for j in range(seg_lo[seg], seg_hi[seg]):
                    # Pricing: the segment's score bound against this placement's own
                    # price (the segment was let in by its least price).
                    if prune and mode == 2 and seg_score - v[col_idx[j]] <= limit:
                        continue
                    # A refill: full of apprentices its host prefers to her, whatever
                    # her score here (the segment's host bound loses): nothing to read.
                    if prune and mode == 0 and seg_host_key < min_held[j]:
                        continue
                    # -- hard rules (candidates.pair_features states them for pairs) --
                    if min(a_to, c_end[j]) - max(a_from, c_start[j]) + 1 < c_min[j]:
                        if not exact_count:
                            count -= 1
                        continue
                    cosine = ax * c_xyz[j, 0] + ay * c_xyz[j, 1] + az * c_xyz[j, 2]
                    if cosine < cos_max:
                        if not exact_count:
                            count -= 1
                        continue
                    p = col_idx[j]
                    if seg_tier >= 0:
                        tier = seg_tier
                    elif isco == p_isco[p]:
                        tier = 0
                    elif minor == p_minor[p]:
                        tier = 1
                    elif p_accepts[p] and sub == p_sub[p]:
                        tier = 2
                    else:
                        tier = 3  # in the block only because the host names the trade
                    # A segment's columns ascend, and so do this home's twin entries.
                    twin = 0
                    while t_at < t_hi and twin_keys[t_at] < home_base + j:
                        t_at += 1
                    if t_at < t_hi and twin_keys[t_at] == home_base + j:
                        twin = np.int64(twin_status[t_at])
                    tie = n_p - c_rank[j]
                    preferred = seg_pref if s_country >= 0 else a_pref[a, p_country[p]]
                    if mode == 0 or mode == 3:
                        # Stable's scans (lists, rank counts) need the apprentice key and
                        # the host key, never the score: the apprentice key with the
                        # distance bounded first (most cells end there: below the K-th
                        # best or the limit), then the language rule and the host key
                        # (which do not depend on the distance), the exact key last.
                        app_i, _ = _apprentice_score(tier, twin, cosine, preferred, has_pref,
                                                     S, False)
                        key = app_i * (n_p + 1) + tie
                        cut = key <= limit if mode == 3 else size == K and key <= out_k[r, 0]
                        if cut and not exact_count:
                            continue
                        best = _best_margin(a_level, a, c_lang, c_req, j, width)
                        if best < -1:
                            if not exact_count:
                                count -= 1
                            continue
                        if exact_count:
                            count += 1
                        if cut:
                            continue
                        if mode == 3:
                            # A rank count: a lower bound of the key decides most cells
                            # without the exact distance (no arc cosine, no exponential).
                            app_l, _ = _apprentice_score(tier, twin, cosine, preferred,
                                                         has_pref, S, False, True)
                            if app_l * (n_p + 1) + tie > limit:
                                above += 1
                                continue
                        host_i = np.int64(0)
                        if mode == 0:
                            host_i = _host_score(tier, best, year, S)
                            if host_i * (n_a + 1) + own_host_tie < min_held[j]:
                                continue
                        app_i, _ = _apprentice_score(tier, twin, cosine, preferred, has_pref,
                                                     S, True)
                        key = app_i * (n_p + 1) + tie
                        if mode == 3:
                            if key > limit:
                                above += 1
                        elif key < limit:
                            # A list keeps the host score beside the placement (the lists
                            # need both): placement | host << 32. (_push drops a key not
                            # above the K-th best.)
                            size = _push(out_k, out_p, r, K, size, key, p | (host_i << 32))
                        continue
                    # The score's scans (optimal, ranked, values). Stages with the same
                    # tests: (0) the language component at the segment's best margin and
                    # the distance component bounded from the table: upper bounds on all
                    # three scores, before the language rule (only when the acceptable
                    # cells need no counting); (1) the language rule, then the distance
                    # still bounded (the host score exact); (2) exactly. A bound may only
                    # reject, never accept: most cells are rejected without the language
                    # loop, an arc cosine or an exponential.
                    keep = True
                    key = np.int64(0)
                    best = seg_margin
                    for stage in range(first_stage, 3):
                        if stage == 1:
                            best = _best_margin(a_level, a, c_lang, c_req, j, width)
                            if best < -1:
                                keep = False
                                if not exact_count:
                                    count -= 1
                                break
                            if exact_count:
                                count += 1
                            if mode == 4:
                                break
                        app_i, host_i, score_i, _ = _scores(tier, twin, best, cosine, preferred,
                                                            has_pref, year, S, stage == 2)
                        if mode == 1:
                            key = score_i * (n_p + 1) + tie
                        elif mode == 2:
                            keep = score_i - v[p] > limit
                            key = (score_i - v[p]) * (n_p + 1) + tie
                        if size == K and key <= out_k[r, 0]:
                            keep = False
                        if stage == 2 and mode == 1 and key >= limit:
                            keep = False
                        if not keep:
                            break
                    if keep and mode == 4:
                        app_i, host_i, score_i, _ = _scores(tier, twin, best, cosine, preferred,
                                                            has_pref, year, S, True)
                        out_k[r, 0] = (app_i << 42) | (host_i << 21) | score_i
                        continue
                    if keep:
                        size = _push(out_k, out_p, r, K, size, key, p)
            # Heap -> best first.
            for end in range(size - 1, 0, -1):
                out_k[r, 0], out_k[r, end] = out_k[r, end], out_k[r, 0]
                out_p[r, 0], out_p[r, end] = out_p[r, end], out_p[r, 0]
                _sift(out_k, out_p, r, end, 0)
            sizes[r] = above if mode == 3 else size
            acceptable[r] = count
    return out_p, out_k, sizes, acceptable


def column_values(col_idx: np.ndarray, P: tuple) -> tuple[np.ndarray, ...]:
    """What :func:`scan` reads first of each column ``j`` (placement ``col_idx[j]`` of the
    placement arrays ``P``), gathered in column order: start, end and minimum days, the
    position (x, y, z), the id rank, and the languages with their required levels.

    >>> P = (None,) * 4 + (np.array([5, 6]), np.array([9, 8]), np.array([2, 3]),
    ...                     np.eye(2, 3), None, np.ones((2, 1)), np.ones((2, 1)), np.array([1, 0]))
    >>> [x.tolist() for x in column_values(np.array([1, 1, 0]), P)][0]
    [6, 6, 5]
    """
    return tuple(np.ascontiguousarray(P[i][col_idx]) for i in (4, 5, 6, 7, 11, 9, 10))


def unpack_hosts(packed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(placements, host scores) of a :data:`BY_APPRENTICE` scan's placements."""
    return packed & 0xFFFFFFFF, packed >> 32


def cell_values(a, p, A, P, S, twins):
    """(acceptable, apprentice, host, score) integers for given pairs (one-cell scans;
    ``twins``: the twin table of the columns ``p``, see
    :func:`mobility.matching.segments.twin_table_by_column`). The pairs must pass the
    trade rule (the callers take them from the blocks)."""
    a = np.asarray(a, np.int64)
    p = np.asarray(p, np.int64)
    n = len(a)
    _, keys, _, _ = scan(a, np.arange(n, dtype=np.int64), VALUES, 1, np.zeros(n, np.int64),
                         np.arange(n + 1, dtype=np.int64), p, A, P, S,
                         np.zeros(1, np.int64), np.zeros(1, np.int64),
                         single_segments(n).kernel_args() + tuple(twins),
                         column_values(p, P), np.zeros(2 * n, np.int64), False)
    packed = keys[:, 0]
    ok = packed >= 0
    mask = (1 << 21) - 1
    return ok, np.where(ok, packed >> 42, 0), np.where(ok, (packed >> 21) & mask, 0), \
        np.where(ok, packed & mask, 0)


@njit(cache=True)
def gather_runs(src, starts, counts, out):
    """Copy the runs ``src[starts[i]:starts[i] + counts[i]]`` one after another into
    ``out`` (as ``src[segments.concatenated_ranges(starts, counts)]``, without the index
    array: at 1,000,000 apprentices the lists' pool holds some 250 million entries, and
    the int64 indices with their temporaries were 24 bytes per entry, the run's peak)."""
    at = 0
    for i in range(len(starts)):
        first = starts[i]
        for k in range(counts[i]):
            out[at] = src[first + k]
            at += 1
    return at


@njit(cache=True)
def mark_runs(seen, src, starts, counts):
    """``seen[src[j]] = True`` for every ``j`` in the runs (see :func:`gather_runs`)."""
    for i in range(len(starts)):
        first = starts[i]
        for k in range(counts[i]):
            seen[src[first + k]] = True


#: Apprentices deferred acceptance keeps proposing side by side, and the most proposals
#: one of them makes in a turn while refused (see :func:`deferred_acceptance_lists`).
DA_LANES, DA_BURST = 8, 4


@njit(cache=True)
def deferred_acceptance_lists(stack, top, L_p, L_host, meta, held_at, cap, heap_ptr, heap_k,
                              heap_a, load, floor):
    """Apprentice-proposing deferred acceptance over per-apprentice lists.

    ``stack[:top]`` holds the free apprentices who still have list entries; each proposes
    down her list ``L_p[start + ptr:start + length]`` (``meta[a]`` holds start, length,
    ptr and her tie; host scores ``L_host``: her host key there is
    ``host * (n_a + 1) + tie``); each placement keeps its best ``cap[p]`` proposals in a
    min-heap (``heap_k``/``heap_a`` from ``heap_ptr[p]``, ``load[p]`` filled);
    ``floor[p]`` is the host key of its worst holder once it is full (the heap's root),
    else the least int64. Returns ``(exhausted, proposals)``: the free apprentices whose
    list ran out (they need their next placements) and the number of proposals made.
    State arrays are updated in place, so calls can be repeated after refilling lists:
    the result does not depend on the order of proposals.

    That freedom is used for speed: :data:`DA_LANES` apprentices propose in turn (up to
    :data:`DA_BURST` proposals each while refused), so that the processor waits for
    several of their reads at once (her list position, the placement's floor and heap:
    at 1,000,000 x 500,000 each is a cache miss, and one apprentice at a time waited for
    each in turn; saved rounds of 300,000 x 150,000, one thread: 30-35 % less time).
    """
    exhausted = np.empty(len(stack), np.int64)
    n_key = np.int64(len(meta) + 1)
    n_ex = 0
    proposals = 0
    # Per lane: her, her list's start and end, her position and where it began, her tie.
    lane = np.full(DA_LANES, -1, np.int64)
    first = np.zeros(DA_LANES, np.int64)
    end = np.zeros(DA_LANES, np.int64)
    at = np.zeros(DA_LANES, np.int64)
    began = np.zeros(DA_LANES, np.int64)
    tie = np.zeros(DA_LANES, np.int64)
    busy = 0
    while busy > 0 or top > 0:
        for w in range(DA_LANES):
            a = lane[w]
            if a < 0:
                if top == 0:
                    continue
                # A free lane takes the next free apprentice; she proposes next turn,
                # her list position read meanwhile.
                top -= 1
                a = stack[top]
                lane[w] = a
                first[w], end[w], at[w], tie[w] = meta[a, 0], meta[a, 1], meta[a, 2], meta[a, 3]
                began[w] = at[w]
                busy += 1
                continue
            j = at[w]
            if j == end[w]:
                # Refused everywhere on her list: she needs her next placements.
                proposals += j - began[w]
                meta[a, 2] = j
                exhausted[n_ex] = a
                n_ex += 1
                lane[w] = -1
                busy -= 1
                continue
            # Up to DA_BURST proposals in one turn while refused. Most proposals go to
            # a full placement whose worst holder the host prefers: refused after one
            # read (load, capacity, heap start and root lie in different arrays).
            stop = min(end[w], j + DA_BURST)
            start, her_tie = first[w], tie[w]
            p, hk = -1, np.int64(0)
            while j < stop:
                p = L_p[start + j]
                hk = np.int64(L_host[start + j]) * n_key + her_tie
                j += 1
                if hk > floor[p]:
                    break
                p = -1
            at[w] = j
            if p < 0:
                continue
            base = heap_ptr[p]
            c = cap[p]
            if load[p] < c:
                # A free slot: sift up from the end.
                i = load[p]
                load[p] += 1
                while i > 0:
                    parent = (i - 1) // 2
                    if heap_k[base + parent] <= hk:
                        break
                    heap_k[base + i] = heap_k[base + parent]
                    heap_a[base + i] = heap_a[base + parent]
                    i = parent
            else:
                # Full: the worst holder is free again; sift the new one down from the root.
                loser = heap_a[base]
                held_at[loser] = -1
                stack[top] = loser
                top += 1
                i = 0
                while True:
                    left, smallest = 2 * i + 1, i
                    kk = hk
                    if left < c and heap_k[base + left] < kk:
                        smallest, kk = left, heap_k[base + left]
                    if left + 1 < c and heap_k[base + left + 1] < kk:
                        smallest = left + 1
                    if smallest == i:
                        break
                    heap_k[base + i] = heap_k[base + smallest]
                    heap_a[base + i] = heap_a[base + smallest]
                    i = smallest
            heap_k[base + i] = hk
            heap_a[base + i] = a
            held_at[a] = p
            if load[p] == c:
                floor[p] = heap_k[base]
            proposals += j - began[w]
            meta[a, 2] = j
            lane[w] = -1
            busy -= 1
    return exhausted[:n_ex], proposals


@njit(cache=True)
def placement_prices(n_p, a, p, gain, held_at, load, cap, max_passes):
    """Least dual prices ``v`` of the placements for an allocation over columns
    ``(a, p, gain)``: ``v[p] >= gain`` for columns of unplaced apprentices,
    ``v[p] >= v[q] + gain(a, p) - gain(a, q)`` for an apprentice placed at ``q``, and
    ``v >= 0`` (longest paths, Bellman-Ford with a queue). Returns ``(v, converged)``;
    it does not converge only when the allocation is not optimal on its columns.
    """
    v = np.zeros(n_p, np.int64)
    n = len(a)
    # Gain of each apprentice's own pair.
    own = np.zeros(len(held_at), np.int64)
    for i in range(n):
        if held_at[a[i]] == p[i]:
            own[a[i]] = gain[i]
    # Arcs q -> p for placed apprentices, in CSR by q.
    counts = np.zeros(n_p + 1, np.int64)
    for i in range(n):
        q = held_at[a[i]]
        if q < 0:
            if gain[i] > v[p[i]]:
                v[p[i]] = gain[i]
        elif q != p[i]:
            counts[q + 1] += 1
    for q in range(n_p):
        counts[q + 1] += counts[q]
    fill = counts[:-1].copy()
    to = np.empty(counts[n_p], np.int64)
    w = np.empty(counts[n_p], np.int64)
    for i in range(n):
        q = held_at[a[i]]
        if q >= 0 and q != p[i]:
            to[fill[q]] = p[i]
            w[fill[q]] = gain[i] - own[a[i]]
            fill[q] += 1
    queue = np.empty(n_p + 1, np.int64)
    queued = np.ones(n_p, np.bool_)
    for q in range(n_p):
        queue[q] = q
    head, tail, size = 0, n_p, n_p
    pops = 0
    while size > 0:
        q = queue[head]
        head = (head + 1) % (n_p + 1)
        size -= 1
        queued[q] = False
        pops += 1
        if pops > max_passes:
            return v, False
        for j in range(counts[q], counts[q + 1]):
            target = to[j]
            if v[q] + w[j] > v[target]:
                v[target] = v[q] + w[j]
                if not queued[target]:
                    queued[target] = True
                    queue[tail] = target
                    tail = (tail + 1) % (n_p + 1)
                    size += 1
    return v, True
