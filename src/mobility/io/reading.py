"""Turning a file (path, bytes or upload) into a table of text cells.

This layer knows file formats and nothing about apprentices: it finds out whether the
bytes are CSV or ``.xlsx``, which encoding and separator a CSV uses, and hands back a
DataFrame whose cells are all strings (blank cells are ``""``). What the cells mean is
checked afterwards, in :mod:`mobility.io.validation`.

What is accepted:

* CSV separated by comma, semicolon (German Excel) or tab, UTF-8 with or without a
  byte-order mark, UTF-16 with a byte-order mark ("Unicode text"), or Windows-1252 as
  German Excel saves "CSV (Trennzeichen-getrennt)".
* ``.xlsx`` workbooks (the first sheet), read with openpyxl.

Examples
--------
>>> raw, problems, notes = read_raw(b"a;b\\n1,5;x\\n", name="t.csv")
>>> raw.to_dict("records"), problems
([{'a': '1,5', 'b': 'x'}], [])
"""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO

import pandas as pd

from mobility.errors import Problem

#: Largest file the command line reads (the 1,000,000-apprentice benchmark file is
#: about 225 MB; 512 MB leaves room for wider files).
CLI_MAX_BYTES = 512 * 1024 * 1024
#: A workbook is a zip archive: refuse ones that unpack to more than this ...
XLSX_MAX_UNPACKED_BYTES = 2 * 1024 * 1024 * 1024
#: ... or that unpack to more than this many times their size (real workbooks: 5-30x).
XLSX_MAX_RATIO = 100
#: Largest file the dashboard accepts as an upload: bigger caseloads go through the
#: command line, which does not hold a browser session open while it works.
UPLOAD_MAX_BYTES = 50 * 1024 * 1024

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls / .doc
_OTHER_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
}
Source = str | os.PathLike | bytes | bytearray | memoryview | IO[bytes]


@dataclass(frozen=True, slots=True)
class RawFile:
    """The bytes of an input and the name to show in messages."""

    data: bytes
    name: str


def load_source(source: Source, *, name: str | None, max_bytes: int) -> tuple[RawFile | None,
                                                                                list[Problem]]:
    """Read ``source`` into memory, refusing files above ``max_bytes`` before reading them."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        shown = name or path.name
        if not path.is_file():
            return None, [Problem(f"file {str(path)!r} does not exist", file=shown)]
        size = path.stat().st_size
        if size > max_bytes:
            return None, [_too_big(shown, size, max_bytes)]
        return RawFile(path.read_bytes(), shown), []
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        shown = name or "upload"
    elif hasattr(source, "getvalue"):  # Streamlit's UploadedFile, io.BytesIO
        data = bytes(source.getvalue())
        shown = name or getattr(source, "name", None) or "upload"
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
        shown = name or getattr(source, "name", None) or "upload"
    else:
        raise TypeError(f"cannot read a table from {type(source).__name__}")
    shown = Path(str(shown)).name
    if len(data) > max_bytes:
        return None, [_too_big(shown, len(data), max_bytes)]
    return RawFile(data, shown), []


def _too_big(name: str, size: int, limit: int) -> Problem:
    return Problem(
        f"file is {size / 1e6:,.1f} MB, more than the limit of {limit / 1e6:,.0f} MB; "
        "split it or use the command line (mobility import)",
        file=name,
    )


def read_raw(
    source: Source, *, name: str | None = None, max_bytes: int = CLI_MAX_BYTES
) -> tuple[pd.DataFrame | None, list[Problem], list[str]]:
    """Read any accepted file into a DataFrame of strings.

    Returns
    -------
    raw : DataFrame or None
        Header names as written (stripped), every cell a string, blanks as ``""``;
        None when the file could not be read at all.
    problems : list of Problem
        Why the file could not be read, or rows that had the wrong number of cells.
    notes : list of str
        What the reader noticed and handled (encoding, separator).
    """
    raw_file, problems = load_source(source, name=name, max_bytes=max_bytes)
    if raw_file is None:
        return None, problems, []
    data, shown = raw_file.data, raw_file.name
    if not data[:4096].strip() and not data.strip():
        return None, [Problem("file is empty", file=shown)], []
    if data.startswith(_ZIP_MAGIC) or shown.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data, shown)
    if data.startswith(_OLE_MAGIC) or shown.lower().endswith(".xls"):
        return None, [Problem(
            "this is an old Excel (.xls) or other Office file: save it as .xlsx or CSV",
            file=shown)], []
    for magic, what in _OTHER_MAGIC.items():
        if data.startswith(magic):
            return None, [Problem(f"this is {what}, not a CSV or .xlsx spreadsheet",
                                  file=shown)], []
    return _read_csv(data, shown)


# ---------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------


def _decode_header(data: bytes) -> tuple[str | None, str, list[str]]:
    """Pick the encoding: (python codec, codec for pandas, notes); codec None = junk."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", "utf-16", ["read as UTF-16 (Excel 'Unicode text')"]
    codec = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        data.decode(codec)
        return codec, codec, []
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return None, "", []
    return "cp1252", "cp1252", ["not UTF-8: read as Windows-1252 (German Excel 'CSV')"]


