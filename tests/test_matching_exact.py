"""The exact engine against the truth computed another way, on random small markets.

The truth: every apprentice x placement pair is scored with ``pair_features`` (numpy,
not the compiled scan), the acceptable ones are kept, and then a textbook deferred
acceptance, scipy's LP (HiGHS), a brute-force sort and the PyPI ``matching`` library
answer the three questions over that full set. The engine must agree exactly, whatever
the length of its first lists (1 forces a refill or a pricing round at every step).
"""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobility.matching import Matcher
from mobility.matching.candidates import apprentice_key, host_key, pair_features
from mobility.matching.exact import Blocks, optimal_exact, stable_exact
from mobility.matching.scores import SCORE_SCALE
from mobility.matching.stable import blocking_pairs, deferred_acceptance
from mobility.matching.verify import lp_bound
from mobility.reference.twinnings import PARTNERSHIP_COLUMNS

TRADES = ["7411", "7412", "7421", "7231", "5141", "5142", "3512"]
CITIES = [("Leeds", "GB", 53.79648, -1.54785), ("Amiens", "FR", 49.9, 2.3),
          ("Lyon", "FR", 45.76, 4.84), ("Cork", "IE", 51.9, -8.47)]
HOMES = [("Dortmund", 51.51494, 7.466), ("Köln", 50.94, 6.96), ("Kiel", 54.32, 10.14)]
DAY0 = pd.Timestamp("2026-03-01")


def draw_placement(draw, i, city, country, lat, lon, trades=None):
    """One random placement row in ``city`` (shared by the markets of the engine tests)."""
    start = draw(st.integers(0, 60))
    return dict(
        placement_id=f"P{i:02d}", company_id="C1", trade="x",
        isco08=draw(st.sampled_from(trades or TRADES)), city=city, country=country,
        lat=lat, lon=lon, slots=draw(st.integers(0, 3)),
        start=DAY0 + pd.Timedelta(days=start),
        end=DAY0 + pd.Timedelta(days=start + draw(st.integers(20, 120))),
        min_weeks=draw(st.integers(1, 4)), max_weeks=draw(st.integers(4, 12)),
        languages=draw(st.sampled_from(["en:B1", "fr:A2", "en:B2;fr:B1", ""])),
        accommodation=True, accepts_related_trades=draw(st.booleans()),
        further_trades=draw(st.sampled_from(["", "", "5141", "3512;7231"])),
        synthetic=True)


def draw_apprentice(draw, i, trades=None, preferred=("", "FR", "GB;IE"),
                    max_distance=(float("nan"), float("nan"), 900.0)):
    """One random apprentice row living in one of :data:`HOMES`."""
    home = draw(st.sampled_from(HOMES))
    start = draw(st.integers(0, 60))
    return dict(
        apprentice_id=f"A{i:02d}", home_city=home[0], home_country="DE",
        home_lat=home[1], home_lon=home[2], trade="x",
        isco08=draw(st.sampled_from(trades or TRADES)), training_year=draw(st.integers(1, 3)),
        languages=draw(st.sampled_from(["de:native;en:B2", "en:A2", "fr:B2;en:B1",
                                        "en:C1"])),
        available_from=DAY0 + pd.Timedelta(days=start),
        available_to=DAY0 + pd.Timedelta(days=start + draw(st.integers(20, 120))),
        desired_weeks=draw(st.integers(2, 8)),
        preferred_countries=draw(st.sampled_from(list(preferred))),
        max_distance_km=draw(st.sampled_from(list(max_distance))))


@st.composite
def markets(draw, max_apprentices=10, max_placements=7):
    n_a = draw(st.integers(1, max_apprentices))
    n_p = draw(st.integers(1, max_placements))
    placements = [draw_placement(draw, i, *draw(st.sampled_from(CITIES)))
                  for i in range(n_p)]
    apprentices = [draw_apprentice(draw, i) for i in range(n_a)]
    twins = pd.DataFrame([
        dict(home_city="Dortmund", home_country="DE", home_lat=51.51494, home_lon=7.466,
             partner_city="Leeds", partner_country="GB", partner_lat=53.79648,
             partner_lon=-1.54785, since_year=1969, status="active", source=""),
        dict(home_city="Köln", home_country="DE", home_lat=50.94, home_lon=6.96,
             partner_city="Lyon", partner_country="FR", partner_lat=45.76,
             partner_lon=4.84, since_year=1960, status="dormant", source=""),
        dict(home_city="Kiel", home_country="DE", home_lat=54.32, home_lon=10.14,
             partner_city="Cork", partner_country="IE", partner_lat=51.9,
             partner_lon=-8.47, since_year=1990, status="active", source="",
             confidence="unconfirmed")],
    ).astype(PARTNERSHIP_COLUMNS)
    return pd.DataFrame(placements), pd.DataFrame(apprentices), twins


