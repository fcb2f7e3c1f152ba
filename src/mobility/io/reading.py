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
#: Most columns a file may have (the widest import kind has about 20). Checked before
#: parsing: a CSV's header line, a workbook's declared and actual cell positions.
MAX_COLUMNS = 256
#: Most data rows a file may have (the 1,000,000-apprentice benchmark fits twice).
MAX_ROWS = 2_000_000
#: Most rows a worksheet can have (Excel's own limit); a cell below it is damage.
XLSX_MAX_ROW_NUMBER = 1_048_576
#: Most empty rows a worksheet may leave between its data (they cost as much to read
#: as full ones: one cell at row 1,048,576 is a million rows to walk through).
XLSX_MAX_EMPTY_ROWS = 10_000
#: Rows with the wrong number of cells listed one by one (the rest are counted).
MAX_PROBLEM_ROWS = 1000
#: Longest single worksheet row in XML, in bytes (256 full cells need far less).
_XLSX_MAX_ROW_BYTES = 16 * 1024 * 1024

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


def _mixed_encoding(data: bytes, shown: str) -> Problem | None:
    """A file that is not UTF-8 as a whole but has lines that are UTF-8 with accents
    (and others that are not) mixes encodings: reading it either way would store some
    names garbled ("MÃ¼ller"), so it is refused, naming a line of each kind."""
    utf8_line = other_line = None
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other_line = other_line or number
        else:
            utf8_line = utf8_line or number
        if utf8_line and other_line:
            return Problem(
                f"file mixes text encodings: line {utf8_line} is UTF-8, line {other_line} is "
                "not (Windows-1252?); open it in a spreadsheet and save it again as "
                "'CSV UTF-8'", file=shown, row=max(utf8_line, other_line))
    return None


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
    if codec == "cp1252":
        mixed = _mixed_encoding(data, shown)
        if mixed is not None:
            return None, [mixed], []
    head = data[:65536].decode(codec, errors="ignore")
    if _looks_binary(head):
        return None, [junk], []
    first_line = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    separator = max([",", ";", "\t"], key=first_line.count)
    if first_line.count(separator) == 0:
        separator = ","
    # Limits checked on the raw text, before a parser allocates anything per cell.
    if first_line.count(separator) + 1 > MAX_COLUMNS:
        return None, [Problem(
            f"header has more than {MAX_COLUMNS:,} columns ({first_line.count(separator) + 1:,}"
            f"{'+' if len(first_line) >= 65000 else ''}); no import has that many",
            file=shown, row=1)], []
    lines = data.count(b"\n") if codec != "utf-16" else data.count(b"\n\x00")
    if lines > MAX_ROWS + 1:
        return None, [Problem(f"file has {lines:,} lines, more than the {MAX_ROWS:,} rows one "
                              "import may have; split it", file=shown)], []
    if separator != ",":
        notes.append(f"separator {'tab' if separator == chr(9) else repr(separator)}")
    crowded = _crowded_line(data, separator, codec)
    if crowded is not None:
        return None, [Problem(
            f"a line has more than {_MAX_SEPARATORS_PER_LINE:,} separators: far more than "
            f"the {MAX_COLUMNS:,} columns any import has; nothing was read", file=shown,
            row=crowded)], notes
    if len(data) > CAREFUL_MAX_BYTES:
        # Big files go straight to the streaming reader: trying the multi-threaded one
        # first held a whole table (160 MB for a 49 MB upload) before a bad row made it
        # give up; streaming is as fast on two cores and drops a refused file's rows.
        tolerant = _read_csv_tolerant(data, separator, codec, shown)
        if tolerant is not None:
            raw, problems = tolerant
            return raw, problems, notes
    else:
        fast = _read_csv_fast(data, separator, pandas_codec)
        if fast is not None:
            return fast, [], notes
    raw, problems = _read_csv_careful(data.decode(codec), separator, shown)
    return raw, problems, notes


#: Most separators one CSV line may hold before parsing (quoted cells may hold a few).
_MAX_SEPARATORS_PER_LINE = 4 * MAX_COLUMNS
#: Files up to this size that the fast parser rejects are re-read by Python's csv module
#: (exact messages for broken quoting); larger ones by pyarrow, skipping bad rows.
CAREFUL_MAX_BYTES = 4 * 1024 * 1024


def _crowded_line(data: bytes, separator: str, codec: str) -> int | None:
    """The first line (1 = header) with more than :data:`_MAX_SEPARATORS_PER_LINE`
    separators, found before any parser runs; None if none. Only lines longer than
    that many bytes can qualify, and real files have none, so this is one pass of array
    arithmetic over the line breaks."""
    if codec == "utf-16" or data.count(separator.encode()) <= _MAX_SEPARATORS_PER_LINE:
        return None
    import numpy as np

    breaks = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
    ends = np.append(breaks, len(data))
    starts = np.concatenate(([0], breaks + 1))
    for line in np.flatnonzero(ends - starts > _MAX_SEPARATORS_PER_LINE).tolist():
        if data.count(separator.encode(), int(starts[line]), int(ends[line])) \
                > _MAX_SEPARATORS_PER_LINE:
            return line + 1
    return None


