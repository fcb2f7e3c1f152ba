"""The segment bounds only ever skip: pruned scans equal full scans, and the engine with
pruning everywhere still equals the truth computed another way.

Markets here scatter placements over Europe (countries drawn independently of where a
town lies, so one country's segments can be far apart), give homes twin towns among
them, and draw the score weights, so that every component of a bound is exercised
(including a host-named trade scoring above a related one). Segments are cut as short
as one placement and as long as the default.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobility.matching import Matcher, exact, kernel, segments
from mobility.matching.candidates import apprentice_key, host_key
from mobility.matching.exact import Blocks, optimal_exact, stable_exact
from mobility.matching.scores import NO_LANGUAGE_REQUIRED, SCORE_SCALE
from mobility.matching.stable import deferred_acceptance
from mobility.matching.verify import lp_bound
from mobility.reference.twinnings import PARTNERSHIP_COLUMNS
from test_matching_exact import HOMES, _truth, draw_apprentice, draw_placement

TRADES = ["7411", "7412", "7421", "7231", "5141", "3512"]
COUNTRIES = ["FR", "GB", "IT", "PL", "ES"]


@st.composite
def spread_markets(draw, max_apprentices=14, max_placements=40):
    n_a = draw(st.integers(1, max_apprentices))
    n_p = draw(st.integers(1, max_placements))
    towns = draw(st.integers(1, 12))
    town = [(f"Town{i}", draw(st.sampled_from(COUNTRIES)), draw(st.floats(36.0, 62.0)),
             draw(st.floats(-9.0, 30.0))) for i in range(towns)]
    placements = []
    for i in range(n_p):
        name, country, lat, lon = town[draw(st.integers(0, towns - 1))]
        placements.append(draw_placement(draw, i, name, country,
                                         lat + draw(st.floats(-0.3, 0.3)),
                                         lon + draw(st.floats(-0.3, 0.3)), TRADES))
    apprentices = [draw_apprentice(draw, i, TRADES, ("", "FR", "GB;IT", "PL"),
                                   (float("nan"), 900.0, 1500.0)) for i in range(n_a)]
    twins = []
    for home in HOMES:
        for j in draw(st.lists(st.integers(0, towns - 1), max_size=3, unique=True)):
            name, country, lat, lon = town[j]
            twins.append(dict(home_city=home[0], home_country="DE", home_lat=home[1],
                              home_lon=home[2], partner_city=name, partner_country=country,
                              partner_lat=lat, partner_lon=lon, since_year=1970,
                              status=draw(st.sampled_from(["active", "dormant"])), source="",
                              confidence=draw(st.sampled_from(["", "unconfirmed"]))))
    twins = pd.DataFrame(twins, columns=list(PARTNERSHIP_COLUMNS)).astype(PARTNERSHIP_COLUMNS)
    weights = draw(st.fixed_dictionaries({
        "w_trade": st.sampled_from([0.3, 0.05]), "w_twin_town": st.sampled_from([0.3, 0.0]),
        "w_preference": st.sampled_from([0.15, 0.6]),
        "w_distance": st.sampled_from([0.25, 0.9]),
        "trade_related": st.sampled_from([0.6, 0.1]), "trade_named": st.sampled_from([0.25, 0.9]),
        "distance_scale_km": st.sampled_from([1000.0, 150.0])}))
    return pd.DataFrame(placements), pd.DataFrame(apprentices), twins, weights


def _fitted(market, length, monkeypatch):
    """Fitted on ``market`` with ``length = (placements per segment, segments per
    supersegment)``."""
    placements, apprentices, twins, match_settings = market
    monkeypatch.setattr(segments, "SEGMENT_LENGTH", length[0])
    monkeypatch.setattr(segments, "SUPER_LENGTH", length[1])
    matcher = Matcher(**match_settings).fit(placements, twins)
    _, A = matcher._encode(apprentices)
    return matcher, A, Blocks(A, matcher.index_, matcher.settings_)


LENGTHS = st.tuples(st.sampled_from([1, 2, 3, 8, 32]), st.sampled_from([1, 2, 3, 32]))
EXAMPLES = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


@EXAMPLES
@given(spread_markets(), LENGTHS, st.integers(1, 6), st.randoms(use_true_random=False))
def test_pruned_scans_equal_full_scans_in_every_mode(market, length, K, rnd):
    with pytest.MonkeyPatch.context() as monkeypatch:
        _, _, B = _fitted(market, length, monkeypatch)
        rows = np.arange(B.n_a, dtype=np.int64)
        rng = np.random.default_rng(rnd.randint(0, 2**32 - 1))
        low, high = np.iinfo(np.int64).min, np.iinfo(np.int64).max
        _, full_k, _, _ = B.scan(rows, kernel.BY_APPRENTICE, 64, np.full(B.n_a, high))
        # Bounds inside the range of real keys, so that they cut somewhere.
        keys = full_k[full_k > low]
        pick = (lambda: rng.choice(keys)) if len(keys) else (lambda: high)
        bound = np.array([pick() for _ in rows], np.int64)
        # And each row's own key at a random depth of her list: where a refill or a rank
        # count starts (the lower bounds of segments cut there).
        sizes = (full_k > low).sum(axis=1)
        depth = (rng.random(B.n_a) * np.maximum(sizes, 1)).astype(np.int64)
        own = np.where(sizes > 0, full_k[rows, depth], high)
        held = np.where(rng.random(B.n_p) < 0.5, low,
                        rng.integers(0, SCORE_SCALE * (B.n_a + 1), B.n_p))
        v = rng.integers(0, SCORE_SCALE // 2, B.n_p)
        u = rng.integers(0, SCORE_SCALE // 2, B.n_a)
        only = rng.random(B.n_p) < 0.6
        cases = [
            (kernel.BY_APPRENTICE, np.full(B.n_a, high), {}),
            (kernel.BY_APPRENTICE, bound, {"held": B.held_by_column(held)}),
            (kernel.BY_SCORE, np.full(B.n_a, high), {}),
            (kernel.BY_SCORE, bound, {}),
            (kernel.BY_REDUCED_PROFIT, u, {"v": v}),
            (kernel.BY_REDUCED_PROFIT, u, {"v": v, "only": only}),
            (kernel.COUNT_ABOVE, bound, {}),
            (kernel.BY_APPRENTICE, own, {}),
            (kernel.BY_APPRENTICE, own, {"held": B.held_by_column(held)}),
            (kernel.COUNT_ABOVE, own, {}),
        ]
        for mode, limit, extra in cases:
            want = B.scan(rows, mode, K, limit, count=True, **extra)
            got = B.scan(rows, mode, K, limit, count=False, **extra)
            for w, g in zip(want[:3], got[:3], strict=True):
                assert np.array_equal(w, g), (mode, extra.keys())
            assert (got[3] >= want[3]).all()  # an upper bound of the acceptable cells


@EXAMPLES
@given(spread_markets(), LENGTHS, st.sampled_from([1, 3, 64]))
def test_stable_with_pruning_everywhere_equals_textbook_deferred_acceptance(market, length,
                                                                           first):
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(exact, "EXACT_COUNT_APPRENTICES", 0)
        _, A, P, a, p, f = _truth(market[0], market[1], market[2],
                                        **market[3])
        a_key = apprentice_key(f["apprentice_score"], p, P)
        h_key = host_key(f["host_score"], a, A)
        textbook = deferred_acceptance(len(A), len(P), a=a, p=p, apprentice_key=a_key,
                                       host_key=h_key, capacity=P.slots)
        _, _, B = _fitted(market, length, monkeypatch)
        run = stable_exact(B, first=first)
        assert run.assignment.tolist() == textbook.tolist()
        assert not run.acceptable_exact
        # The pairs it reports weighing are its proposals, each an acceptable pair.
        run_a = run.pair_apprentices()
        assert len(run_a) == len(run.p) == run.proposals
        acceptable = set(zip(a.tolist(), p.tolist(), strict=True))
        assert set(zip(run_a.tolist(), run.p.tolist(), strict=True)) <= acceptable
        assert int(run.acceptable_per_apprentice.sum()) >= len(a)
        assert run.has_acceptable.tolist() == np.isin(np.arange(len(A)), a).tolist()
        for who in np.flatnonzero(run.assignment >= 0):
            own = a_key[(a == who) & (p == run.assignment[who])][0]
            assert run.rank[who] == 1 + int(((a == who) & (a_key > own)).sum())


@EXAMPLES
@given(spread_markets(), LENGTHS, st.sampled_from([1, 16]), st.sampled_from([1, 32]))
def test_optimal_with_pruning_everywhere_equals_the_lp_optimum(market, length, first, priced):
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(exact, "EXACT_COUNT_APPRENTICES", 0)
        _, A, P, a, p, f = _truth(market[0], market[1], market[2],
                                        **market[3])
        gain = np.round(f["score"] * SCORE_SCALE).astype(np.int64)
        bound = lp_bound(len(A), len(P), a, p, gain, P.slots.astype(np.int64))
        _, _, B = _fitted(market, length, monkeypatch)
        run = optimal_exact(B, first=first, priced_per_row=priced)
        pair_gain = dict(zip(zip(a.tolist(), p.tolist(), strict=True), gain.tolist(),
                             strict=True))
        placed = np.flatnonzero(run.assignment >= 0)
        assert sum(pair_gain[(int(x), int(run.assignment[x]))] for x in placed) == bound
        assert (gain <= run.u[a] + run.v[p]).all()


@EXAMPLES
@given(spread_markets(), LENGTHS, st.integers(1, 5))
def test_ranked_with_pruning_equals_the_brute_force_top_k(market, length, k):
    with pytest.MonkeyPatch.context() as monkeypatch:
        _, A, P, a, p, f = _truth(market[0], market[1], market[2],
                                        **market[3])
        key = apprentice_key(f["score"], p, P)
        _, _, B = _fitted(market, length, monkeypatch)
        got_a, got_p, got_rank = exact.ranked_exact(B, k)
        expected = []
        for who in range(len(A)):
            mine = np.flatnonzero(a == who)
            best = mine[np.argsort(-key[mine], kind="stable")][:k]
            expected += [(who, int(p[i]), r + 1) for r, i in enumerate(best)]
        assert list(zip(got_a.tolist(), got_p.tolist(), got_rank.tolist(),
                        strict=True)) == expected


def test_segments_are_runs_of_one_tier_and_country_within_the_length_and_caps_hold_them(
        monkeypatch):
    monkeypatch.setattr(segments, "SUPER_LENGTH", 3)
    rng = np.random.default_rng(4)
    n = 500
    lat, lon = rng.uniform(35, 62, n), rng.uniform(-10, 30, n)
    xyz = np.c_[np.cos(np.radians(lat)) * np.cos(np.radians(lon)),
                np.cos(np.radians(lat)) * np.sin(np.radians(lon)), np.sin(np.radians(lat))]
    country = rng.integers(0, 4, n)
    pos = segments.placement_order(xyz, country)
    order = np.argsort(pos)
    blocks = [np.sort(rng.choice(n, size, replace=False)) for size in (0, 1, 77, 300)]
    tier_of = [rng.integers(0, 4, len(b)) for b in blocks]
    sorted_by = [np.lexsort((pos[b], t)) for b, t in zip(blocks, tier_of, strict=True)]
    col_idx = np.concatenate([pos[b][o] for b, o in zip(blocks, sorted_by, strict=True)]
                             ).astype(np.int64)
    tiers = np.concatenate([t[o] for t, o in zip(tier_of, sorted_by, strict=True)]
                           ).astype(np.int64)
    col_ptr = np.r_[0, np.cumsum([len(b) for b in blocks])].astype(np.int64)
    # Languages as the placement index holds them: up to three slots, padding after.
    lang = rng.integers(0, 5, (n, 3)).astype(np.int16)
    req = rng.integers(-1, 7, (n, 3)).astype(np.int16)
    req[rng.random((n, 3)) < 0.3] = 2 * NO_LANGUAGE_REQUIRED + 30  # padding
    req[:, 0] = np.minimum(req[:, 0], 6)  # every placement has one real slot
    found = segments.build_segments(col_ptr, col_idx, tiers, np.arange(n), xyz[order],
                                    country[order], 7, lang[order], req[order])

    def listed(cap):
        at = slice(found.lang_ptr[cap], found.lang_ptr[cap + 1])
        return dict(zip(found.lang[at].tolist(), found.lang_req[at].tolist(), strict=True))

    def least_named(members):
        # Each language the members name (padding aside), with its least requirement.
        named = {}
        for q in order[members]:
            for m in range(3):
                if req[q, m] <= 2 * NO_LANGUAGE_REQUIRED:
                    named[int(lang[q, m])] = min(named.get(int(lang[q, m]), 99), int(req[q, m]))
        return named

    for u in range(len(found.sup_lo)):  # supersegments' lists come after the segments'
        assert listed(len(found.lo) + u) == least_named(
            col_idx[found.lo[found.sup_lo[u]]:found.hi[found.sup_hi[u] - 1]])
    assert found.ptr[0] == 0 and found.ptr[-1] == len(found.lo)
    assert (found.hi - found.lo <= 7).all() and (found.hi > found.lo).all()
    assert np.array_equal(found.lo[1:], found.hi[:-1]) and found.hi[-1] == len(col_idx)
    for s in range(len(found.lo)):
        members = col_idx[found.lo[s]:found.hi[s]]
        assert (country[order][members] == found.country[s]).all()
        assert len(set(tiers[found.lo[s]:found.hi[s]].tolist())) == 1
        assert found.tiers[s] == 1 << int(tiers[found.lo[s]])
        assert (np.diff(members) > 0).all()  # ascending: the twin walk needs it
        assert found.first[s] == found.lo[s] and found.end[s] == found.hi[s]
        assert listed(s) == least_named(members)
        # Every member lies inside the cap (checked with the angle, not the cosine).
        angle = np.arccos(np.clip(xyz[order][members] @ found.centre[s], -1, 1))
        assert (angle <= np.arccos(found.cos_r[s]) + 1e-9).all()
    for g in range(len(blocks)):
        inside = found.lo[found.ptr[g]:found.ptr[g + 1]]
        assert ((inside >= col_ptr[g]) & (inside < col_ptr[g + 1])).all()
    # Supersegments: runs of one block's segments with their tiers and country (-1 when
    # mixed), whose cap holds every placement of their segments.
    n_seg = len(found.lo)
    assert np.array_equal(found.sup_lo[1:], found.sup_hi[:-1])
    assert found.sup_hi[-1] == n_seg and (found.sup_hi > found.sup_lo).all()
    assert (found.sup_hi - found.sup_lo <= segments.SUPER_LENGTH).all()
    for g in range(len(blocks)):
        sups = range(found.sup_ptr[g], found.sup_ptr[g + 1])
        assert [found.sup_lo[u] for u in sups] == sorted(found.sup_lo[u] for u in sups)
        if len(sups):
            assert found.sup_lo[sups[0]] == found.ptr[g]
            assert found.sup_hi[sups[-1]] == found.ptr[g + 1]
    for u in range(len(found.sup_lo)):
        cap = n_seg + u
        members = col_idx[found.lo[found.sup_lo[u]]:found.hi[found.sup_hi[u] - 1]]
        assert found.country[cap] == -1 or (country[order][members] == found.country[cap]).all()
        own = found.tiers[found.sup_lo[u]:found.sup_hi[u]]
        assert np.bitwise_or.reduce(own) == found.tiers[cap]
        assert found.first[cap] == found.lo[found.sup_lo[u]]
        assert found.end[cap] == found.hi[found.sup_hi[u] - 1]
        angle = np.arccos(np.clip(xyz[order][members] @ found.centre[cap], -1, 1))
        assert (angle <= np.arccos(found.cos_r[cap]) + 1e-9).all()