def _truth(placements, apprentices, twins, **match_settings):
    """Every acceptable pair, from scoring the whole cross product with numpy."""
    matcher = Matcher(**match_settings).fit(placements, twins)
    _, A = matcher._encode(apprentices)
    P = matcher.index_
    a, p = (x.ravel() for x in np.meshgrid(np.arange(len(A)), np.arange(len(P)),
                                           indexing="ij"))
    f = pair_features(A, P, a, p, matcher.settings_)
    keep = f["acceptable"] & (P.slots[p] > 0)
    f = {k: v[keep] for k, v in f.items() if isinstance(v, np.ndarray) and len(v) == len(a)}
    return matcher, A, P, a[keep], p[keep], f


def _as_assignment(matches, A, P):
    position = {pid: i for i, pid in enumerate(P.ids)}
    row = {aid: i for i, aid in enumerate(A.ids)}
    out = np.full(len(A), -1, dtype=np.int64)
    placed = matches.dropna(subset=["placement_id"])
    for aid, pid in zip(placed["apprentice_id"], placed["placement_id"], strict=True):
        out[row[aid]] = position[pid]
    return out


@settings(max_examples=35, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markets(), st.sampled_from([1, 2, 24]))
def test_stable_equals_textbook_deferred_acceptance_over_every_acceptable_pair(market, first):
    matcher, A, P, a, p, f = _truth(*market)
    a_key = apprentice_key(f["apprentice_score"], p, P)
    h_key = host_key(f["host_score"], a, A)
    textbook = deferred_acceptance(len(A), len(P), a=a, p=p, apprentice_key=a_key,
                                   host_key=h_key, capacity=P.slots)
    run = stable_exact(Blocks(A, P, matcher.settings_), first=first)
    assert run.assignment.tolist() == textbook.tolist()
    assert len(blocking_pairs(run.assignment, a=a, p=p, apprentice_key=a_key,
                              host_key=h_key, capacity=P.slots)) == 0
    assert int(run.acceptable_per_apprentice.sum()) == len(a)
    # rank = 1 + the acceptable placements she prefers to her own
    for who in np.flatnonzero(run.assignment >= 0):
        own = a_key[(a == who) & (p == run.assignment[who])][0]
        assert run.rank[who] == 1 + int(((a == who) & (a_key > own)).sum())


@settings(max_examples=35, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(markets(), markets(max_apprentices=40, max_placements=14)),
       st.sampled_from([1, 2, 16]), st.sampled_from([1, 2, 32, 100]))
def test_optimal_equals_the_lp_optimum_over_every_acceptable_pair(market, first, priced):
    matcher, A, P, a, p, f = _truth(*market)
    gain = np.round(f["score"] * SCORE_SCALE).astype(np.int64)
    bound = lp_bound(len(A), len(P), a, p, gain, P.slots.astype(np.int64))
    run = optimal_exact(Blocks(A, P, matcher.settings_), first=first, priced_per_row=priced)
    pair_gain = dict(zip(zip(a.tolist(), p.tolist(), strict=True), gain.tolist(), strict=True))
    placed = np.flatnonzero(run.assignment >= 0)
    total = sum(pair_gain[(int(x), int(run.assignment[x]))] for x in placed)
    assert total == bound
    assert run.dual_total * SCORE_SCALE == pytest.approx(bound, abs=0.5)
    # The certificate itself: its duals are feasible on every acceptable pair.
    assert (gain <= run.u[a] + run.v[p]).all()
    assert int(run.u.sum() + (np.minimum(P.slots, len(A)) * run.v).sum()) == bound
    load = np.bincount(run.assignment[placed], minlength=len(P))
    assert (load <= P.slots).all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markets(), st.integers(1, 4))
def test_ranked_equals_the_brute_force_top_k(market, k):
    matcher, A, P, a, p, f = _truth(*market)
    key = apprentice_key(f["score"], p, P)
    expected = []
    for who in range(len(A)):
        mine = np.flatnonzero(a == who)
        best = mine[np.argsort(-key[mine], kind="stable")][:k]
        expected += [(A.ids[who], P.ids[p[i]], r + 1) for r, i in enumerate(best)]
    got = matcher.recommend(market[1], k=k)
    assert list(zip(got["apprentice_id"], got["placement_id"], got["rank"],
                    strict=True)) == expected


