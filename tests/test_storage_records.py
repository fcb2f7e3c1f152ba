"""The product's own records: shortlist with optimistic concurrency, geocode cache,
match runs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from mobility.errors import ConflictError, NotFoundError, ValidationError
from mobility.geo import OnlineGeocoder
from mobility.io import read_table
from mobility.storage import create_schema, get_engine, upsert_table
from mobility.storage.geocache import GeocodeCache
from mobility.storage.runs import list_match_runs, load_match_run, save_match_run
from mobility.storage.shortlist import get_shortlist, set_shortlist_status

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"


@pytest.fixture
def engine():
    engine = get_engine()
    create_schema(engine)
    for kind in ("companies", "placements", "apprentices"):
        upsert_table(engine, kind, read_table(EXAMPLES / f"{kind}.csv", kind).frame)
    return engine


def test_a_new_entry_starts_at_version_one_and_each_change_moves_it_on(engine):
    first = set_shortlist_status(engine, "EX-A001", "EX-P01", "suggested", user="mueller",
                                 expected_version=0, score=0.8)
    assert (first.version, first.status, first.updated_by) == (1, "suggested", "mueller")
    second = set_shortlist_status(engine, "EX-A001", "EX-P01", "contacted", "rang an",
                                  user="schmidt", expected_version=1)
    assert (second.version, second.note, second.score) == (2, "rang an", 0.8)
    third = set_shortlist_status(engine, "EX-A001", "EX-P01", "confirmed", user="mueller",
                                 expected_version=2)
    assert third.note == "rang an"  # None keeps the note


def test_a_change_based_on_an_old_version_is_refused_naming_who_changed_it(engine):
    set_shortlist_status(engine, "EX-A001", "EX-P01", "suggested", user="mueller",
                         expected_version=0)
    set_shortlist_status(engine, "EX-A001", "EX-P01", "contacted", user="schmidt",
                         expected_version=1)
    with pytest.raises(ConflictError, match=r"changed by schmidt at \d\d:\d\d, reload"):
        set_shortlist_status(engine, "EX-A001", "EX-P01", "declined", user="mueller",
                             expected_version=1)
    (row,) = get_shortlist(engine).itertuples()
    assert (row.status, row.version, row.updated_by) == ("contacted", 2, "schmidt")


def test_two_advisers_adding_the_same_pair_conflict_instead_of_both_winning(engine):
    set_shortlist_status(engine, "EX-A002", "EX-P05", "suggested", user="mueller",
                         expected_version=0)
    with pytest.raises(ConflictError, match="mueller"):
        set_shortlist_status(engine, "EX-A002", "EX-P05", "suggested", user="schmidt",
                             expected_version=0)


def test_a_blind_write_without_expected_version_always_applies(engine):
    set_shortlist_status(engine, "EX-A002", "EX-P05", "suggested")
    entry = set_shortlist_status(engine, "EX-A002", "EX-P05", "declined")
    assert entry.version == 2


def test_unknown_pairs_statuses_and_vanished_entries_are_clear_errors(engine):
    with pytest.raises(NotFoundError, match="does not exist"):
        set_shortlist_status(engine, "NOPE", "EX-P01", "suggested", expected_version=0)
    with pytest.raises(NotFoundError, match="reload"):
        set_shortlist_status(engine, "EX-A001", "EX-P01", "contacted", expected_version=3)
    with pytest.raises(ValidationError, match="not one of suggested"):
        set_shortlist_status(engine, "EX-A001", "EX-P01", "maybe")
    assert get_shortlist(engine).empty


def test_shortlist_changes_are_audited_and_filtered_by_apprentice(engine):
    set_shortlist_status(engine, "EX-A001", "EX-P01", "suggested", user="mueller")
    set_shortlist_status(engine, "EX-A002", "EX-P05", "suggested", user="mueller")
    mine = get_shortlist(engine, apprentice_id="EX-A002")
    assert mine["placement_id"].tolist() == ["EX-P05"]
    assert str(mine["version"].dtype) == "int64"
    with engine.connect() as conn:
        actions = conn.execute(sa.text("select action from audit_log where entity='shortlist'"))
        assert [a for (a,) in actions] == ["shortlist add", "shortlist add"]


def test_the_geocode_cache_keeps_answers_and_misses_between_engines(engine):
    cache = GeocodeCache(engine)
    cache["Leeds|GB"] = ("Leeds", "GB", 53.79648, -1.54785)
    cache["Nirgendwo|DE"] = None
    cache["Leeds|GB"] = ("Leeds", "GB", 53.8, -1.55)  # overwrite, not a second row
    again = GeocodeCache(get_engine())
    assert again["Leeds|GB"] == ("Leeds", "GB", 53.8, -1.55)
    assert again["Nirgendwo|DE"] is None and "Nirgendwo|DE" in again
    assert sorted(again) == ["Leeds|GB", "Nirgendwo|DE"] and len(again) == 2
    del again["Nirgendwo|DE"]
    with pytest.raises(KeyError):
        again["Nirgendwo|DE"]


def test_the_online_geocoder_asks_each_place_only_once_with_the_database_cache(engine):
    calls = []

    class Location:
        latitude, longitude, raw = 47.1, 8.2, {"address": {"country_code": "ch"}}

    def fake_geocode(query, **kwargs):
        calls.append(query)
        return Location()

    geocoder = OnlineGeocoder(cache=GeocodeCache(engine), geocode=fake_geocode,
                              min_delay_seconds=0)
    assert geocoder.lookup("Kleinort", "CH").lat == 47.1
    fresh = OnlineGeocoder(cache=GeocodeCache(engine), geocode=fake_geocode,
                           min_delay_seconds=0)
    assert fresh.lookup("Kleinort", "CH").lon == 8.2
    assert calls == ["Kleinort"]


def test_a_match_run_is_stored_and_loaded_with_its_extra_columns(engine):
    pairs = pd.DataFrame({"apprentice_id": ["EX-A001", "EX-A002"],
                          "placement_id": ["EX-P01", "EX-P05"], "score": [0.9, 0.7],
                          "rank": [1, 1], "why": ["same trade", "language"]})
    run = save_match_run(engine, "optimal", pairs, settings={"weights": [1, 2]}, user="m")
    back = load_match_run(engine, run)
    pd.testing.assert_frame_equal(back, pairs, check_dtype=False)
    runs = list_match_runs(engine)
    assert runs.loc[0, "method"] == "optimal" and runs.loc[0, "settings"] == {"weights": [1, 2]}
    with pytest.raises(NotFoundError):
        load_match_run(engine, "no-such-run")
