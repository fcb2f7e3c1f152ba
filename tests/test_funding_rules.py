"""Programme rules as data: distance bands, green travel, durations, and each
programme's country, duration, participant, age, region, twin-town and group rules."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobility.errors import ValidationError
from mobility.funding.eligibility import FundingContext, eligibility
from mobility.funding.estimate import estimate_erasmus
from mobility.geo import EARTH_RADIUS_KM
from mobility.models import City
from mobility.reference.erasmus import rate_tables, travel_bands
from mobility.reference.programmes import (
    ParticipantStatus,
    get_rule,
    load_programmes,
    programme_rules,
    read_programme_rules,
)

HOME = City("Dortmund", "DE", 51.51494, 7.466)
CAPITALS = {"FR": (48.85, 2.35), "GB": (51.51, -0.13), "PL": (52.23, 21.01),
            "CZ": (50.08, 14.42), "AT": (48.21, 16.37), "IL": (31.77, 35.21),
            "US": (40.71, -74.0), "NO": (59.91, 10.75), "DE": (48.14, 11.58),
            "CH": (46.95, 7.45)}


def stay(country: str, days: int, **kwargs) -> FundingContext:
    lat, lon = CAPITALS[country]
    kwargs.setdefault("region", "DE-NW")
    kwargs.setdefault("twin_town", False)
    return FundingContext(HOME, City("Somewhere", country, lat, lon), days, **kwargs)


def eligible_keys(ctx: FundingContext) -> set[str]:
    table = eligibility(ctx)
    return set(table.loc[table["eligible"], "programme_key"])


def reason(ctx: FundingContext, key: str) -> str:
    return eligibility(ctx).set_index("programme_key").loc[key, "reason"]


def city_at(km: float) -> City:
    """A city due south of HOME at exactly ``km`` great-circle distance."""
    dlat = math.degrees(km / EARTH_RADIUS_KM)
    return City("South", "AT", HOME.lat - dlat, HOME.lon)


# --- data files -------------------------------------------------------------------


def test_every_programme_of_the_reference_file_has_a_rule_pointing_back_at_it():
    rows = {f"programmes.csv row {i + 2}" for i in range(len(load_programmes()))}
    assert rows == {r.source_row for r in programme_rules()}
    assert all(r.source.startswith("http") for r in programme_rules())


def test_a_rules_file_with_bad_cells_is_refused_naming_row_and_column(tmp_path):
    from mobility.paths import data_dir

    text = (data_dir() / "programme_rules.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[2] = lines[2].replace(",90,365,", ",ninety,365,").replace(
        "erasmus_programme_countries", "XX", 1)
    bad = tmp_path / "rules.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        read_programme_rules(bad)
    where = {(p.row, p.column) for p in caught.value.problems}
    assert where == {(3, "min_days"), (3, "destinations")}


def test_rate_tables_are_keyed_by_call_year_and_name_and_carry_their_source():
    tables = rate_tables()
    assert (2024, "travel_support") in tables
    assert "travel_support_alt" in {name for _year, name in tables}
    assert all(t.source for (_y, name), t in tables.items() if name.startswith("travel"))


def test_no_daily_rate_for_vet_learners_is_shipped():
    rows = rate_tables()
    learners = next(t for (_y, n), t in rows.items() if n == "individual_support_learners")
    assert learners.rows[["standard_eur", "eur_per_day_min", "eur_per_day_max"]].isna().all().all()


# --- distance bands -------------------------------------------------------------------


@pytest.mark.parametrize(("km", "band"), [
    (9.99, "below 10 km (no band)"), (10.0, "10-99 km"), (99.0, "10-99 km"),
    (99.99, "10-99 km"), (100.0, "100-499 km"), (499.0, "100-499 km"),
    (499.99, "100-499 km"), (500.0, "500-1999 km"), (7999.9, "4000-7999 km"),
    (8000.0, "8000+ km"), (19000.0, "8000+ km"),
])
def test_distance_bands_at_their_edges(km, band):
    bands = travel_bands()
    assert bands.band_label(int(bands.band_index([km])[0])) == band


@pytest.mark.parametrize(("km", "standard", "green"), [
    (99.5, 23.0, 23.0), (100.5, 180.0, 210.0), (499.5, 180.0, 210.0), (500.5, 275.0, 320.0)])
def test_travel_amount_pays_the_return_trip_by_one_way_band(km, standard, green):
    dest = city_at(km)
    plain = FundingContext(HOME, dest, 30)
    assert plain.distance_km == pytest.approx(km, abs=1e-6)
    assert estimate_erasmus(plain, daily_rates=None).parts[0].amount_eur == standard
    eco = FundingContext(HOME, dest, 30, green_travel=True)
    assert estimate_erasmus(eco, daily_rates=None).parts[0].amount_eur == green


def test_green_travel_below_100_km_keeps_two_travel_days_and_says_why():
    part = estimate_erasmus(FundingContext(HOME, city_at(99.5), 30, green_travel=True),
                            daily_rates=None).parts[0]
    assert "green travel counts from 100 km" in part.detail and "2 travel days" in part.detail


def test_green_travel_above_100_km_funds_six_travel_days():
    est = estimate_erasmus(FundingContext(HOME, city_at(100.5), 30, green_travel=True),
                           daily_rates=None)
    assert "6 funded travel days" in est.parts[0].detail
    assert "30 days + 6 travel days = 36 funded days" in est.parts[1].detail


def test_a_band_without_green_amount_pays_the_standard_amount_and_says_so():
    est = estimate_erasmus(FundingContext(HOME, city_at(5000), 30, green_travel=True),
                           daily_rates=None)
    assert est.parts[0].amount_eur == 820.0
    assert "no green amount" in est.parts[0].detail


def test_the_alternative_travel_table_is_selectable_and_named():
    ctx = FundingContext(HOME, city_at(500.5), 30)
    est = estimate_erasmus(ctx, daily_rates=None, travel_table="travel_support_alt")
    assert est.parts[0].amount_eur == 309.0
    assert est.parts[0].table.startswith("travel_support_alt")
    with pytest.raises(LookupError):
        estimate_erasmus(ctx, daily_rates=None, travel_table="no_such_table")


@given(st.floats(10, 20000), st.floats(0, 5000))
def test_travel_support_never_falls_as_distance_grows(km, more):
    bands = travel_bands()
    near, far = bands.band_index([km, km + more])
    assert bands.standard_eur[far] >= bands.standard_eur[near]


# --- durations --------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "expected", "why_not"), [
    (9, set(), "Erasmus+ short-term needs at least 10 days"),
    (10, {"erasmus_short"}, "ErasmusPro needs at least 90 days"),
    (89, {"erasmus_short"}, "ErasmusPro needs at least 90 days"),
    (90, {"erasmus_pro"}, "Erasmus+ short-term allows at most 89 days"),
    (365, {"erasmus_pro"}, "Erasmus+ short-term allows at most 89 days"),
    (366, set(), "ErasmusPro allows at most 365 days"),
])
def test_erasmus_duration_edges(days, expected, why_not):
    ctx = stay("AT", days)
    found = eligible_keys(ctx) & {"erasmus_short", "erasmus_pro"}
    assert found == expected
    reasons = " ".join(eligibility(ctx)["reason"])
    assert why_not in reasons


def test_an_estimate_picks_short_term_or_erasmuspro_by_days():
    assert estimate_erasmus(stay("AT", 89), daily_rates=None).programme_key == "erasmus_short"
    long = estimate_erasmus(stay("AT", 90), daily_rates=None)
    assert long.programme_key == "erasmus_pro"
    assert long.parts[3].amount_eur == 150.0  # linguistic support for long-term stays


# --- each programme's rules ----------------------------------------------------------------


@pytest.mark.parametrize(("ctx", "eligible", "not_eligible"), [
    # Erasmus+: programme countries only; not at home; not the UK or Switzerland
    (stay("NO", 30), {"erasmus_short"}, {"ausbildung_weltweit"}),
    (stay("GB", 30), {"ausbildung_weltweit"}, {"erasmus_short"}),
    (stay("CH", 30), {"ausbildung_weltweit"}, {"erasmus_short"}),
    (stay("DE", 30), set(), {"erasmus_short", "ausbildung_weltweit"}),
    # AusbildungWeltweit: outside Erasmus+, 3 weeks to 3 months
    (stay("US", 21), {"ausbildung_weltweit"}, set()),
    (stay("US", 20), set(), {"ausbildung_weltweit"}),
    (stay("US", 92), set(), {"ausbildung_weltweit"}),
    # DFJW internship: France, from 3 weeks, aged 16-30
    (stay("FR", 21, age=30), {"dfjw_internship"}, set()),
    (stay("FR", 21, age=31), set(), {"dfjw_internship"}),
    (stay("FR", 20, age=20), set(), {"dfjw_internship"}),
    (stay("AT", 30, age=20), set(), {"dfjw_internship"}),
    # DFJW Job in der Partnerstadt: only in the twin town, from 4 weeks
    (stay("FR", 28, twin_town=True), {"dfjw_twin_town"}, set()),
    (stay("FR", 28, twin_town=False), set(), {"dfjw_twin_town"}),
    (stay("FR", 27, twin_town=True), set(), {"dfjw_twin_town"}),
    # ProTandem: a group exchange of at least 8
    (stay("FR", 21, group_size=8), {"protandem"}, set()),
    (stay("FR", 21, group_size=7), set(), {"protandem"}),
    # DPJW: Poland, 4 days to 3 months, up to 26
    (stay("PL", 4, age=26), {"dpjw"}, set()),
    (stay("PL", 3), set(), {"dpjw"}),
    (stay("PL", 30, age=27), set(), {"dpjw"}),
    # Tandem: Czech Republic, 2-12 weeks, 16-26
    (stay("CZ", 14, age=16), {"tandem_cz"}, set()),
    (stay("CZ", 85), set(), {"tandem_cz"}),
    (stay("CZ", 30, age=15), set(), {"tandem_cz"}),
    # nrw:exchange: UK, up to 4 weeks, from 18, apprentices from NRW
    (stay("GB", 28, age=18), {"nrw_exchange"}, set()),
    (stay("GB", 29, age=18), set(), {"nrw_exchange"}),
    (stay("GB", 28, age=17), set(), {"nrw_exchange"}),
    (stay("GB", 28, region="DE-BY"), set(), {"nrw_exchange"}),
    # Go.for.europe: Baden-Württemberg, fixed 4 weeks, Erasmus+ countries
    (stay("AT", 28, region="DE-BW"), {"go_for_europe"}, set()),
    (stay("AT", 28, region="DE-NW"), set(), {"go_for_europe"}),
    (stay("AT", 21, region="DE-BW"), set(), {"go_for_europe"}),
    # BW-Stipendium: graduates, 2-6 months, worldwide
    (stay("US", 90, status="graduate"), {"bw_stipendium"}, {"ausbildung_weltweit"}),
    (stay("US", 90), set(), {"bw_stipendium"}),
    (stay("US", 184, status="graduate"), set(), {"bw_stipendium"}),
    # Recent graduates keep Erasmus+, graduates do not
    (stay("AT", 30, status="recent_graduate"), {"erasmus_short"}, set()),
    (stay("AT", 30, status="graduate"), set(), {"erasmus_short"}),
    # ConAct (individual placements unconfirmed) and LGH (historic) never qualify
    (stay("IL", 30), set(), {"conact"}),
    (stay("AT", 21), set(), {"lgh_lets_go"}),
])
def test_programme_rules(ctx, eligible, not_eligible):
    keys = eligible_keys(ctx)
    assert eligible <= keys
    assert not (not_eligible & keys)


def test_protandem_says_why_an_individual_placement_is_not_eligible():
    assert reason(stay("FR", 30), "protandem") == (
        "ProTandem is a group exchange (at least 8 participants): "
        "an individual placement is not eligible")


def test_unknown_facts_leave_a_programme_eligible_with_a_caveat():
    table = eligibility(stay("FR", 28, twin_town=None, age=None)).set_index("programme_key")
    assert table.loc["dfjw_twin_town", "eligible"]
    assert "twin town unknown" in table.loc["dfjw_twin_town", "caveats"]
    assert "age unknown" in table.loc["dfjw_internship", "caveats"]


def test_twin_town_and_home_region_are_detected_from_names():
    ctx = FundingContext.from_names("Dortmund,DE", "Amiens,FR", days=28)
    assert ctx.twin_town is True and ctx.region == "DE-NW"
    assert FundingContext.from_names("Stuttgart", "Amiens,FR", days=28).twin_town is False


def test_rules_convert_to_the_shared_programme_value_object():
    programme = get_rule("dfjw_twin_town").to_programme()
    assert programme.twin_town_only and programme.countries == ("FR",)
    assert programme.source.startswith("programmes.csv row 6")


def test_participant_status_reads_common_words_and_refuses_others():
    assert ParticipantStatus.parse("Azubi") is ParticipantStatus.APPRENTICE
    assert ParticipantStatus.parse("recent graduate") is ParticipantStatus.RECENT_GRADUATE
    with pytest.raises(ValidationError):
        ParticipantStatus.parse("pensioner")


def test_eligibility_table_has_explicit_dtypes():
    table = eligibility(stay("FR", 30))
    assert table["eligible"].dtype == bool
    assert isinstance(table["reason"].dtype, pd.StringDtype)
