"""estimate_for_matches and budget_check on small hand-built tables in the shared import
format (the Beneficiary Module file: tests/test_beneficiary_module.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobility.errors import ValidationError
from mobility.funding.budget import budget_check
from mobility.funding.eligibility import FundingContext, StayArrays, eligibility, eligible_matrix
from mobility.funding.estimate import (
    MATCH_FUNDING_COLUMNS,
    context_for_match,
    estimate_erasmus,
    estimate_for_matches,
)
from mobility.funding.rates import DailyRateTable
from mobility.io.specs import empty_frame
from mobility.models import City

RATES = DailyRateTable(call_year=2026, rates={1: 60.0, 2: 50.0, 3: 40.0}, source="test table")


def _frame(kind: str, rows: list[dict]) -> pd.DataFrame:
    """A table of ``kind`` with the shared format's columns and dtypes."""
    template = empty_frame(kind)
    frame = pd.DataFrame(rows, columns=template.columns)
    return frame.astype(dict(template.dtypes))


def _apprentice(i: str, city: str, lat: float, lon: float, **extra) -> dict:
    row = {"apprentice_id": i, "name": f"Person {i}", "email": f"{i.lower()}@example.org",
           "date_of_birth": pd.Timestamp("2005-05-05"), "sending_organisation": "HWK Test",
           "home_city": city, "home_country": "DE", "home_lat": lat, "home_lon": lon,
           "trade": "Tischler/in", "isco08": "7522", "training_year": 2, "languages": "de:native",
           "available_from": pd.Timestamp("2027-03-01"), "available_to": pd.Timestamp("2027-12-31"),
           "desired_weeks": 4, "preferred_countries": "", "max_distance_km": np.nan,
           "fewer_opportunities": False, "synthetic": True}
    row.update(extra)
    return row


def _placement(i: str, company: str, city: str, country: str, lat: float, lon: float,
               **extra) -> dict:
    row = {"placement_id": i, "company_id": company, "trade": "Tischler/in", "isco08": "7522",
           "city": city, "country": country, "lat": lat, "lon": lon, "slots": 2,
           "start": pd.Timestamp("2027-04-01"), "end": pd.Timestamp("2027-09-30"),
           "min_weeks": 2, "max_weeks": 20, "languages": "en:B1", "accommodation": True,
           "accepts_related_trades": False, "synthetic": True}
    row.update(extra)
    return row


@pytest.fixture()
def tables():
    apprentices = _frame("apprentices", [
        _apprentice("A1", "Dortmund", 51.51494, 7.466),
        _apprentice("A2", "Köln", 50.93333, 6.95, fewer_opportunities=True, desired_weeks=16),
        _apprentice("A3", "Stuttgart", 48.78232, 9.17702, name="=HYPERLINK(\"x\")"),
    ])
    placements = _frame("placements", [
        _placement("P1", "C1", "Leeds", "GB", 53.79648, -1.54785),
        _placement("P2", "C2", "Lille", "FR", 50.63391, 3.05512),
        _placement("P3", "C3", "Graz", "AT", 47.06667, 15.45),
    ])
    companies = _frame("companies", [
        {"company_id": c, "name": n, "city": city, "country": cc, "lat": 0.0, "lon": 0.0,
         "sector": "", "contact_email": "", "website": "", "synthetic": True}
        for c, n, city, cc in [("C1", "Joinery Ltd", "Leeds", "GB"),
                               ("C2", "-Atelier Bois", "Lille", "FR"),
                               ("C3", "Tischlerei Graz", "Graz", "AT")]
    ])
    matches = pd.DataFrame({"apprentice_id": ["A1", "A1", "A2", "A3"],
                            "placement_id": ["P1", "P2", "P2", "P3"],
                            "score": [0.9, 0.8, 0.7, 0.6]})
    return matches, apprentices, placements, companies


def test_estimate_for_matches_adds_every_documented_column_and_keeps_the_rows(tables):
    matches, apprentices, placements, _ = tables
    out = estimate_for_matches(matches, apprentices, placements, daily_rates=None)
    assert list(out.columns) == [*matches.columns, *MATCH_FUNDING_COLUMNS]
    assert len(out) == len(matches)
    assert out["twin_town"].tolist() == [True, False, True, False]  # Köln-Lille twinned
    assert out["funding_days"].tolist() == [28, 28, 112, 28]


def test_estimate_for_matches_agrees_with_the_single_stay_estimate(tables):
    matches, apprentices, placements, _ = tables
    out = estimate_for_matches(matches, apprentices, placements, daily_rates=RATES)
    row = out.iloc[2]  # A2 Köln -> Lille, 16 weeks: ErasmusPro, fewer opportunities
    assert row["eligible_programmes"].split(";")[0] == "erasmus_pro"
    ctx = FundingContext.from_names("Köln,DE", "Lille,FR", days=112, fewer_opportunities=True)
    single = estimate_erasmus(ctx, daily_rates=RATES)
    assert row["funding_estimate_eur"] == pytest.approx(single.total_known_eur)
    assert row["erasmus_linguistic_eur"] == 150.0
    assert row["erasmus_inclusion_eur"] == 125.0
    assert bool(row["funding_complete"])


def test_matches_without_daily_rates_name_the_missing_part(tables):
    matches, apprentices, placements, _ = tables
    out = estimate_for_matches(matches, apprentices, placements, daily_rates=None)
    erasmus_rows = out["funding_programme"].isin(["erasmus_short", "erasmus_pro"])
    assert erasmus_rows.sum() == 3
    assert out.loc[erasmus_rows, "erasmus_individual_eur"].isna().all()
    assert (out.loc[erasmus_rows, "funding_missing"]
            == "individual_support (no daily rates entered)").all()
    assert not out.loc[erasmus_rows, "funding_complete"].any()


