"""Properties of the two allocations on random small instances (hypothesis)."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobility.matching.optimal import max_score_allocation
from mobility.matching.stable import blocking_pairs, deferred_acceptance


@st.composite
def instances(draw, max_apprentices=8, max_placements=5, max_capacity=3, min_capacity=0):
    """A random market: acceptable pairs with distinct preference keys on both sides."""
    n_a = draw(st.integers(1, max_apprentices))
    n_p = draw(st.integers(1, max_placements))
    cells = [(a, p) for a in range(n_a) for p in range(n_p)]
    chosen = draw(st.lists(st.sampled_from(cells), unique=True, max_size=len(cells)))
    a = np.array([c[0] for c in chosen], dtype=np.int64)
    p = np.array([c[1] for c in chosen], dtype=np.int64)
    # Scores on a coarse grid, so that ties are frequent; the keys break them by id.
    score = np.array(draw(st.lists(st.integers(1, 5), min_size=len(a), max_size=len(a)))) / 5
    app_score = np.array(draw(st.lists(st.integers(0, 3), min_size=len(a), max_size=len(a))))
    host_score = np.array(draw(st.lists(st.integers(0, 3), min_size=len(a), max_size=len(a))))
    capacity = np.array(draw(st.lists(st.integers(min_capacity, max_capacity),
                                      min_size=n_p, max_size=n_p)), dtype=np.int64)
    # Ties broken by id: higher key first, so a smaller id gets the larger tiebreak.
    app_key = app_score * (n_p + 1) + (n_p - p)
    host_key = host_score * (n_a + 1) + (n_a - a)
    return dict(n_a=n_a, n_p=n_p, a=a, p=p, score=score, app_key=app_key,
                host_key=host_key, capacity=capacity)


def _stable(inst):
    return deferred_acceptance(inst["n_a"], inst["n_p"], a=inst["a"], p=inst["p"],
                               apprentice_key=inst["app_key"], host_key=inst["host_key"],
                               capacity=inst["capacity"])


def _optimal(inst):
    return max_score_allocation(inst["n_a"], inst["n_p"], a=inst["a"], p=inst["p"],
                                score=inst["score"], capacity=inst["capacity"])


def _total(inst, assignment):
    pair_score = {(int(x), int(y)): s for x, y, s in zip(inst["a"], inst["p"], inst["score"],
                                                          strict=True)}
    return sum(pair_score[(i, int(q))] for i, q in enumerate(assignment) if q >= 0)


def _check_feasible(inst, assignment):
    acceptable = set(zip(inst["a"].tolist(), inst["p"].tolist(), strict=True))
    for who, where in enumerate(assignment.tolist()):
        assert where == -1 or (who, where) in acceptable
    load = np.bincount(assignment[assignment >= 0], minlength=inst["n_p"])
    assert (load <= inst["capacity"]).all()


@settings(max_examples=150, deadline=None)
@given(instances())
def test_stable_respects_capacity_and_acceptability_and_has_no_blocking_pair(inst):
    assignment = _stable(inst)
    _check_feasible(inst, assignment)
    assert len(blocking_pairs(assignment, a=inst["a"], p=inst["p"],
                              apprentice_key=inst["app_key"], host_key=inst["host_key"],
                              capacity=inst["capacity"])) == 0


@settings(max_examples=150, deadline=None)
@given(instances())
def test_optimal_respects_capacity_and_total_is_at_least_the_stable_total(inst):
    optimal = _optimal(inst)
    _check_feasible(inst, optimal)
    assert _total(inst, optimal) >= _total(inst, _stable(inst)) - 1e-9


def _brute_force_best(inst):
    """Try every assignment (each apprentice: one acceptable placement or none)."""
    options = [[-1, *inst["p"][inst["a"] == i].tolist()] for i in range(inst["n_a"])]
    best = 0.0
    for combo in itertools.product(*options):
        used = np.array([c for c in combo if c >= 0], dtype=np.int64)
        if (np.bincount(used, minlength=inst["n_p"]) <= inst["capacity"]).all():
            best = max(best, _total(inst, np.array(combo)))
    return best


@settings(max_examples=120, deadline=None)
@given(instances(max_apprentices=5, max_placements=3, max_capacity=2))
def test_optimal_total_equals_the_brute_force_optimum_on_tiny_markets(inst):
    assert _total(inst, _optimal(inst)) == pytest.approx(_brute_force_best(inst), abs=1e-9)


def _library_matching(inst):
    """The PyPI ``matching`` library's resident-optimal HospitalResident solution."""
    from matching.games import HospitalResident

    order_a = np.lexsort((-inst["app_key"], inst["a"]))
    resident_prefs = {f"a{i}": [] for i in range(inst["n_a"])}
    for k in order_a:
        resident_prefs[f"a{inst['a'][k]}"].append(f"p{inst['p'][k]}")
    order_p = np.lexsort((-inst["host_key"], inst["p"]))
    hospital_prefs = {f"p{j}": [] for j in range(inst["n_p"])}
    for k in order_p:
        hospital_prefs[f"p{inst['p'][k]}"].append(f"a{inst['a'][k]}")
    resident_prefs = {r: v for r, v in resident_prefs.items() if v}
    hospital_prefs = {h: v for h, v in hospital_prefs.items() if v}
    capacities = {h: int(inst["capacity"][int(h[1:])]) for h in hospital_prefs}
    result = np.full(inst["n_a"], -1)
    if not resident_prefs:
        return result
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs,
                                                          capacities)
        solution = game.solve(optimal="resident")
    for hospital, residents in solution.items():
        for resident in residents:
            result[int(resident.name[1:])] = int(hospital.name[1:])
    return result


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(min_capacity=1))
def test_stable_is_identical_to_the_matching_library(inst):
    assert _stable(inst).tolist() == _library_matching(inst).tolist()


