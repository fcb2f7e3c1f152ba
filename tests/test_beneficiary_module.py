"""The Beneficiary Module import file against the documented layouts and dictionaries.

The expected header and coded values are read straight from the data files with the
``csv`` module (not through :mod:`mobility.funding.bm_layout`), and the written file is
read back with ``csv`` too, so a mistake in the loader or the writer cannot hide itself.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from mobility.errors import ValidationError
from mobility.funding.beneficiary import (
    FIELDS,
    beneficiary_activities,
    export_beneficiary_module,
    read_beneficiary_module,
)
from mobility.funding.bm_layout import available_layouts, bm_layout, check_grant_agreement
from mobility.io import read_table
from paper_support import OIDS, tables

DATA = Path(__file__).resolve().parents[1] / "data"
SENDING = {"HWK Test": OIDS["HWK Test"]}


def _ga(year: int, action: str) -> str:
    return f"{year}-1-DE02-{action}-000123456"


def _documented(year: int, action: str) -> tuple[list[dict], dict[str, dict[str, str]]]:
    with (DATA / "beneficiary_module_layouts.csv").open(encoding="utf-8") as handle:
        columns = sorted((r for r in csv.DictReader(handle)
                          if r["call_year"] == str(year) and r["action_type"] == action),
                         key=lambda r: int(r["position"]))
    values: dict[str, dict[str, str]] = {}
    with (DATA / "beneficiary_module_dictionaries.csv").open(encoding="utf-8") as handle:
        for r in csv.DictReader(handle):
            if r["call_year"] == str(year) and r["action_type"] == action:
                values.setdefault(r["dictionary"], {})[r["key"]] = r["value"]
    return columns, values


@pytest.fixture()
def data_type_file(tmp_path):
    """The one value nobody could confirm (Data type of a main row), as a user supplies it."""
    path = tmp_path / "my_dictionary.csv"
    lines = ["call_year,action_type,dictionary,key,value,verified,source"]
    lines += [f"{y},{a},data_type,mobility,TEST-MAIN-ROW,no,test" for y, a in available_layouts()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _export(tmp_path, dictionary_file, *, year=2024, action="KA121-VET", suffix=".csv",
            pairs=None, data=None, sending=SENDING, **kw):
    data = data or tables()
    return export_beneficiary_module(
        data["pairs"] if pairs is None else pairs, data["apprentices"], data["placements"],
        data["companies"], tmp_path / f"bm{suffix}", grant_agreement=_ga(year, action),
        sending_oids=sending, dictionary_file=dictionary_file, **kw)


@pytest.mark.parametrize(("year", "action"), available_layouts())
def test_header_and_coded_values_follow_the_documented_layout(tmp_path, data_type_file, year,
                                                               action):
    columns, values = _documented(year, action)
    result = _export(tmp_path, data_type_file, year=year, action=action, green_travel=True)
    with result.path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    assert header == [c["column"] for c in columns]  # column for column, nothing extra
    assert not {"distance_km", "synthetic", "travel_days"} & set(header)
    assert len(body) == 2  # A1 -> Leeds is not Erasmus+ eligible
    for col in columns:
        cells = [r[header.index(col["column"])] for r in body]
        if col["dictionary"] == "data_type":
            assert cells == ["TEST-MAIN-ROW"] * 2
        elif col["dictionary"]:
            documented = set(values[col["dictionary"]].values())
            assert set(cells) <= documented, (col["column"], cells)
    by_id = {r[header.index("Mobility activity ID")]: r for r in body}
    a2, a3 = by_id["123456-MOB-A2-P2"], by_id["123456-MOB-A3-P3"]
    cell = {h: i for i, h in enumerate(header)}
    assert a2[cell["Activity type"]] == values["activity_type"]["erasmus_pro"] == "LM-LONG-VET"
    assert a3[cell["Activity type"]] == values["activity_type"]["erasmus_short"]
    assert a2[cell["Grant Agreement No."]] == _ga(year, action)
    assert a2[cell["Receiving Organisation OID"]] == OIDS["C2"]
    assert a2[cell["Sending Organisation OID"]] == OIDS["HWK Test"]
    assert a2[cell["Participant with fewer opportunities"]] == values["yes_no"]["true"]
    # Köln -> Lille is 100-499 km: with green travel 6 funded travel days; 16 weeks = 112 days.
    assert a2[cell["Distance band"]] == values["distance_band"]["100-499 km"]
    assert a2[cell["Funded duration including travel days (in days)"]] == str(112 + 6)
    assert a2[cell["Start date"]] == "01-04-2027" and a2[cell["End date"]] == "21-07-2027"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_file_reads_back_into_the_same_activities(tmp_path, data_type_file, suffix):
    result = _export(tmp_path, data_type_file, suffix=suffix)
    back = read_beneficiary_module(result.path, result.layout)
    fields = [c.field for c in result.layout.columns]
    pd.testing.assert_frame_equal(back, result.activities[fields])
    assert set(fields) <= set(FIELDS)


def test_missing_oids_are_reported_per_row_and_nothing_is_written(tmp_path, data_type_file):
    data = tables()
    data["companies"].loc[data["companies"]["company_id"] == "C3", "oid"] = pd.NA
    with pytest.raises(ValidationError) as caught:
        _export(tmp_path, data_type_file, data=data, sending={})
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {(2, "Sending Organisation OID"), (3, "Sending Organisation OID"),
                     (3, "Receiving Organisation OID")}
    assert "Tischlerei Graz" in str(caught.value.problems[-1])
    assert not (tmp_path / "bm.csv").exists()
    with pytest.raises(ValidationError) as german:
        _export(tmp_path, data_type_file, data=data, sending={}, lang="de")
    assert german.value.message == "bm.csv wurde nicht geschrieben: zuerst 3 Problem(e) beheben."
    assert "Gastbetrieb „Tischlerei Graz“ (C3) hat keine gültige OID" in str(
        german.value.problems[-1])


def test_an_unconfirmed_data_type_value_is_not_invented(tmp_path):
    with pytest.raises(ValidationError) as caught:
        _export(tmp_path, None)
    assert [p.column for p in caught.value.problems] == ["Data type"]
    assert not (tmp_path / "bm.csv").exists()
    typed = _export(tmp_path, None, data_type=" FROM-MY-TEMPLATE ")  # read off the template
    with typed.path.open(encoding="utf-8", newline="") as handle:
        assert {row["Data type"] for row in csv.DictReader(handle)} == {"FROM-MY-TEMPLATE"}


@pytest.mark.parametrize("number", ["", "2024-1-DE02-KA121-VET", "2024-1-de02-KA121-VET-1",
                                    "2024-1-DE02-KA121-VET-000123456-x"])
def test_a_malformed_grant_agreement_number_is_refused(number):
    with pytest.raises(ValidationError, match="grant agreement number"):
        check_grant_agreement(number)


def test_a_grant_agreement_without_a_layout_is_refused(tmp_path, data_type_file):
    with pytest.raises(ValidationError, match=r"No Beneficiary Module layout.*KA131-HED"):
        export_beneficiary_module(tables()["pairs"], *[tables()[k] for k in (
            "apprentices", "placements", "companies")], tmp_path / "bm.csv",
            grant_agreement="2024-1-DE02-KA131-HED-000123456", sending_oids=SENDING)


def test_stay_dates_come_from_the_match_frame(tmp_path, data_type_file):
    pairs = tables()["pairs"].assign(
        stay_start=pd.to_datetime(["2027-05-03", "2027-05-03", "2027-06-07"]),
        stay_end=pd.to_datetime(["2027-05-30", "2027-08-22", "2027-06-27"]),
        stay_days=[28, 112, 21])
    built = beneficiary_activities(pairs, *[tables()[k] for k in (
        "apprentices", "placements", "companies")], grant_agreement=_ga(2024, "KA121-VET"),
        sending_oids=SENDING, dictionary_file=data_type_file)
    row = built.activities.set_index("mobility_activity_id").loc["123456-MOB-A3-P3"]
    assert row["start_date"] == pd.Timestamp("2027-06-07")
    assert row["end_date"] == pd.Timestamp("2027-06-27")
    assert row["funded_duration"] == 21 + 2  # Stuttgart -> Graz, standard travel: 2 days


def test_a_row_without_a_matcher_stay_falls_back_to_the_availability(tmp_path, data_type_file):
    pairs = tables()["pairs"].assign(
        stay_start=pd.to_datetime([None, None, "2027-06-07"]),
        stay_end=pd.to_datetime([None, None, "2027-06-27"]))  # no stay_days: from the dates
    built = beneficiary_activities(pairs, *[tables()[k] for k in (
        "apprentices", "placements", "companies")], grant_agreement=_ga(2024, "KA121-VET"),
        sending_oids=SENDING, dictionary_file=data_type_file)
    rows = built.activities.set_index("participant_id")
    assert rows.loc["A3", "end_date"] == pd.Timestamp("2027-06-27")
    assert rows.loc["A3", "funded_duration"] == 21 + 2
    assert rows.loc["A2", "start_date"] == pd.Timestamp("2027-04-01")  # later of the two
    assert rows.loc["A2", "end_date"] == pd.Timestamp("2027-07-21")  # 16 weeks


def test_activity_ids_are_stable_and_unique(tmp_path, data_type_file):
    first = _export(tmp_path, data_type_file).activities
    reordered = tables()["pairs"].iloc[::-1].reset_index(drop=True)
    second = _export(tmp_path, data_type_file, pairs=reordered).activities
    ids = dict(zip(first["participant_id"], first["mobility_activity_id"], strict=True))
    assert ids == dict(zip(second["participant_id"], second["mobility_activity_id"],
                           strict=True))
    assert first["mobility_activity_id"].is_unique


def test_text_that_a_spreadsheet_would_run_is_neutralised(tmp_path, data_type_file):
    result = _export(tmp_path, data_type_file)
    with result.path.open(encoding="utf-8", newline="") as handle:
        cells = [c for row in csv.reader(handle) for c in row]
    assert "'=HYPERLINK(\"x\")" in cells
    assert not any(c[:1] in ("=", "+", "@") for c in cells)


def test_every_unverified_column_is_listed_in_the_docs():
    text = (DATA.parent / "docs" / "beneficiary-module.md").read_text(encoding="utf-8")
    for year, action in available_layouts():
        for header in bm_layout(year, action).unverified_headers:
            assert f"| {header} |" in text


def test_company_oids_are_validated_on_import():
    raw = (b"company_id,name,city,country,oid\nC1,A,Leeds,GB,E12345678\n"
           b"C2,B,Lille,FR,12345678\nC3,C,Graz,AT,\n")
    result = read_table(raw, "companies", name="companies.csv")
    assert [(p.row, p.column) for p in result.problems] == [(3, "oid")]
