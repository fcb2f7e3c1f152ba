"""The adviser's desk without Streamlit: runs as records, the working plan, notes
history, interest events, override rule breaks and the import scope check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from app_support import COMPANIES, PLACEMENTS, apprentices_csv, load_demo_into
from mobility.auth import Principal, Role
from mobility.desk import actions
from mobility.desk.plans import compare_runs, with_names
from mobility.desk.rules import RULES, rule_breaks
from mobility.errors import ConflictError, NotFoundError, ValidationError
from mobility.io import raise_for_problems, read_table
from mobility.storage import create_schema, get_engine, read_table_from_db
from mobility.storage import runs as run_store
from mobility.storage.schema import audit_log
from mobility.storage.shortlist import (
    add_note,
    get_shortlist,
    get_shortlist_events,
    latest_overrides,
    mark_interest,
    record_override,
    set_shortlist_status,
)

ADVISER = Principal("test-adviser", Role.ADVISER, organisation="HWK Dortmund")
KOELN = Principal("koeln-adviser", Role.ADVISER, organisation="IHK Köln")
ADMIN = Principal("test-admin", Role.ADMINISTRATOR)


@pytest.fixture
def engine():
    load_demo_into()
    return get_engine()


@pytest.fixture
def frames(engine):
    return {k: read_table_from_db(engine, k) for k in ("apprentices", "placements", "companies")}


def _allocate(frames, method: str, organisation: str = "HWK Dortmund"):
    from mobility.matching import Matcher
    from mobility.reference.twinnings import load_partnerships

    own = frames["apprentices"][frames["apprentices"]["sending_organisation"] == organisation]
    return Matcher().fit(frames["placements"], load_partnerships()).allocate(own, method=method)


# --- runs ----------------------------------------------------------------------------


def test_a_stored_run_reopens_identical_with_its_types_and_record(engine, frames):
    result = _allocate(frames, "stable")
    run_id = actions.store_run(engine, ADVISER, "stable", result.matches,
                               settings={"w_trade": 0.3},
                               summary={**result.summary, "funding_total_eur": 1234.5})
    record, back = actions.open_run(engine, ADVISER, run_id, frames["apprentices"])
    pd.testing.assert_frame_equal(back, result.matches.reset_index(drop=True),
                                  check_dtype=True)
    assert (record.method, record.created_by, record.organisation) == (
        "stable", "test-adviser", "HWK Dortmund")
    assert record.settings == {"w_trade": 0.3}
    assert record.summary["funding_total_eur"] == 1234.5
    assert record.summary["matched"] == result.summary["matched"]
    assert record.exact is result.summary.get("exact")


def test_the_exact_flag_is_kept_from_the_summary(engine):
    pairs = pd.DataFrame({"apprentice_id": ["A1"], "placement_id": ["P1"]})
    approximate = run_store.save_match_run(engine, "optimal", pairs, summary={"exact": False})
    exact = run_store.save_match_run(engine, "optimal", pairs, summary={"exact": True})
    unknown = run_store.save_match_run(engine, "optimal", pairs)
    flags = [run_store.get_match_run(engine, r).exact for r in (approximate, exact, unknown)]
    assert flags == [False, True, None]


def test_runs_are_listed_per_organisation_and_another_organisations_run_stays_hidden(
        engine, frames):
    mine = actions.store_run(engine, ADVISER, "stable", _allocate(frames, "stable").matches,
                             settings={}, summary={})
    theirs = actions.store_run(engine, KOELN, "optimal",
                               _allocate(frames, "optimal", "IHK Köln").matches,
                               settings={}, summary={})
    assert actions.list_runs(engine, ADVISER)["run_id"].tolist() == [mine]
    assert actions.list_runs(engine, KOELN)["run_id"].tolist() == [theirs]
    assert set(actions.list_runs(engine, ADMIN)["run_id"]) == {mine, theirs}
    with pytest.raises(NotFoundError) as refused:
        actions.open_run(engine, ADVISER, theirs, frames["apprentices"])
    assert "Köln" not in str(refused.value)
    with pytest.raises(NotFoundError):
        actions.adopt_run(engine, ADVISER, theirs)


def test_adopting_a_run_makes_it_the_plan_replaces_the_last_and_is_audited(engine, frames):
    first = actions.store_run(engine, ADVISER, "stable", _allocate(frames, "stable").matches,
                              settings={}, summary={})
    second = actions.store_run(engine, ADVISER, "optimal", _allocate(frames, "optimal").matches,
                               settings={}, summary={})
    assert actions.adopted_run(engine, ADVISER) is None
    actions.adopt_run(engine, ADVISER, first)
    actions.adopt_run(engine, ADVISER, second)
    assert actions.adopted_run(engine, ADVISER) == second
    assert actions.list_runs(engine, ADVISER).set_index("run_id")["adopted"].to_dict() == {
        first: False, second: True}
    with engine.connect() as conn:
        trail = conn.execute(sa.select(audit_log.c.who, audit_log.c.entity_id, audit_log.c.detail)
                             .where(audit_log.c.action == "adopt plan")
                             .order_by(audit_log.c.id)).fetchall()
    assert [(t.who, t.entity_id, t.detail["replaced"]) for t in trail] == [
        ("test-adviser", first, None), ("test-adviser", second, first)]
    assert actions.adopted_run(engine, KOELN) is None  # per organisation


def test_adopting_a_plan_puts_its_pairs_on_the_shortlist_without_touching_entries(engine):
    set_shortlist_status(engine, "A1", "P1", "confirmed", note="signed", user="mueller",
                         expected_version=0)
    plan = pd.DataFrame({"apprentice_id": ["A1", "A2", "A3"], "placement_id": ["P1", "P1", None],
                         "score": [0.9, 0.8, None]})
    run_id = run_store.save_match_run(engine, "stable", plan, organisation="HWK Dortmund")
    assert actions.adopt_run(engine, ADVISER, run_id) == 1
    stored = get_shortlist(engine).sort_values("apprentice_id")
    assert stored[["apprentice_id", "placement_id", "status", "note", "version"]
                  ].values.tolist() == [["A1", "P1", "confirmed", "signed", 1],
                                        ["A2", "P1", "suggested", "", 1]]
    assert actions.adopt_run(engine, ADVISER, run_id) == 0  # again: nothing doubled


def test_stable_and_optimal_compare_by_who_changes(engine, frames):
    stable = _allocate(frames, "stable").matches
    optimal = _allocate(frames, "optimal").matches
    result = compare_runs(stable, optimal, left_funding=100.0, right_funding=None)
    # Second reader: a plain loop over the apprentices.
    left = dict(zip(stable["apprentice_id"], stable["placement_id"], strict=True))
    right = dict(zip(optimal["apprentice_id"], optimal["placement_id"], strict=True))
    differ = sorted(a for a in left if (None if pd.isna(left[a]) else left[a])
                    != (None if pd.isna(right[a]) else right[a]))
    assert result.changes["apprentice_id"].tolist() == differ
    figures = result.figures.set_index("figure")
    assert figures.loc["matched"].tolist() == [int(stable["placement_id"].notna().sum()),
                                               int(optimal["placement_id"].notna().sum())]
    placed = stable[stable["placement_id"].notna()]
    assert figures.at["twin_share", "left"] == pytest.approx(
        sum(bool(x) for x in placed["in_twin_town"]) / len(placed))
    assert figures.at["funding_total", "left"] == 100.0
    assert figures.at["funding_total", "right"] is None


def test_an_old_database_gains_the_run_columns(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = sa.create_engine(url)
    with old.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE match_runs (run_id VARCHAR(36) PRIMARY KEY, "
                             "method VARCHAR(64) NOT NULL, created_at DATETIME NOT NULL, "
                             "created_by VARCHAR(64) NOT NULL, settings JSON NOT NULL, "
                             "rows INTEGER NOT NULL)")
        conn.exec_driver_sql("INSERT INTO match_runs VALUES ('r0', 'stable', "
                             "'2026-01-01 10:00:00', 'alt', '{}', 0)")
    engine = get_engine(url)
    create_schema(engine)
    record = run_store.get_match_run(engine, "r0")
    assert (record.organisation, record.exact, record.summary) == (None, None, {})


# --- names first ---------------------------------------------------------------------


def test_names_come_first_and_ids_stay_second(frames):
    result = _allocate(frames, "stable").matches
    named = with_names(result, frames["apprentices"], frames["placements"],
                       frames["companies"])
    assert named.columns[:4].tolist() == ["name", "company", "city", "country"]
    assert {"apprentice_id", "placement_id"} <= set(named.columns)
    placed = named[named["placement_id"].notna()]
    firms = dict(zip(frames["companies"]["company_id"], frames["companies"]["name"],
                     strict=True))
    company_of = dict(zip(frames["placements"]["placement_id"],
                          frames["placements"]["company_id"], strict=True))
    assert placed["company"].tolist() == [firms[company_of[p]] for p in placed["placement_id"]]
    assert named["name"].tolist() == [f"Azubi {a[1:]}" for a in named["apprentice_id"]]


# --- notes history, interest ---------------------------------------------------------


def test_notes_are_appended_never_overwritten(engine):
    set_shortlist_status(engine, "A1", "P1", "suggested", user="mueller", expected_version=0)
    set_shortlist_status(engine, "A1", "P1", "contacted", note="called the host",
                         user="mueller", expected_version=1)
    add_note(engine, "A1", "P1", "host says yes", user="schmidt")
    set_shortlist_status(engine, "A1", "P1", "confirmed", note="contract sent",
                         user="mueller", expected_version=2)
    events = get_shortlist_events(engine, apprentice_id="A1")
    assert events[["kind", "author", "text"]].values.tolist() == [
        ["note", "mueller", "called the host"], ["note", "schmidt", "host says yes"],
        ["note", "mueller", "contract sent"]]
    assert events["at"].is_monotonic_increasing
    with pytest.raises(ValidationError):
        add_note(engine, "A1", "P1", "   ", user="schmidt")
    with pytest.raises(NotFoundError):
        add_note(engine, "A1", "P2", "no such entry", user="schmidt")


def test_interest_is_its_own_event_and_leaves_the_advisers_note_alone(engine):
    set_shortlist_status(engine, "A1", "P1", "contacted", note="waiting for the host",
                         user="mueller", expected_version=0)
    before = get_shortlist(engine, apprentice_id="A1").iloc[0]
    entry = mark_interest(engine, "A1", "P1", user="test-azubi")
    assert (entry.status, entry.note, entry.version) == ("contacted", "waiting for the host",
                                                         before["version"])
    mark_interest(engine, "A1", "P2", user="test-azubi")  # creates the entry
    events = get_shortlist_events(engine, apprentice_id="A1")
    assert events[["placement_id", "kind", "author"]].values.tolist() == [
        ["P1", "note", "mueller"], ["P1", "interest", "test-azubi"],
        ["P2", "interest", "test-azubi"]]


def test_interest_through_the_guarded_call_is_an_event(engine):
    from mobility.auth.guarded import save_own_placement

    set_shortlist_status(engine, "A1", "P1", "suggested", note="adviser's words",
                         user="mueller", expected_version=0)
    azubi = Principal("test-azubi", Role.APPRENTICE, apprentice_id="A1")
    save_own_placement(engine, azubi, "A1", "P1", interest=True)
    assert get_shortlist(engine, apprentice_id="A1")["note"].tolist() == ["adviser's words"]
    assert get_shortlist_events(engine, kinds=("interest",))["author"].tolist() == [
        "test-azubi"]


# --- overrides -----------------------------------------------------------------------


def test_an_override_needs_a_reason_keeps_its_breaks_and_refuses_stale_versions(engine):
    with pytest.raises(ValidationError):
        record_override(engine, "A7", "P2", reason=" ", breaks=[], user="mueller",
                        expected_version=0)
    record_override(engine, "A7", "P2", reason="host asked for her", breaks=["trade"],
                    user="mueller", expected_version=0)
    with pytest.raises(ConflictError):
        record_override(engine, "A7", "P2", reason="again", breaks=[], user="x",
                        expected_version=0)
    assert latest_overrides(engine)[["apprentice_id", "placement_id", "reason", "breaks"]
                                    ].values.tolist() == [["A7", "P2", "host asked for her",
                                                           ["trade"]]]


def test_the_nice_case_names_every_rule(frames):
    nurse = {"trade": "Pflegefachmann/-frau", "isco08": "3221", "languages": "de:native;en:A2",
             "available_from": "2027-03-01", "available_to": "2027-03-20",
             "home_lat": 51.51, "home_lon": 7.47, "max_distance_km": 500}
    mason = {"trade": "Maurer/in", "isco08": "7112", "languages": "fr:B1",
             "start": "2027-03-01", "end": "2027-06-30", "min_weeks": 4, "lat": 43.70,
             "lon": 7.27, "slots": 1, "accepts_related_trades": False}
    assert [b.rule for b in rule_breaks(nurse, mason, taken=1)] == list(RULES)
    assert rule_breaks(nurse, mason | {"isco08": "3221", "languages": "en:B1",
                                       "min_weeks": 2, "lat": 51.0, "lon": 7.0}) == []


CITIES = ["Leeds,GB", "Amiens,FR", "Barcelona,ES", "Nice,FR", "Wien,AT", "Lyon,FR",
          "Dublin,IE", "Zürich,CH"]
TRADES = ["Tischler/in", "Koch/Köchin", "Maurer/in", "Zimmerer/Zimmerin",
          "Pflegefachmann/-frau"]
LEVELS = ["A1", "A2", "B1", "B2", "C1"]


def _random_instance(seed: int):
    rng = np.random.default_rng(seed)
    lang = lambda: ";".join(f"{c}:{rng.choice(LEVELS)}"  # noqa: E731
                            for c in rng.choice(["en", "fr", "es", "de"],
                                                rng.integers(0, 3), replace=False))
    day = lambda: pd.Timestamp("2027-01-01") + pd.Timedelta(days=int(rng.integers(0, 200)))  # noqa: E731
    places = ["placement_id,company_id,trade,city,country,slots,start,end,min_weeks,max_weeks,"
              "languages,accommodation,accepts_related_trades,further_trades"]
    for i in range(10):
        start, weeks = day(), int(rng.integers(1, 6))
        end = start + pd.Timedelta(days=int(rng.integers(7 * weeks, 120)))
        places.append(f"P{i},C1,{rng.choice(TRADES)},{rng.choice(CITIES)},1,"
                      f"{start.date()},{end.date()},{weeks},12,{lang()},true,"
                      f"{str(bool(rng.random() < 0.4)).lower()},"
                      f"{rng.choice(['', '', '', 'Koch/Köchin', '7522;3221'])}")
    people = ["apprentice_id,name,sending_organisation,home_city,home_country,trade,"
              "training_year,languages,available_from,available_to,desired_weeks,"
              "max_distance_km"]
    for i in range(12):
        start = day()
        end = start + pd.Timedelta(days=int(rng.integers(28, 150)))
        limit = rng.choice(["", "400", "900", "1500"])
        people.append(f"A{i},Person {i},HWK,{rng.choice(['Dortmund', 'Köln', 'Berlin'])},DE,"
                      f"{rng.choice(TRADES)},2,de:native;{lang() or 'en:B1'},{start.date()},"
                      f"{end.date()},4,{limit}")
    placements = raise_for_problems(read_table("\n".join(places).encode(), "placements",
                                               name="p.csv"))
    apprentices = raise_for_problems(read_table("\n".join(people).encode(), "apprentices",
                                                name="a.csv"))
    return apprentices, placements


@pytest.mark.parametrize("seed", range(6))
def test_rule_breaks_agree_with_the_matchers_acceptable_pairs(seed):
    from mobility.matching import Matcher

    apprentices, placements = _random_instance(seed)
    pairs = Matcher().fit(placements).candidates(apprentices)
    acceptable = set(zip(pairs["apprentice_id"].astype(str), pairs["placement_id"].astype(str),
                         strict=True))
    seen_broken = set()
    for person in apprentices.to_dict("records"):
        for place in placements.to_dict("records"):
            broken = rule_breaks(person, place)
            seen_broken |= {b.rule for b in broken}
            key = (person["apprentice_id"], place["placement_id"])
            assert (not broken) == (key in acceptable), (key, broken)
    assert {"trade", "language", "dates"} <= seen_broken  # the instances exercise the rules


def test_an_override_counts_capacity_against_the_working_plan(engine, frames):
    # P2 (Amiens) has one slot: the plan gives it to A1, so putting A2 there breaks capacity.
    plan = pd.DataFrame({"apprentice_id": ["A1"], "placement_id": ["P2"]})
    run_id = run_store.save_match_run(engine, "stable", plan, organisation="HWK Dortmund")
    actions.adopt_run(engine, ADVISER, run_id)
    check = actions.check_override(engine, ADVISER, frames["apprentices"],
                                   frames["placements"], "A2", "P2")
    assert [b.rule for b in check.breaks] == ["capacity"]
    assert actions.check_override(engine, ADVISER, frames["apprentices"],
                                  frames["placements"], "A1", "P2").breaks == ()
    done = actions.override(engine, ADVISER, frames["apprentices"], frames["placements"],
                            "A2", "P2", reason="second place agreed by phone",
                            expected_version=0)
    assert [b.rule for b in done.breaks] == ["capacity"]
    assert latest_overrides(engine)["breaks"].tolist() == [["capacity"]]
    with pytest.raises(PermissionError):
        actions.override(engine, KOELN, frames["apprentices"], frames["placements"], "A3",
                         "P2", reason="not mine", expected_version=0)


# --- working plan and municipality counts --------------------------------------------


def test_the_working_plan_ranks_confirmed_over_override_over_plan(engine, frames):
    plan = pd.DataFrame({"apprentice_id": ["A1", "A2", "A3"], "placement_id": ["P1", "P1", "P2"]})
    run_id = run_store.save_match_run(engine, "stable", plan, organisation="HWK Dortmund")
    actions.adopt_run(engine, ADVISER, run_id)
    record_override(engine, "A2", "P3", reason="cooking instead", breaks=["trade"],
                    user="mueller", expected_version=0)
    set_shortlist_status(engine, "A3", "P1", "confirmed", user="mueller", expected_version=0)
    now = actions.current_plan(engine, ADVISER, frames["apprentices"])
    assert now.values.tolist() == [["A1", "P1", "plan"], ["A2", "P3", "override"],
                                   ["A3", "P1", "confirmed"]]
    assert actions.current_plan(engine, KOELN, frames["apprentices"]).empty  # not theirs


def test_municipality_counts_follow_the_adopted_plan_and_confirmations(engine, frames):
    from mobility.auth.aggregates import placement_status_rows
    from mobility.reference.twinnings import load_partnerships, partners_of
    from mobility.ui.views import partner_reach

    def placed_in_leeds() -> object:
        reach = partner_reach(partners_of("Dortmund", load_partnerships()), city="Dortmund",
                              apprentices=frames["apprentices"],
                              placements=frames["placements"], companies=frames["companies"],
                              shortlist=placement_status_rows(engine))
        return reach.set_index("partner_city").at["Leeds", "placed"]

    assert placed_in_leeds() == 0
    # Five Dortmund apprentices planned for Leeds (P1), enough to be shown (>= 5).
    plan = pd.DataFrame({"apprentice_id": [f"A{i}" for i in range(1, 6)],
                         "placement_id": ["P1"] * 5})
    run_id = run_store.save_match_run(engine, "stable", plan, organisation="HWK Dortmund")
    assert placed_in_leeds() == 0  # stored, not adopted: not a plan yet
    actions.adopt_run(engine, ADVISER, run_id)
    assert placed_in_leeds() == 5
    record_override(engine, "A5", "P2", reason="Amiens instead", breaks=[], user="mueller",
                    expected_version=0)
    assert pd.isna(placed_in_leeds())  # 4: suppressed, no longer 5
    rows = placement_status_rows(engine)
    assert sorted(map(tuple, rows[rows["apprentice_id"] == "A5"].values)) == [
        ("A5", "P1", "suggested"), ("A5", "P2", "planned"),
        ("A5", "P2", "suggested")]  # planned there; both entries still open
    # A confirmed placement beats the override (the plan had put A5/P1 on the shortlist).
    set_shortlist_status(engine, "A5", "P1", "confirmed", user="mueller", expected_version=1)
    assert placed_in_leeds() == 5
    rows = placement_status_rows(engine)
    planned = rows[rows["status"] != "suggested"]
    assert planned.values.tolist() == [["A1", "P1", "planned"], ["A2", "P1", "planned"],
                                       ["A3", "P1", "planned"], ["A4", "P1", "planned"],
                                       ["A5", "P1", "confirmed"]]
    open_entries = rows[rows["status"] == "suggested"]
    assert sorted(map(tuple, open_entries[["apprentice_id", "placement_id"]].values)) == [
        ("A1", "P1"), ("A2", "P1"), ("A3", "P1"), ("A4", "P1"), ("A5", "P2")]


# --- import that knows the user ------------------------------------------------------


def test_only_writable_kinds_are_offered():
    kinds = ("apprentices", "companies", "placements", "partnerships")
    assert actions.writable_kinds(ADVISER, kinds) == ["apprentices"]
    assert actions.writable_kinds(ADMIN, kinds) == list(kinds)
    azubi = Principal("azubi", Role.APPRENTICE, apprentice_id="A1")
    assert actions.writable_kinds(azubi, kinds) == []
    assert actions.writable_kinds(None, kinds) == []


def test_foreign_rows_are_row_problems_at_the_check_step(engine):
    result = read_table(apprentices_csv().encode(), "apprentices", name="caseload.csv")
    assert result.ok
    problems = actions.import_scope_problems(engine, ADVISER, result)
    # Second reader: the file's rows (header = row 1) whose organisation is not ours.
    lines = apprentices_csv().splitlines()
    foreign = [n for n, line in enumerate(lines[1:], start=2) if "HWK Dortmund" not in line]
    assert [p.row for p in problems] == foreign == [9, 10]
    assert actions.import_scope_problems(engine, ADMIN, result) == []
    own = read_table("\n".join(x for x in lines if "IHK Köln" not in x).encode(),
                     "apprentices", name="own.csv")
    assert actions.import_scope_problems(engine, ADVISER, own) == []


def test_reference_kinds_are_refused_at_the_check_step_for_advisers(engine):
    result = read_table(COMPANIES.encode(), "companies", name="companies.csv")
    problems = actions.import_scope_problems(engine, ADVISER, result)
    assert len(problems) == 1 and problems[0].row is None
    assert "PLACEMENTS" not in PLACEMENTS  # the fixture text is the import format