def test_a_uk_placement_is_not_erasmus_but_ausbildung_weltweit_and_nrw_exchange(tables):
    matches, apprentices, placements, _ = tables
    out = estimate_for_matches(matches, apprentices, placements, daily_rates=None)
    first = out.iloc[0]
    assert first["eligible_programmes"] == "ausbildung_weltweit;nrw_exchange"
    assert np.isnan(first["erasmus_travel_eur"])
    assert first["funding_missing"] == "grant (amounts not in the sources)"


def test_matches_naming_an_unknown_placement_are_refused(tables):
    _, apprentices, placements, _ = tables
    bad = pd.DataFrame({"apprentice_id": ["A1"], "placement_id": ["P9"]})
    with pytest.raises(ValidationError, match="P9"):
        estimate_for_matches(bad, apprentices, placements, daily_rates=None)


def test_budget_check_moves_before_it_drops_and_stops_when_it_fits(tables):
    matches, apprentices, placements, _ = tables
    out = estimate_for_matches(matches, apprentices, placements, daily_rates=RATES)
    check = budget_check(out, budget_eur=1000)
    assert not check.fits and check.fits_after
    first = check.suggestions.iloc[0]
    assert first["action"] == "move" and first["to_programme"] == "dfjw_internship"
    assert check.suggestions["total_after_eur"].iloc[-1] <= 1000
    assert (check.suggestions["total_after_eur"].iloc[:-1] > 1000).all()


def test_budget_check_is_deterministic_and_fits_a_generous_budget(tables):
    matches, apprentices, placements, _ = tables
    out = estimate_for_matches(matches, apprentices, placements, daily_rates=RATES)
    a = budget_check(out, 500).suggestions
    b = budget_check(out.iloc[::-1], 500).suggestions
    pd.testing.assert_frame_equal(a, b)
    generous = budget_check(out, 1e6)
    assert generous.fits and generous.suggestions.empty


def test_budget_check_says_the_total_is_a_lower_bound_without_rates(tables):
    matches, apprentices, placements, _ = tables
    out = estimate_for_matches(matches, apprentices, placements, daily_rates=None)
    check = budget_check(out, 1e6)
    assert check.lower_bound and check.incomplete == 3
    assert "at least" in check.summary()


def test_budget_check_refuses_a_negative_budget(tables):
    matches, apprentices, placements, _ = tables
    out = estimate_for_matches(matches, apprentices, placements, daily_rates=None)
    with pytest.raises(ValidationError):
        budget_check(out, -1)


def test_an_empty_match_table_gets_the_columns_and_fits_any_budget(tables):
    matches, apprentices, placements, _ = tables
    out = estimate_for_matches(matches.iloc[:0], apprentices, placements, daily_rates=None)
    assert out.empty and "funding_estimate_eur" in out.columns
    assert budget_check(out, 0).fits


def test_a_filtered_match_table_keeps_its_index(tables):
    matches, apprentices, placements, _ = tables
    subset = matches.iloc[[3, 1]]
    out = estimate_for_matches(subset, apprentices, placements, daily_rates=None)
    assert list(out.index) == [3, 1]
    assert out.loc[3, "placement_id"] == "P3" and out.loc[3, "distance_band"] == "500-1999 km"


def test_the_context_of_one_match_explains_what_the_table_shows(tables):
    matches, apprentices, placements, _ = tables
    out = estimate_for_matches(matches, apprentices, placements, daily_rates=None)
    for row in out.itertuples():
        ctx = context_for_match(row.apprentice_id, row.placement_id, apprentices, placements)
        table = eligibility(ctx)
        assert ";".join(table.loc[table.eligible, "programme_key"]) == row.eligible_programmes
        assert ctx.days == row.funding_days and ctx.twin_town == row.twin_town


COUNTRIES = ["FR", "GB", "PL", "CZ", "AT", "IL", "US", "NO", "DE", "CH"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(COUNTRIES), st.integers(1, 400),
                          st.sampled_from(["apprentice", "recent_graduate", "graduate"]),
                          st.one_of(st.none(), st.integers(14, 40)),
                          st.one_of(st.none(), st.booleans()),
                          st.sampled_from(["DE-NW", "DE-BW", "DE-BY", ""]),
                          st.integers(1, 10)), min_size=1, max_size=12))
def test_the_vectorised_checks_agree_with_the_one_stay_checks(stays):
    home = City("Dortmund", "DE", 51.5, 7.47)
    contexts = [FundingContext(home, City("X", c, 48.0, 10.0), d, status=s, age=a,
                               twin_town=t, region=r or None, group_size=g)
                for c, d, s, a, t, r, g in stays]
    arrays = StayArrays(
        home_country=["DE"] * len(stays), country=[c for c, *_ in stays],
        days=[d for _, d, *_ in stays], status=[s for _, _, s, *_ in stays],
        age=[np.nan if a is None else a for *_, a, _t, _r, _g in stays],
        twin_town=[np.nan if t is None else float(t) for *_, t, _r, _g in stays],
        group_size=[g for *_, g in stays], region=[r for *_, r, _g in stays])
    matrix, _ = eligible_matrix(arrays)
    for i, ctx in enumerate(contexts):
        assert matrix[i].tolist() == eligibility(ctx)["eligible"].tolist()
