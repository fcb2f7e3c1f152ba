"""Imports that crashed or altered data silently (issue 12, item 4). Each case is a
row-level problem naming file, row and column, or a documented rule tested here."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from db_support import BACKENDS, fresh_database
from mobility.io import read_table
from mobility.io.validation import INT_RANGE
from mobility.storage import create_schema, get_engine, read_table_from_db, upsert_table

HEADER = ("apprentice_id,name,email,sending_organisation,home_city,home_country,trade,"
          "training_year,available_from,available_to,desired_weeks")
PLACEMENTS = "placement_id,company_id,trade,city,country,slots,start,end,min_weeks,max_weeks"


def apprentice(aid="A1", name="Lea Schmitz", start="2026-03-01", end="2026-05-31") -> str:
    return (f"{aid},{name},lea@example.org,HWK Dortmund,Dortmund,DE,Koch,2,{start},{end},4")


def table(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def problems(result) -> list[tuple]:
    return [(p.file, p.row, p.column) for p in result.problems]


def test_mixed_time_zones_in_a_date_column_are_read_as_the_dates_written():
    result = read_table(table(apprentice("A1", start="2026-03-01T23:30:00+01:00"),
                              apprentice("A2", start="2026-03-02T00:10:00-05:00"),
                              apprentice("A3", start="2026-03-03 08:00"),
                              apprentice("A4", start="2026-03-04T10:00:00Z")),
                        "apprentices", name="tz.csv")
    assert result.ok, result.problems
    assert result.frame["available_from"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"]


def test_a_date_with_garbage_after_it_is_still_a_problem():
    result = read_table(table(apprentice(start="2026-03-01 whenever")), "apprentices",
                        name="d.csv")
    assert problems(result) == [("d.csv", 2, "available_from")]


@pytest.mark.parametrize("slots", ["1000000000000", "10000000000000000000", "2147483648",
                                   "-1"])
def test_slots_outside_the_stored_range_are_refused(slots):
    result = read_table(table(f"P1,C1,Koch,Leeds,GB,{slots},2026-03-01,2026-06-30,2,6",
                              header=PLACEMENTS), "placements", name="p.csv")
    assert problems(result) == [("p.csv", 2, "slots")]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_largest_allowed_numbers_come_back_identical_from_both_databases(backend,
                                                                            tmp_path):
    with fresh_database(backend, tmp_path) as url:
        engine = get_engine(url)
        create_schema(engine)
        upsert_table(engine, "companies", read_table(
            b"company_id,name,city,country,lat,lon\nC1,X,Leeds,GB,-89.999999999999,"
            b"179.99999999999997\n", "companies").frame)
        top = INT_RANGE[1]
        placements = read_table(table(f"P1,C1,Koch,Leeds,GB,{top},2026-03-01,2026-06-30,2,6",
                                      "P2,C1,Koch,Leeds,GB,0,2026-03-01,2026-06-30,1,104",
                                      header=PLACEMENTS), "placements")
        assert placements.ok, placements.problems
        upsert_table(engine, "placements", placements.frame)
        back = read_table_from_db(engine, "placements").sort_values("placement_id")
        assert back["slots"].tolist() == [top, 0]
        companies = read_table_from_db(engine, "companies")
        assert companies.loc[0, "lat"] == -89.999999999999
        assert companies.loc[0, "lon"] == 179.99999999999997
        far, near = "1.7976931348623157e308", "0.000000001"
        data = table(apprentice("A1") + f",{far}", apprentice("A2") + f",{near}",
                     header=HEADER + ",max_distance_km")
        people = read_table(data, "apprentices")
        assert people.ok, people.problems
        upsert_table(engine, "apprentices", people.frame)
        back = read_table_from_db(engine, "apprentices").sort_values("apprentice_id")
        assert back["max_distance_km"].tolist() == [float(far), float(near)]


def test_a_file_mixing_utf8_and_windows_1252_is_refused_naming_the_lines():
    data = (HEADER + "\n" + apprentice("A1", "Jürgen Müller") + "\n").encode("utf-8")
    data += (apprentice("A2", "Jörg Weiß") + "\n").encode("cp1252")
    result = read_table(data, "apprentices", name="mixed.csv")
    assert not result.ok and result.frame.empty
    assert "line 2 is UTF-8, line 3 is not" in result.problems[0].message
    assert result.problems[0].row == 3


def test_a_plain_windows_1252_file_is_still_read():
    data = (HEADER + "\n" + apprentice("A2", "Jörg Weiß") + "\n").encode("cp1252")
    result = read_table(data, "apprentices", name="w.csv")
    assert result.ok and result.frame.loc[0, "name"] == "Jörg Weiß"


@pytest.mark.parametrize("hidden", ["\r", "\u2028", "\u2029", "\x85", "\x9b", "\u200b",
                                    "\ufeff", "\u202e"])
def test_control_characters_and_separators_in_text_are_refused(hidden):
    data = table(apprentice("A1", f'"Lea{hidden}Schmitz"'))
    result = read_table(data, "apprentices", name="c.csv")
    assert problems(result) == [("c.csv", 2, "name")]


def test_a_windows_line_break_inside_a_quoted_cell_is_one_line_break():
    data = (HEADER + "\r\n" + apprentice("A1", '"Lea\r\nSchmitz"') + "\r\n").encode()
    result = read_table(data, "apprentices", name="crlf.csv")
    assert result.ok, result.problems
    assert result.frame.loc[0, "name"] == "Lea\nSchmitz"


@pytest.mark.parametrize("aid", ["Z10\u200b", "\ufeffZ10", "Z\u200d10", "Z\u00a010",
                                 "\uff3a10", "Z\u0301 10"])
def test_ids_with_invisible_or_look_alike_characters_are_refused(aid):
    result = read_table(table(apprentice("Z10"), apprentice(aid)), "apprentices",
                        name="ids.csv")
    assert problems(result) == [("ids.csv", 3, "apprentice_id")]


def test_ids_in_other_scripts_are_fine():
    result = read_table(table(apprentice("Ζ-10"), apprentice("Ж-10"), apprentice("Müller-1")),
                        "apprentices", name="ids.csv")
    assert result.ok, result.problems


def _workbook(rows: list[list], *, formulas: dict[str, str] | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for ref, formula in (formulas or {}).items():
        sheet[ref] = formula
    buffer = io.BytesIO()
    book.save(buffer)  # openpyxl stores formulas without a computed value
    return buffer.getvalue()


def _rows() -> list[list]:
    return [HEADER.split(","), apprentice().split(",")]


def test_a_formula_without_a_stored_result_is_a_problem_not_a_blank():
    data = _workbook(_rows(), formulas={"B2": "=CONCAT(\"Lea\",\" Schmitz\")"})
    result = read_table(data, "apprentices", name="f.xlsx")
    assert problems(result) == [("f.xlsx", 2, "name")]
    assert "formula" in result.problems[0].message


def test_values_in_unlabelled_workbook_columns_are_refused_as_in_csv():
    rows = _rows()
    rows[1] = [*rows[1], "", "stray value"]
    result = read_table(_workbook(rows), "apprentices", name="u.xlsx")
    assert not result.ok
    assert any("no header but holds values" in p.message for p in result.problems)
    csv = read_table(table(apprentice() + ",,stray value", header=HEADER + ",,"),
                     "apprentices", name="u.csv")
    assert not csv.ok


def test_trailing_formatted_but_empty_workbook_cells_are_not_columns():
    rows = _rows()
    rows[1] = [*rows[1], None, ""]
    assert read_table(_workbook(rows), "apprentices", name="ok.xlsx").ok


@pytest.mark.parametrize("name", ["'Lea Schmitz", "O'Brien", "''Lea"])
def test_a_leading_apostrophe_is_kept_in_csv_and_xlsx(name):
    csv = read_table(table(apprentice(name=name)), "apprentices")
    rows = _rows()
    rows[1][1] = name
    xlsx = read_table(_workbook(rows), "apprentices")
    assert csv.frame.loc[0, "name"] == xlsx.frame.loc[0, "name"] == name


def test_the_apostrophe_before_a_formula_is_the_exporters_and_is_removed():
    csv = read_table(table(apprentice(name="'=Lea")), "apprentices")
    assert csv.frame.loc[0, "name"] == "=Lea"


def test_nothing_reaches_the_database_from_any_of_these(tmp_path):
    engine = get_engine()
    create_schema(engine)
    data = (HEADER + "\n" + apprentice("A1", "Jürgen Müller") + "\n").encode("utf-8")
    data += (apprentice("A2", "Jörg Weiß") + "\n").encode("cp1252")
    for bad in (data, table(apprentice("Z10\u200b"))):
        result = read_table(bad, "apprentices")
        assert result.frame.empty
        upsert_table(engine, "apprentices", result.frame)
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from apprentices")).scalar_one() == 0
    assert isinstance(read_table_from_db(engine, "apprentices"), pd.DataFrame)