def _read_csv_tolerant(data: bytes, separator: str, codec: str,
                       shown: str) -> tuple[pd.DataFrame, list[Problem]] | None:
    """pyarrow's streaming reader, single-threaded so that it numbers rows, skipping rows
    with the wrong number of cells and reporting each (row = record, header = 1, as the
    careful parser counts). For large files: Python's csv module needs ten times the
    memory. None when pyarrow cannot read the file at all (the careful parser then says
    why).

    Once a bad row is found and more good rows have been read than
    :data:`mobility.io.FULL_REPORT_ROWS` (such a file is refused without checking the
    rest), the table is dropped and the reader only counts: a refused upload never
    lives in memory as a table (a 49 MB file grew the process by 250 MB before). The
    frame returned then has the header only, and ``attrs["good_rows"]`` counts the
    rows not read."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    from mobility.io import FULL_REPORT_ROWS

    first = next(csv.reader(io.StringIO(data[:65536].decode(codec, errors="ignore")
                                        .lstrip("\ufeff")), delimiter=separator), [])
    width = len(first)
    if not width:
        return None
    bad: list[tuple[int, int]] = []

    def skip(row) -> str:
        if len(bad) < MAX_PROBLEM_ROWS:
            bad.append((row.number or 0, row.actual_columns))
        else:
            bad.append((0, 0))
        return "skip"

    names = [f"f{i}" for i in range(width)]
    batches: list = []
    read = 0  # records read, the header included
    try:
        reader = pacsv.open_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(use_threads=False, column_names=names,
                                           encoding="utf8" if codec.startswith("utf-8")
                                           else codec, block_size=1 << 20),
            parse_options=pacsv.ParseOptions(delimiter=separator, newlines_in_values=True,
                                              invalid_row_handler=skip),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False))
        for batch in reader:
            read += batch.num_rows
            if bad and read - 1 > FULL_REPORT_ROWS:
                batches.clear()  # refused anyway: count on, keep nothing
            else:
                batches.append(batch)
    except (pa.ArrowException, ValueError, UnicodeError):
        return None
    dropped = bool(bad) and read - 1 > FULL_REPORT_ROWS
    table = (pa.Table.from_batches(batches, schema=reader.schema) if batches and not dropped
             else pa.table({n: pa.array([], pa.string()) for n in names}))
    # Arrow-backed strings: no Python object per cell.
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    header = ([str(c).strip().lstrip("\ufeff") for c in frame.iloc[0].tolist()]
              if len(frame) else [c.strip().lstrip("\ufeff") for c in first])
    body = frame.iloc[1:].reset_index(drop=True)
    body.columns = header
    numbers = {n for n, _ in bad if n}
    records = read - 1 + len(bad)
    problems = [Problem(f"row has {cells} cells but the header has {width}"
                        f"{_width_hint(cells, width, separator)}", file=shown, row=number)
                for number, cells in bad if number]
    if len(bad) > len(problems):
        problems.append(Problem(f"... and {len(bad) - len(problems):,} more rows with the wrong "
                                "number of cells", file=shown))
    if dropped:
        body.attrs["good_rows"] = read - 1
    elif numbers:  # rows after a skipped one keep their own numbers in problems
        body.attrs["row_numbers"] = [n for n in range(2, records + 2)
                                     if n not in numbers][:len(body)]
    body.attrs["data_rows"] = records
    return body, problems


def _width_hint(cells: int, width: int, separator: str) -> str:
    return (" (a decimal comma in a comma-separated file? quote the value or use ';')"
            if cells > width and separator == "," else "")


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
            if len(cells) > MAX_COLUMNS:
                # Hostile or broken: stop here rather than hold millions of cells.
                return None, [Problem(f"row has {len(cells):,} cells, more than the "
                                      f"{MAX_COLUMNS:,} columns any import has; nothing "
                                      "after it was read", file=shown, row=len(records) + 1)]
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
            problems.append(Problem(f"row has {len(cells)} cells but the header has {width}"
                                    f"{_width_hint(len(cells), width, separator)}",
                                    file=shown, row=number))
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
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            scan = _scan_first_sheet(archive, shown)
    except Exception:  # the same damaged workbook openpyxl would refuse below
        return None, invalid, []
    if scan.problems:
        return None, scan.problems, []
    try:
        return _read_workbook(load_workbook, data, shown, scan)
    except Exception:
        # openpyxl, zipfile, zlib and expat each raise their own errors on damaged or
        # hostile workbooks (flipped bytes, entity bombs); to the user they are all one.
        return None, invalid, []


@dataclass
class _SheetScan:
    """What a streaming pass over the first worksheet's XML found, before openpyxl
    reads it: refusals, and formula cells without a stored result (``"C7"``)."""

    problems: list[Problem]
    uncomputed: list[tuple[int, int]]


_DIMENSION = re.compile(rb'<dimension\b[^>]*\bref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_ROW = re.compile(rb"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.DOTALL)
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_CELL_COLUMN = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)\d*"')
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
_STORED_VALUE = re.compile(rb"<v(?:\s[^>]*)?>[^<]")


def _column_number(letters: bytes | str) -> int:
    """``"A"`` -> 1, ``"XFD"`` -> 16384."""
    number = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        number = number * 26 + (ord(ch) - 64)
    return number


_ROW_OPEN = re.compile(rb"<row[\s>/]")
_ROW_POSITION = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_CELL_OPEN = re.compile(rb"<c[\s>/]")


def _column_letters(number: int) -> bytes:
    """16384 -> ``b"XFD"``."""
    letters = b""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = bytes([65 + rest]) + letters
    return letters


def _quick_counts(body: bytes) -> tuple[int, int, int] | None:
    """(rows, highest row, highest column) of a run of whole worksheet rows, with a few
    regular-expression passes and no Python work per cell; None when some row or cell
    has no position (``r``), a formula is present, or a row holds more cells than
    columns allowed: then the rows are looked at one by one."""
    if b"<f" in body:
        return None
    rows = _ROW_POSITION.findall(body)
    if len(rows) != len(_ROW_OPEN.findall(body)):
        return None
    columns = _CELL_COLUMN.findall(body)
    if len(columns) != len(_CELL_OPEN.findall(body)) or len(columns) > MAX_COLUMNS * len(rows):
        return None
    top = max(map(int, rows), default=0)
    column = max(map(_column_number, set(columns)), default=0)
    return len(rows), top, column


def _first_sheet_path(archive) -> str:
    """The part name of the workbook's first sheet (what openpyxl reads as
    ``worksheets[0]``), from ``xl/workbook.xml`` and its relationships."""
    names = set(archive.namelist())
    book = archive.read("xl/workbook.xml")[:1_000_000]
    first = re.search(rb'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]+)"', book)
    rels = "xl/_rels/workbook.xml.rels"
    if first and rels in names:
        for rel in re.finditer(rb"<Relationship\b[^>]*>", archive.read(rels)[:1_000_000]):
            if re.search(rb'\bId="' + re.escape(first.group(1)) + rb'"', rel.group(0)):
                target = re.search(rb'\bTarget="([^"]+)"', rel.group(0))
                if target:
                    path = target.group(1).decode()
                    path = path.lstrip("/") if path.startswith("/") else "xl/" + path
                    if path in names:
                        return path
    return "xl/worksheets/sheet1.xml"


def _scan_first_sheet(archive, shown: str) -> _SheetScan:
    """Stream the first worksheet's XML once, without building cells, and refuse what
    would be out of proportion to read: a declared or actual cell beyond
    :data:`MAX_COLUMNS` or row :data:`XLSX_MAX_ROW_NUMBER`, more than :data:`MAX_ROWS`
    rows, more than :data:`XLSX_MAX_EMPTY_ROWS` empty rows in between. The
    ``<dimension>`` a workbook declares is checked first but not trusted: the cells
    themselves are counted, and the pass stops at the first one out of bounds."""
    problems: list[Problem] = []
    uncomputed: list[tuple[int, int]] = []

    def refuse(message: str, row: int | None = None) -> _SheetScan:
        return _SheetScan([Problem(message, file=shown, row=row)], [])

    wide = (f"a cell beyond column {MAX_COLUMNS:,}: no import has that many columns; copy "
            "the table into a new workbook or save it as CSV")
    rows_seen = last_row = 0
    tail = b""
    checked_dimension = False
    with archive.open(_first_sheet_path(archive)) as sheet:
        while True:
            chunk = sheet.read(1 << 20)
            buffer = tail + chunk
            if not checked_dimension:
                checked_dimension = True
                declared = _DIMENSION.search(buffer[:65536])
                if declared and declared.group(3):
                    if _column_number(declared.group(3)) > MAX_COLUMNS:
                        return refuse(f"the sheet declares {wide}")
                    if int(declared.group(4)) > XLSX_MAX_ROW_NUMBER:
                        return refuse("the sheet declares rows beyond Excel's last row")
            # Whole rows only; the rest waits for the next chunk.
            cut = buffer.rfind(b"</row>")
            end = (cut + len(b"</row>") if cut >= 0 else 0) if chunk else len(buffer)
            body, tail = buffer[:end], buffer[end:]
            if len(tail) > _XLSX_MAX_ROW_BYTES:
                return refuse("one row of the sheet holds megabytes of cells: far more "
                              "than a table row; save it as CSV")
            quick = _quick_counts(body)
            if quick is not None:  # every row and cell says where it is: count in bulk
                rows, top, column = quick
                rows_seen += rows
                last_row = max(last_row, top)
                if column > MAX_COLUMNS:
                    at = re.search(rb'<c\b[^>]*?\br="' + _column_letters(column) + rb'(\d+)"',
                                   body)
                    row = int(at.group(1)) if at else None
                    return refuse(f"row {row or 0:,} has {wide}", row)
                if last_row > XLSX_MAX_ROW_NUMBER:
                    return refuse("a row beyond Excel's last row (damaged workbook)", last_row)
                if rows_seen > MAX_ROWS:
                    return refuse(f"more than {MAX_ROWS:,} rows: split the file", last_row)
                if last_row - rows_seen > XLSX_MAX_EMPTY_ROWS:
                    return refuse(f"more than {XLSX_MAX_EMPTY_ROWS:,} empty rows before row "
                                  f"{last_row:,}: delete them (or save the table as CSV)",
                                  last_row)
                body = b""
            for match in _ROW.finditer(body):
                attributes, cells = match.group(1), match.group(2) or b""
                number = _ROW_NUMBER.search(attributes)
                row = int(number.group(1)) if number else last_row + 1
                last_row = max(last_row, row)
                rows_seen += 1  # an empty row costs openpyxl as much as a full one
                if b"<c" not in cells:
                    continue
                if row > XLSX_MAX_ROW_NUMBER:
                    return refuse("a row beyond Excel's last row (damaged workbook)", row)
                if rows_seen > MAX_ROWS:
                    return refuse(f"more than {MAX_ROWS:,} rows: split the file", row)
                if row - rows_seen > XLSX_MAX_EMPTY_ROWS:
                    return refuse(f"more than {XLSX_MAX_EMPTY_ROWS:,} empty rows before row "
                                  f"{row:,}: delete them (or save the table as CSV)", row)
                count = cells.count(b"<c ") + cells.count(b"<c>") + cells.count(b"<c/>")
                columns = set(_CELL_COLUMN.findall(cells))
                if count > MAX_COLUMNS or any(_column_number(c) > MAX_COLUMNS
                                              for c in columns):
                    return refuse(f"row {row:,} has {wide}", row)
                if b"<f" in cells:
                    uncomputed += _uncomputed_cells(cells, row)
            if not chunk:
                break
    return _SheetScan(problems, uncomputed)


def _uncomputed_cells(cells: bytes, row: int) -> list[tuple[int, int]]:
    """(row, column) of formula cells in one row's XML that carry no stored value."""
    found: list[tuple[int, int]] = []
    position = 0
    for cell in _CELL.finditer(cells):
        position += 1
        attributes, inner = cell.group(1), cell.group(2) or b""
        named = re.search(rb'\br="([A-Z]+)\d*"', attributes)
        position = _column_number(named.group(1)) if named else position
        # openpyxl and other writers that do not calculate leave <v></v> or no <v>.
        if b"<f" in inner and not _STORED_VALUE.search(inner) and b"<is>" not in inner:
            found.append((row, position))
    return found


