"""Resource limits (issue 12, item 5): hostile files are refused by their declared or
counted size before anything is built per cell, quickly and in little memory, and one
file never reports more than a bounded number of problems."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pandas as pd
import pytest

from mobility.io import read_table
from mobility.io import reading as reading_module
from mobility.io.reading import MAX_COLUMNS, XLSX_MAX_EMPTY_ROWS
from mobility.io.validation import MAX_PROBLEMS_PER_FILE

#: What a refused upload may cost at most (issue 12: under 2 s and 200 MB).
SECONDS, MEGABYTES = 2.0, 200

HEADER = ("apprentice_id,name,email,sending_organisation,home_city,home_country,trade,"
          "training_year,available_from,available_to,desired_weeks")


def refused_cheaply(data: bytes, name: str):
    """Read ``data``; assert it is refused within the time and memory budget (timed
    without tracemalloc, which slows Python down; memory traced in a second read)."""
    start = time.perf_counter()
    result = read_table(data, "apprentices", name=name)
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    try:
        read_table(data, "apprentices", name=name)
        peak = tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()
    assert not result.ok and result.frame.empty
    assert elapsed < SECONDS, f"{elapsed:.2f} s"
    assert peak < MEGABYTES, f"{peak:.0f} MB"
    assert len(result.problems) <= MAX_PROBLEMS_PER_FILE + 1
    return result


def workbook(sheet_xml: str) -> bytes:
    """A minimal .xlsx around one worksheet's XML (what hostile tools write)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="applicati'
            'on/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" Conten'
            'tType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="appli'
            'cation/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override'
            ' PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats'
            '-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxm'
            'lformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://sch'
            'emas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
            '"xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlform'
            'ats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/offic'
            'eDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
            '</sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxm'
            'lformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://sch'
            'emas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="work'
            'sheets/sheet1.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlfor'
            f'mats.org/spreadsheetml/2006/main">{sheet_xml}</worksheet>'),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _header_row() -> str:
    cells = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>'
                    for i, h in enumerate(HEADER.split(",")))
    return f'<row r="1">{cells}</row>'


def test_the_minimal_workbook_helper_makes_a_readable_workbook():
    data = workbook(f"<sheetData>{_header_row()}</sheetData>")
    result = read_table(data, "apprentices", name="ok.xlsx")
    assert [p.message for p in result.problems] == ["file has a header but no data rows"]


def test_one_cell_at_the_last_excel_row_is_refused_at_once():
    data = workbook(f'<sheetData>{_header_row()}<row r="1048576"><c r="A1048576" '
                    't="inlineStr"><is><t>x</t></is></c></row></sheetData>')
    assert len(data) < 3000
    result = refused_cheaply(data, "far.xlsx")
    assert f"more than {XLSX_MAX_EMPTY_ROWS:,} empty rows" in result.problems[0].message


def test_a_declared_dimension_beyond_the_column_limit_is_refused_unread():
    data = workbook(f'<dimension ref="A1:XFD1048576"/><sheetData>{_header_row()}</sheetData>')
    result = refused_cheaply(data, "declared.xlsx")
    assert "declares" in result.problems[0].message


def test_150000_cells_in_column_xfd_behind_a_lying_dimension_are_refused():
    rows = "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>'
                   for r in range(2, 150_002))
    data = workbook(f'<dimension ref="A1:K2"/><sheetData>{_header_row()}{rows}</sheetData>')
    result = refused_cheaply(data, "xfd.xlsx")
    assert f"beyond column {MAX_COLUMNS}" in result.problems[0].message
    assert result.problems[0].row == 2


def test_a_row_with_too_many_cells_without_positions_is_refused():
    cells = "<c><v>1</v></c>" * (MAX_COLUMNS + 1)
    data = workbook(f'<sheetData>{_header_row()}<row>{cells}</row></sheetData>')
    refused_cheaply(data, "wide.xlsx")


def test_a_csv_header_with_a_million_columns_is_refused_before_parsing():
    data = ",".join(f"c{i}" for i in range(1_000_000)).encode() + b"\n1,2\n"
    result = refused_cheaply(data, "wide.csv")
    assert len(result.problems) == 1 and result.problems[0].row == 1


