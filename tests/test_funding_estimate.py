"""Erasmus+ estimates with and without the administrator's daily rates, the rate
stores, and the command line."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobility.cli import main
from mobility.errors import ValidationError
from mobility.funding.eligibility import FundingContext
from mobility.funding.estimate import estimate_erasmus, estimate_programme, funding_report
from mobility.funding.rates import (
    DailyRateTable,
    DatabaseRateStore,
    JsonRateStore,
    TravelTableStore,
    UnitCostStore,
    current_travel_bands,
    default_rate_store,
)
from mobility.models import City

HOME = City("Dortmund", "DE", 51.51494, 7.466)
LILLE = City("Lille", "FR", 50.63391, 3.05512)
RATES = DailyRateTable(call_year=2026, rates={1: 60.0, 2: 50.0, 3: 40.0},
                       source="hand-made test table")


def parts(estimate):
    return {p.part: p for p in estimate.parts}


def test_without_daily_rates_individual_support_is_missing_and_the_rest_is_computed():
    est = estimate_erasmus(FundingContext(HOME, LILLE, 21), daily_rates=None)
    got = parts(est)
    assert got["individual_support"].amount_eur is None
    assert got["individual_support"].status == "missing"
    assert "no daily rates entered" in got["individual_support"].detail
    assert est.missing == ("individual_support",)
    assert est.total_known_eur == 180.0 + 350.0
    assert not est.complete


def test_once_rates_are_entered_individual_support_is_computed_with_the_day_15_rule():
    est = estimate_erasmus(FundingContext(HOME, LILLE, 21), daily_rates=RATES)
    individual = parts(est)["individual_support"]
    # 21 days + 2 travel days = 23: 14 at 50 EUR, 9 at 70 % of 50 EUR
    assert individual.amount_eur == pytest.approx(14 * 50 + 9 * 35)
    assert individual.table.startswith("daily rates call 2026")
    assert est.complete and est.total_known_eur == pytest.approx(180 + 1015 + 350)


def test_an_entered_reduced_rate_replaces_the_shipped_fraction():
    rates = DailyRateTable(call_year=2026, rates={2: 50.0}, reduced_rates={2: 40.0},
                           source="test")
    individual = parts(estimate_erasmus(FundingContext(HOME, LILLE, 21),
                                        daily_rates=rates))["individual_support"]
    assert individual.amount_eur == pytest.approx(14 * 50 + 9 * 40)


def test_a_group_without_an_entered_rate_stays_missing():
    rates = DailyRateTable(call_year=2026, rates={1: 60.0}, source="test")
    individual = parts(estimate_erasmus(FundingContext(HOME, LILLE, 21),
                                        daily_rates=rates))["individual_support"]
    assert individual.status == "missing" and "no rate for group 2" in individual.detail


def test_inclusion_support_only_with_fewer_opportunities():
    plain = parts(estimate_erasmus(FundingContext(HOME, LILLE, 21), daily_rates=None))
    fewer = parts(estimate_erasmus(FundingContext(HOME, LILLE, 21, fewer_opportunities=True),
                                   daily_rates=None))
    assert plain["inclusion_support"].status == "not_applicable"
    assert fewer["inclusion_support"].amount_eur == 125.0
    assert "real costs" in fewer["inclusion_support"].detail


def test_every_part_names_the_table_it_used():
    est = estimate_erasmus(FundingContext(HOME, LILLE, 120, fewer_opportunities=True),
                           daily_rates=RATES)
    assert all(p.table for p in est.parts)
    assert parts(est)["travel"].table == "travel_support (call 2024)"
    assert "call 2025" in parts(est)["organisational_support"].table


@settings(deadline=None)  # the first example opens the database: slow on a loaded machine
@given(st.integers(10, 364))
def test_individual_support_grows_with_every_extra_day(days):
    shorter = estimate_erasmus(FundingContext(HOME, LILLE, days), daily_rates=RATES)
    longer = estimate_erasmus(FundingContext(HOME, LILLE, days + 1), daily_rates=RATES)
    assert (parts(longer)["individual_support"].amount_eur
            > parts(shorter)["individual_support"].amount_eur)


def test_dfjw_scholarship_follows_its_stated_scale_and_has_no_amount_below_four_weeks():
    four = estimate_programme("dfjw_internship", FundingContext(HOME, LILLE, 28), daily_rates=None)
    assert four.parts[0].amount_eur == 300.0
    assert "travel_subsidy" in four.missing
    long = estimate_programme("dfjw_internship", FundingContext(HOME, LILLE, 200),
                              daily_rates=None)
    assert long.parts[0].amount_eur == 900.0
    three = estimate_programme("dfjw_internship", FundingContext(HOME, LILLE, 21),
                               daily_rates=None)
    assert three.parts[0].amount_eur is None and three.parts[0].status == "missing"


def test_a_programme_without_stated_amounts_is_reported_as_missing_not_zero():
    est = estimate_programme("ausbildung_weltweit", FundingContext(HOME, LILLE, 30),
                             daily_rates=None)
    assert est.missing == ("grant",) and est.parts[0].amount_eur is None


# --- rate stores ---------------------------------------------------------------------------


@pytest.fixture(params=["json", "database"])
def store(request, tmp_path):
    if request.param == "json":
        return JsonRateStore(tmp_path / "rates.json")
    return DatabaseRateStore()


def test_a_rate_store_keeps_versions_and_loads_the_newest(store):
    assert store.load() is None and store.versions() == []
    store.save(RATES, entered_by="ada")
    newer = store.save(DailyRateTable(call_year=2026, rates={1: 61.0}, source="corrected"))
    store.save(DailyRateTable(call_year=2025, rates={1: 58.0}, source="older call"))
    assert [v.version for v in store.versions()] == [1, 2, 3]
    assert store.load(2026) == newer
    assert store.load().call_year == 2026
    assert store.load(2025).rates == {1: 58.0}
    assert store.versions()[0].entered_by == "ada"


@pytest.mark.parametrize(("kwargs", "column"), [
    ({"rates": {1: 60.0}, "source": ""}, "source"),
    ({"rates": {4: 60.0}, "source": "x"}, "rates"),
    ({"rates": {1: -5.0}, "source": "x"}, "rates"),
    ({"rates": {1: 60.0}, "reduced_rates": {2: float("nan")}, "source": "x"}, "reduced_rates"),
])
def test_a_rate_table_without_source_or_with_impossible_rates_is_refused(kwargs, column):
    with pytest.raises(ValidationError) as caught:
        DailyRateTable(call_year=2026, **kwargs)
    assert caught.value.problems[0].column == column


def test_the_stored_rates_are_used_by_default():
    ctx = FundingContext(HOME, LILLE, 21)
    assert parts(estimate_erasmus(ctx))["individual_support"].status == "missing"
    default_rate_store().save(RATES)
    assert parts(estimate_erasmus(ctx))["individual_support"].status == "computed"


# --- command line -------------------------------------------------------------------------


def test_cli_json_reports_distance_band_programmes_and_missing_parts(capsys):
    code = main(["funding", "--from", "Dortmund,DE", "--to", "Leeds,GB", "--days", "21",
                 "--json"])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["distance_band"] == "500-1999 km"
    assert round(doc["distance_km"]) == 658
    assert doc["twin_town"] is True
    assert doc["eligible"] == ["ausbildung_weltweit", "nrw_exchange"]
    pro = next(p for p in doc["programmes"] if p["key"] == "erasmus_pro")
    assert "ErasmusPro needs at least 90 days" in pro["reason"]
    weltweit = next(p for p in doc["programmes"] if p["key"] == "ausbildung_weltweit")
    assert weltweit["estimate"]["missing"] == ["grant"]


def test_cli_json_computes_individual_support_once_rates_are_set(capsys):
    assert main(["funding", "--set-rates", "1=60,2=50,3=40", "--call-year", "2026",
                 "--rates-source", "test table"]) == 0
    capsys.readouterr()
    assert main(["funding", "--from", "Köln", "--to", "Lille,FR", "--days", "21", "--green",
                 "--fewer-opportunities", "--age", "19", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    short = next(p for p in doc["programmes"] if p["key"] == "erasmus_short")
    got = {p["part"]: p for p in short["estimate"]["parts"]}
    assert got["travel"]["amount_eur"] == 210.0  # green, 100-499 km
    assert got["individual_support"]["amount_eur"] == pytest.approx(14 * 50 + 13 * 35)
    assert got["inclusion_support"]["amount_eur"] == 125.0
    assert short["estimate"]["complete"] is True
    assert "dfjw_twin_town" not in doc["eligible"]  # 21 days: needs 28


def test_cli_text_output_names_the_missing_part(capsys):
    assert main(["funding", "--from", "Dortmund,DE", "--to", "Graz,AT", "--days", "30"]) == 0
    out = capsys.readouterr().out
    assert "individual support: MISSING" in out and "at least" in out


def test_cli_twin_town_flag_overrides_detection(capsys):
    main(["funding", "--from", "Stuttgart,DE", "--to", "Lille,FR", "--days", "28",
          "--twin-town", "--json"])
    assert "dfjw_twin_town" in json.loads(capsys.readouterr().out)["eligible"]


def test_cli_bad_input_is_a_clean_error(capsys):
    assert main(["funding", "--from", "Qqxyzzy", "--to", "Leeds,GB", "--days", "21"]) == 1
    assert "no city called 'Qqxyzzy'" in capsys.readouterr().err
    assert main(["funding", "--from", "Dortmund", "--days", "21"]) == 2
    assert main(["funding", "--set-rates", "1=60", "--call-year", "2026"]) == 2


def test_funding_report_is_plain_json_serialisable():
    ctx = FundingContext.from_names("Dortmund,DE", "Graz,AT", days=100, age=20)
    doc = funding_report(ctx, daily_rates=RATES)
    assert json.loads(json.dumps(doc)) == doc


# --- travel tables of a new call ----------------------------------------------------------

NEW_BANDS = pd.DataFrame({
    "band_or_group": ["10-99 km", "100-499 km", "500-1999 km", "2000+ km"],
    "km_min": ["10", "100", "500", "2000"], "km_max": ["99", "499", "1999", ""],
    "standard_eur": ["30", "200", "300", "400"], "green_eur": ["", "250", "350", ""]})


def test_an_administrators_travel_table_of_a_newer_call_is_used_and_named():
    TravelTableStore().save("travel_support", 2026, NEW_BANDS, source="call 2026 guide, p. 1")
    est = estimate_erasmus(FundingContext(HOME, LILLE, 21, green_travel=True), daily_rates=None)
    travel = parts(est)["travel"]
    assert travel.amount_eur == 250.0 and travel.table == "travel_support (call 2026)"
    assert travel.source == "call 2026 guide, p. 1"
    older = estimate_erasmus(FundingContext(HOME, LILLE, 21), daily_rates=None, call_year=2024)
    assert parts(older)["travel"].amount_eur == 180.0


def test_a_stored_table_older_than_the_shipped_one_does_not_replace_it():
    TravelTableStore().save("travel_support", 2023, NEW_BANDS, source="old")
    assert current_travel_bands().call_year == 2024


def test_a_bad_travel_table_is_refused_with_rows_and_columns_and_nothing_is_saved():
    bad = NEW_BANDS.copy()
    bad.loc[1, "standard_eur"] = "lots"
    bad.loc[3, "km_min"] = "50"
    with pytest.raises(ValidationError) as caught:
        TravelTableStore().save("travel_support", 2026, bad, source="x")
    where = {(p.row, p.column) for p in caught.value.problems}
    assert (3, "standard_eur") in where and (5, "km_min") in where
    assert TravelTableStore().load("travel_support") is None


def test_cli_loads_a_travel_table(tmp_path, capsys):
    path = tmp_path / "bands.csv"
    NEW_BANDS.to_csv(path, index=False)
    assert main(["funding", "--load-travel-table", str(path), "--call-year", "2026",
                 "--rates-source", "guide 2026"]) == 0
    assert "travel_support (call 2026) with 4 bands" in capsys.readouterr().out
    main(["funding", "--from", "Dortmund,DE", "--to", "Leeds,GB", "--days", "21", "--json"])
    assert json.loads(capsys.readouterr().out)["travel_table"] == "travel_support (call 2026)"


def test_an_administrators_unit_costs_of_a_newer_call_replace_the_shipped_ones():
    UnitCostStore().save(2026, {"organisational support": 400.0}, source="call 2026 guide")
    est = estimate_erasmus(FundingContext(HOME, LILLE, 100, fewer_opportunities=True),
                           daily_rates=None)
    got = parts(est)
    assert got["organisational_support"].amount_eur == 400.0
    assert got["organisational_support"].table == (
        "other_unit_costs: organisational support (call 2026)")
    assert got["linguistic_support"].amount_eur == 150.0  # not entered: shipped value
    assert got["inclusion_support"].table.endswith("(call 2025)")


def test_unit_costs_with_unknown_items_or_no_source_are_refused():
    with pytest.raises(ValidationError) as caught:
        UnitCostStore().save(2026, {"pizza support": 10.0, "linguistic support": -1},
                             source="")
    assert {p.column for p in caught.value.problems} == {"item", "linguistic support", "source"}
    assert UnitCostStore().load() is None


def test_cli_sets_unit_costs_and_refuses_unknown_items(capsys):
    assert main(["funding", "--set-unit-costs", "organisational=400", "--call-year", "2026",
                 "--rates-source", "guide 2026"]) == 0
    assert "organisational support (call 2026): 400.00 EUR" in capsys.readouterr().out
    assert main(["funding", "--set-unit-costs", "pizza=1", "--call-year", "2026",
                 "--rates-source", "x"]) == 2
