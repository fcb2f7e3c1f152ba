"""The synthetic demo data: format, realism assumptions, determinism, the command."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobility import demo
from mobility.cli import main
from mobility.demo import DemoData, generate_demo, iter_apprentices, write_demo
from mobility.errors import ValidationError
from mobility.geo import gazetteer
from mobility.io import read_table
from mobility.io.specs import spec_for
from mobility.models import CEFR, country_codes, language_codes, parse_languages
from mobility.reference.trades import trade_catalog
from mobility.reference.twinnings import curated_partnerships

KINDS = ("apprentices", "companies", "placements")


@pytest.fixture(scope="module")
def default_demo() -> DemoData:
    """The default instance (2,000 apprentices, 1,000 placements, seed 0)."""
    return generate_demo()


def _tables(data: DemoData) -> dict[str, pd.DataFrame]:
    return {kind: getattr(data, kind) for kind in KINDS}


def _feasible_apprentices(data: DemoData) -> pd.Series:
    """Apprentice ids with at least one placement of the same ISCO-08 code, a window
    overlapping theirs by at least the placement's minimum weeks, and one of the host's
    languages spoken at no more than one level below the requirement."""
    apprentices = data.apprentices.reset_index(drop=True)
    placements = data.placements.reset_index(drop=True)
    pairs = apprentices[["isco08", "available_from", "available_to"]].reset_index(
        names="a").merge(
        placements[["isco08", "start", "end", "min_weeks"]].reset_index(names="p"),
        on="isco08")
    overlap_days = (np.minimum(pairs["available_to"], pairs["end"])
                    - np.maximum(pairs["available_from"], pairs["start"])).dt.days + 1
    pairs = pairs[overlap_days >= pairs["min_weeks"] * 7]
    spoken = [{s.language: s.level for s in parse_languages(t)} for t in apprentices["languages"]]
    wanted = [parse_languages(t) for t in placements["languages"]]
    speaks = [
        any(spoken[a].get(req.language, 0) >= req.level - 1 for req in wanted[p])
        for a, p in zip(pairs["a"], pairs["p"], strict=True)
    ]
    return apprentices.loc[pairs.loc[speaks, "a"].unique(), "apprentice_id"]


# ---------------------------------------------------------------------------
# Format
# ---------------------------------------------------------------------------


def test_generated_tables_have_exactly_the_import_columns_and_dtypes(default_demo):
    for kind, frame in _tables(default_demo).items():
        assert frame.dtypes.astype(str).to_dict() == spec_for(kind).dtypes, kind
        assert list(frame.columns) == spec_for(kind).names


def test_default_sizes_are_as_asked_and_ids_are_unique(default_demo):
    assert len(default_demo.apprentices) == 2000
    assert len(default_demo.placements) == 1000
    assert default_demo.apprentices["apprentice_id"].is_unique
    assert default_demo.placements["placement_id"].is_unique
    assert default_demo.companies["company_id"].is_unique
    assert set(default_demo.placements["company_id"]) == set(default_demo.companies["company_id"])


def test_every_row_is_marked_synthetic(default_demo):
    for kind, frame in _tables(default_demo).items():
        assert frame["synthetic"].all(), kind
    assert default_demo.companies["name"].str.endswith("(demo)").all()


def test_emails_and_websites_use_only_reserved_example_domains(default_demo):
    emails = pd.concat([default_demo.apprentices["email"],
                        default_demo.companies["contact_email"]])
    assert emails.str.fullmatch(r"[a-z0-9.\-]+@example\.(org|com)").all()
    assert default_demo.apprentices["email"].is_unique
    assert default_demo.companies["website"].str.fullmatch(
        r"https://[a-z0-9\-]+\.example\.com").all()


def test_every_trade_is_in_the_taxonomy_under_its_official_name_and_code(default_demo):
    catalog = trade_catalog()
    for frame in (default_demo.apprentices, default_demo.placements):
        for name, isco in frame[["trade", "isco08"]].drop_duplicates().itertuples(index=False):
            trade = catalog.get(name)
            assert trade is not None and trade.name == name and trade.isco08 == isco


def test_trade_mix_follows_the_sourced_new_contracts_2024():
    trades = trade_catalog().trades
    weights = demo.trade_contract_weights(trades)
    table = pd.read_csv(demo.data_dir() / "trades.csv", dtype="string", keep_default_na=False)
    sourced = dict(zip(table["de_name"], table["new_contracts_2024"], strict=True))
    for trade, weight in zip(trades, weights, strict=True):
        figure = sourced[trade.name]
        assert weight == (float(figure) if figure else 0.0)
    assert weights[[t.name for t in trades].index("Kraftfahrzeugmechatroniker/in")] == 25221
    assert "new training contracts in 2024" in demo.README_TEXT.replace("\n", " ")


def test_every_city_resolves_in_the_gazetteer_at_its_coordinates(default_demo):
    gaz = gazetteer()
    places = pd.concat([
        default_demo.apprentices[["home_city", "home_country", "home_lat", "home_lon"]].set_axis(
            ["city", "country", "lat", "lon"], axis=1),
        default_demo.companies[["city", "country", "lat", "lon"]],
        default_demo.placements[["city", "country", "lat", "lon"]],
    ]).drop_duplicates()
    for city, country, lat, lon in places.itertuples(index=False):
        found = gaz.get(city, country)
        assert found is not None, (city, country)
        # Twin towns keep the twinning table's coordinates, which may name a borough's
        # main town: same place, so within a few kilometres.
        assert abs(found.lat - lat) < 0.3 and abs(found.lon - lon) < 0.3, (city, country)


def test_apprentices_live_in_north_rhine_westphalia(default_demo):
    gaz = gazetteer()
    towns = default_demo.apprentices[["home_city", "home_country"]].drop_duplicates()
    for city, country in towns.itertuples(index=False):
        assert country == "DE"
        assert gaz.get_entry(city, country).admin1 == demo.NRW_ADMIN1, city


def test_languages_levels_and_countries_are_valid_codes(default_demo):
    for text in pd.concat([default_demo.apprentices["languages"],
                           default_demo.placements["languages"]]).unique():
        assert parse_languages(text)  # raises on a bad code or level
    for text in default_demo.apprentices["preferred_countries"].unique():
        assert all(code in country_codes() for code in text.split(";") if code)
    assert {lang for langs in demo.COUNTRY_LANGUAGES.values() for lang in langs} <= language_codes()


def test_written_files_pass_the_importer_with_zero_problems(tmp_path):
    write_demo(tmp_path, n_apprentices=300, n_placements=120, seed=5)
    companies = read_table(tmp_path / "companies.csv", "companies")
    assert companies.problems == ()
    placements = read_table(tmp_path / "placements.csv", "placements",
                            known_company_ids=set(companies.frame["company_id"]))
    apprentices = read_table(tmp_path / "apprentices.csv", "apprentices")
    assert placements.problems == () and apprentices.problems == ()
    assert len(apprentices.frame) == 300 and len(placements.frame) == 120


def test_files_read_back_equal_the_generated_tables(tmp_path):
    write_demo(tmp_path, n_apprentices=150, n_placements=60, seed=2)
    expected = generate_demo(150, 60, seed=2)
    for kind in KINDS:
        read = read_table(tmp_path / f"{kind}.csv", kind).frame
        pd.testing.assert_frame_equal(read, getattr(expected, kind), check_exact=False)


# ---------------------------------------------------------------------------
# Determinism and scale
# ---------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files_and_another_seed_differs(tmp_path):
    runs = {}
    for label, seed in (("a", 11), ("b", 11), ("c", 12)):
        write_demo(tmp_path / label, n_apprentices=400, n_placements=100, seed=seed)
        runs[label] = {kind: (tmp_path / label / f"{kind}.csv").read_bytes() for kind in KINDS}
    assert runs["a"] == runs["b"]
    assert all(runs["a"][kind] != runs["c"][kind] for kind in KINDS)


def test_chunks_join_up_to_the_whole_caseload(monkeypatch):
    monkeypatch.setattr(demo, "CHUNK_SIZE", 7)
    chunks = list(iter_apprentices(20, seed=4))
    assert [len(c) for c in chunks] == [7, 7, 6]
    whole = generate_demo(20, 5, seed=4).apprentices
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)
    assert whole["apprentice_id"].tolist()[6:8] == ["DEMO-A0000007", "DEMO-A0000008"]


def test_streamed_file_equals_the_in_memory_tables_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "CHUNK_SIZE", 50)
    write_demo(tmp_path, n_apprentices=120, n_placements=10, seed=9)
    read = read_table(tmp_path / "apprentices.csv", "apprentices").frame
    pd.testing.assert_frame_equal(read, generate_demo(120, 10, seed=9).apprentices,
                                  check_exact=False)


def test_empty_caseloads_still_write_headers(tmp_path):
    write_demo(tmp_path, n_apprentices=0, n_placements=0)
    for kind in KINDS:
        lines = (tmp_path / f"{kind}.csv").read_text(encoding="utf-8").splitlines()
        assert lines == [",".join(spec_for(kind).names)]


@pytest.mark.parametrize("kwargs", [
    {"n_apprentices": -1}, {"n_placements": 2.5}, {"seed": -3},
    {"n_apprentices": demo.MAX_APPRENTICES + 1},
])
def test_impossible_sizes_or_seeds_are_refused(kwargs):
    with pytest.raises(ValidationError):
        generate_demo(**kwargs)


def test_a_failed_write_leaves_no_file_behind(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo, "_companies_and_placements", broken)
    with pytest.raises(RuntimeError):
        write_demo(tmp_path / "out", n_apprentices=30, n_placements=5)
    assert list((tmp_path / "out").iterdir()) == []


# ---------------------------------------------------------------------------
# Realism (the stated assumptions show in the data)
# ---------------------------------------------------------------------------


def test_most_apprentices_have_a_feasible_placement(default_demo):
    feasible = _feasible_apprentices(default_demo)
    assert len(feasible) >= 0.6 * len(default_demo.apprentices)


def test_feasibility_check_finds_nothing_when_no_trade_is_shared(default_demo):
    # Guards the check above against passing vacuously.
    moved = default_demo.placements.assign(isco08=pd.Series(["0000"] * 1000, dtype="string"))
    assert _feasible_apprentices(DemoData(default_demo.apprentices, default_demo.companies,
                                          moved)).empty


def test_common_trades_are_much_more_frequent_than_rare_ones():
    counts = generate_demo(20_000, 0, seed=1).apprentices["trade"].value_counts()
    assert counts["Kraftfahrzeugmechatroniker/in"] > 10 * counts.get("Schornsteinfeger/in", 0)
    assert counts["Kaufmann/-frau für Büromanagement"] > 5 * counts.get("Glaser/in", 0)


def test_many_placements_are_in_twin_towns_and_a_few_outside_europe(default_demo):
    twins = curated_partnerships()
    twin_keys = set(zip(twins["partner_city"], twins["partner_country"], strict=True)) | set(
        zip(twins["located_as"], twins["partner_country"], strict=True))
    places = default_demo.placements
    in_twin = [(c, k) in twin_keys for c, k in zip(places["city"], places["country"],
                                                   strict=True)]
    assert 0.4 <= np.mean(in_twin) <= 0.75
    europe = set(demo.DESTINATION_WEIGHTS) | {"UA", "BA"}
    outside = ~places["country"].isin(europe)
    assert 0 < outside.mean() < 0.15
    assert not places["country"].isin(["DE", "RU", "BY"]).any()


def test_hosts_outside_twin_towns_cover_the_programme_countries_but_germany():
    table = pd.read_csv(demo.data_dir() / "erasmus_countries.csv", dtype="string")
    inside = table["status"].str.startswith(("EU Member State", "third country associated"))
    expected = (set(table.loc[inside, "iso2"]) | {"GB", "CH"}) - {"DE"}
    hosts = demo._reference().hosts
    other = set(hosts.country[~demo._reference().host_is_twin])
    assert other == expected


def test_english_levels_centre_on_b1_and_b2(default_demo):
    english = [dict((s.language, s.level) for s in parse_languages(t)).get("en")
               for t in default_demo.apprentices["languages"]]
    levels = pd.Series(english).value_counts(normalize=True)
    assert levels.get(CEFR.B1, 0) + levels.get(CEFR.B2, 0) > 0.6
    assert set(levels.index) <= {CEFR.A2, CEFR.B1, CEFR.B2, CEFR.C1}


def test_about_fifteen_percent_have_fewer_opportunities(default_demo):
    assert 0.11 < default_demo.apprentices["fewer_opportunities"].mean() < 0.19


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(0, 60), m=st.integers(0, 40), seed=st.integers(0, 2**32))
def test_every_record_is_internally_consistent(n, m, seed):
    data = generate_demo(n, m, seed)
    a, p = data.apprentices, data.placements
    year_start, year_end = pd.Timestamp(date(2027, 1, 1)), pd.Timestamp(date(2027, 12, 31))
    assert (a["available_from"] <= a["available_to"]).all()
    assert a["available_from"].ge(year_start).all() and a["available_to"].le(year_end).all()
    window_weeks = ((a["available_to"] - a["available_from"]).dt.days + 1) // 7
    assert (a["desired_weeks"] <= window_weeks).all()
    assert a["desired_weeks"].between(3, 26).all()
    age = (year_start - a["date_of_birth"]).dt.days / 365.2425
    assert age.between(16 - 0.01, 26).all()
    assert a["training_year"].between(1, 4).all()
    assert (age + 0.01 >= 15 + a["training_year"]).all()  # days are whole: allow one
    assert a["max_distance_km"].isna().all() or (a["max_distance_km"].dropna() > 0).all()
    assert (p["start"] <= p["end"]).all() and p["end"].le(year_end).all()
    assert (p["min_weeks"] <= p["max_weeks"]).all() and p["min_weeks"].between(2, 4).all()
    assert (p["max_weeks"] * 7 <= (p["end"] - p["start"]).dt.days + 1).all()
    assert p["slots"].between(0, 4).all()


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------


def test_cli_writes_the_three_files_and_a_readme(tmp_path, capsys):
    out = tmp_path / "demo"
    code = main(["demo", "--out", str(out), "--apprentices", "40", "--placements", "12",
                 "--seed", "3", "--quiet"])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "README.txt", "apprentices.csv", "companies.csv", "placements.csv"]
    assert "synthetic" in (out / "README.txt").read_text(encoding="utf-8").lower()
    assert len((out / "apprentices.csv").read_text(encoding="utf-8").splitlines()) == 41
    assert "40 apprentices" in capsys.readouterr().out


def test_cli_reports_progress_on_stderr(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--apprentices", "10", "--placements", "2"]) == 0
    assert "done" in capsys.readouterr().err


def test_cli_refuses_a_negative_count_with_exit_code_2(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--apprentices", "-5"]) == 2
    assert "between 0 and" in capsys.readouterr().err


def test_cells_with_commas_quotes_and_formula_starts_survive_the_round_trip(tmp_path):
    companies = generate_demo(0, 5, seed=1).companies.copy()  # three companies
    tricky = ['Wang "Star" Co., Ltd. (demo)', "=HYPERLINK(1) (demo)", "Plain Ltd (demo)"]
    companies["name"] = pd.Series(tricky, dtype="string")
    path = tmp_path / "companies.csv"
    path.write_bytes(demo._csv_bytes(companies, "companies", header=True))
    assert read_table(path, "companies").frame["name"].tolist() == tricky