def test_a_csv_row_with_a_million_cells_stops_the_reader_there():
    data = (HEADER + "\n" + "x," * 1_000_000 + "\n").encode()
    result = refused_cheaply(data, "widerow.csv")
    assert len(result.problems) == 1 and result.problems[0].row == 2


def test_problems_are_capped_per_file_and_the_rest_counted():
    row = "A{i},,not-an-email,HWK Dortmund,Dortmund,XX,Nonsense,9,someday,never,0"
    data = (HEADER + "\n" + "\n".join(row.format(i=i) for i in range(3000)) + "\n").encode()
    result = refused_cheaply(data, "many.csv")
    assert len(result.problems) == MAX_PROBLEMS_PER_FILE + 1
    last = result.problems[-1].message
    assert last.startswith("... and ") and "more problems in this file" in last


def test_a_file_with_more_lines_than_the_row_limit_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(reading_module, "MAX_ROWS", 10)
    row = "A{i},Lea,lea@example.org,HWK Dortmund,Dortmund,DE,Koch,2,2026-03-01,2026-05-31,4"
    data = (HEADER + "\n" + "\n".join(row.format(i=i) for i in range(20)) + "\n").encode()
    result = refused_cheaply(data, "long.csv")
    assert "more than the 10 rows" in result.problems[0].message


@pytest.mark.parametrize("rows", [5, 50])
def test_ordinary_workbooks_with_a_true_dimension_are_still_read(rows):
    body = "".join(
        f'<row r="{r}">' + "".join(
            f'<c r="{chr(65 + i)}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
            for i, v in enumerate(f"A{r},Lea,lea@example.org,HWK Dortmund,Dortmund,DE,Koch,2,"
                                  "2026-03-01,2026-05-31,4".split(","))) + "</row>"
        for r in range(2, rows + 2))
    data = workbook(f'<dimension ref="A1:K{rows + 1}"/><sheetData>{_header_row()}'
                    f'{body}<row r="{rows + 2}" spans="1:11"/></sheetData>')
    result = read_table(data, "apprentices", name="ok.xlsx")
    assert result.ok, result.problems[:3]
    assert len(result.frame) == rows


def test_security_md_states_the_limits_in_force_and_names_tests_that_exist():
    import re
    from pathlib import Path

    from mobility.io.reading import CLI_MAX_BYTES, MAX_ROWS, UPLOAD_MAX_BYTES
    from mobility.io.validation import INT_RANGE, MAX_CELL_CHARS

    root = Path(__file__).resolve().parents[1]
    text = (root / "SECURITY.md").read_text(encoding="utf-8")
    for figure in (f"{UPLOAD_MAX_BYTES // 2**20} MB", f"{CLI_MAX_BYTES // 2**20} MB",
                   f"{MAX_COLUMNS} (`MAX_COLUMNS`)", f"{MAX_ROWS:,} (`MAX_ROWS`)",
                   f"{XLSX_MAX_EMPTY_ROWS:,} (`XLSX_MAX_EMPTY_ROWS`)",
                   f"{MAX_CELL_CHARS:,} characters", f"{MAX_PROBLEMS_PER_FILE:,} listed",
                   f"0 to {INT_RANGE[1]:,}"):
        assert figure in text, figure
    named = re.findall(r"(tests/[\w/]+\.py)(?:::(\w+))?", text)
    assert len(named) > 10
    for path, test in named:
        source = (root / path).read_text(encoding="utf-8")
        assert not test or f"def {test}(" in source, f"{path}::{test}"
    for test in re.findall(r"`::(\w+)`", text):
        assert any(f"def {test}(" in (root / p).read_text(encoding="utf-8")
                   for p, _ in named), test