def test_zero_capacity_placement_gets_nobody_and_its_fans_go_elsewhere():
    inst = dict(n_a=2, n_p=2, a=np.array([0, 0, 1]), p=np.array([0, 1, 0]),
                score=np.array([0.9, 0.5, 0.9]), app_key=np.array([2, 1, 1]),
                host_key=np.array([1, 1, 1]), capacity=np.array([0, 1]))
    assert _stable(inst).tolist() == [1, -1]
    assert _optimal(inst).tolist() == [1, -1]


def test_apprentice_without_any_acceptable_placement_stays_unmatched():
    inst = dict(n_a=3, n_p=1, a=np.array([0]), p=np.array([0]), score=np.array([0.4]),
                app_key=np.array([1]), host_key=np.array([1]), capacity=np.array([5]))
    assert _stable(inst).tolist() == [0, -1, -1]
    assert _optimal(inst).tolist() == [0, -1, -1]


def test_optimal_beats_greedy_where_greedy_strands_an_apprentice():
    inst = dict(n_a=2, n_p=2, a=np.array([0, 0, 1]), p=np.array([0, 1, 0]),
                score=np.array([0.9, 0.8, 0.7]), app_key=np.array([2, 1, 1]),
                host_key=np.array([2, 1, 1]), capacity=np.array([1, 1]))
    assert _optimal(inst).tolist() == [1, 0]
    assert _total(inst, _optimal(inst)) == pytest.approx(1.5)


def test_host_ties_are_broken_by_apprentice_id_as_strings():
    # Equal host_score: the lower apprentice_id as a string wins ("a10" < "a9").
    from mobility.matching.candidates import host_key

    class Batch:
        ids = np.array(["a9", "a10"])
        id_rank = np.array([1, 0])

        def __len__(self):
            return 2

    keys = host_key(np.array([0.5, 0.5]), np.array([0, 1]), Batch())
    assignment = deferred_acceptance(2, 1, a=np.array([0, 1]), p=np.array([0, 0]),
                                     apprentice_key=np.array([1, 1]), host_key=keys,
                                     capacity=np.array([1]))
    assert assignment.tolist() == [-1, 0]


def test_optimal_keeps_fewer_candidates_only_for_national_caseloads_left_at_default():
    from mobility.matching import matcher as matcher_module
    from mobility.matching.matcher import LARGE_OPTIMAL_CANDIDATES, Matcher
    from mobility.matching.scores import MatchSettings

    fitted = Matcher()
    fitted.settings_ = MatchSettings()
    assert fitted._settings_for("optimal", 1_000_000).max_candidates == LARGE_OPTIMAL_CANDIDATES
    assert fitted._settings_for("stable", 1_000_000).max_candidates == 50
    assert fitted._settings_for("optimal", 100_000).max_candidates == 50
    chosen = Matcher(max_candidates=50)
    chosen.settings_ = MatchSettings(max_candidates=50)
    assert chosen._settings_for("optimal", 1_000_000).max_candidates == 50
    assert matcher_module.LARGE_OPTIMAL_CASELOAD == 500_000
