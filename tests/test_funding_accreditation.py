"""Funding rules that hold: Erasmus+ in non-associated third countries for accredited
organisations, versioned country-group tables, estimates that name their tables, and the
matcher's stay dates."""

from __future__ import annotations

import csv
import math

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from mobility.cli import main
from mobility.funding.eligibility import FundingContext, eligibility
from mobility.funding.estimate import (
    accreditation_flags,
    context_for_match,
    estimate_erasmus,
    estimate_for_matches,
    funding_report,
)
from mobility.funding.rates import DailyRateTable, GroupTableSetting, current_group_table
from mobility.i18n import t
from mobility.models import City
from mobility.paths import data_dir
from mobility.reference.erasmus import DEFAULT_GROUP_TABLE, group_tables
from mobility.storage import create_schema, get_engine
from mobility.storage.organisations import save_organisation
from mobility.storage.schema import audit_log
from test_funding_matches import _apprentice, _frame, _placement

DORTMUND = City("Dortmund", "DE", 51.51494, 7.466)
#: Destinations outside the programme countries (non-associated third countries).
THIRD = {"GB": City("Leeds", "GB", 53.79648, -1.54785),
         "CH": City("Zürich", "CH", 47.36667, 8.55),
         "US": City("Chicago", "US", 41.85003, -87.65005)}
LILLE = City("Lille", "FR", 50.63391, 3.05512)
GRAZ = City("Graz", "AT", 47.06667, 15.45)
RATES = DailyRateTable(call_year=2026, rates={1: 60.0, 2: 50.0, 3: 40.0}, source="test table")
CONDITION_EN = "only for accredited organisations, within their 20% international budget"
CONDITION_DE = ("nur für akkreditierte Einrichtungen, im Rahmen ihres 20-%-Budgets für "
                "internationale Mobilität")


def _table(ctx: FundingContext, lang: str = "en") -> pd.DataFrame:
    return eligibility(ctx, lang=lang).set_index("programme_key")


# --- 1. the 20% rule for accredited organisations ----------------------------------------


@pytest.mark.parametrize("country", sorted(THIRD))
def test_an_accredited_organisation_gets_erasmus_in_a_third_country_on_the_condition(country):
    ctx = FundingContext(DORTMUND, THIRD[country], 21, accredited=True)
    table = _table(ctx)
    assert table.loc["erasmus_short", "eligible"]
    assert table.loc["erasmus_short", "conditions"] == CONDITION_EN
    assert _table(ctx, "de").loc["erasmus_short", "conditions"] == CONDITION_DE
    assert table.loc["ausbildung_weltweit", "eligible"]  # shown next to AusbildungWeltweit
    assert table.loc["ausbildung_weltweit", "conditions"] == ""
    est = estimate_erasmus(ctx, daily_rates=None)
    assert est.conditions == ("accredited",)
    assert est.parts[0].amount_eur > 0  # the same travel unit costs as inside Europe


@pytest.mark.parametrize("country", sorted(THIRD))
def test_a_not_accredited_organisation_is_told_why_erasmus_does_not_fit(country):
    ctx = FundingContext(DORTMUND, THIRD[country], 21, accredited=False)
    row = _table(ctx).loc["erasmus_short"]
    assert not row["eligible"] and not row["depends_on_accreditation"]
    assert "only through organisations holding an Erasmus accreditation" in row["reason"]
    assert "and the sending organisation is not accredited" in row["reason"]
    german = _table(ctx, "de").loc["erasmus_short", "reason"]
    assert "die entsendende Einrichtung ist nicht akkreditiert" in german
    assert _table(ctx).loc["ausbildung_weltweit", "eligible"]


@pytest.mark.parametrize("country", sorted(THIRD))
def test_unknown_accreditation_says_it_depends_on_it(country):
    ctx = FundingContext(DORTMUND, THIRD[country], 21)
    row = _table(ctx).loc["erasmus_short"]
    assert not row["eligible"] and row["depends_on_accreditation"]
    assert "depends on accreditation" in row["reason"] and CONDITION_EN in row["reason"]
    assert "hängt von der Akkreditierung ab" in _table(ctx, "de").loc["erasmus_short", "reason"]
    # ErasmusPro breaks a second rule (90 days): it does not merely depend on accreditation
    assert not _table(ctx).loc["erasmus_pro", "depends_on_accreditation"]


