"""Trades taxonomy, gazetteer, twinnings and the domain model."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from mobility.errors import MobilityError, NotFoundError, ValidationError
from mobility.geo import gazetteer, haversine_km
from mobility.models import (
    CEFR,
    Apprentice,
    City,
    LanguageSkill,
    Partnership,
    PartnershipStatus,
    Placement,
    format_languages,
    parse_languages,
)
from mobility.reference.trades import gender_forms, trade_catalog
from mobility.reference.twinnings import load_partnerships, partners_of

_ROOT = Path(__file__).resolve().parents[1]
#: The team's shared reference folder (../shared/reference beside the checkout).
REFERENCE = next((p for p in (_ROOT.parent / "shared" / "reference",
                              _ROOT.parent.parent / "shared" / "reference") if p.exists()),
                 _ROOT.parent / "shared" / "reference")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Tischler/in", "Tischler/in"),
        ("Tischlerin", "Tischler/in"),
        ("tischler", "Tischler/in"),
        ("Tischler*in", "Tischler/in"),
        ("Schreiner", "Tischler/in"),
        ("KFZ-Mechatroniker", "Kraftfahrzeugmechatroniker/in"),
        ("car mechatronics technician", "Kraftfahrzeugmechatroniker/in"),
        ("Elektriker", "Elektroniker/in für Energie- und Gebäudetechnik"),
        ("Koechin", "Koch/Köchin"),
        ("Baeckerin", "Bäcker/in"),
        ("Kauffrau für Büromanagement", "Kaufmann/-frau für Büromanagement"),
        ("Medizinische Fachangestellte", "Medizinische/r Fachangestellte/r"),
        ("Zimmerin", "Zimmerer/Zimmerin"),
        ("7231", "Kraftfahrzeugmechatroniker/in"),
    ],
)
def test_trade_lookup_tolerates_case_umlauts_gender_and_synonyms(query, expected):
    assert trade_catalog().lookup(query).name == expected


@pytest.mark.skipif(not (REFERENCE / "trades.csv").exists(),
                    reason="shared reference folder not present")
def test_trade_catalog_holds_all_53_reference_trades_with_isco_codes():
    catalog = trade_catalog()
    first = catalog.trades[:53]
    assert all(len(t.isco08) == 4 and t.isco08.isdigit() for t in catalog)
    assert all(t.synonyms_de and t.synonyms_en for t in first)
    reference = pd.read_csv(REFERENCE / "trades.csv", dtype="string")
    assert [t.name for t in first] == list(reference["de_name"])


@pytest.mark.skipif(not (REFERENCE / "ausbildungsberufe.csv").exists(),
                    reason="shared reference folder not present")
def test_every_recognised_trade_is_known_with_its_isco_code():
    """All 320 Ausbildungsberufe resolve (under their own spelling, "/-in" and all) to a
    trade with the reference's ISCO-08 code, read independently of the build script."""
    berufe = pd.read_csv(REFERENCE / "ausbildungsberufe.csv", dtype="string",
                         keep_default_na=False)
    catalog = trade_catalog()
    assert len(berufe) == 320
    missing = [n for n in berufe["name_de"] if catalog.get(n.replace("/-in", "/in")) is None
               and catalog.get(n) is None]
    assert missing == []
    for name, isco in zip(berufe["name_de"], berufe["isco08"], strict=True):
        trade = catalog.get(name.replace("/-in", "/in")) or catalog.get(name)
        assert trade.isco08 == isco or name in ("Elektroniker/-in", "Gärtner/-in"), name


@pytest.mark.parametrize(
    ("query", "expected"),
    [("Zahntechnikerin", "Zahntechniker/in"), ("Chemikant", "Chemikant/in"),
     ("Chemikantin", "Chemikant/in"),
     ("Verwaltungsfachangestellte", "Verwaltungsfachangestellte/r"),
     ("Kunststoff- und Kautschuktechnologin", "Kunststoff- und Kautschuktechnologe/in"),
     ("Lokführerin", "Eisenbahner/in im Betriebsdienst Lokführer und Transport"),
     ("dental technician", "Zahntechniker/in"),
     ("Elektronikerin", "Elektroniker/in für Energie- und Gebäudetechnik")],
)
def test_new_trades_are_found_by_everyday_names_and_gender_forms(query, expected):
    assert trade_catalog().lookup(query).name == expected


def test_unknown_trade_raises_not_found_with_a_suggestion():
    with pytest.raises(NotFoundError, match="Tischler/in") as info:
        trade_catalog().lookup("Tischlr")
    assert isinstance(info.value, LookupError) and isinstance(info.value, MobilityError)


