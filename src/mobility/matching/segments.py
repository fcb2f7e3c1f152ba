"""Segments: small runs of a trade block's placements that lie close together, with
what every pair in them can at most score.

A scan (:func:`mobility.matching.kernel.scan`) that only wants an apprentice's best
``K`` placements need not look at a placement that cannot beat the ``K`` it holds.
Each trade block's columns are ordered by trade tier (same trade, related, ...), then
by country and along a Z-order curve of latitude and longitude, and cut into segments
of at most :data:`SEGMENT_LENGTH` placements of one tier and one country. For each
segment the scan knows an upper bound of every score an apprentice can get there: the
best trade tier in it, the twin-town bonus only if one of her twin placements is in it,
the preference for its country, the distance component at the nearest point of the
smallest spherical cap around its placements, and the language component at the best
margin she can have there (per language named in the segment, its least requirement).
It visits the segments best bound first and stops when the bound of the next one cannot
beat what it holds; runs of segments (supersegments) are bounded first, and opened only
when they come first. A bound only ever skips; every cell it visits is checked and
scored exactly as before, so the answers do not change (the tests compare pruned and
unpruned scans, and brute force).

Placements are renumbered for this only inside the scan: ``pos[p]`` is a placement's
place in that order. The scan's twin table is keyed by home and column
(:func:`twin_table_by_column`), so that a segment's twin placements are one contiguous
range of it.

Examples
--------
>>> import numpy as np
>>> xyz = np.array([[1.0, 0, 0], [0, 1.0, 0], [0.9999, 0.0141, 0]])
>>> xyz /= np.linalg.norm(xyz, axis=1)[:, None]
>>> pos = placement_order(xyz, np.array([0, 0, 0]))
>>> [int(i) for i in np.argsort(pos)]  # the two close ones next to each other
[0, 2, 1]
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from mobility.matching.scores import NO_LANGUAGE_REQUIRED

#: The most placements one segment holds. Shorter segments bound more tightly but cost
#: a bound each per apprentice; measured on the demo data at 100,000 x 50,000.
SEGMENT_LENGTH = 32

#: The most segments one supersegment holds. A scan bounds a block's supersegments
#: first and a supersegment's segments only when it comes first (at 300,000 x 150,000
#: a row's block has ~310 segments; 8 and 32 measured alike).
SUPER_LENGTH = 32

#: Added to every bound's cosine: far above any rounding of the scan's dot products.
_COSINE_MARGIN = 1e-12


def _spread_bits(x: np.ndarray) -> np.ndarray:
    """The 16 low bits of ``x`` moved to the even bit positions (Morton code half)."""
    x = x.astype(np.uint64) & np.uint64(0xFFFF)
    x = (x | (x << np.uint64(8))) & np.uint64(0x00FF00FF)
    x = (x | (x << np.uint64(4))) & np.uint64(0x0F0F0F0F)
    x = (x | (x << np.uint64(2))) & np.uint64(0x33333333)
    return (x | (x << np.uint64(1))) & np.uint64(0x55555555)


def placement_order(xyz: np.ndarray, country: np.ndarray) -> np.ndarray:
    """``pos[p]``: each placement's place when sorted by country, then along a Z-order
    curve of latitude and longitude (16 bits each), then by index."""
    n = len(xyz)
    lat = np.degrees(np.arcsin(np.clip(xyz[:, 2], -1.0, 1.0)))
    lon = np.degrees(np.arctan2(xyz[:, 1], xyz[:, 0]))
    qlat = np.clip((lat + 90.0) / 180.0 * 65535.0, 0, 65535).astype(np.int64)
    qlon = np.clip((lon + 180.0) / 360.0 * 65535.0, 0, 65535).astype(np.int64)
    morton = _spread_bits(qlat) | (_spread_bits(qlon) << np.uint64(1))
    order = np.lexsort((np.arange(n), morton, np.asarray(country, np.int64)))
    pos = np.empty(n, np.int64)
    pos[order] = np.arange(n)
    return pos


@dataclass(frozen=True)
class Segments:
    """The segments of the trade blocks of one caseload (arrays the kernel reads).

    ``ptr[g]:ptr[g + 1]`` are block ``g``'s segments; segment ``s`` holds the block's
    columns ``lo[s]:hi[s]`` (positions in the scan's ``col_idx``), all in country
    ``country[s]`` (``-1``: any), inside the cap around the unit vector ``centre[s]``
    whose cosine radius is ``cos_r[s]`` (sine ``sin_r[s]``); ``tiers[s]`` has bit ``t``
    set when a column of trade tier ``t`` is in it; ``first[c]:end[c]`` are the columns
    cap ``c`` spans. ``lang[lang_ptr[c]:lang_ptr[c + 1]]`` are the languages its
    placements name (columns of the apprentices' level table, the "no requirement"
    column included), each with the least level any of them requires (``lang_req``):
    an apprentice's language margin at any of its placements is at most the best
    ``level - lang_req`` over them. A language ``-1`` bounds nothing.

    Runs of up to :data:`SUPER_LENGTH` consecutive segments of one block form
    *supersegments*: ``sup_ptr[g]:sup_ptr[g + 1]`` are block ``g``'s, and
    supersegment ``u`` holds the segments ``sup_lo[u]:sup_hi[u]``. Its cap, tiers and
    country come after the segments' in the same arrays (cap ``len(lo) + u``), so that
    one piece of the scan bounds both.
    """

    ptr: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    country: np.ndarray
    centre: np.ndarray
    cos_r: np.ndarray
    sin_r: np.ndarray
    tiers: np.ndarray
    sup_ptr: np.ndarray
    sup_lo: np.ndarray
    sup_hi: np.ndarray
    lang_ptr: np.ndarray
    lang: np.ndarray
    lang_req: np.ndarray

    @property
    def first(self) -> np.ndarray:
        """Each cap's first column (segments, then supersegments)."""
        return np.r_[self.lo, self.lo[self.sup_lo]].astype(np.int64)

    @property
    def end(self) -> np.ndarray:
        """Each cap's end (one past its last column)."""
        return np.r_[self.hi, self.hi[self.sup_hi - 1]].astype(np.int64)

    def kernel_args(self) -> tuple[np.ndarray, ...]:
        """The arrays in the order :func:`mobility.matching.kernel.scan` takes them."""
        return (self.ptr, self.lo, self.hi, self.country, self.centre, self.cos_r,
                self.sin_r, self.tiers, self.first, self.end, self.sup_ptr, self.sup_lo,
                self.sup_hi, self.lang_ptr, self.lang, self.lang_req)

    def floors(self, per_column: np.ndarray) -> np.ndarray:
        """The least of ``per_column`` (one value per column of ``col_idx``) in each
        cap: segments, then supersegments."""
        if len(self.lo) == 0:
            return np.zeros(0, np.int64)
        least = np.minimum.reduceat(per_column, self.lo)
        if len(self.sup_lo) == 0:
            return least
        return np.r_[least, np.minimum.reduceat(least, self.sup_lo)].astype(np.int64)

    def keep_only(self, kept_before: np.ndarray) -> Segments:
        """The same segments over a subset of the columns: ``kept_before[j]`` is how
        many kept columns come before column ``j`` (length ``len(col_idx) + 1``). Caps,
        tiers, ranges and least requirements still bound the subset."""
        return replace(self, lo=kept_before[self.lo], hi=kept_before[self.hi])


def block_tiers(unit: int, isco: np.ndarray, accepts_related: np.ndarray,
                cols: np.ndarray) -> np.ndarray:
    """The trade tier of each column of unit group ``unit``'s block (as the scan
    computes it: same unit 0, same minor group 1, same sub-major group at a host taking
    related trades 2, a trade the host names 3)."""
    code = isco[cols]
    tier = np.full(len(cols), 3, np.int64)
    tier[accepts_related[cols] & (code // 100 == unit // 100)] = 2
    tier[code // 10 == unit // 10] = 1
    tier[code == unit] = 0
    return tier


def build_segments(col_ptr: np.ndarray, col_idx: np.ndarray, tiers: np.ndarray,
                   pos: np.ndarray, xyz: np.ndarray, country: np.ndarray,
                   length: int = SEGMENT_LENGTH, lang: np.ndarray | None = None,
                   req: np.ndarray | None = None) -> Segments:
    """Cut each block (columns ``col_idx[col_ptr[g]:col_ptr[g + 1]]``, ordered by trade
    tier and then by ``pos``) into runs of one tier and one country of at most
    ``length`` columns, as even as possible. ``lang``/``req`` (per placement and slot,
    as :class:`~mobility.matching.candidates.PlacementIndex` holds them) give the caps
    their least requirement per language; without them the language is not bounded."""
    n = len(col_idx)
    groups = len(col_ptr) - 1
    if n == 0:
        empty = np.empty(0, np.int64)
        return Segments(np.zeros(groups + 1, np.int64), empty, empty, empty,
                        np.empty((0, 3)), np.empty(0), np.empty(0), empty,
                        np.zeros(groups + 1, np.int64), empty, empty, np.zeros(1, np.int64),
                        empty, empty)
    group = np.repeat(np.arange(groups), np.diff(col_ptr))
    c = np.asarray(country, np.int64)[col_idx]
    lo, hi, ptr = _cut(group, groups, np.r_[True, (group[1:] != group[:-1])
                                     | (c[1:] != c[:-1]) | (tiers[1:] != tiers[:-1])], length)
    members = xyz[col_idx]
    centre, flat = _unit_or_any(np.add.reduceat(members, lo, axis=0))
    dots = np.einsum("ij,ij->i", members, np.repeat(centre, hi - lo, axis=0))
    cos_r, sin_r = _radius(np.minimum.reduceat(dots, lo), flat)
    found = _with_supersegments(
        ptr, lo, hi, c[lo], centre, cos_r, sin_r,
        np.bitwise_or.reduceat(np.left_shift(1, tiers).astype(np.int64), lo), hi - lo,
        SUPER_LENGTH)
    if lang is None:
        return found
    # Segments and supersegments each partition the columns: one table per level.
    per_segment = _least_requirements(col_idx, found.lo, lang, req)
    per_super = _least_requirements(col_idx, found.lo[found.sup_lo], lang, req)
    return replace(found,
                   lang_ptr=np.r_[per_segment[0][:-1], per_segment[0][-1] + per_super[0]],
                   lang=np.r_[per_segment[1], per_super[1]],
                   lang_req=np.r_[per_segment[2], per_super[2]])


def _unit_or_any(sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row of ``sums`` (3-vectors) as a unit vector, and whether it was too short
    for that (placements all around the globe: no useful cap; then any unit vector)."""
    norm = np.linalg.norm(sums, axis=1)
    flat = norm < 1e-9
    return np.where(flat[:, None], np.array([1.0, 0.0, 0.0]),
                    sums / np.where(flat, 1.0, norm)[:, None]), flat


def _radius(least_cosine: np.ndarray, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cosine and sine of a cap's radius from the least cosine of what it must hold
    (widened by the margin; the whole sphere where the centre is not useful)."""
    cos_r = np.where(flat, -1.0, np.clip(least_cosine - _COSINE_MARGIN, -1.0, 1.0))
    return cos_r, np.sqrt(np.maximum(1.0 - cos_r ** 2, 0.0))


def concatenated_ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``starts[i], starts[i] + 1, ..., starts[i] + counts[i] - 1`` for each ``i``, one
    after another (the gather indices of ragged runs).

    >>> concatenated_ranges(np.array([10, 3]), np.array([2, 3])).tolist()
    [10, 11, 3, 4, 5]
    """
    counts = np.asarray(counts, np.int64)
    before = np.r_[0, np.cumsum(counts)[:-1]]
    return np.repeat(np.asarray(starts, np.int64) - before, counts) + np.arange(int(counts.sum()))


def _cut(group: np.ndarray, groups: int, new_run: np.ndarray, length: int):
    """Cut runs (``new_run`` marks each run's first item; items of ``group``) into
    pieces of at most ``length`` items, as even as possible: ``(lo, hi, ptr)`` with
    ``ptr[g]:ptr[g + 1]`` the pieces of group ``g``."""
    n = len(group)
    run_start = np.flatnonzero(new_run)
    run_len = np.diff(np.r_[run_start, n])
    run_id = np.cumsum(new_run) - 1
    offset = np.arange(n) - run_start[run_id]
    pieces = -(-run_len // length)
    piece = offset * pieces[run_id] // run_len[run_id]
    lo = np.flatnonzero(new_run | np.r_[True, piece[1:] != piece[:-1]]).astype(np.int64)
    hi = np.r_[lo[1:], n].astype(np.int64)
    return lo, hi, np.searchsorted(group[lo], np.arange(groups + 1)).astype(np.int64)


def _with_supersegments(ptr, lo, hi, country, centre, cos_r, sin_r, tiers, weight,
                        length) -> Segments:
    """The segments and their supersegments: runs of up to ``length`` consecutive
    segments of one block, each with the tiers of its segments, their country if they
    share one (else -1: any), and a cap (around the ``weight``-weighted mean of its
    segments' centres) holding their caps."""
    groups = len(ptr) - 1
    group = np.repeat(np.arange(groups), np.diff(ptr))
    sup_lo, sup_hi, sup_ptr = _cut(group, groups, np.r_[True, group[1:] != group[:-1]],
                                   length)
    mean, flat = _unit_or_any(
        np.add.reduceat(centre * np.asarray(weight, np.float64)[:, None], sup_lo, axis=0))
    # The member cap farthest out: cos(angle to its centre + its radius).
    dots = np.clip(np.einsum("ij,ij->i", centre, np.repeat(mean, sup_hi - sup_lo, axis=0)),
                   -1.0, 1.0)
    angle = np.arccos(dots) + np.arccos(np.clip(cos_r, -1.0, 1.0))
    reach = np.where(angle >= np.pi, -1.0, np.cos(np.minimum(angle, np.pi)))
    sup_cos_r, sup_sin_r = _radius(np.minimum.reduceat(reach, sup_lo), flat)

    one_country = (np.minimum.reduceat(country, sup_lo) == np.maximum.reduceat(country, sup_lo))

    def both(per_segment, per_super):
        return np.ascontiguousarray(np.concatenate([per_segment, per_super]))

    return Segments(
        ptr=ptr, lo=lo, hi=hi,
        country=both(country, np.where(one_country, country[sup_lo], -1)),
        centre=both(centre, mean), cos_r=both(cos_r, sup_cos_r),
        sin_r=both(sin_r, sup_sin_r),
        tiers=both(tiers, np.bitwise_or.reduceat(tiers, sup_lo)),
        sup_ptr=sup_ptr, sup_lo=sup_lo, sup_hi=sup_hi,
        **_unbounded_languages(len(lo) + len(sup_lo)))


def _unbounded_languages(n_caps: int) -> dict[str, np.ndarray]:
    """Language tables that bound nothing: one entry ``-1`` per cap."""
    return {"lang_ptr": np.arange(n_caps + 1, dtype=np.int64),
            "lang": np.full(n_caps, -1, np.int64), "lang_req": np.zeros(n_caps, np.int64)}


def _least_requirements(col_idx, lo, lang, req):
    """Per cap (the caps starting at ``lo`` partition the columns), the languages its
    placements name with the least level required of each, as ``(ptr, lang, req)``.
    Padding slots (a requirement above any level) are left out: every placement has a
    slot that is not padding."""
    n_seg = len(lo)
    seg = np.repeat(np.arange(n_seg, dtype=np.int64), np.diff(np.r_[lo, len(col_idx)]))
    width = lang.shape[1]
    seg = np.repeat(seg, width)
    cell_lang = np.asarray(lang, np.int64)[col_idx].ravel()
    cell_req = np.asarray(req, np.int64)[col_idx].ravel()
    real = cell_req <= 2 * NO_LANGUAGE_REQUIRED
    seg, cell_lang, cell_req = seg[real], cell_lang[real], cell_req[real]
    # One sort by (cap, language, requirement): each group's first is its least.
    n_lang = int(cell_lang.max()) + 1 if len(cell_lang) else 1
    shift = 1 << 12  # requirements sit in [-2048, 2048)
    key = (seg * n_lang + cell_lang) * shift + (cell_req + shift // 2)
    key.sort()
    group = key // shift
    first = np.r_[True, group[1:] != group[:-1]]
    group, least = group[first], key[first] % shift - shift // 2
    ptr = np.searchsorted(group // n_lang, np.arange(n_seg + 1)).astype(np.int64)
    return ptr, group % n_lang, least


def single_segments(n_rows: int) -> Segments:
    """One segment per column and row, bounding nothing (one-cell scans)."""
    rows = np.arange(n_rows, dtype=np.int64)
    twice = 2 * n_rows
    return Segments(ptr=np.arange(n_rows + 1, dtype=np.int64), lo=rows, hi=rows + 1,
                    country=np.full(twice, -1, np.int64),
                    centre=np.tile(np.array([1.0, 0.0, 0.0]), (twice, 1)),
                    cos_r=np.full(twice, -1.0), sin_r=np.zeros(twice),
                    tiers=np.full(twice, 15, np.int64),
                    sup_ptr=np.arange(n_rows + 1, dtype=np.int64), sup_lo=rows, sup_hi=rows + 1,
                    **_unbounded_languages(twice))


def twin_table_by_column(col_idx: np.ndarray, by_pos: tuple[np.ndarray, ...]
                         ) -> tuple[np.ndarray, np.ndarray]:
    """The twin table of the scan's columns: ``home * len(col_idx) + j`` for each column
    ``j`` whose placement (``col_idx[j]``, numbered ``pos``) lies in a twin town of
    ``home``, sorted, with its status; from :func:`twins_by_pos`. Keyed by column, a
    cap's twin placements are exactly one range of the table (by ``pos`` the range also
    held other trades' placements: at 300,000 x 150,000 an apprentice's home had 5,700
    twin placements on average, and walking them cost most of a row's scan)."""
    starts, per_pos, home, status = by_pos
    n_cols = len(col_idx)
    if len(home) == 0 or n_cols == 0:
        return np.empty(0, np.int64), np.empty(0, np.int8)
    per_col = per_pos[col_idx]
    col = np.repeat(np.arange(n_cols, dtype=np.int64), per_col)
    entry = concatenated_ranges(starts[col_idx], per_col)
    keys = home[entry] * n_cols + col
    order = np.argsort(keys, kind="stable")
    return keys[order].astype(np.int64), status[entry][order]


def twins_by_pos(twin_keys: np.ndarray, twin_status: np.ndarray, pos: np.ndarray,
                 n_p: int) -> tuple[np.ndarray, ...]:
    """The index's twin table (keys ``home * n_p + p``) grouped by placement in scan
    order ``pos``: ``(starts, per_pos, home, status)``, placement ``pos``'s entries at
    ``starts[pos]:starts[pos] + per_pos[pos]`` (built once per fitted index)."""
    home, p = twin_keys // n_p, twin_keys % n_p
    placed = pos[p]
    order = np.argsort(placed, kind="stable")
    per_pos = np.bincount(placed, minlength=n_p).astype(np.int64)
    starts = np.r_[0, np.cumsum(per_pos)[:-1]].astype(np.int64)
    return starts, per_pos, home[order].astype(np.int64), np.asarray(twin_status)[order]