@pytest.mark.parametrize("destination", [LILLE, GRAZ])
def test_an_eu_destination_is_unaffected_by_accreditation(destination):
    tables = [eligibility(FundingContext(DORTMUND, destination, 21, accredited=flag))
              for flag in (True, False, None)]
    for other in tables[1:]:
        pd.testing.assert_frame_equal(tables[0], other)
    assert tables[0].set_index("programme_key").loc["erasmus_short", "eligible"]
    assert (tables[0]["conditions"] == "").all()
    assert estimate_erasmus(FundingContext(DORTMUND, destination, 21),
                            daily_rates=None).conditions == ()


def test_dortmund_leeds_on_the_command_line(capsys):
    base = ["funding", "--from", "Dortmund,DE", "--to", "Leeds,GB", "--days", "21"]
    assert main([*base, "--accredited"]) == 0
    accredited = capsys.readouterr().out
    eligible = accredited.split("not eligible:")[0]
    assert "Erasmus+ VET short-term learning mobility: 625 EUR at least" in eligible
    assert f"condition: {CONDITION_EN}" in eligible and "AusbildungWeltweit" in eligible
    assert main([*base, "--not-accredited"]) == 0
    refused = capsys.readouterr().out
    assert "the sending organisation is not accredited" in refused.split("not eligible:")[1]
    assert main(base) == 0
    unknown = capsys.readouterr().out
    assert "depends on accreditation" in unknown
    assert "if the sending organisation is accredited:" in unknown


def test_the_command_line_reads_the_organisation_record(capsys):
    engine = get_engine()
    create_schema(engine)
    save_organisation(engine, "HWK Dortmund", user="admin", erasmus_accredited=True)
    save_organisation(engine, "IHK Nirgendwo", user="admin", erasmus_accredited=False)
    base = ["funding", "--from", "Dortmund,DE", "--to", "Leeds,GB", "--days", "21", "--json"]
    import json

    def report(name: str) -> dict:
        assert main([*base, "--organisation", name]) == 0
        return json.loads(capsys.readouterr().out)

    assert report("HWK Dortmund")["accredited"] is True
    assert "erasmus_short" in report("HWK Dortmund")["eligible"]
    assert report("IHK Nirgendwo")["accredited"] is False
    assert report("Unbekannt")["accredited"] is None


def test_matches_take_the_accreditation_of_the_sending_organisation():
    apprentices = _frame("apprentices", [
        _apprentice("A1", "Dortmund", 51.51494, 7.466, sending_organisation="HWK Dortmund"),
        _apprentice("A2", "Dortmund", 51.51494, 7.466, sending_organisation="IHK Köln"),
        _apprentice("A3", "Dortmund", 51.51494, 7.466, sending_organisation="Schule X")])
    placements = _frame("placements", [_placement("P1", "C1", "Leeds", "GB", 53.79648, -1.54785)])
    matches = pd.DataFrame({"apprentice_id": ["A1", "A2", "A3"], "placement_id": ["P1"] * 3})
    orgs = {"hwk dortmund": True, "IHK Köln": False}  # names compared after folding case
    out = estimate_for_matches(matches, apprentices, placements, daily_rates=None,
                               organisations=orgs)
    accredited, refused, unknown = (out.iloc[i] for i in range(3))
    assert "erasmus_short" in accredited["eligible_programmes"]
    assert accredited["funding_conditions"] == "accredited"
    assert accredited["erasmus_estimate_eur"] == 625.0  # travel 275 + organisational 350
    # the programme without the 20% condition is named first; Erasmus+ stays beside it
    assert accredited["funding_programme"] == "ausbildung_weltweit"
    for row in (refused, unknown):
        assert "erasmus_short" not in row["eligible_programmes"]
        assert row["funding_programme"] == "ausbildung_weltweit"
    assert np.isnan(refused["erasmus_estimate_eur"]) and refused["funding_conditions"] == ""
    # unknown: what Erasmus+ would pay, marked as depending on the accreditation
    assert unknown["erasmus_estimate_eur"] == 625.0
    assert unknown["funding_conditions"] == "depends_on_accreditation"
    assert np.isnan(unknown["erasmus_travel_eur"])  # the parts stay "not eligible"
    parts = accredited["funding_parts"]
    assert "travel €275 [VET travel table, call 2024]" in parts
    assert ("individual support unknown [daily rates: none entered; country groups of the "
            "2021–2023 calls (call 2021; in use for VET)]") in parts
    assert "organisational support €350 [unit cost organisational support, call 2025]" in parts
    german = estimate_for_matches(matches.head(1), apprentices, placements, daily_rates=RATES,
                                  organisations=orgs, lang="de")["funding_parts"].iloc[0]
    assert "Reise 275 € [Reisekostentabelle Berufsbildung, Aufruf 2024]" in german
    assert "Tagessätze Aufruf 2026, Fassung 0 (eingetragen von – am –; Quelle: test table)" \
        in german
    assert "the sending organisation is not accredited" in refused["funding_why_not"]
    assert "depends on accreditation" in unknown["funding_why_not"]
    german = estimate_for_matches(matches, apprentices, placements, daily_rates=None,
                                  organisations=orgs, lang="de")
    assert "hängt von der Akkreditierung ab" in german.iloc[2]["funding_why_not"]
    ctx = context_for_match("A1", "P1", apprentices, placements, organisations=orgs)
    assert ctx.accredited is True


