"""Nation-wide reference data: twinnings of every German municipality, the municipality
register and its resolver, and the partners' coordinates."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mobility.errors import ValidationError
from mobility.geo import country_fits, gazetteer, haversine_km
from mobility.reference.municipalities import municipality_register
from mobility.reference.twinnings import (
    curated_partnerships,
    load_partnerships,
    load_unplaced,
    partners_of,
    read_partnerships_csv,
)

_ROOT = Path(__file__).resolve().parents[1]
REFERENCE = next((p for p in (_ROOT.parent / "shared" / "reference",
                              _ROOT.parent.parent / "shared" / "reference") if p.exists()),
                 _ROOT.parent / "shared" / "reference")
needs_reference = pytest.mark.skipif(not (REFERENCE / "twinnings_de.csv").exists(),
                                     reason="shared reference folder not present")


def test_every_row_keeps_its_source_licence_confidence_and_home_code():
    table = load_partnerships()
    register = municipality_register()
    assert table["home_ags"].str.fullmatch(r"\d{8}").all()
    assert table["home_ags"].isin(register.table.index).all()
    wiki = table["source_id"] == "wikipedia_en_lists"
    wikidata = table["source_id"] == "wikidata_p190_2016"
    assert (table.loc[wiki, "licence"] == "CC BY-SA 4.0").all()
    assert (table.loc[wiki, "confidence"] == "confirmed").all()
    assert (table.loc[wikidata, "licence"] == "CC0 1.0").all()
    assert (table.loc[wikidata, "confidence"] == "unconfirmed").all()
    assert (table["source"].str.len() > 0).all()
    assert table["home_ags"].nunique() > 1800


@needs_reference
def test_curated_rows_keep_their_years_statuses_and_notes():
    """Read the curated reference independently: every one of its rows is shipped with
    its year, status and note (the better source wins over the national lists)."""
    curated = pd.read_csv(REFERENCE / "twinnings.csv", dtype="string", keep_default_na=False)
    shipped = curated_partnerships()
    assert len(shipped) == len(curated) == 124
    years = curated["since_year"].replace("", pd.NA).dropna().astype(int).sort_values()
    assert shipped["since_year"].dropna().astype(int).sort_values().tolist() == years.tolist()
    assert sorted(shipped["status_detail"]) == sorted(curated["status"])
    assert sorted(shipped["note"].fillna("")) == sorted(curated["note"])
    dortmund_rostov = shipped[shipped["partner_city"] == "Rostov-on-Don"].iloc[0]
    assert dortmund_rostov["status"] == "dormant" and dortmund_rostov["since_year"] == 1977


@needs_reference
def test_every_national_partnership_is_shipped_once_or_set_aside():
    national = pd.read_csv(REFERENCE / "twinnings_de.csv", dtype="string",
                           keep_default_na=False)
    shipped, unplaced = load_partnerships(), load_unplaced()
    no_coordinates = (national["partner_lat"] == "").sum()
    assert no_coordinates == 36
    assert len(unplaced) >= no_coordinates
    # Duplicates merged by the build are the only rows that do not reappear.
    assert len(national) - len(shipped) - len(unplaced) < 40
    assert not shipped.duplicated(["home_ags", "partner_city", "partner_country"]).any()


def test_unconfirmed_rows_are_those_only_wikidata_names():
    table = load_partnerships()
    unconfirmed = table[table["confidence"] == "unconfirmed"]
    assert 900 < len(unconfirmed) < 1100
    assert unconfirmed["source"].str.contains("wikidata").all()


def test_confidence_must_be_confirmed_or_unconfirmed(tmp_path):
    frame = load_partnerships().head(3)
    frame.loc[1, "confidence"] = "probably"
    path = tmp_path / "twinnings.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ValidationError, match="row 3, column confidence"):
        read_partnerships_csv(path)


# --- coordinates ----------------------------------------------------------------------


def test_wrong_coordinates_of_the_old_data_are_corrected():
    aachen = partners_of("Aachen").set_index("partner_city")
    arlington = aachen.loc["Arlington"]
    # Arlington, Virginia lies across the Potomac from Washington, D.C.
    assert haversine_km(arlington.partner_lat, arlington.partner_lon, 38.895, -77.036) < 15
    sariyer = aachen.loc["Sarıyer"]  # a district of Istanbul, on the Bosporus
    assert haversine_km(sariyer.partner_lat, sariyer.partner_lon, 41.01, 28.96) < 30
    assert "Virginia" not in str(arlington.alt_names) and "Istanbul" not in str(sariyer.alt_names)


def test_every_partner_lies_in_or_near_its_country():
    table = load_partnerships()
    ok = country_fits(table["partner_lat"], table["partner_lon"], table["partner_country"])
    bad = table.loc[~ok, ["home_city", "partner_city", "partner_country"]]
    assert bad.empty, bad.to_string()


def test_the_country_guard_catches_a_partner_placed_in_the_wrong_country():
    # New Britain (Connecticut) geocoded to the island in Papua New Guinea; a partner in
    # Austria placed in Bavaria; Leeds put in Texas.
    assert not country_fits([-5.75, 47.8167, 32.7], [150.6, 11.4833, -97.1],
                            ["US", "AT", "GB"]).any()
    assert country_fits([51.014, 53.79648], [5.9023, -1.54785], ["DE", "GB"]).all()


def test_big_partner_towns_lie_at_the_gazetteer_entry_of_their_name():
    """Where the gazetteer knows exactly one place of 100,000 people or more with the
    partner's name in its country, the partner lies within 30 km of it."""
    gaz = gazetteer()
    same_name = Counter(zip(gaz.entries.name, gaz.entries.country, strict=True))
    table = load_partnerships()
    checked = 0
    for row in table.itertuples(index=False):
        entry = gaz.get_entry(row.partner_city, row.partner_country)
        if (entry is None or entry.population < 100_000 or row.located_as
                or same_name[(entry.name, entry.country)] > 1):
            continue
        checked += 1
        km = haversine_km(entry.lat, entry.lon, row.partner_lat, row.partner_lon)
        assert km < 30, (row.home_city, row.partner_city, round(km))
    assert checked > 500