def _library(A, P, a, p, a_key, h_key):
    resident, hospital = {}, {}
    for i in np.lexsort((-a_key, a)):
        resident.setdefault(A.ids[a[i]], []).append(P.ids[p[i]])
    for i in np.lexsort((-h_key, p)):
        hospital.setdefault(P.ids[p[i]], []).append(A.ids[a[i]])
    capacities = {h: int(P.slots[list(P.ids).index(h)]) for h in hospital}
    box = {}

    def solve():
        from matching.games import HospitalResident

        game = HospitalResident.create_from_dictionaries(resident, hospital, capacities)
        box["x"] = {r.name: h.name for h, rs in game.solve(optimal="resident").items()
                    for r in rs}

    thread = threading.Thread(target=solve)
    thread.start()
    thread.join()
    return box["x"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markets())
def test_stable_is_identical_to_the_pypi_matching_library(market):
    matcher, A, P, a, p, f = _truth(*market)
    if len(a) == 0:
        return
    a_key = apprentice_key(f["apprentice_score"], p, P)
    h_key = host_key(f["host_score"], a, A)
    theirs = _library(A, P, a, p, a_key, h_key)
    result = matcher.allocate(market[1], method="stable")
    placed = result.matches.dropna(subset=["placement_id"])
    assert dict(zip(placed["apprentice_id"], placed["placement_id"], strict=True)) == theirs


@pytest.fixture(scope="module")
def demo_market(tmp_path_factory):
    from mobility.commands.match import read_inputs
    from mobility.demo import write_demo

    folder = tmp_path_factory.mktemp("demo-exact")
    write_demo(folder, n_apprentices=400, n_placements=200, seed=3)
    return read_inputs(folder)


def test_regression_capped_lists_leave_blocking_pairs_and_exact_leaves_none(demo_market):
    """Issue 9: with capped candidate lists the 'stable' result had blocking pairs against
    the full acceptable set and apprentices unplaced beside free acceptable slots."""
    from mobility.matching.verify import verify

    tables = demo_market
    matcher = Matcher(max_candidates=3, host_candidates=1).fit(tables["placements"],
                                                               tables["partnerships"])
    _, A = matcher._encode(tables["apprentices"])
    capped = matcher.allocate(tables["apprentices"], method="stable", approximate=True)
    assert capped.summary["exact"] is False
    old = verify(A, matcher.index_, matcher.settings_, "stable",
                 _as_assignment(capped.matches, A, matcher.index_))
    assert old["blocking_pairs"] > 0
    exact = matcher.allocate(tables["apprentices"], method="stable")
    assert exact.summary["exact"] is True
    new = verify(A, matcher.index_, matcher.settings_, "stable",
                 _as_assignment(exact.matches, A, matcher.index_),
                 exact.summary["acceptable_pairs"])
    assert new["blocking_pairs"] == 0 and new["free_slot_beside_unplaced"] == 0
    assert new["textbook_identical"] and new["acceptable_pairs_agree"]
    optimal = matcher.allocate(tables["apprentices"], method="optimal")
    checked = verify(A, matcher.index_, matcher.settings_, "optimal",
                     _as_assignment(optimal.matches, A, matcher.index_))
    assert checked["optimality_gap"] == 0


def test_demo_recommendations_stay_within_the_trade_rules(demo_market):
    tables = demo_market
    matcher = Matcher().fit(tables["placements"], tables["partnerships"])
    top = matcher.recommend(tables["apprentices"], k=10)
    isco_a = tables["apprentices"].set_index("apprentice_id")["isco08"]
    isco_p = tables["placements"].set_index("placement_id")["isco08"]
    mine = isco_a.loc[top["apprentice_id"]].to_numpy()
    theirs = isco_p.loc[top["placement_id"]].to_numpy()
    same_family = np.array([x[:2] == y[:2] for x, y in zip(mine, theirs, strict=True)])
    assert same_family.all()  # the demo names no further trades
    for rows in (top[top["explanation"].str.startswith("same trade")],):
        assert (isco_a.loc[rows["apprentice_id"]].to_numpy()
                == isco_p.loc[rows["placement_id"]].to_numpy()).all()