def test_accreditation_flags_read_a_list_of_organisations():
    frame = pd.DataFrame({"name": ["HWK Dortmund", "IHK Köln"],
                          "erasmus_accredited": [True, False]})
    got = accreditation_flags(["HWK Dortmund", "ihk köln", None, "other"], frame)
    assert got[:2].tolist() == [1.0, 0.0] and np.isnan(got[2:]).all()
    assert np.isnan(accreditation_flags(["HWK Dortmund"], None)).all()


# --- 2. country-group tables by call year --------------------------------------------------


def test_the_2024_regrouping_is_a_table_marked_unverified_for_vet():
    tables = group_tables()
    new = tables["country_groups_2024"]
    assert new.vet_status == "unverified for VET" and not new.verified_for_vet
    assert "confirmed for higher education" in new.note.lower() or "HE" in new.confidence
    assert {c: new.group(c) for c in ("DE", "AT", "BE", "FR", "IT", "NL")} == dict.fromkeys(
        ("DE", "AT", "BE", "FR", "IT", "NL"), 1)
    old = tables[DEFAULT_GROUP_TABLE]
    assert {c: old.group(c) for c in ("AT", "FR", "NL")} == {"AT": 2, "FR": 2, "NL": 2}
    assert old.group("GB") is None and new.group("GB") is None


def test_the_default_group_table_matches_erasmus_countries_csv():
    with open(data_dir() / "erasmus_countries.csv", encoding="utf-8") as fh:
        rows = {r["iso2"]: int(r["individual_support_group"]) for r in csv.DictReader(fh)
                if r["individual_support_group"]}
    assert group_tables()[DEFAULT_GROUP_TABLE].groups == rows


def test_the_2024_table_is_never_used_unless_selected():
    ctx = FundingContext(DORTMUND, GRAZ, 21)
    default = estimate_erasmus(ctx, daily_rates=RATES).parts[1]
    assert "country_groups_2021" in default.table and "2024" not in default.table
    assert default.amount_eur == pytest.approx(14 * 50 + 9 * 35)  # AT in group 2
    assert current_group_table().name == DEFAULT_GROUP_TABLE


def test_an_administrator_selects_the_2024_table_and_the_estimate_names_it():
    engine = get_engine()
    create_schema(engine)
    setting = GroupTableSetting(engine)
    setting.select("country_groups_2024", user="admin")
    assert current_group_table(setting=setting).name == "country_groups_2024"
    individual = estimate_erasmus(FundingContext(DORTMUND, GRAZ, 21), daily_rates=RATES).parts[1]
    assert "country_groups_2024 (call 2024; unverified for VET)" in individual.table
    assert individual.amount_eur == pytest.approx(14 * 60 + 9 * 42)  # AT now in group 1
    with engine.connect() as conn:
        logged = conn.execute(sa.select(audit_log.c.who, audit_log.c.action,
                                        audit_log.c.detail)).all()
    assert [(w, a) for w, a, _ in logged] == [("admin", "select country-group table")]
    assert logged[0].detail == {"from": None, "to": "country_groups_2024"}
    setting.select(DEFAULT_GROUP_TABLE, user="admin")  # back, and audited again
    assert "2024" not in estimate_erasmus(FundingContext(DORTMUND, GRAZ, 21),
                                          daily_rates=RATES).parts[1].table


