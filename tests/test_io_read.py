"""Reading and validating import files: accepted variants and every class of problem."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from mobility.errors import ValidationError
from mobility.io import (
    UPLOAD_MAX_BYTES,
    empty_frame,
    raise_for_problems,
    read_table,
    spec_for,
)
from mobility.io.validation import MAX_PROBLEMS_PER_CHECK

DATA = Path(__file__).parent / "data"

APPRENTICE_HEADER = ("apprentice_id,name,email,date_of_birth,sending_organisation,home_city,"
                     "home_country,home_lat,home_lon,trade,isco08,training_year,languages,"
                     "available_from,available_to,desired_weeks,preferred_countries,"
                     "max_distance_km,fewer_opportunities,synthetic")
APPRENTICE_ROW = ("A-1,Lea Schmitz,lea@example.org,2005-04-17,HWK Dortmund,Dortmund,DE,"
                  "51.51494,7.466,Tischlerin,,2,de:native;en:B2,2026-03-01,2026-06-30,4,"
                  "GB;IE,1500,false,true")
PLACEMENT_HEADER = ("placement_id,company_id,trade,isco08,city,country,lat,lon,slots,start,"
                    "end,min_weeks,max_weeks,languages,accommodation,accepts_related_trades,"
                    "synthetic")
PLACEMENT_ROW = ("P-1,C-1,Tischler/in,7522,Leeds,GB,53.79648,-1.54785,2,2026-03-01,"
                 "2026-07-31,3,8,en:B1,true,false,true")


def apprentices(*rows: str, header: str = APPRENTICE_HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def with_cell(row: str, column: str, value: str, header: str = APPRENTICE_HEADER) -> str:
    names = header.split(",")
    cells = next(iter(pd.read_csv(io.StringIO(row), header=None, dtype=str,
                                  keep_default_na=False).itertuples(index=False)))
    cells = list(cells)
    cells[names.index(column)] = value
    return ",".join(f'"{c}"' if "," in c else c for c in cells)


def only_problem(result):
    assert not result.ok
    assert result.frame.empty  # nothing half-valid can be stored by mistake
    return result.problems


# ---------------------------------------------------------------------------
# What is accepted
# ---------------------------------------------------------------------------


def test_a_valid_apprentice_row_gives_exactly_the_shared_format_dtypes():
    result = read_table(apprentices(APPRENTICE_ROW), "apprentices", name="a.csv")
    assert result.ok, result.problems
    frame = result.frame
    assert list(frame.columns) == spec_for("apprentices").names
    assert {c: str(t) for c, t in frame.dtypes.items()} == spec_for("apprentices").dtypes
    row = frame.iloc[0]
    assert row["trade"] == "Tischler/in"  # gender form stored as the official name
    assert row["isco08"] == "7522"  # filled from the trade
    assert row["available_from"] == pd.Timestamp("2026-03-01")
    assert row["languages"] == "de:native;en:B2"
    assert row["preferred_countries"] == "GB;IE"
    assert row["synthetic"] and not row["fewer_opportunities"]
    assert "filled isco08 for 1 rows from the trade" in result.notes


def test_german_excel_csv_with_semicolons_cp1252_decimal_commas_and_german_dates_reads():
    result = read_table(DATA / "apprentices_excel_de.csv", "apprentices")
    assert result.ok, result.problems
    frame = result.frame
    assert frame.loc[0, "name"] == "Jörg Müller"
    assert frame.loc[0, "home_lat"] == pytest.approx(51.96236)
    assert frame.loc[0, "max_distance_km"] == pytest.approx(1234.5)  # thousands dot
    assert frame.loc[0, "date_of_birth"] == pd.Timestamp("2005-04-17")
    assert frame.loc[0, "languages"] == "de:native;en:B1"
    assert frame.loc[0, "synthetic"] and not frame.loc[0, "fewer_opportunities"]
    assert frame.loc[1, "trade"] == "Kraftfahrzeugmechatroniker/in"
    assert pd.isna(frame.loc[1, "date_of_birth"]) and np.isnan(frame.loc[1, "max_distance_km"])
    assert any("Windows-1252" in note for note in result.notes)
    assert any("separator ';'" in note for note in result.notes)


def test_utf8_with_byte_order_mark_is_read_like_without():
    plain = read_table(apprentices(APPRENTICE_ROW), "apprentices")
    bom = read_table(b"\xef\xbb\xbf" + apprentices(APPRENTICE_ROW), "apprentices")
    assert bom.ok, bom.problems
    pd.testing.assert_frame_equal(plain.frame, bom.frame)


def test_utf16_tab_separated_unicode_text_from_excel_is_read():
    text = apprentices(APPRENTICE_ROW).decode().replace(",", "\t").replace(
        "Tischlerin", "Tischlerin")
    result = read_table(text.encode("utf-16"), "apprentices", name="unicode.txt")
    assert result.ok, result.problems
    assert result.frame.loc[0, "home_city"] == "Dortmund"


def test_headers_are_matched_regardless_of_case_and_spaces():
    header = APPRENTICE_HEADER.replace("apprentice_id", "Apprentice ID").replace(
        "home_city", " Home-City ")
    result = read_table(apprentices(APPRENTICE_ROW, header=header), "apprentices")
    assert result.ok, result.problems


def test_optional_columns_may_be_left_out_entirely():
    header = ("apprentice_id,name,home_city,home_country,trade,training_year,available_from,"
              "available_to,desired_weeks")
    result = read_table(apprentices("A1,Lea,Köln,DE,Elektriker,1,2026-03-01,2026-04-30,3",
                                    header=header), "apprentices")
    assert result.ok, result.problems
    row = result.frame.iloc[0]
    assert row["home_lat"] == pytest.approx(50.93, abs=0.05)  # from the gazetteer
    assert row["email"] == "" and row["languages"] == "" and not row["synthetic"]
    assert np.isnan(row["max_distance_km"])
    assert any("from the gazetteer" in note for note in result.notes)


def test_an_xlsx_workbook_with_typed_cells_is_read(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(PLACEMENT_HEADER.split(","))
    sheet.append(["P-1", "C-1", "Bäckerin", None, "Amiens", "FR", 49.9, 2.3, 2,
                  pd.Timestamp("2026-03-01").to_pydatetime(),
                  pd.Timestamp("2026-07-31").to_pydatetime(), 3, 8, "fr:A2", True, False, True])
    path = tmp_path / "placements.xlsx"
    book.save(path)
    result = read_table(path, "placements")
    assert result.ok, result.problems
    row = result.frame.iloc[0]
    assert (row["trade"], row["isco08"], row["slots"]) == ("Bäcker/in", "7512", 2)
    assert row["end"] == pd.Timestamp("2026-07-31") and row["accommodation"]


def test_bytes_and_file_like_uploads_carry_their_display_name():
    upload = io.BytesIO(apprentices(with_cell(APPRENTICE_ROW, "home_country", "XX")))
    upload.name = "/tmp/uploads/kurs.csv"
    result = read_table(upload, "apprentices")
    assert result.name == "kurs.csv" and result.problems[0].file == "kurs.csv"


def test_raise_for_problems_returns_the_frame_or_raises_with_every_problem():
    good = read_table(apprentices(APPRENTICE_ROW), "apprentices")
    assert raise_for_problems(good) is good.frame
    bad = read_table(DATA / "placements_many_problems.csv", "placements")
    with pytest.raises(ValidationError) as caught:
        raise_for_problems(bad)
    assert caught.value.problems == bad.problems and isinstance(caught.value, ValueError)


# ---------------------------------------------------------------------------
# Every class of problem, with file, row and column
# ---------------------------------------------------------------------------


def test_every_problem_in_a_file_is_reported_at_once_with_row_and_column():
    result = read_table(DATA / "placements_many_problems.csv", "placements",
                        known_company_ids={"C-1"})
    found = {(p.row, p.column): p.message for p in only_problem(result)}
    assert all(p.file == "placements_many_problems.csv" for p in result.problems)
    assert "unknown trade 'Raumfahrer'" in found[(2, "trade")]
    assert "'UK' is not an ISO 3166" in found[(3, "country")]
    assert "latitude 95.0 must be between -90 and 90" in found[(4, "lat")]
    assert "level 'D1' does not exist" in found[(5, "languages")]
    assert "'xx' is not an ISO 639-1" in found[(6, "languages")]
    assert "duplicate id 'P-5' (rows 6, 7)" in found[(7, "placement_id")]
    assert "end 2026-06-30 is before start" in found[(8, "end")]
    assert "'zwei' is not a number" in found[(9, "slots")]
    assert "'vielleicht' is not a yes/no value" in found[(9, "accommodation")]


def test_an_unknown_trade_comes_with_suggestions():
    row = with_cell(APPRENTICE_ROW, "trade", "Tischlerei")
    (problem,) = read_table(apprentices(row), "apprentices", name="a.csv").problems
    assert problem.row == 2 and problem.column == "trade"
    assert "did you mean 'Tischler/in'" in problem.message


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("home_country", "Deutschland", "not an ISO 3166 two-letter country code"),
        ("home_lat", "51.5.1", "is not a number"),
        ("home_lon", "-190", "longitude -190 must be between -180 and 180"),
        ("training_year", "5", "training_year 5 must be between 1 and 4"),
        ("training_year", "2.5", "not a whole number"),
        ("desired_weeks", "0", "must be between 1 and 104"),
        ("max_distance_km", "-5", "must be greater than 0"),
        ("languages", "en:B3", "does not exist"),
        ("languages", "english:B2", "should look like 'en:B2'"),
        ("languages", "qq:B2", "not an ISO 639-1"),
        ("preferred_countries", "GB;England", "not ISO 3166 two-letter country codes"),
        ("available_from", "31.02.2026", "is not a date"),
        ("available_to", "2026-02-01", "available_to 2026-02-01 is before available_from"),
        ("available_to", "2026-03-20", "2026-03-01 to 2026-03-20 is 20 days, too short for 4"),
        ("email", "lea at example", "not an e-mail address (write name@domain.org)"),
        ("isco08", "75", "must be four digits"),
        ("fewer_opportunities", "maybe", "is not a yes/no value"),
        ("name", "", "name is required but blank"),
        ("name", "Lea\x1b[31m Schmitz", "control characters"),
        ("name", "x" * 1001, "longer than the 1,000 allowed"),
        ("home_city", "Nirgendwoburg", "not in the offline gazetteer"),
    ],
)
def test_a_bad_cell_is_reported_with_its_row_and_column(column, value, fragment):
    row = with_cell(APPRENTICE_ROW.replace("A-1", "A-2", 1), column, value)
    if column == "home_city":
        row = with_cell(with_cell(row, "home_lat", ""), "home_lon", "")
    result = read_table(apprentices(APPRENTICE_ROW, row), "apprentices", name="a.csv")
    problems = only_problem(result)
    assert [(p.file, p.row, p.column) for p in problems] == [("a.csv", 3, column)], problems
    assert fragment in problems[0].message


def test_giving_only_one_coordinate_is_a_problem():
    row = with_cell(APPRENTICE_ROW, "home_lon", "")
    (problem,) = read_table(apprentices(row), "apprentices").problems
    assert problem.column == "home_lon" and "both latitude and longitude" in problem.message


def test_missing_and_unknown_columns_are_reported_on_the_header_row():
    header = APPRENTICE_HEADER.replace("trade,", "beruf,").replace("home_city", "home_ctiy")
    result = read_table(apprentices(APPRENTICE_ROW, header=header), "apprentices", name="a.csv")
    messages = {(p.row, p.column): p.message for p in only_problem(result)}
    assert "required column 'trade' is missing" in messages[(1, "trade")]
    assert "required column 'home_city' is missing" in messages[(1, "home_city")]
    assert "did you mean 'home_city'" in messages[(1, "home_ctiy")]
    assert "unknown column 'beruf'" in messages[(1, "beruf")]
    assert all(p.row == 1 for p in result.problems)  # reported once, not once per row


def test_unknown_columns_can_be_dropped_on_request():
    header = APPRENTICE_HEADER + ",bemerkung"
    result = read_table(apprentices(APPRENTICE_ROW + ",ruft zurück", header=header),
                        "apprentices", unknown_columns="drop")
    assert result.ok and "bemerkung" not in result.frame.columns


def test_a_placement_naming_an_unknown_company_is_a_problem_when_companies_are_known():
    data = (PLACEMENT_HEADER + "\n" + PLACEMENT_ROW + "\n").encode()
    assert read_table(data, "placements").ok  # not checked when nothing is known
    (problem,) = read_table(data, "placements", known_company_ids={"C-2"}).problems
    assert (problem.row, problem.column) == (2, "company_id")
    assert "company 'C-1' is unknown" in problem.message


def test_a_row_with_too_many_cells_names_its_line():
    bad = APPRENTICE_ROW.replace("51.51494,7.466", "51,51494,7,466")
    (problem,) = read_table(apprentices(APPRENTICE_ROW, bad), "apprentices").problems
    assert problem.row == 3 and "decimal comma" in problem.message


@pytest.mark.parametrize(
    ("data", "name", "fragment"),
    [
        (b"", "empty.csv", "file is empty"),
        (b"   \n\n", "blank.csv", "file is empty"),
        (APPRENTICE_HEADER.encode() + b"\n", "header.csv", "no data rows"),
        ((DATA / "binary_junk.csv").read_bytes(), "junk.csv", "not a readable CSV"),
        ((DATA / "not_really.xlsx").read_bytes(), "not_really.xlsx", "not a valid .xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.xls", "old Excel (.xls)"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "brief.csv", "a PDF document"),
    ],
)
def test_files_that_are_not_tables_get_one_clear_problem_naming_the_file(data, name, fragment):
    (problem,) = read_table(data, "apprentices", name=name).problems
    assert problem.file == name and fragment in problem.message


def test_an_oversize_upload_is_refused_before_it_is_parsed():
    data = apprentices(APPRENTICE_ROW) + b"#" * (UPLOAD_MAX_BYTES + 1)
    (problem,) = read_table(data, "apprentices", name="big.csv",
                            max_bytes=UPLOAD_MAX_BYTES).problems
    assert "more than the limit of 52 MB" in problem.message


def test_an_oversize_file_on_disk_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(apprentices(APPRENTICE_ROW))
    (problem,) = read_table(path, "apprentices", max_bytes=100).problems
    assert problem.file == "big.csv" and "limit" in problem.message


def test_a_missing_file_is_a_problem_not_a_traceback(tmp_path):
    (problem,) = read_table(tmp_path / "nope.csv", "apprentices").problems
    assert "does not exist" in problem.message


def test_one_problem_on_very_many_rows_is_listed_up_to_the_cap_then_counted():
    bad = with_cell(APPRENTICE_ROW, "home_country", "XX")
    rows = [bad.replace("A-1", f"A-{i}", 1) for i in range(MAX_PROBLEMS_PER_CHECK + 50)]
    problems = read_table(apprentices(*rows), "apprentices").problems
    assert len(problems) == MAX_PROBLEMS_PER_CHECK + 1
    assert problems[-1].row is None and "50 more rows" in problems[-1].message


def test_duplicate_partnerships_are_found_whatever_the_case_of_the_names():
    header = "home_city,home_country,partner_city,partner_country"
    data = f"{header}\nDortmund,DE,Leeds,GB\ndortmund,DE,LEEDS,GB\n".encode()
    problems = read_table(data, "partnerships").problems
    assert [p.row for p in problems] == [2, 3] and "duplicate" in problems[0].message


def test_partnership_status_words_in_german_are_normalised():
    header = "home_city,home_country,partner_city,partner_country,status"
    data = (f"{header}\nDortmund,DE,Leeds,GB,aktiv\nDortmund,DE,Amiens,FR,ruhend\n"
            "Köln,DE,Lille,FR,\n").encode()
    result = read_table(data, "partnerships")
    assert result.ok and result.frame["status"].tolist() == ["active", "dormant", "active"]
    assert result.frame["since_year"].isna().all()


def test_an_unknown_kind_is_a_validation_error():
    with pytest.raises(ValidationError, match="unknown kind 'students'"):
        read_table(b"a\n1\n", "students")


def test_empty_frame_has_the_kind_columns_and_dtypes():
    frame = empty_frame("placements")
    assert frame.empty and {c: str(t) for c, t in frame.dtypes.items()} == spec_for(
        "placements").dtypes


def test_a_trailing_separator_as_excel_leaves_it_is_an_empty_column_not_an_error():
    data = b"company_id;name;city;country;\nC1;Joinery;Leeds;GB;\n"
    assert read_table(data, "companies").ok
    (problem,) = read_table(data.replace(b"GB;\n", b"GB;oops\n"), "companies").problems
    assert problem.row == 1 and "column 5 has no header but holds values" in problem.message


def test_a_quoted_cell_that_never_ends_is_named():
    data = apprentices(APPRENTICE_ROW.replace("Lea Schmitz", '"Lea Schmitz'))
    (problem,) = read_table(data, "apprentices", name="q.csv").problems
    assert problem.file == "q.csv" and "never closed" in problem.message


def test_a_placement_window_shorter_than_its_minimum_stay_is_a_problem():
    row = PLACEMENT_ROW.replace("2026-07-31,3,8", "2026-03-14,3,8")
    (problem,) = read_table((PLACEMENT_HEADER + "\n" + row + "\n").encode(),
                            "placements").problems
    assert problem.column == "end" and "14 days, too short for 3 weeks" in problem.message


def test_a_window_too_short_keeps_the_cell_as_written_in_the_value():
    """The explanation ("... is 20 days, too short for 4 weeks") belongs in the message,
    which is translated; the value column shows the person's own cell."""
    row = with_cell(with_cell(APPRENTICE_ROW.replace("A-1", "A-2", 1), "available_to",
                              "2026-03-20"), "desired_weeks", "4")
    (problem,) = only_problem(read_table(apprentices(APPRENTICE_ROW, row), "apprentices",
                                         name="a.csv"))
    assert problem.value == "2026-03-20"
    assert "20 days, too short for 4 weeks" in problem.message
