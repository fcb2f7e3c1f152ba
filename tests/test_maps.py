"""Offline maps, the translation table, and the pure views the pages show."""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobility import i18n
from mobility.i18n import t
from mobility.maps import (
    OFFLINE_STYLE,
    border_layers,
    borders_geojson,
    frame,
    placements_map,
    reach_map,
)
from mobility.models import City
from mobility.paths import data_dir
from mobility.reference.twinnings import partners_of
from mobility.ui.views import (
    municipality_comparison,
    partner_reach,
    placement_cards,
    search_caseload,
    trade_gaps,
)

DORTMUND = City("Dortmund", "DE", 51.51494, 7.466)
UI = Path(__file__).resolve().parents[1] / "src" / "mobility"


# --- maps ----------------------------------------------------------------------------


def test_the_borders_file_is_small_and_holds_line_geometry():
    path = data_dir() / "borders" / "countries.geojson"
    assert path.stat().st_size < 1_000_000
    geometry = borders_geojson()["features"][0]["geometry"]
    assert geometry["type"] == "MultiLineString" and len(geometry["coordinates"]) > 1000


def test_no_border_line_jumps_across_the_antimeridian():
    for line in borders_geojson()["features"][0]["geometry"]["coordinates"]:
        lons = [p[0] for p in line]
        assert all(abs(a - b) <= 180 for a, b in itertools.pairwise(lons))


def test_maps_draw_offline_on_white_with_the_borders_layer(monkeypatch):
    monkeypatch.delenv("MOBILITY_MAP_STYLE", raising=False)
    fig = reach_map(DORTMUND, partners_of("Dortmund"), lang="de")
    assert fig.layout.map.style == OFFLINE_STYLE
    assert fig.layout.map.layers[0].type == "line"


def test_a_configured_tile_style_is_used_without_the_borders_layer(monkeypatch):
    monkeypatch.setenv("MOBILITY_MAP_STYLE", "open-street-map")
    fig = reach_map(DORTMUND, partners_of("Dortmund"), lang="en")
    assert fig.layout.map.style == "open-street-map"
    assert not fig.layout.map.layers
    assert border_layers("open-street-map") == []


def test_reach_map_colours_lines_by_partnership_status_with_a_legend():
    fig = reach_map(DORTMUND, partners_of("Dortmund"), lang="en")
    legend = {trace.name for trace in fig.data if trace.showlegend is not False}
    assert {"Dortmund", "active", "dormant"} <= legend  # Rostov-on-Don is dormant


def test_placements_map_frames_home_and_placements_not_far_twin_towns():
    offers = pd.DataFrame({"lat": [53.80], "lon": [-1.55], "city": ["Leeds"],
                           "trade": ["Tischler/in"], "slots_left": [2], "twin_town": [True]})
    fig = placements_map(DORTMUND, offers, partners_of("Dortmund"), lang="de")
    centre = fig.layout.map.center
    assert 50 < centre.lat < 54 and 0 < centre.lon < 6  # between Dortmund and Leeds
    assert fig.layout.map.zoom > 3  # not the whole world although Buffalo is a twin town
    names = {trace.name for trace in fig.data}
    assert {"Partnerstädte", "Platz in einer Partnerstadt", "Dortmund"} <= names
    assert "Tischler/in" not in names  # the legend explains the map, not the trades


def test_placements_map_labels_every_place_and_colours_by_twin_town():
    offers = pd.DataFrame({"lat": [53.80, 41.39], "lon": [-1.55, 2.17],
                           "city": ["Leeds", "Barcelona"], "trade": ["Tischler/in"] * 2,
                           "slots_left": [2, 1], "twin_town": [True, False]})
    fig = placements_map(DORTMUND, offers, partners_of("Dortmund"), lang="en")
    by_name = {trace.name: trace for trace in fig.data}
    assert list(by_name["Placement in a twin town"].text) == ["Leeds"]
    assert list(by_name["Placement elsewhere"].text) == ["Barcelona"]
    assert by_name["Placement in a twin town"].marker.color != \
        by_name["Placement elsewhere"].marker.color
    assert by_name["Placement in a twin town"].mode == "markers+text"


def test_an_empty_result_still_draws_home_and_its_twin_towns():
    empty = pd.DataFrame(columns=["lat", "lon", "city", "trade"])
    fig = placements_map(DORTMUND, empty, partners_of("Dortmund"), lang="en")
    assert [trace.name for trace in fig.data] == ["Twin towns", "Dortmund"]


@given(st.lists(st.tuples(st.floats(-60, 70), st.floats(-170, 170)), min_size=1, max_size=30))
def test_the_frame_centre_lies_inside_the_points_bounding_box(points):
    lats, lons = zip(*points, strict=True)
    centre, zoom = frame(lats, lons)
    assert min(lats) <= centre["lat"] <= max(lats)
    assert min(lons) <= centre["lon"] <= max(lons)
    assert 0.5 <= zoom <= 11


# --- i18n ----------------------------------------------------------------------------


def _keys_used_in_code() -> set[str]:
    """Literal keys passed to t(...) anywhere in the UI, maps and app."""
    used: set[str] = set()
    files = [*UI.joinpath("ui").rglob("*.py"), UI / "maps.py", UI.parents[1] / "app.py"]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "t"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                used.add(node.args[0].value)
    return used


def test_every_key_the_pages_use_has_a_text():
    missing = _keys_used_in_code() - set(i18n.all_keys())
    assert not missing


