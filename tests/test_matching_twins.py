"""Twin towns by identity, never by distance alone (issue 9, item 5), and the home
municipality of every German place (issue 10)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mobility.matching import Matcher
from mobility.matching.scores import (
    TWIN_ACTIVE,
    TWIN_DORMANT,
    TWIN_NONE,
    TWIN_UNCONFIRMED,
    MatchSettings,
    twin_component,
)
from mobility.matching.twins import build_twin_table, home_keys
from mobility.reference.twinnings import load_partnerships
from mobility.ui.explain import explanation

# (city, country, lat, lon): coordinates from GeoNames.
PLACES = {
    "north_shields": ("North Shields", "GB", 55.01646, -1.44925),
    "south_shields": ("South Shields", "GB", 54.99859, -1.4323),
    "belvaux": ("Belvaux", "LU", 49.51278, 5.92944),
    "esch": ("Esch-sur-Alzette", "LU", 49.49583, 5.98056),
    "arlington_tx": ("Arlington", "US", 32.73569, -97.10807),
    "arlington_va": ("Arlington", "US", 38.88101, -77.10428),
    "cologne_en": ("Liège", "BE", 50.63373, 5.56749),
    "leeds": ("Leeds", "GB", 53.79648, -1.54785),
}
HOMES = {"Wuppertal": (51.25627, 7.14816), "Mönchengladbach": (51.18539, 6.44172),
         "Köln": (50.93333, 6.95), "Aachen": (50.77664, 6.08342),
         "Dortmund": (51.51494, 7.466), "Hamm": (51.68033, 7.82089)}


def _placements(keys) -> pd.DataFrame:
    rows = [PLACES[k] for k in keys]
    return pd.DataFrame({
        "placement_id": list(keys), "company_id": "c", "trade": "x", "isco08": "7411",
        "city": [r[0] for r in rows], "country": [r[1] for r in rows],
        "lat": [r[2] for r in rows], "lon": [r[3] for r in rows], "slots": 1,
        "start": pd.Timestamp("2026-03-01"), "end": pd.Timestamp("2026-06-30"),
        "min_weeks": 3, "max_weeks": 8, "languages": "", "accommodation": True,
        "accepts_related_trades": False})


def _apprentices(homes) -> pd.DataFrame:
    return pd.DataFrame({
        "apprentice_id": list(homes), "isco08": "7411", "trade": "x",
        "home_city": list(homes), "home_country": "DE",
        "home_lat": [HOMES[h][0] for h in homes], "home_lon": [HOMES[h][1] for h in homes],
        "training_year": 2, "languages": "en:B2",
        "available_from": pd.Timestamp("2026-03-01"), "available_to": pd.Timestamp("2026-06-30"),
        "preferred_countries": "", "max_distance_km": np.nan})


@pytest.fixture(scope="module")
def twins() -> pd.DataFrame:
    """Who is whose twin, through the whole matcher, for every home x place."""
    matcher = Matcher(max_candidates=None).fit(_placements(PLACES), load_partnerships())
    found = matcher.recommend(_apprentices(HOMES), k=len(PLACES))
    return found.set_index(["apprentice_id", "placement_id"])


def test_north_shields_is_not_wuppertals_twin_but_moenchengladbachs(twins):
    assert not twins.loc[("Wuppertal", "north_shields"), "in_twin_town"]
    row = twins.loc[("Mönchengladbach", "north_shields")]
    assert row["in_twin_town"]
    assert "North Shields, in Mönchengladbach's partner borough North Tyneside" in \
        row["explanation"]


def test_south_shields_is_wuppertals_through_south_tyneside(twins):
    row = twins.loc[("Wuppertal", "south_shields")]
    assert row["in_twin_town"]
    assert "South Shields, in Wuppertal's partner borough South Tyneside" in row["explanation"]
    assert not twins.loc[("Mönchengladbach", "south_shields"), "in_twin_town"]
    german = explanation(row, "de")
    assert "South Shields, im Partnerbezirk South Tyneside von Wuppertal" in german


def test_belvaux_is_not_koelns_twin_although_next_to_esch(twins):
    assert not twins.loc[("Köln", "belvaux"), "in_twin_town"]
    assert twins.loc[("Köln", "esch"), "in_twin_town"]
    assert "Esch-sur-Alzette is Köln's twin town" in twins.loc[("Köln", "esch"), "explanation"]


def test_a_namesake_far_away_is_not_the_partner(twins):
    assert twins.loc[("Aachen", "arlington_va"), "in_twin_town"]
    assert not twins.loc[("Aachen", "arlington_tx"), "in_twin_town"]


def test_other_spellings_of_the_partner_count(twins):
    assert twins.loc[("Köln", "cologne_en"), "in_twin_town"]  # Liège, "Lüttich"
    assert twins.loc[("Dortmund", "leeds"), "in_twin_town"]


def test_an_apprentice_from_hamm_gets_hamms_partnerships():
    partners = load_partnerships()
    hamm = partners[partners["home_ags"] == "05915000"]
    assert len(hamm) > 0
    city = hamm.iloc[0]
    placement = _placements(["leeds"]).assign(
        city=city.partner_city, country=city.partner_country,
        lat=city.partner_lat, lon=city.partner_lon)
    found = Matcher(max_candidates=None).fit(placement, partners).recommend(
        _apprentices(["Hamm"]), k=1)
    assert bool(found.loc[0, "in_twin_town"])


def test_twins_never_follow_from_distance_alone():
    """Random placements around partner towns: a placement counts exactly when its name
    is the partner's (or a town of the partner borough), whatever the distance."""
    rng = np.random.default_rng(7)
    table = load_partnerships()
    table = table[table["home_city"].isin(["Köln", "Wuppertal", "Dortmund"])].reset_index(
        drop=True)
    rows = table.sample(40, random_state=3)
    names = np.where(rng.random(40) < 0.5, rows["partner_city"], "Nowhere Else")
    lat = rows["partner_lat"].to_numpy() + rng.normal(0, 0.01, 40)
    lon = rows["partner_lon"].to_numpy() + rng.normal(0, 0.01, 40)
    found = build_twin_table(table, names.astype(object), rows["partner_country"].to_numpy(),
                             lat, lon)
    placed = set((found.twin_keys % 40).tolist())
    named = {i for i in range(40) if names[i] != "Nowhere Else"}
    assert placed == named


