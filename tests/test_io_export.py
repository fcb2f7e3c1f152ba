"""Writing tables: round trips through CSV and XLSX, and formulas made inert."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobility.errors import ValidationError
from mobility.io import KINDS, read_table, write_table
from mobility.io.writing import neutralise

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("kind", KINDS)
def test_export_then_import_gives_the_same_table(kind, suffix, tmp_path):
    original = read_table(EXAMPLES / f"{kind}.csv", kind)
    assert original.ok, original.problems
    target = write_table(original.frame, kind, tmp_path / f"{kind}{suffix}")
    again = read_table(target, kind)
    assert again.ok, again.problems
    pd.testing.assert_frame_equal(again.frame, original.frame)


def hostile_companies() -> pd.DataFrame:
    data = ("company_id,name,city,country,lat,lon,sector,contact_email,website\n"
            "C1,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\",Leeds,GB,53.8,-1.55,"
            "+cmd|' /C calc'!A0,-x@example.org,@SUM(1+1)\n"
            "C2,'=already quoted,Leeds,GB,53.8,-1.55,-,,\n")
    result = read_table(data.encode(), "companies")
    assert result.ok, result.problems
    return result.frame


def test_csv_export_makes_formula_cells_inert_and_keeps_negative_numbers_numeric(tmp_path):
    frame = hostile_companies()
    target = write_table(frame, "companies", tmp_path / "hosts.csv")
    cells = pd.read_csv(target, dtype=str, keep_default_na=False)
    assert cells.loc[0, "name"].startswith("'=HYPERLINK")
    assert cells.loc[0, "sector"].startswith("'+cmd")
    assert cells.loc[0, "contact_email"] == "'-x@example.org"
    assert cells.loc[0, "website"] == "'@SUM(1+1)"
    assert cells.loc[1, "sector"] == "'-"
    assert cells.loc[0, "lon"] == "-1.55"  # a genuine negative number stays a number
    pd.testing.assert_frame_equal(read_table(target, "companies").frame, frame)


def test_xlsx_export_writes_text_cells_never_formulas_and_numbers_as_numbers(tmp_path):
    frame = hostile_companies()
    target = write_table(frame, "companies", tmp_path / "hosts.xlsx")
    sheet = openpyxl.load_workbook(target).worksheets[0]
    header = [c.value for c in sheet[1]]
    name = sheet.cell(row=2, column=header.index("name") + 1)
    lon = sheet.cell(row=2, column=header.index("lon") + 1)
    assert name.data_type == "s" and name.value.startswith("'=")
    assert lon.data_type == "n" and lon.value == -1.55
    pd.testing.assert_frame_equal(read_table(target, "companies").frame, frame)


def test_text_already_starting_with_an_apostrophe_survives_the_round_trip(tmp_path):
    frame = hostile_companies()
    # On import, an apostrophe before a formula character is read as our own guard ...
    assert frame.loc[1, "name"] == "=already quoted"
    # ... so text that really starts with one gets a second on export.
    frame.loc[1, "name"] = "'=really written so"
    assert neutralise(frame["name"]).iloc[1] == "''=really written so"
    target = write_table(frame, "companies", tmp_path / "hosts.csv")
    assert read_table(target, "companies").frame.loc[1, "name"] == "'=really written so"


safe_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp")),
    max_size=30,
).map(str.strip)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(safe_text.filter(bool), min_size=1, max_size=5),
       sectors=st.lists(safe_text, min_size=5, max_size=5))
def test_any_printable_text_survives_csv_export_and_import(tmp_path, names, sectors):
    frame = read_table(b"company_id,name,city,country,lat,lon\nX,Y,Leeds,GB,53.8,-1.55\n",
                       "companies").frame
    frame = pd.concat([frame] * len(names), ignore_index=True)
    frame["company_id"] = pd.array([f"C{i}" for i in range(len(names))], dtype="string")
    frame["name"] = pd.array(names, dtype="string")
    frame["sector"] = pd.array(sectors[: len(names)], dtype="string")
    target = write_table(frame, "companies", tmp_path / "round.csv")
    back = read_table(target, "companies")
    assert back.ok, back.problems
    pd.testing.assert_frame_equal(back.frame, frame)


def test_export_refuses_an_unknown_suffix_and_a_frame_missing_columns(tmp_path):
    frame = hostile_companies()
    with pytest.raises(ValidationError, match=r"\.csv or \.xlsx"):
        write_table(frame, "companies", tmp_path / "hosts.json")
    with pytest.raises(ValidationError, match="columns website are missing"):
        write_table(frame.drop(columns="website"), "companies", tmp_path / "hosts.csv")
    assert list(tmp_path.iterdir()) == []  # nothing half-written