def _looks_binary(text: str) -> bool:
    """NUL bytes or many control characters: not a text table."""
    if "\x00" in text:
        return True
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    return controls > max(2, len(text) // 100)


_UNNAMED = re.compile(r"^Unnamed: \d+$")


def _read_csv_fast(data: bytes, separator: str, codec: str) -> pd.DataFrame | None:
    """pyarrow's multi-threaded parser: about four times faster than pandas' own. It
    cannot say on which line a row has too many cells, so any irregularity sends the
    file to the slower parser that can (None)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            raw = pd.read_csv(io.BytesIO(data), sep=separator, engine="pyarrow",
                              dtype="string[pyarrow]", keep_default_na=False,
                              on_bad_lines="warn", encoding=codec)
        except Exception:  # any complaint: let the careful parser find and name it
            return None
    if caught or len(set(raw.columns)) != len(raw.columns):
        return None
    # pandas names blank headers "Unnamed: 4": give them back their blank name, so that a
    # trailing separator (as Excel leaves it) is an empty column, not an unknown one.
    raw.columns = ["" if _UNNAMED.match(str(c)) else str(c).strip().lstrip("\ufeff")
                   for c in raw.columns]
    return raw.fillna("")


def _read_csv(data: bytes, shown: str) -> tuple[pd.DataFrame | None, list[Problem], list[str]]:
    codec, pandas_codec, notes = _decode_header(data)
    junk = Problem("file is not a readable CSV or .xlsx spreadsheet (binary content or an "
                   "unknown text encoding); save it as CSV UTF-8 or .xlsx", file=shown)
    if codec is None:
        return None, [junk], []
    head = data[:65536].decode(codec, errors="ignore")
    if _looks_binary(head):
        return None, [junk], []
    first_line = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    separator = max([",", ";", "\t"], key=first_line.count)
    if first_line.count(separator) == 0:
        separator = ","
    if separator != ",":
        notes.append(f"separator {'tab' if separator == chr(9) else repr(separator)}")
    fast = _read_csv_fast(data, separator, pandas_codec)
    if fast is not None:
        return fast, [], notes
    raw, problems = _read_csv_careful(data.decode(codec), separator, shown)
    return raw, problems, notes


def _read_csv_careful(text: str, separator: str,
                      shown: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Python's csv module, record by record: slower, but it can say which row has too
    many or too few cells and where a quoted cell never ends."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=separator,
                        strict=True)
    records: list[list[str]] = []
    problems: list[Problem] = []
    try:
        for cells in reader:
            if not cells or not any(c.strip() for c in cells):
                continue  # blank lines, as spreadsheets leave them at the end
            records.append(cells)
    except csv.Error as exc:
        return None, [Problem(f"file is not a valid CSV table: {exc} (a quote that is never "
                              f"closed?) near line {reader.line_num}", file=shown)]
    if not records:
        return None, [Problem("file is empty", file=shown)]
    header = [c.strip() for c in records[0]]
    width = len(header)
    body = records[1:]
    for number, cells in enumerate(body, start=2):
        if len(cells) != width:
            hint = (" (a decimal comma in a comma-separated file? quote the value or use ';')"
                    if len(cells) > width and separator == "," else "")
            problems.append(Problem(f"row has {len(cells)} cells but the header has {width}"
                                    f"{hint}", file=shown, row=number))
    # Rows with the wrong number of cells are reported once and left out: their cells
    # sit under the wrong headers, and checking them would only add confusing problems.
    kept = [(number, cells) for number, cells in enumerate(body, start=2)
            if len(cells) == width]
    raw = pd.DataFrame([cells for _, cells in kept], columns=range(width), dtype="string")
    raw.columns = header
    raw.attrs["row_numbers"] = [number for number, _ in kept]
    raw.attrs["data_rows"] = len(body)
    return raw, problems


# ---------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    """An Excel cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _read_xlsx(data: bytes, shown: str) -> tuple[pd.DataFrame | None, list[Problem], list[str]]:
    import zipfile

    from openpyxl import load_workbook

    invalid = [Problem("file is not a valid .xlsx workbook (damaged or not a spreadsheet); "
                       "save it again as .xlsx or CSV", file=shown)]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except Exception:  # any complaint of the zip layer means the same to the user
        return None, invalid, []
    if unpacked > XLSX_MAX_UNPACKED_BYTES or (
            unpacked > 10 * 1024 * 1024 and unpacked > XLSX_MAX_RATIO * len(data)):
        return None, [Problem(
            f"workbook unpacks to {unpacked / 1e6:,.0f} MB from {len(data) / 1e6:,.1f} MB, "
            "far more than a spreadsheet does (a zip bomb?); save it as CSV", file=shown)], []
    try:
        return _read_workbook(load_workbook, data, shown)
    except Exception:
        # openpyxl, zipfile, zlib and expat each raise their own errors on damaged or
        # hostile workbooks (flipped bytes, entity bombs); to the user they are all one.
        return None, invalid, []


def _read_workbook(load_workbook, data: bytes,
                   shown: str) -> tuple[pd.DataFrame | None, list[Problem], list[str]]:
    # data_only: formulas give their last computed value, never their source text.
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        # Without this, openpyxl reads the whole sheet once just to size it.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return None, [Problem("workbook's first sheet is empty", file=shown)], []
        width = len(header)
        while width and header[width - 1] in (None, ""):
            width -= 1  # trailing empty header cells are formatting, not columns
        names = [_cell_text(h).strip() for h in header[:width]]
        body: list[list[str]] = []
        for cells in rows:
            texts = [_cell_text(v) for v in cells[:width]]
            texts += [""] * (width - len(texts))
            body.append(texts)
    finally:
        book.close()
    while body and not any(body[-1]):
        body.pop()  # Excel often reports formatted but empty rows at the end
    notes = [f"sheet {sheet.title!r}"] if len(book.sheetnames) > 1 else []
    return pd.DataFrame(body, columns=names, dtype=str), [], notes