def test_every_text_exists_in_german_and_english_with_the_same_placeholders():
    for key in i18n.all_keys():
        german, english = t(key, "de"), t(key, "en")
        assert german and english
        fields = re.compile(r"\{(\w+)")
        assert set(fields.findall(i18n._TEXTS[key][0])) == set(fields.findall(i18n._TEXTS[key][1]))


def test_an_unknown_language_falls_back_to_german():
    assert t("nav.adviser", "fr") == "Vermittlung"


def test_an_unknown_key_raises_instead_of_showing_the_key():
    with pytest.raises(KeyError):
        t("nav.nothing", "de")


# --- views ---------------------------------------------------------------------------

PLACEMENTS = pd.DataFrame({
    "placement_id": ["P1", "P2", "P3"], "company_id": ["C1", "C2", "C3"],
    "trade": ["Tischler/in", "Tischler/in", "Koch/Köchin"],
    "city": ["Leeds", "Amiens", "Barcelona"], "country": ["GB", "FR", "ES"],
    "lat": [53.8, 49.9, 41.39], "lon": [-1.55, 2.3, 2.16], "slots": [2, 1, 3]})
COMPANIES = pd.DataFrame({"company_id": ["C1", "C2", "C3"],
                          "name": ["Leeds Joinery", "Bois Amiens", "Cuina BCN"],
                          "city": ["Leeds", "Amiens", "Barcelona"],
                          "country": ["GB", "FR", "ES"]})


def _apprentices(n_carpenters: int, n_cooks: int) -> pd.DataFrame:
    trades = ["Tischler/in"] * n_carpenters + ["Koch/Köchin"] * n_cooks
    return pd.DataFrame({"apprentice_id": [f"A{i}" for i in range(len(trades))],
                         "name": [f"Person {i}" for i in range(len(trades))],
                         "home_city": ["Dortmund"] * len(trades), "trade": trades,
                         "sending_organisation": ["HWK"] * len(trades)})


def _shortlist(ids: list[str], placement: str, status: str) -> pd.DataFrame:
    return pd.DataFrame({"apprentice_id": ids, "placement_id": [placement] * len(ids),
                         "status": [status] * len(ids)})


def test_reach_counts_people_per_partner_city_and_suppresses_fewer_than_five():
    apprentices = _apprentices(8, 1)
    entries = pd.concat([_shortlist([f"A{i}" for i in range(6)], "P1", "confirmed"),
                         _shortlist(["A6", "A7"], "P2", "suggested")])
    reach = partner_reach(partners_of("Dortmund"), city="Dortmund", apprentices=apprentices,
                          placements=PLACEMENTS, companies=COMPANIES, shortlist=entries)
    leeds = reach.set_index("partner_city").loc["Leeds"]
    amiens = reach.set_index("partner_city").loc["Amiens"]
    assert (leeds["host_companies"], leeds["open_places"], leeds["placed"]) == (1, 2, 6)
    assert pd.isna(amiens["shortlisted"]) and amiens["suppressed_shortlisted"]
    assert "name" not in reach.columns and "apprentice_id" not in reach.columns


def test_one_person_shortlisted_twice_in_a_city_counts_once():
    # Four people with two Leeds entries each: eight entries, but four people, so the
    # count stays below 5 and is suppressed.
    people = ["A0", "A1", "A2", "A3"]
    entries = pd.concat([_shortlist(people, "P1", "suggested"),
                         _shortlist(people, "P1", "contacted")])
    reach = partner_reach(partners_of("Dortmund"), city="Dortmund",
                          apprentices=_apprentices(4, 0), placements=PLACEMENTS,
                          companies=COMPANIES, shortlist=entries)
    assert reach.set_index("partner_city").loc["Leeds", "suppressed_shortlisted"]


def test_gaps_are_trades_no_partner_city_offers_with_small_counts_suppressed():
    gaps = trade_gaps(partners_of("Dortmund"), city="Dortmund",
                      apprentices=_apprentices(3, 2), placements=PLACEMENTS)
    assert gaps["trade"].tolist() == ["Koch/Köchin"]  # Barcelona is not Dortmund's twin
    assert pd.isna(gaps.loc[0, "count"]) and bool(gaps.loc[0, "suppressed"])


def test_comparison_suppresses_small_apprentice_counts_per_municipality():
    table = municipality_comparison(partners_of("Dortmund"), _apprentices(2, 0), PLACEMENTS)
    row = table.iloc[0]
    assert row["municipality"] == "Dortmund" and row["places_in_partners"] == 3
    assert pd.isna(row["apprentices"])


def test_cards_join_company_names_and_mark_twin_towns():
    matches = pd.DataFrame({"apprentice_id": ["A0", "A0"], "placement_id": ["P1", "P3"],
                            "score": [0.9, 0.5], "trade": [1.0, 1.0]})
    cards = placement_cards(matches, PLACEMENTS, COMPANIES, home=(51.51, 7.47),
                            twin_towns=partners_of("Dortmund"))
    assert cards["company"].tolist() == ["Leeds Joinery", "Cuina BCN"]
    assert cards["trade"].tolist() == ["Tischler/in", "Koch/Köchin"]  # names, not scores
    assert cards["twin_town"].tolist() == [True, False]


def test_caseload_search_ignores_case_and_umlaut_spelling():
    frame = pd.DataFrame({"apprentice_id": ["A1", "A2"], "name": ["Jörg Müller", "Ana"],
                          "trade": ["Koch/Köchin", "Maler/in"], "home_city": ["Köln", "Bonn"],
                          "sending_organisation": ["IHK", "IHK"]})
    assert search_caseload(frame, query="MUELLER")["apprentice_id"].tolist() == ["A1"]
    assert search_caseload(frame, query="")["apprentice_id"].tolist() == ["A1", "A2"]