def test_gender_forms_are_spelled_out():
    assert gender_forms("Koch/Köchin") == ("Koch", "Köchin")
    assert gender_forms("Hotelfachmann/-frau") == ("Hotelfachmann", "Hotelfachfrau")


@pytest.mark.parametrize(
    ("name", "country", "expected"),
    [("Köln", "DE", "Köln"), ("Koeln", "DE", "Köln"), ("Cologne", None, "Köln"),
     ("Muenchen", "DE", "Munich"), ("Malmo", "SE", "Malmö"), ("Leeds", "GB", "Leeds")],
)
def test_gazetteer_finds_alternate_and_folded_names(name, country, expected):
    assert gazetteer().lookup(name, country).name == expected


def test_gazetteer_lookup_is_well_under_a_millisecond_once_built():
    gaz = gazetteer()
    start = time.perf_counter()
    for _ in range(1000):
        gaz.get("Koeln", "DE")
    # A generous bound (100x the measured ~5 us) so a busy CI machine cannot flake.
    assert (time.perf_counter() - start) / 1000 < 0.001


def test_gazetteer_unknown_city_names_what_was_asked():
    with pytest.raises(NotFoundError, match="Atlantisstadt"):
        gazetteer().lookup("Atlantisstadt", "DE")


def test_haversine_dortmund_leeds_is_about_658_km():
    assert haversine_km(51.5136, 7.4653, 53.7965, -1.5478) == pytest.approx(658, abs=2)


def test_twinnings_are_all_shipped_with_coordinates_and_statuses():
    table = load_partnerships()
    assert len(table) > 5000
    assert table[["home_lat", "home_lon", "partner_lat", "partner_lon"]].notna().all().all()
    assert set(table["status"]) <= {"active", "dormant", "suspended", "ended"}
    assert {"Amiens", "Leeds", "Buffalo"} <= set(partners_of("Dortmund")["partner_city"])


def test_cefr_levels_are_ordered_with_native_on_top():
    assert CEFR.A1 < CEFR.A2 < CEFR.B1 < CEFR.B2 < CEFR.C1 < CEFR.C2 < CEFR.NATIVE
    assert CEFR.parse("Muttersprache") is CEFR.NATIVE
    with pytest.raises(ValidationError, match="does not exist"):
        CEFR.parse("B3")


def test_languages_round_trip_and_keep_the_highest_level():
    skills = parse_languages("en:B1; fr:a2, en:C1")
    assert skills == (LanguageSkill("en", CEFR.C1), LanguageSkill("fr", CEFR.A2))
    assert parse_languages(format_languages(skills)) == skills
    with pytest.raises(ValidationError, match="ISO 639-1"):
        parse_languages("xx:B2")


def test_city_rejects_impossible_coordinates_and_unknown_countries():
    with pytest.raises(ValidationError, match="latitude"):
        City("Nowhere", "DE", 91, 0)
    with pytest.raises(ValidationError, match="ISO 3166"):
        City("Nowhere", "ZZ", 0, 0)


def test_partnership_status_reads_reference_spellings():
    assert PartnershipStatus.parse("dormant_since_2022") is PartnershipStatus.DORMANT
    dortmund, leeds = City("Dortmund", "DE", 51.5, 7.5), City("Leeds", "GB", 53.8, -1.5)
    assert Partnership(dortmund, leeds, 1969, "active").status is PartnershipStatus.ACTIVE


def test_placement_and_apprentice_validate_windows_and_codes():
    leeds = City("Leeds", "GB", 53.8, -1.5)
    with pytest.raises(ValidationError, match="ends"):
        Placement("P1", "C1", "Tischler/in", "7522", leeds, 1, date(2026, 5, 1),
                  date(2026, 4, 1), 2, 4)
    with pytest.raises(ValidationError, match="four digits"):
        Placement("P1", "C1", "Tischler/in", "75", leeds, 1, date(2026, 4, 1),
                  date(2026, 5, 1), 2, 4)
    dortmund = City("Dortmund", "DE", 51.5, 7.5)
    person = Apprentice("A1", "Alex", "a@example.org", date(2008, 6, 15), "HWK Dortmund",
                        dortmund, "Tischler/in", "7522", 2, (), date(2026, 4, 1),
                        date(2026, 6, 1), 4, ("gb",))
    assert person.preferred_countries == ("GB",)
    assert person.age_on(date(2026, 6, 14)) == 17 and person.age_on(date(2026, 6, 15)) == 18