def test_the_large_file_reader_numbers_bad_rows_like_the_careful_one(monkeypatch):
    """Files above CAREFUL_MAX_BYTES go to pyarrow's tolerant reader (Python's csv module
    needed ten times the file's size in memory): same problems, same kept rows."""
    rows = [
        "A1,Lea,lea@example.org,HWK Dortmund,Dortmund,DE,Koch,2,2026-03-01,2026-05-31,4",
        "A2,Lea,lea@example.org,HWK Dortmund,Dortmund,DE,Koch,2,2026-03-01,2026-05-31,4,x",
        "",
        'A3,"Lea\nZwei",lea@example.org,HWK Dortmund,Dortmund,DE,Koch,2,2026-03-01,'
        "2026-05-31,4",
        "A4,Lea,lea@example.org,HWK Dortmund",
        "A5,Lea,lea@example.org,HWK Dortmund,Dortmund,DE,Koch,2,2026-03-01,2026-05-31,4",
    ]
    data = (HEADER + "\n" + "\n".join(rows) + "\n").encode()
    careful = read_table(data, "apprentices", name="r.csv")
    monkeypatch.setattr(reading_module, "CAREFUL_MAX_BYTES", 0)
    tolerant = read_table(data, "apprentices", name="r.csv")
    assert [(p.row, p.message) for p in tolerant.problems] == [
        (p.row, p.message) for p in careful.problems]
    assert [p.row for p in careful.problems] == [3, 5]
    assert tolerant.rows_read == careful.rows_read == 5


def test_a_big_file_with_bad_rows_is_refused_without_checking_every_cell():
    good = "A{i},Lea,lea@example.org,HWK Dortmund,Dortmund,DE,Koch,2,2026-03-01,2026-05-31,4"
    lines = [good.format(i=i) for i in range(60_000)]
    lines[30_000] += ",extra"
    data = (HEADER + "\n" + "\n".join(lines) + "\n").encode()
    result = refused_cheaply(data, "big.csv")
    assert [p.row for p in result.problems] == [30_002, None]
    assert "not checked yet" in result.problems[-1].message


def test_a_full_size_upload_with_a_bad_last_row_stays_under_the_memory_budget():
    """Measured by the kernel in a fresh process (tests/memory_probe.py), not by
    tracemalloc, which does not see pyarrow's memory: the old reader grew the process by
    250 MB for this 49 MB file (a whole table, built twice, then refused)."""
    from memory_probe import reading_growth_mb
    from mobility.io import UPLOAD_MAX_BYTES

    good = b"A%d,Lea,lea@example.org,HWK Dortmund,Dortmund,DE,Koch,2,2026-03-01,2026-05-31,4"
    rows = UPLOAD_MAX_BYTES // (len(good) + 6) - 10
    data = (HEADER.encode() + b"\n" + b"\n".join(good % i for i in range(rows)) + b"\n"
            + b"x," * 300)
    assert len(data) > 0.9 * UPLOAD_MAX_BYTES
    growth, accepted = reading_growth_mb(data)
    assert not accepted
    assert growth < MEGABYTES, f"{growth:.0f} MB"


def test_big_and_small_files_read_the_same(monkeypatch):
    """Above CAREFUL_MAX_BYTES a good file is read by the streaming reader, below it by
    the multi-threaded one: the same frame either way."""
    rows = ['A1,"Lea, Marie",lea@example.org,HWK Dortmund,Köln,DE,Koch,2,2026-03-01,'
            '2026-05-31,4,',
            'A2,"Zoë ""Z"" Ünal",,HWK Dortmund,Dortmund,DE,Koch,2,2026-03-02,2026-05-31,4,',
            'A3,"two\nlines",x@example.org,"",Dortmund,DE,Koch,2,2026-03-01,2026-05-31,6,']
    data = ("\ufeff" + HEADER + ",\n" + "\n".join(rows) + "\n").encode()
    small = read_table(data, "apprentices", name="s.csv")
    monkeypatch.setattr(reading_module, "CAREFUL_MAX_BYTES", 0)
    big = read_table(data, "apprentices", name="s.csv")
    assert small.ok and big.ok and len(small.frame) == 3
    assert big.rows_read == small.rows_read == 3
    pd.testing.assert_frame_equal(big.frame, small.frame)
