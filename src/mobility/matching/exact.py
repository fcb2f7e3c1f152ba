"""Exact answers over every acceptable pair, without ever storing them all.

* :func:`stable_exact`: the apprentice-optimal stable matching over the full acceptable
  set. Deferred acceptance does not depend on the order of proposals, so each apprentice
  starts with a short list of her best placements (one compiled scan of her trade block)
  and fetches her next best only when every placement on her list has refused her
  (*lazy refills*). A refill skips placements that are full of apprentices they prefer to
  her: such a placement's worst holder only gets better, so it would refuse her anyway.
* :func:`optimal_exact`: the maximum total ``score`` over the full acceptable set. Solved
  on candidate columns (each apprentice's best by ``score``) by shortest augmenting
  paths (:func:`mobility.matching.assign.solve`), then *certified*: the least dual
  prices of the placements are computed from the allocation alone
  (:func:`~mobility.matching.kernel.placement_prices`), every acceptable pair is priced
  against them (reduced profit ``score - u_a - v_p``), violators are added and the
  solver warm-started from those prices (only the rows that gained columns start
  again) until none is left. Dual feasibility over every pair plus equal primal and
  dual totals proves optimality (LP duality; the b-matching polytope is integral).
* :func:`ranked_exact`: each apprentice's true top ``k`` by ``score``.

Each returns a :class:`Run` with the assignment and counters for the summary.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import numba
import numpy as np

from mobility.errors import MobilityError
from mobility.matching import assign, kernel, segments
from mobility.matching.candidates import ApprenticeBatch, PlacementIndex
from mobility.matching.scores import MatchSettings

#: Placements per apprentice in the first list (stable) and the first columns (optimal).
FIRST_LIST = 64
FIRST_COLUMNS = 16
#: The longest list one refill fetches (each refill doubles the previous one).
LONGEST_REFILL = 4096
#: How much longer each refill's list is than the previous one.
REFILL_GROWTH = 2
#: Each row's best placements by score kept for pricing without a scan (optimal).
SHORTLIST = 64
#: Violators added per apprentice and pricing round.
PRICED_PER_ROW = 32

#: Up to this many apprentices the acceptable pairs are counted exactly (a full pass,
#: as ``--verify`` needs); above, the first scans prune and the count is an upper bound.
EXACT_COUNT_APPRENTICES = 30_000

#: Block structures kept per fitted index (by set of trades).
_KEPT_BLOCKS = 64

#: Scans of fewer cells run on the calling thread alone.
_FEW_CELLS = 200_000

_HIGH = np.iinfo(np.int64).max
_LOW = np.iinfo(np.int64).min


@dataclass
class Run:
    """What an exact run found and how much work it took."""

    assignment: np.ndarray
    rank: np.ndarray
    #: Acceptable pairs per apprentice: exact when ``acceptable_exact``, else an upper
    #: bound (large caseloads: the scans prune instead of counting).
    acceptable_per_apprentice: np.ndarray
    acceptable_exact: bool
    #: Whether each apprentice has any acceptable pair (always exact).
    has_acceptable: np.ndarray
    #: The pairs weighed: the columns (optimal), the proposals (stable; int32). A stable
    #: run keeps the apprentices as run lengths (``a_runs``, see :meth:`pair_apprentices`).
    a: np.ndarray | None = None
    p: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    a_runs: np.ndarray | None = None
    #: Instead of the pairs (not kept): which placements were proposed to.
    pairs_seen: np.ndarray | None = None
    proposals: int = 0
    refill_rounds: int = 0
    pricing_rounds: int = 0
    priced_rows: int = 0
    certificate: str = ""
    dual_total: float | None = None
    #: The certified duals of an optimal run (apprentices, placements), score x 10**6.
    u: np.ndarray | None = None
    v: np.ndarray | None = None

    def pair_apprentices(self) -> np.ndarray:
        """The apprentice of each pair in :attr:`p`.

        A stable run stores them as run lengths: piece after piece, ``a_runs`` holds how
        many consecutive entries of ``p`` each apprentice ``0..n-1`` has (at 1,000,000
        apprentices and 597M proposals the expanded array was 2.4 GB, kept for a table
        of pairs nobody asks for at that size).

        >>> run = Run(np.zeros(2), np.zeros(2), np.zeros(2), True, np.ones(2, bool),
        ...           p=np.array([5, 6, 7]), a_runs=np.array([1, 1, 0, 1]))
        >>> run.pair_apprentices().tolist()
        [0, 1, 1]
        """
        if self.a_runs is None:
            return np.empty(0, np.int64) if self.a is None else self.a
        n = len(self.assignment)
        return np.repeat(np.tile(np.arange(n, dtype=np.int32), len(self.a_runs) // max(n, 1)),
                         self.a_runs)


def _threads_for(cells: int, func, args):
    """Run a compiled scan; one of fewer than :data:`_FEW_CELLS` cells on the calling
    thread alone (waking the other threads costs more than it saves, above all on a
    busy machine: one apprentice's recommendation, the later refill rounds)."""
    if cells >= _FEW_CELLS:
        return func(*args)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return func(*args)
    finally:
        numba.set_num_threads(threads)


def _packed(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The arrays as the kernel's argument tuple: C-contiguous and writeable, so that
    every caller has the same numba type (a read-only array would be a second
    signature, compiled and cached separately)."""
    return tuple(np.require(x, requirements=("C", "W")) for x in arrays)


class Blocks:
    """The kernel's view of one caseload: packed arrays and each apprentice's block."""

    def __init__(self, A: ApprenticeBatch, P: PlacementIndex, settings: MatchSettings):
        self.A, self.P = A, P
        self.n_a, self.n_p = len(A), len(P)
        cached = getattr(P, "_kernel_settings", None)
        if cached is None or cached[0] != settings:
            cached = P._kernel_settings = (settings, kernel.settings_vector(settings))
        self.S = cached[1]
        self.a_pack = _packed(A.isco, A.isco // 10, A.isco // 100, A.start, A.end, A.xyz,
                              A.cos_max, A.training_year, A.level, A.preferred,
                              A.has_preferences, A.home, A.id_rank)
        # Built once per fitted index: one apprentice's recommendation must not pay for it.
        # The kernel numbers placements in segment order (pos): P's arrays are permuted.
        if getattr(P, "_kernel_pack", None) is None:
            pos = segments.placement_order(P.xyz, P.country)
            order = np.argsort(pos)
            P._kernel_twins = segments.twins_by_pos(P.twin_keys, P.twin_status, pos, len(P))
            # Narrow types where the values allow (ISCO codes, days, ranks): a scan's
            # cells are mostly waiting for memory, and fewer bytes per cell are fewer
            # cache lines per segment.
            i32 = np.int32
            P._kernel_pack = _packed(*(x[order] for x in (
                P.isco.astype(i32), (P.isco // 10).astype(i32), (P.isco // 100).astype(i32),
                P.accepts_related, P.start.astype(i32), P.end.astype(i32),
                P.min_days.astype(i32), P.xyz, P.country, P.lang, P.req,
                P.id_rank.astype(i32))))
            P._kernel_pos, P._kernel_order, P._unit_columns = pos, order, {}
            P._blocks = {}
        self.p_pack, self.pos, self.order = P._kernel_pack, P._kernel_pos, P._kernel_order
        units, self.row_group = np.unique(A.isco, return_inverse=True)
        self.row_group = self.row_group.astype(np.int64)
        # The blocks of a set of trades depend on the index alone: kept for the next
        # caseload of the same trades (one apprentice's recommendations above all:
        # building segments, language and twin tables per call doubled their time).
        key = tuple(int(u) for u in units)
        found = P._blocks.get(key)
        if found is None:
            found = self._blocks_of(units)
            if len(P._blocks) >= _KEPT_BLOCKS:
                # The oldest goes (a fitted index may serve several sessions' threads:
                # another one may have changed the dict in between, so never fail here).
                with contextlib.suppress(RuntimeError, StopIteration):
                    P._blocks.pop(next(iter(P._blocks)), None)
            P._blocks[key] = found
        self.col_ptr, self.col_idx, self.segments, self.twins, self.columns = found
        self.no_v = np.zeros(1, np.int64)
        self.no_held = np.full(len(self.col_idx), _LOW, np.int64)
        self.no_floor = np.zeros(len(self.segments.country), np.int64)
        #: Count the acceptable pairs exactly (else an upper bound, and the scans prune).
        self.exact_count = self.n_a <= EXACT_COUNT_APPRENTICES

    def _unit_columns(self, unit: int) -> tuple[np.ndarray, np.ndarray]:
        """A unit group's block as positions ``pos``, ordered by trade tier and then
        ascending (so that segments hold one tier), with each column's tier."""
        P = self.P
        found = P._unit_columns.get(unit)
        if found is None:
            cols = P.columns_for(unit)
            tiers = segments.block_tiers(unit, P.isco, P.accepts_related, cols)
            order = np.lexsort((self.pos[cols], tiers))
            found = P._unit_columns[unit] = (self.pos[cols][order], tiers[order])
        return found

    def _blocks_of(self, units: np.ndarray):
        """``(col_ptr, col_idx, segments, twins, columns)`` of the trade blocks of ``units``
        (``columns``: :func:`kernel.column_values`)."""
        cols, tiers = (zip(*(self._unit_columns(int(u)) for u in units), strict=True)
                       if len(units) else ((), ()))
        col_ptr = np.r_[0, np.cumsum([len(c) for c in cols])].astype(np.int64)
        col_idx = (np.concatenate(cols) if cols else np.empty(0)).astype(np.int64)
        segs = segments.build_segments(
            col_ptr, col_idx,
            np.concatenate(tiers).astype(np.int64) if tiers else np.empty(0, np.int64),
            np.arange(self.n_p), self.p_pack[7], self.p_pack[8], segments.SEGMENT_LENGTH,
            self.p_pack[9], self.p_pack[10])
        return col_ptr, col_idx, segs, self._twins_of(col_idx), \
            kernel.column_values(col_idx, self.p_pack)

    def _twins_of(self, col_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The twin table the kernel reads for the columns ``col_idx`` (numbered pos)."""
        return _packed(*segments.twin_table_by_column(col_idx, self.P._kernel_twins))

    def cells(self) -> int:
        """Apprentice x placement cells in the blocks (what one full scan visits)."""
        return int(np.diff(self.col_ptr)[self.row_group].sum())

    def held_by_column(self, min_held: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``min_held`` (the least host key each placement still accepts) as the scans
        read it: per column of the blocks, and the least of it per cap (segment or
        supersegment). Made once per refill round, for all of its scans: the array is
        the same for the whole round (at 1,000,000 x 500,000, 16 ms per scan when each
        made its own)."""
        held = np.ascontiguousarray(min_held[self.order][self.col_idx], dtype=np.int64)
        return held, self.segments.floors(held)

    def scan(self, rows, mode, K, bound, held=None, v=None, only=None, count=True):
        """:func:`kernel.scan` over the rows' blocks (``only``: a boolean per placement;
        then only those columns of each block are visited; ``held``: what
        :meth:`held_by_column` makes, for :data:`kernel.BY_APPRENTICE`). ``count=False``:
        the count of acceptable cells is not wanted: the scan then skips segments whose
        bound cannot change its answer, and the count it returns is an upper bound.
        Placements in and out are numbered as in the index (the kernel's own numbering
        stays in here)."""
        if not count:
            mode += kernel.NO_COUNT
        rows = np.asarray(rows, np.int64)
        order = self.order
        col_ptr, col_idx, segs, twins = self.col_ptr, self.col_idx, self.segments, self.twins
        columns = self.columns
        # Per cap (segment or supersegment): the least price (pricing) or the least host
        # key a placement in it still accepts (refills); zeros bound nothing.
        seg_floor = self.no_floor
        if v is not None:
            v = np.ascontiguousarray(v[order], dtype=np.int64)
            seg_floor = segs.floors(v[col_idx])
        if held is None:
            held = self.no_held
        else:
            held, floors = held
            if mode % kernel.NO_COUNT == kernel.BY_APPRENTICE:
                seg_floor = floors
        if only is not None:
            keep = only[order][col_idx]
            kept_before = np.r_[0, np.cumsum(keep)]
            col_ptr, col_idx = kept_before[col_ptr], col_idx[keep]
            segs = segs.keep_only(kept_before)
            twins = self._twins_of(col_idx)
            columns = tuple(np.ascontiguousarray(x[keep]) for x in columns)
            held = np.ascontiguousarray(held[keep])
        cells = int(np.diff(col_ptr)[self.row_group[rows]].sum())
        out_p, out_k, sizes, acceptable = _threads_for(cells, kernel.scan, (
            rows, self.row_group[rows], mode, int(K), np.asarray(bound, np.int64),
            col_ptr, col_idx, self.a_pack, self.p_pack, self.S, held,
            self.no_v if v is None else v, segs.kernel_args() + twins, columns, seg_floor,
            not count))
        found = out_p >= 0
        low = out_p & 0xFFFFFFFF
        out_p = np.where(found, order[np.where(found, low, 0)] | (out_p - low), -1)
        return out_p, out_k, sizes, acceptable

    def values(self, a, p):
        a = np.asarray(a, np.int64)
        p = self.pos[np.asarray(p, np.int64)]
        return _threads_for(len(a), kernel.cell_values, (a, p, self.a_pack, self.p_pack,
                                                         self.S, self._twins_of(p)))

    def apprentice_keys(self, app, p):
        return app * (self.n_p + 1) + (self.n_p - self.P.id_rank[p])

    def rank_of(self, rows, assignment, known):
        """1 + the number of acceptable placements each row prefers to her own (rows
        without a known rank are counted by a scan)."""
        rank = known.copy()
        todo = rows[(assignment[rows] >= 0) & (known[rows] <= 0)]
        if len(todo):
            _, app, _, _ = self.values(todo, assignment[todo])
            _, _, above, _ = self.scan(todo, kernel.COUNT_ABOVE, 1,
                                       self.apprentice_keys(app, assignment[todo]),
                                       count=False)
            rank[todo] = above + 1
        return rank


def _flat(out_p, sizes, rows):
    take = np.arange(out_p.shape[1])[None, :] < sizes[:, None]
    return np.repeat(rows, sizes), out_p[take], take


def ranked_exact(B: Blocks, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each apprentice's best ``k`` by score key: ``(a, p, rank)`` rows, best first."""
    rows = np.arange(B.n_a, dtype=np.int64)
    out_p, _, sizes, _ = B.scan(rows, kernel.BY_SCORE, k, np.full(B.n_a, _HIGH), count=False)
    a, p, take = _flat(out_p, sizes, rows)
    rank = np.broadcast_to(np.arange(1, k + 1), out_p.shape)[take]
    return a, p, rank


def stable_exact(B: Blocks, first: int = FIRST_LIST, progress=None,
                 keep_pairs: bool = True) -> Run:
    """Apprentice-optimal stable matching over every acceptable pair (lazy refills).

    Lists live in one flat pool (``start``/``length`` per apprentice). A refill fetches
    twice as many placements as the apprentice's previous list (up to
    :data:`LONGEST_REFILL`), so an apprentice refused everywhere scans her block a few
    times, not once per ``first`` placements. ``keep_pairs=False``: the proposals are
    not kept, only which placements they went to (``Run.pairs_seen``).
    """
    n_a, n_p, P = B.n_a, B.n_p, B.P
    rows = np.arange(n_a, dtype=np.int64)
    first_p, first_host, sizes, last_key, acceptable = _fetch_lists(
        B, rows, first, np.full(n_a, _HIGH), None, B.exact_count)
    pool = _ListPool(first_p, first_host, sizes, n_a - B.A.id_rank,
                     n_p if not keep_pairs else None)
    del first_p, first_host
    next_size = np.full(n_a, REFILL_GROWTH * first, np.int64)
    held_at = np.full(n_a, -1, np.int64)
    cap = np.minimum(P.slots, n_a).astype(np.int64)
    heap_ptr = np.r_[0, np.cumsum(cap)].astype(np.int64)
    heap_k = np.zeros(max(int(heap_ptr[-1]), 1), np.int64)
    heap_a = np.zeros_like(heap_k)
    load = np.zeros(n_p, np.int64)
    # The worst holder's host key of each full placement (else _LOW): what a refill
    # compares her host key with.
    min_held = np.full(n_p, _LOW, np.int64)
    refilled = np.zeros(n_a, bool)
    stack = np.empty(n_a + 1, np.int64)
    free = rows[sizes > 0]
    stack[:len(free)] = free
    top = len(free)
    proposals = refills = 0
    while True:
        exhausted, made = kernel.deferred_acceptance_lists(
            stack, top, pool.p, pool.host, pool.meta, held_at, cap, heap_ptr, heap_k, heap_a,
            load, min_held)
        proposals += int(made)
        exhausted = exhausted[last_key[exhausted] > _LOW]
        if len(exhausted) == 0:
            break
        refills += 1
        if progress is not None:
            progress(min(0.95, 0.5 + 0.05 * refills),
                     f"stable: refill round {refills}, {len(exhausted):,} apprentices")
        lists = []
        wanted = next_size[exhausted]
        held = B.held_by_column(min_held)
        for size in np.unique(wanted):
            who = exhausted[wanted == size]
            p_new, host_new, new_n, new_last, _ = _fetch_lists(
                B, who, int(size), last_key[who], held, False)
            lists.append((who, p_new, host_new, new_n))
            last_key[who] = new_last
            next_size[who] = np.minimum(REFILL_GROWTH * size, LONGEST_REFILL)
        pool.refill(exhausted, lists)
        del lists
        refilled[exhausted] = True
        again = exhausted[pool.length[exhausted] > 0]
        stack[:len(again)] = again
        top = len(again)
    # Never refilled: position + 1 of the held entry in her first (unpruned) list.
    known = np.where(~refilled & (held_at >= 0), pool.passed + pool.ptr, 0)
    rank = B.rank_of(rows, held_at, known)
    a_runs, pairs_p = pool.proposed_pairs()
    return Run(assignment=held_at, rank=rank, acceptable_per_apprentice=acceptable,
               acceptable_exact=B.exact_count, has_acceptable=sizes > 0, pairs_seen=pool.seen,
               proposals=proposals, refill_rounds=refills,
               certificate="deferred acceptance over every acceptable pair (lazy refills)",
               a_runs=a_runs, p=pairs_p)


class _ListPool:
    """Every apprentice's current list of placements to propose to, in one buffer:
    list ``a`` is ``p[start[a]:start[a] + length[a]]`` (host scores ``host``, int32), of which
    ``ptr[a]`` entries are proposed to; ``passed[a]`` entries of her first list were
    dropped from its front. New lists are appended; spent entries are dropped only when
    the buffer is full, into one twice the size of what is live: a refill round costs
    what it fetches, not the size of the pool (compacting and appending every round
    made the 1,000,000-apprentice run copy the pool serially, round after round).

    The pairs proposed along (what the allocation's ``pairs`` show) are taken from the
    lists before their entries are dropped, as int32."""

    def __init__(self, p: np.ndarray, host: np.ndarray, sizes: np.ndarray,
                 host_tie: np.ndarray, only_seen: int | None = None):
        self.p, self.host, self.used = p, host, len(p)
        #: Per apprentice, side by side (deferred acceptance reads them together, one
        #: cache line per apprentice instead of four): list start, length, position,
        #: and her host key's tie (host key = host score * (n_a + 1) + tie).
        self.meta = np.zeros((len(sizes), 4), np.int64)
        self.start, self.length, self.ptr = self.meta[:, 0], self.meta[:, 1], self.meta[:, 2]
        self.start[:] = np.cumsum(sizes) - sizes
        self.length[:] = sizes
        self.meta[:, 3] = host_tie
        self.passed = np.zeros(len(sizes), np.int64)
        self._proposed: list[tuple[np.ndarray, np.ndarray]] = []
        #: ``only_seen`` (the number of placements): no pairs kept, only this mask of
        #: the placements proposed to.
        self.seen = None if only_seen is None else np.zeros(only_seen, bool)

    def _take(self, counts: np.ndarray) -> None:
        """Keep each list's first ``counts[a]`` entries as proposed pairs."""
        counts = counts.astype(np.int64)
        if self.seen is not None:
            kernel.mark_runs(self.seen, self.p, np.ascontiguousarray(self.start), counts)
            return
        taken = np.empty(int(counts.sum()), self.p.dtype)
        kernel.gather_runs(self.p, np.ascontiguousarray(self.start), counts, taken)
        self._proposed.append((counts.astype(np.int32), taken))

    def refill(self, spent: np.ndarray, lists) -> None:
        """The lists of ``spent`` (every entry proposed to) are replaced: ``lists`` holds
        ``(who, p, host, sizes)`` of the new ones, flat."""
        counts = np.zeros(len(self.ptr), np.int64)
        counts[spent] = self.length[spent]
        self._take(counts)
        self.length[spent] = 0
        self.ptr[spent] = 0
        self.passed[spent] = 0
        needed = sum(len(p) for _, p, _, _ in lists)
        if self.used + needed > len(self.p):
            self._compact(needed)
        for who, p, host, sizes in lists:
            self.p[self.used:self.used + len(p)] = p
            self.host[self.used:self.used + len(p)] = host
            self.start[who] = self.used + np.r_[0, np.cumsum(sizes)[:-1]]
            self.length[who] = sizes
            self.used += len(p)

    def _compact(self, needed: int) -> None:
        """Drop every entry proposed to or spent, into a buffer twice what is live."""
        self._take(self.ptr)
        remaining = self.length - self.ptr
        live = int(remaining.sum())
        size = 2 * (live + needed)
        p, host = np.empty(size, self.p.dtype), np.empty(size, self.host.dtype)
        kernel.gather_runs(self.p, self.start + self.ptr, remaining, p)
        kernel.gather_runs(self.host, self.start + self.ptr, remaining, host)
        self.p, self.host, self.used = p, host, live
        self.start[:] = np.cumsum(remaining) - remaining
        self.length -= self.ptr
        self.passed += self.ptr
        self.ptr[:] = 0

    def proposed_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """``(runs, p)`` of every pair proposed along: ``p`` the placements (int32), and
        per piece each apprentice's number of entries in it (see
        :meth:`Run.pair_apprentices`). The pieces are emptied as they are gathered (at
        1,000,000 apprentices, 597M proposals: gathering them into int64 arrays at the
        end took the run from 9.2 to 20.4 GB)."""
        self._take(self.ptr)
        pieces = self._proposed
        total = sum(len(p) for _, p in pieces)
        runs = np.concatenate([counts for counts, _ in pieces] or [np.zeros(0, np.int32)])
        p = np.empty(total, np.int32)
        at = 0
        while pieces:
            _, placements = pieces.pop(0)
            p[at:at + len(placements)] = placements
            at += len(placements)
        return runs, p


#: The most list entries one chunk of a list scan returns (bounds its memory).
_CHUNK_ENTRIES = 1 << 22


def _fetch_lists(B: Blocks, who, size, bound, held, count):
    """Each row's next ``size`` placements by apprentice key below ``bound``, scanned in
    chunks of rows: ``(p, host, sizes, last_key, acceptable)`` with the lists flat, best
    first (placements and host scores as int32: the pool of lists is the largest array of
    a 1,000,000-apprentice run), and the key of each row's last entry (``_LOW``: none).
    ``held``: see :meth:`Blocks.held_by_column` (None: no placement is full)."""
    parts = []
    step = max(1, _CHUNK_ENTRIES // max(size, 1))
    for at in range(0, len(who), step):
        rows = who[at:at + step]
        out_p, out_k, sizes, acceptable = B.scan(rows, kernel.BY_APPRENTICE, size,
                                                 bound[at:at + step], held=held,
                                                 count=count)
        _, packed, _ = _flat(out_p, sizes, rows)
        p, host = kernel.unpack_hosts(packed)
        last = np.where(sizes > 0, out_k[np.arange(len(rows)), np.maximum(sizes - 1, 0)],
                        _LOW)
        parts.append((p.astype(np.int32), host.astype(np.int32), sizes, last, acceptable))
        del out_p, out_k, packed, host
    if not parts:
        empty = np.empty(0, np.int64)
        return empty.astype(np.int32), empty, empty, empty, empty
    return tuple(np.concatenate(column) for column in zip(*parts, strict=True))


def optimal_exact(B: Blocks, first: int = FIRST_COLUMNS, progress=None,
                  max_rounds: int = 200, priced_per_row: int = PRICED_PER_ROW,
                  keep_pairs: bool = True) -> Run:
    """Maximum total score over every acceptable pair (column generation, certified).
    The pairs it weighed are its columns (needed to the end: ``keep_pairs`` changes
    nothing)."""
    n_a, n_p, P = B.n_a, B.n_p, B.P
    rows = np.arange(n_a, dtype=np.int64)
    # Each row's best ``shortlist`` by score: the first ``first`` are the first columns;
    # the rest are kept to price rows whose u is at least the score of the last one
    # (then no pair off the list can violate, and the row needs no scan).
    shortlist = max(int(first), SHORTLIST)
    short_p, short_k, sizes, acceptable = B.scan(rows, kernel.BY_SCORE, shortlist,
                                                 np.full(n_a, _HIGH), count=B.exact_count)
    short_score = short_k // (n_p + 1)  # the key is score * (n_p + 1) + tie
    del short_k  # (at 1,000,000 apprentices, 512 MB)
    # An apprentice's best score bounds her reduced profits: rows with u >= it are done.
    best_score = np.where(sizes > 0, short_score[:, 0], -1)
    off_list = np.where((sizes == shortlist) & (acceptable > shortlist), short_score[:, -1], -1)
    col_a, col_p, take = _flat(short_p[:, :first], np.minimum(sizes, first), rows)
    col_gain = short_score[:, :first][take]
    cap = np.minimum(P.slots, n_a).astype(np.int64)
    # The solver's state, kept between rounds (warm start): allocation and duals.
    assignment = np.full(n_a, -1, np.int64)
    u_w, v_w = np.zeros(n_a, np.int64), np.zeros(n_p, np.int64)
    free = rows
    rounds = scanned = 0
    clean = np.zeros(n_a, bool)
    prev_u = prev_v = None
    while True:
        a_ptr, a_col, a_gain = assign.columns_by(col_a, col_p, col_gain, n_a)
        p_ptr, p_row, p_gain = assign.columns_by(col_p, col_a, col_gain, n_p)
        assign.solve(n_p, a_ptr, a_col, a_gain, p_ptr, p_row, p_gain, cap, assignment, u_w,
                     v_w, free)
        # The certificate does not trust the solver: least prices from the allocation
        # alone, then dual feasibility on the columns and complementary slackness.
        load = np.bincount(assignment[assignment >= 0], minlength=n_p)
        v, converged = kernel.placement_prices(n_p, col_a, col_p, col_gain, assignment, load,
                                               cap, 50 * (n_p + len(col_a)) + 1000)
        if not converged:
            raise MobilityError("the dual prices did not converge: the flow is not optimal")
        own = np.zeros(n_a, np.int64)
        held = assignment[col_a] == col_p
        own[col_a[held]] = col_gain[held]
        u = np.where(assignment >= 0, own - v[np.maximum(assignment, 0)], 0)
        _check_duals(u, v, load, cap, col_a, col_p, col_gain)
        rounds += 1
        if progress is not None:
            progress(min(0.95, 0.5 + 0.05 * rounds), f"optimal: pricing round {rounds}")
        # Pricing every acceptable pair. A row is *clean* when each of its acceptable
        # pairs is a column or had ``score <= u_a + v_p`` at a check. While u_a does not
        # fall, only pairs whose v_p fell can have become violators: such rows are
        # priced on those placements alone, the others over their whole block (rows
        # whose u reaches their best score are clean: v >= 0).
        partial, fell = np.zeros(n_a, bool), None
        if prev_u is not None:
            fell = v < prev_v
            seen = np.r_[0, np.cumsum(fell[B.order[B.col_idx]])]
            block_fell = (seen[B.col_ptr[1:]] > seen[B.col_ptr[:-1]])[B.row_group]
            held_up = u >= prev_u
            partial = clean & held_up & block_fell
            clean &= held_up & ~block_fell
        clean |= u >= best_score
        listed = ~clean & (u >= off_list)
        partial &= ~clean & ~listed
        whole = ~clean & ~listed & ~partial
        found = [_price_shortlist(rows[listed], short_p, short_score, sizes, u, v, n_p,
                                  B.P.id_rank, priced_per_row)]
        for who, only in ((rows[whole], None), (rows[partial], fell)):
            found.append(B.scan(who, kernel.BY_REDUCED_PROFIT, priced_per_row, u[who], v=v,
                                only=only, count=False)[:3])
            scanned += len(who)
        open_rows = np.r_[rows[listed], rows[whole], rows[partial]]
        new_p, new_k = np.vstack([f[0] for f in found]), np.vstack([f[1] for f in found])
        new_n = np.concatenate([f[2] for f in found])
        del found
        # Every violator of a row that found fewer than the most it may add is added.
        clean[open_rows] = new_n < priced_per_row
        prev_u, prev_v = u, v
        if int(new_n.sum()) == 0:
            break
        if rounds >= max_rounds:
            raise MobilityError(f"no optimality certificate after {max_rounds} pricing rounds")
        add_a, add_p, take = _flat(new_p, new_n, open_rows)
        # The key is (score - v_p) * (n_p + 1) + tie: the score comes back exactly.
        add_gain = new_k[take] // (n_p + 1) + v[add_p]
        col_a = np.r_[col_a, add_a]
        col_p = np.r_[col_p, add_p]
        col_gain = np.r_[col_gain, add_gain]
        # What the next solve does not need goes before it (and the previous round's
        # columns by apprentice and by placement before the new ones are made): at
        # 1,000,000 x 500,000 these are gigabytes.
        del new_p, new_k, add_a, add_p, add_gain, take
        del a_ptr, a_col, a_gain, p_ptr, p_row, p_gain
        # Warm start from the certified duals: the rows that gained columns start again
        # (starting afresh instead cost 4.6 times the solver's time at 100,000 x 50,000).
        free = open_rows[new_n > 0]
        u_w, v_w = u.astype(np.int64), v.astype(np.int64)
        assignment[free] = -1
    primal = int(own[assignment >= 0].sum())
    dual = int(u.sum() + (cap * v).sum())
    if primal != dual:
        raise MobilityError(f"optimality certificate failed: primal {primal} != dual {dual}")
    rank = B.rank_of(rows, assignment, np.zeros(n_a, np.int64))
    return Run(assignment=assignment, rank=rank, acceptable_per_apprentice=acceptable,
               acceptable_exact=B.exact_count, has_acceptable=sizes > 0,
               pricing_rounds=rounds, priced_rows=scanned, u=u, v=v, a=col_a, p=col_p,
               dual_total=dual / 1e6,
               certificate=(f"LP dual bound {dual / 1e6:.6f} equals the total score; no "
                            "acceptable pair has positive reduced profit"))


def _price_shortlist(who, short_p, short_score, sizes, u, v, n_p, id_rank, K):
    """:data:`kernel.BY_REDUCED_PROFIT` for rows ``who`` over their shortlists alone:
    ``(placements, keys, counts)`` as the scan returns them."""
    p = short_p[who]
    key = (short_score[who] - v[np.maximum(p, 0)]) * (n_p + 1) + (n_p - id_rank[np.maximum(p, 0)])
    on_list = np.arange(p.shape[1])[None, :] < sizes[who][:, None]
    violates = on_list & (short_score[who] - v[np.maximum(p, 0)] > u[who][:, None])
    key = np.where(violates, key, _LOW)
    best = np.argsort(key, axis=1)[:, ::-1][:, :K]  # keys are unique within a row
    out_k = np.full((len(who), K), _LOW, np.int64)
    out_k[:, :best.shape[1]] = np.take_along_axis(key, best, axis=1)
    out_p = np.full((len(who), K), -1, np.int64)
    out_p[:, :best.shape[1]] = np.take_along_axis(p, best, axis=1)
    out_p[out_k == _LOW] = -1
    return out_p, out_k, np.minimum(violates.sum(axis=1), K)


def _check_duals(u, v, load, cap, a, p, gain) -> None:
    """Dual feasibility on the columns and complementary slackness (else: a bug)."""
    bad = (u < 0).any() or (v < 0).any() or (v[load < cap] != 0).any() \
        or (gain > u[a] + v[p]).any()
    if bad:
        raise MobilityError("the dual prices are not feasible: the flow is not optimal")