def test_selecting_an_unknown_table_or_without_a_user_is_refused():
    from mobility.errors import ValidationError

    setting = GroupTableSetting()
    with pytest.raises(ValidationError):
        setting.select("country_groups_1999", user="admin")
    with pytest.raises(ValidationError):
        setting.select("country_groups_2024", user=" ")
    assert setting.load() is None


# --- 3. parts name their table and call year ------------------------------------------------


@pytest.mark.parametrize("destination", [GRAZ, THIRD["GB"]])
def test_every_erasmus_part_names_a_table_with_its_call_year(destination):
    ctx = FundingContext(DORTMUND, destination, 120, fewer_opportunities=True, accredited=True)
    for rates in (None, RATES):
        for part in estimate_erasmus(ctx, daily_rates=rates).parts:
            assert "call 20" in part.table, part


def test_the_report_lists_parts_and_says_why_the_others_do_not_fit():
    ctx = FundingContext(DORTMUND, THIRD["GB"], 21, accredited=True)
    report = funding_report(ctx, daily_rates=None, lang="de")
    assert report["group_table"].startswith("country_groups_2021")
    by_key = {p["key"]: p for p in report["programmes"]}
    assert by_key["erasmus_short"]["conditions"] == CONDITION_DE
    assert by_key["erasmus_pro"]["reason"] == "ErasmusPro verlangt mindestens 90 Tage"
    assert all(p["reason"] for p in report["programmes"] if not p["eligible"])
    assert not any("_" in p["reason"].split(":")[-1] for p in report["programmes"]
                   if not p["eligible"] and p["key"] != "conact")


def test_missing_daily_rates_stay_missing_never_invented():
    est = estimate_erasmus(FundingContext(DORTMUND, THIRD["GB"], 21, accredited=True),
                           daily_rates=RATES)  # GB has no country group in any table
    individual = est.parts[1]
    assert individual.status == "missing" and individual.amount_eur is None
    assert est.missing == ("individual_support",)