def _read_workbook(load_workbook, data: bytes, shown: str,
                   scan: _SheetScan) -> tuple[pd.DataFrame | None, list[Problem], list[str]]:
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
        # Every cell is kept, also those right of the last header: a value under no
        # header is refused by validation, as it is in a CSV (the scan bounded the width).
        texts_rows = [[_cell_text(v) for v in cells] for cells in rows]
        header_texts = [_cell_text(h).strip() for h in header]
    finally:
        book.close()
    def used(cells: list[str]) -> int:
        last = len(cells)
        while last and cells[last - 1] == "":
            last -= 1  # trailing empty cells are formatting, not columns
        return last

    width = max([used(header_texts), *(used(r) for r in texts_rows)], default=0)
    names = (header_texts + [""] * width)[:width]
    body = [(r + [""] * width)[:width] for r in texts_rows]
    while body and not any(body[-1]):
        body.pop()  # Excel often reports formatted but empty rows at the end
    problems = [Problem("formula without a stored result (the workbook was written by a "
                        "program that does not calculate): open it in Excel or LibreOffice "
                        "and save it again, or type the value",
                        file=shown, row=row,
                        column=names[col - 1] if 0 < col <= len(names) and names[col - 1]
                        else f"column {col}")
                for row, col in scan.uncomputed]
    if problems:
        return None, problems, []
    notes = [f"sheet {sheet.title!r}"] if len(book.sheetnames) > 1 else []
    return pd.DataFrame(body, columns=names, dtype=str), [], notes
