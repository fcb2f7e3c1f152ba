"""Segments: small runs of a trade block's placements that lie close together, with
what every pair in them can at most score.

A scan (:func:`mobility.matching.kernel.scan`) that only wants an apprentice's best
``K`` placements need not look at a placement that cannot beat the ``K`` it holds. Each
trade block's columns are ordered by trade tier (same trade, related, ...), then by
country and along a Z-order curve of latitude and longitude, and cut into segments of at
most :data:`SEGMENT_LENGTH` placements of one tier and one country. For each segment the
scan knows an upper bound of every score an apprentice can get there: the best trade
tier in it, the twin-town bonus only if one of her twin placements is in it, the
preference for its country, the distance component at the nearest point of the smallest
spherical cap around its placements, and the language component at the best margin she
can have there (per language named in the segment, its least requirement). It visits the
segments best bound first and stops when the bound of the next one cannot beat what it
holds. A bound only ever skips; every cell it visits is checked and scored exactly as
before, so the answers do not change (the tests compare pruned and unpruned scans, and
brute force).

Placements are renumbered for this only inside the scan: ``pos[p]`` is a placement's
place in that order, and the twin table is keyed by ``home * n_p + pos[p]`` so that a
segment's twin placements are one contiguous range.

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

from dataclasses import dataclass

import numpy as np

from mobility.matching.scores import NO_LANGUAGE_REQUIRED

#: The most placements one segment holds. Shorter segments bound more tightly but cost
#: a bound each per apprentice; measured on the demo data at 100,000 x 50,000.
SEGMENT_LENGTH = 32

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
    set when a column of trade tier ``t`` is in it; its placements' ``pos`` run from
    ``pos_lo[s]`` to ``pos_hi[s]``. ``lang[lang_ptr[s]:lang_ptr[s + 1]]`` are the
    languages its placements name (columns of the apprentices' level table, the "no
    requirement" column included), each with the least level any of them requires
    (``lang_req``): an apprentice's language margin at any of its placements is at most
    the best ``level - lang_req`` over them. A language ``-1`` bounds nothing.
    """

    ptr: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    country: np.ndarray
    centre: np.ndarray
    cos_r: np.ndarray
    sin_r: np.ndarray
    tiers: np.ndarray
    pos_lo: np.ndarray
    pos_hi: np.ndarray
    lang_ptr: np.ndarray
    lang: np.ndarray
    lang_req: np.ndarray

    def kernel_args(self) -> tuple[np.ndarray, ...]:
        """The arrays in the order :func:`mobility.matching.kernel.scan` takes them."""
        return (self.ptr, self.lo, self.hi, self.country, self.centre, self.cos_r,
                self.sin_r, self.tiers, self.pos_lo, self.pos_hi, self.lang_ptr, self.lang,
                self.lang_req)

    def keep_only(self, kept_before: np.ndarray) -> Segments:
        """The same segments over a subset of the columns: ``kept_before[j]`` is how
        many kept columns come before column ``j`` (length ``len(col_idx) + 1``). Caps,
        tiers, ranges and least requirements still bound the subset."""
        return Segments(self.ptr, kept_before[self.lo], kept_before[self.hi], self.country,
                        self.centre, self.cos_r, self.sin_r, self.tiers, self.pos_lo,
                        self.pos_hi, self.lang_ptr, self.lang, self.lang_req)


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
    as :class:`~mobility.matching.candidates.PlacementIndex` holds them) give the
    segments their least requirement per language; without them the language is not
    bounded."""
    n = len(col_idx)
    groups = len(col_ptr) - 1
    if n == 0:
        empty = np.empty(0, np.int64)
        return Segments(np.zeros(groups + 1, np.int64), empty, empty, empty,
                        np.empty((0, 3)), np.empty(0), np.empty(0), empty, empty, empty,
                        np.zeros(1, np.int64), empty, empty)
    group = np.repeat(np.arange(groups), np.diff(col_ptr))
    c = np.asarray(country, np.int64)[col_idx]
    new_run = np.r_[True, (group[1:] != group[:-1]) | (c[1:] != c[:-1])
                    | (tiers[1:] != tiers[:-1])]
    run_start = np.flatnonzero(new_run)
    run_len = np.diff(np.r_[run_start, n])
    run_id = np.cumsum(new_run) - 1
    offset = np.arange(n) - run_start[run_id]
    pieces = -(-run_len // length)
    piece = offset * pieces[run_id] // run_len[run_id]
    new_seg = new_run | np.r_[True, piece[1:] != piece[:-1]]
    lo = np.flatnonzero(new_seg).astype(np.int64)
    hi = np.r_[lo[1:], n].astype(np.int64)
    ptr = np.searchsorted(group[lo], np.arange(groups + 1)).astype(np.int64)
    members = xyz[col_idx]
    centre = np.add.reduceat(members, lo, axis=0)
    norm = np.linalg.norm(centre, axis=1)
    flat = norm < 1e-9  # placements all around the globe: no useful cap
    centre = np.where(flat[:, None], np.array([1.0, 0.0, 0.0]),
                      centre / np.where(flat, 1.0, norm)[:, None])
    dots = np.einsum("ij,ij->i", members, np.repeat(centre, hi - lo, axis=0))
    cos_r = np.minimum.reduceat(dots, lo) - _COSINE_MARGIN
    cos_r = np.where(flat, -1.0, np.clip(cos_r, -1.0, 1.0))
    sin_r = np.sqrt(np.maximum(1.0 - cos_r ** 2, 0.0))
    lang_ptr, seg_lang, lang_req = _least_requirements(col_idx, lo, lang, req)
    return Segments(
        ptr=ptr, lo=lo, hi=hi, country=c[lo], centre=np.ascontiguousarray(centre),
        cos_r=cos_r, sin_r=sin_r,
        tiers=np.bitwise_or.reduceat(np.left_shift(1, tiers).astype(np.int64), lo),
        pos_lo=pos[col_idx[lo]].astype(np.int64), pos_hi=pos[col_idx[hi - 1]].astype(np.int64),
        lang_ptr=lang_ptr, lang=seg_lang, lang_req=lang_req)


def _least_requirements(col_idx, lo, lang, req):
    """Per segment (starting at ``lo``), the languages its placements name with the least
    level required of each, as ``(ptr, lang, req)``; ``lang is None``: one entry ``-1``
    per segment (no bound). Padding slots (a requirement above any level) are left out:
    every placement has a slot that is not padding."""
    n_seg = len(lo)
    if lang is None:
        return (np.arange(n_seg + 1, dtype=np.int64), np.full(n_seg, -1, np.int64),
                np.zeros(n_seg, np.int64))
    seg = np.repeat(np.arange(n_seg, dtype=np.int64), np.diff(np.r_[lo, len(col_idx)]))
    width = lang.shape[1]
    seg = np.repeat(seg, width)
    cell_lang = np.asarray(lang, np.int64)[col_idx].ravel()
    cell_req = np.asarray(req, np.int64)[col_idx].ravel()
    real = cell_req <= 2 * NO_LANGUAGE_REQUIRED
    seg, cell_lang, cell_req = seg[real], cell_lang[real], cell_req[real]
    # One sort by (segment, language, requirement): each group's first is its least.
    n_lang = int(cell_lang.max()) + 1 if len(cell_lang) else 1
    shift = 1 << 12  # requirements sit in [-2048, 2048)
    key = (seg * n_lang + cell_lang) * shift + (cell_req + shift // 2)
    key.sort()
    group = key // shift
    first = np.r_[True, group[1:] != group[:-1]]
    group, least = group[first], key[first] % shift - shift // 2
    ptr = np.searchsorted(group // n_lang, np.arange(n_seg + 1)).astype(np.int64)
    return ptr, group % n_lang, least


def single_segments(n_rows: int, n_p: int) -> Segments:
    """One segment per column and row, bounding nothing (one-cell scans)."""
    rows = np.arange(n_rows, dtype=np.int64)
    return Segments(ptr=np.arange(n_rows + 1, dtype=np.int64), lo=rows, hi=rows + 1,
                    country=np.full(n_rows, -1, np.int64),
                    centre=np.tile(np.array([1.0, 0.0, 0.0]), (n_rows, 1)),
                    cos_r=np.full(n_rows, -1.0), sin_r=np.zeros(n_rows),
                    tiers=np.full(n_rows, 15, np.int64), pos_lo=np.zeros(n_rows, np.int64),
                    pos_hi=np.full(n_rows, max(n_p - 1, 0), np.int64),
                    **dict(zip(("lang_ptr", "lang", "lang_req"),
                               _least_requirements(rows, rows, None, None), strict=True)))


def twin_table_by_pos(twin_keys: np.ndarray, twin_status: np.ndarray, pos: np.ndarray,
                      n_p: int) -> tuple[np.ndarray, np.ndarray]:
    """The twin table keyed ``home * n_p + pos[p]`` (sorted), with its status."""
    if len(twin_keys) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int8)
    home, p = twin_keys // n_p, twin_keys % n_p
    keys = home * n_p + pos[p]
    order = np.argsort(keys, kind="stable")
    return keys[order].astype(np.int64), twin_status[order]