def test_one_estimate_recomputed_by_hand_from_the_csv_rows():
    """Dortmund -> Graz, 120 days, green, fewer opportunities, rates 50 EUR/day for group
    2: every figure taken from the shipped CSVs with the csv module and plain arithmetic."""
    with open(data_dir() / "erasmus_rates.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with open(data_dir() / "erasmus_country_groups.csv", encoding="utf-8") as fh:
        groups = list(csv.DictReader(fh))
    lat1, lon1, lat2, lon2 = map(math.radians, (DORTMUND.lat, DORTMUND.lon, GRAZ.lat, GRAZ.lon))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    km = 2 * 6371.0088 * math.asin(math.sqrt(h))
    assert 500 <= km < 2000
    band = next(r for r in rows if r["table"] == "travel_support"
                and float(r["km_min"]) <= km <= float(r["km_max"] or "inf"))
    travel = float(band["green_eur"])  # green travel from 100 km: 320 EUR, 6 travel days
    wanted = ("organisational support", "linguistic support",
              "inclusion support for organisations")
    unit = {r["item"]: float(r["standard_eur"]) for r in rows
            if r["table"] == "other_unit_costs" and r["item"] in wanted}
    group = next(int(r["group"]) for r in groups if r["table"] == "country_groups_2021"
                 and "AT" in r["countries"].split(","))
    rate = {1: 60.0, 2: 50.0, 3: 40.0}[group]
    funded = 120 + 6
    individual = 14 * rate + (funded - 14) * rate * 0.70
    expected = (travel + individual + unit["organisational support"]
                + unit["linguistic support"] + unit["inclusion support for organisations"])
    assert (travel, group, unit["organisational support"]) == (320.0, 2, 350.0)
    ctx = FundingContext(DORTMUND, GRAZ, 120, green_travel=True, fewer_opportunities=True)
    est = estimate_erasmus(ctx, daily_rates=RATES)
    assert est.total_known_eur == pytest.approx(expected)
    assert est.complete


# --- 4. the stay from the matcher's columns ---------------------------------------------------


def _stay_tables():
    apprentices = _frame("apprentices", [
        _apprentice("A1", "Dortmund", 51.51494, 7.466, desired_weeks=4,
                    date_of_birth=pd.Timestamp("2009-06-01"))])
    placements = _frame("placements", [_placement("P1", "C1", "Graz", "AT", 47.06667, 15.45)])
    return apprentices, placements


def test_without_stay_columns_the_stay_follows_todays_rule():
    apprentices, placements = _stay_tables()
    matches = pd.DataFrame({"apprentice_id": ["A1"], "placement_id": ["P1"]})
    out = estimate_for_matches(matches, apprentices, placements, daily_rates=RATES)
    assert out.loc[0, "funding_days"] == 28  # desired 4 weeks
    # starts 2027-04-01 (placement start): aged 17, so DFJW/age rules see 17
    assert out.loc[0, "erasmus_individual_eur"] == pytest.approx(14 * 50 + 16 * 35)


def test_stay_columns_from_the_matcher_decide_days_and_start():
    apprentices, placements = _stay_tables()
    matches = pd.DataFrame({"apprentice_id": ["A1", "A1"], "placement_id": ["P1", "P1"],
                            "stay_start": pd.to_datetime(["2027-06-01", None]),
                            "stay_end": pd.to_datetime(["2027-07-05", None]),
                            "stay_days": pd.array([35, None], dtype="Int64")})
    out = estimate_for_matches(matches, apprentices, placements, daily_rates=RATES)
    assert out["funding_days"].tolist() == [35, 28]  # an empty stay falls back to the rule
    assert out.loc[0, "erasmus_individual_eur"] == pytest.approx(14 * 50 + 23 * 35)
    ctx = context_for_match("A1", "P1", apprentices, placements,
                            stay={"stay_start": pd.Timestamp("2027-06-01"), "stay_days": 35})
    assert ctx.days == 35 and ctx.age == 18  # 18th birthday on 2027-06-01
    assert context_for_match("A1", "P1", apprentices, placements).age == 17


def test_the_condition_text_comes_from_the_translation_tables():
    assert t("funding.condition.accredited", "en") == CONDITION_EN
    assert t("funding.condition.accredited", "de") == CONDITION_DE


def test_the_command_speaks_german_when_asked(capsys):
    assert main(["funding", "--from", "Dortmund,DE", "--to", "Leeds,GB", "--days", "21",
                 "--accredited", "--lang", "de"]) == 0
    out = capsys.readouterr().out
    assert "passende Programme:" in out and "mindestens 625 EUR" in out
    assert f"Bedingung: {CONDITION_DE}" in out
    assert "ErasmusPro verlangt mindestens 90 Tage" in out.split("nicht passend:")[1]


# --- who may record an accreditation --------------------------------------------------------


def test_only_administrators_and_the_own_adviser_record_accreditation_and_it_is_audited():
    from mobility.auth.roles import Principal, Role
    from mobility.errors import PermissionDenied
    from mobility.funding.accreditation import (
        organisations_for,
        select_group_table,
        update_organisation,
    )

    engine = get_engine()
    create_schema(engine)
    admin = Principal("root-admin", Role.ADMINISTRATOR)
    adviser = Principal("mueller", Role.ADVISER, organisation="HWK Dortmund")
    city = Principal("stadt", Role.MUNICIPALITY, city="Dortmund")
    update_organisation(engine, adviser, "hwk dortmund", erasmus_accredited=True)
    update_organisation(engine, admin, "IHK Köln", oid="E10000001")
    for who, name in ((adviser, "IHK Köln"), (city, "HWK Dortmund"), (None, "HWK Dortmund")):
        with pytest.raises(PermissionDenied):
            update_organisation(engine, who, name, erasmus_accredited=True)
    with pytest.raises(PermissionDenied):
        select_group_table(adviser, "country_groups_2024")
    assert organisations_for(engine, adviser)["name"].tolist() == ["hwk dortmund"]
    assert sorted(organisations_for(engine, admin)["name"]) == ["IHK Köln", "hwk dortmund"]
    assert organisations_for(engine, city).empty
    with engine.connect() as conn:
        logged = conn.execute(sa.select(audit_log.c.who, audit_log.c.entity_id,
                                        audit_log.c.detail)
                              .where(audit_log.c.action == "save organisation")).all()
    assert [(w, e) for w, e, _ in logged] == [("mueller", "hwk dortmund"),
                                             ("root-admin", "IHK Köln")]
    assert logged[0].detail["erasmus_accredited"] == {"from": None, "to": True}