# --- municipalities -------------------------------------------------------------------


def test_register_holds_every_municipality_with_a_unique_code():
    reg = municipality_register()
    assert len(reg) == 10_796
    assert reg.table["ags"].is_unique


@pytest.mark.parametrize(
    ("text", "ags"),
    [("Unna", "05978036"), ("Lünen", "05978024"), ("Luenen", "05978024"),
     ("Siegen", "05970040"), ("59423", "05978036"), ("05978036", "05978036"),
     ("59065 Hamm", "05915000"), ("Frankfurt am Main", "06412000"),
     ("Frankfurt (Oder)", "12053000"), ("Frankfurt Oder", "12053000"),
     ("Mülheim an der Ruhr", "05117000"), ("Hamm, Stadt", "05915000")],
)
def test_a_name_postcode_or_code_resolves_to_one_municipality(text, ags):
    assert municipality_register().resolve(text).ags == ags


def test_ambiguous_names_are_reported_not_guessed():
    reg = municipality_register()
    frankfurt = reg.resolve("Frankfurt")
    assert frankfurt.ags is None and frankfurt.how == "ambiguous"
    assert set(frankfurt.candidates) == {"06412000", "12053000"}
    hamm = reg.resolve("Hamm")  # Hamm (Westf.) and Hamm near Worms share the name
    assert hamm.ags is None and {"05915000", "07232046"} <= set(hamm.candidates)
    # Coordinates decide between municipalities of exactly the same name only.
    assert reg.resolve("Hamm", 51.68, 7.82).ags == "05915000"
    assert reg.resolve("Frankfurt", 50.11, 8.68).ags is None
    assert reg.resolve("Atlantisstadt").how == "unknown"


def test_partners_of_a_small_town_are_found_by_its_code():
    assert len(partners_of("Unna")) > 0
    assert set(partners_of("Frankfurt (Oder)")["home_ags"]) == {"12053000"}
    assert partners_of("Frankfurt").empty  # ambiguous: nobody's partners are guessed


def test_resolving_many_home_towns_agrees_with_one_by_one():
    reg = municipality_register()
    rng = np.random.default_rng(3)
    names = [*reg.table["name"].sample(300, random_state=1), "Frankfurt", "", "Xyz"]
    texts = pd.Series(rng.choice(names, size=2000))
    many = reg.resolve_many(texts)
    single = [reg.resolve(t).ags for t in texts]
    assert many["ags"].fillna("").tolist() == [a or "" for a in single]


def test_resolving_ten_thousand_home_towns_is_fast():
    reg = municipality_register()
    texts = pd.Series(np.resize(reg.table["name"].to_numpy(), 10_000))
    start = time.perf_counter()
    reg.resolve_many(texts)
    assert time.perf_counter() - start < 2.0


# --- trades in imports ----------------------------------------------------------------


def test_an_import_with_new_trades_in_everyday_spelling_succeeds(tmp_path):
    from mobility.io import read_table

    example = _ROOT / "data" / "examples" / "apprentices.csv"
    table = pd.read_csv(example, dtype=str, keep_default_na=False)
    table.loc[0, "trade"] = "Zahntechnikerin"
    table.loc[1, "trade"] = "Chemikant"
    if "isco08" in table:
        table.loc[[0, 1], "isco08"] = ""
    path = tmp_path / "apprentices.csv"
    table.to_csv(path, index=False)
    result = read_table(path, "apprentices")
    assert result.ok, result.problems
    assert result.frame.loc[0, "trade"] == "Zahntechniker/in"
    assert result.frame.loc[1, "trade"] == "Chemikant/in"
    if "isco08" in result.frame:
        assert result.frame.loc[[0, 1], "isco08"].tolist() == ["3214", "8131"]


def test_the_type_ahead_offers_the_new_trades_everyday_names():
    from mobility.reference.trades import trade_catalog

    names = {name for name, _trade in trade_catalog().aliases()}
    assert {"Zahntechnikerin", "Chemikant", "Chemikantin", "Verwaltungsfachangestellte",
            "Lokführer"} <= names