def test_unconfirmed_partnerships_give_a_lower_bonus_than_confirmed():
    s = MatchSettings()
    values = twin_component(np.array([TWIN_NONE, TWIN_UNCONFIRMED, TWIN_DORMANT, TWIN_ACTIVE]), s)
    assert values[0] == 0 < values[1] < values[3] == 1
    assert twin_component(np.array([TWIN_UNCONFIRMED]),
                          MatchSettings(unconfirmed_twin_factor=0.1))[0] == 0.1
    table = pd.DataFrame({
        "home_city": ["Unna", "Unna"], "home_country": "DE", "home_lat": 51.53,
        "home_lon": 7.69, "partner_city": ["Leeds", "South Shields"], "partner_country": "GB",
        "partner_lat": [53.79648, 54.99859], "partner_lon": [-1.54785, -1.4323],
        "status": "active", "confidence": ["confirmed", "unconfirmed"]})
    found = build_twin_table(table, np.array(["Leeds", "South Shields"], dtype=object),
                             np.array(["GB", "GB"], dtype=object),
                             np.array([53.8, 55.0]), np.array([-1.55, -1.43]))
    assert found.twin_status.tolist() == [TWIN_ACTIVE, TWIN_UNCONFIRMED]
    scored = Matcher(max_candidates=None).fit(
        _placements(["leeds", "south_shields"]), table).recommend(
        _apprentices(["Hamm"]).assign(home_city="Unna", home_lat=51.53, home_lon=7.69), k=2)
    by_place = scored.set_index("placement_id")
    assert by_place.loc["leeds", "twin_town"] > by_place.loc["south_shields", "twin_town"] > 0
    assert "(unconfirmed twinning)" in by_place.loc["south_shields", "explanation"]
    assert "unbestätigte Partnerschaft" in explanation(by_place.loc["south_shields"], "de")


def test_ended_and_suspended_partnerships_give_no_bonus():
    table = pd.DataFrame({
        "home_city": ["Unna", "Unna"], "home_country": "DE", "partner_city": ["Leeds", "Leeds"],
        "partner_country": "GB", "partner_lat": 53.79648, "partner_lon": -1.54785,
        "status": ["ended", "suspended"]})
    found = build_twin_table(table, np.array(["Leeds"], dtype=object),
                             np.array(["GB"], dtype=object), np.array([53.8]), np.array([-1.55]))
    assert len(found.twin_keys) == 0


def test_home_keys_use_the_municipality_code():
    keys = home_keys(pd.Series(["Frankfurt am Main", "Frankfurt (Oder)", "Frankfurt", "Leeds"]),
                     pd.Series(["DE", "DE", "DE", "GB"]))
    assert keys.tolist() == ["ags:06412000", "ags:12053000", "name:frankfurt|DE",
                             "name:leeds|GB"]
    given = home_keys(pd.Series(["Stadt X"]), pd.Series(["DE"]), pd.Series(["05978036"]))
    assert given.tolist() == ["ags:05978036"]


def test_home_keys_for_a_few_rows_equal_the_vectorised_keys():
    """The plain-Python path of one recommendation gives every key the pandas path gives:
    the shipped partnerships' homes (names, AGS, coordinates), shared names with and
    without coordinates, blanks and homes abroad."""
    from mobility.matching.twins import home_keys_few

    table = load_partnerships()
    extra = pd.DataFrame({
        "home_city": ["Frankfurt", "Frankfurt", "Neustadt", "", None, "Köln", "Paris",
                      "50667 Köln", "05315000"],
        "home_country": ["DE", "DE", "DE", "DE", "DE", "de", "FR", "DE", "DE"],
        "home_ags": [None, "06412000", None, None, None, "123", None, None, None],
        "home_lat": [52.34, 50.11, 49.35, np.nan, np.nan, 50.94, 48.85, np.nan, np.nan],
        "home_lon": [14.55, 8.68, 8.14, np.nan, np.nan, 6.96, 2.35, np.nan, np.nan]})
    both = pd.concat([table[list(extra.columns)].astype(object), extra.astype(object)],
                     ignore_index=True)
    cities, countries, ags, lat, lon = (both[c].tolist() for c in extra.columns)
    frame = pd.DataFrame({"c": cities, "k": countries, "a": ags, "la": lat, "lo": lon})
    expected = home_keys(frame["c"], frame["k"], frame["a"], frame["la"], frame["lo"]).tolist()
    assert home_keys_few(cities, countries, ags, lat, lon) == expected
    # One row at a time, as a recommendation asks (coordinates only break ties).
    for i in range(len(cities) - 9, len(cities)):
        one = frame.iloc[[i]]
        assert home_keys_few(cities[i:i + 1], countries[i:i + 1], ags[i:i + 1], lat[i:i + 1],
                             lon[i:i + 1]) == home_keys(one["c"], one["k"], one["a"],
                                                        one["la"], one["lo"]).tolist()
    expected = home_keys(frame["c"], frame["k"]).tolist()
    assert home_keys_few(cities, countries) == expected
