"""Writing tables back out as CSV or ``.xlsx`` in the import format.

What is written can be imported again unchanged (a round trip gives the same data), and
it is safe to open in a spreadsheet: a text cell starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return would run as a formula there ("CSV injection"), so it gets
a leading apostrophe, which the importer removes again. Numbers in numeric columns,
negative ones included, stay numbers.

Examples
--------
>>> import pandas as pd
>>> neutralise(pd.Series(["=HYPERLINK(\\"x\\")", "Leeds", "-12"], dtype="string")).tolist()
['\\'=HYPERLINK("x")', 'Leeds', "'-12"]
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from mobility.errors import ValidationError
from mobility.io.specs import spec_for
from mobility.io.validation import FORMULA_PATTERN

# Triggers, their fullwidth look-alikes, and both behind zero-width characters.
_RISKY = FORMULA_PATTERN


def neutralise(s: pd.Series) -> pd.Series:
    """Put an apostrophe before text that a spreadsheet would read as a formula.

    Text that already starts with an apostrophe followed by a trigger character gets a
    second one, so that the importer's un-quoting gives back exactly the original.
    """
    text = s.astype("string").fillna("")
    risky = text.str.contains(_RISKY, regex=True)
    if not risky.any():
        return text
    return text.where(~risky, "'" + text)


def export_frame(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The columns of ``kind`` as they go into a file: text neutralised, dates as
    ``YYYY-MM-DD``, booleans as ``true``/``false``, numbers untouched."""
    spec = spec_for(kind)
    missing = [c for c in spec.names if c not in frame.columns]
    if missing:
        raise ValidationError(f"cannot export {kind}: columns {', '.join(missing)} are missing")
    out: dict[str, pd.Series] = {}
    for col in spec.columns:
        s = frame[col.name]
        if col.dtype == "string":
            out[col.name] = neutralise(s)
        elif col.dtype == "datetime64[ns]":
            days = pd.to_datetime(s).to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
            text = days.astype(str).astype(object)
            text[np.isnat(days)] = ""
            out[col.name] = pd.Series(text, index=frame.index, dtype="string")
        elif col.dtype == "bool":
            out[col.name] = pd.Series(np.where(s.to_numpy(dtype=bool), "true", "false"),
                                      index=frame.index, dtype="string")
        else:
            out[col.name] = s
    return pd.DataFrame(out, index=frame.index)


def write_table(frame: pd.DataFrame, kind: str, path: str | os.PathLike) -> Path:
    """Write ``frame`` (a table of ``kind``) to ``path``: ``.csv`` or ``.xlsx``.

    The file appears complete or not at all: it is written next to its destination
    and renamed into place.

    Parameters
    ----------
    frame : DataFrame
        A table with (at least) the columns of ``kind``, as :func:`mobility.io.read_table`
        or :func:`mobility.storage.read_table_from_db` return it.
    kind : {"apprentices", "companies", "placements", "partnerships"}
    path : path
        Destination; the suffix picks the format.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from mobility.io import read_table
    >>> from mobility.io.specs import empty_frame
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "companies.csv"
    >>> _ = write_table(empty_frame("companies"), "companies", target)
    >>> target.read_text().splitlines()[0]
    'company_id,name,city,country,lat,lon,sector,contact_email,website,oid,synthetic'
    """
    target = check_table_path(path)
    return write_file_atomically(export_frame(frame, kind), target, sheet=kind)


def check_table_path(path: str | Path) -> Path:
    """``path`` as a Path, or a ValidationError when it is neither ``.csv`` nor ``.xlsx``."""
    target = Path(path)
    if target.suffix.lower() not in (".csv", ".xlsx"):
        raise ValidationError(f"cannot write {target.name}: use a .csv or .xlsx file name")
    return target


def write_file_atomically(table: pd.DataFrame, path: str | Path, *, sheet: str) -> Path:
    """Write an already formula-safe ``table`` to ``path`` (.csv or .xlsx) under a temporary
    name first and move it into place: a reader never sees half a file, and a failure
    leaves whatever was there before."""
    target = check_table_path(path)
    suffix = target.suffix.lower()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if suffix == ".csv":
            table.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
        else:
            _write_xlsx(table, sheet, tmp)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


#: Formats :func:`table_bytes` writes: the import format as CSV or XLSX, and
#: "Excel (German)": what a German Excel opens with a double click.
EXPORT_FORMATS = ("csv", "xlsx", "excel_de")


def german_excel_frame(table: pd.DataFrame, headers: dict[str, str] | None = None
                       ) -> pd.DataFrame:
    """``table`` as German Excel reads it: every cell text, dates ``05.01.2027``,
    decimal comma, ``ja``/``nein``, text neutralised against formulas, and the columns
    named in German (``headers``, else the ``field.<name>`` translation, else the name).

    >>> frame = pd.DataFrame({"start": pd.to_datetime(["2027-01-05"]), "score": [0.875],
    ...                       "accommodation": [True], "city": ["=Leeds"]})
    >>> german_excel_frame(frame).to_dict("records")
    [{'Beginn': '05.01.2027', 'Eignung': '0,875', 'Unterkunft': 'ja', 'Stadt': "'=Leeds"}]
    """
    from mobility.i18n import all_keys, t

    known = set(all_keys())
    out: dict[str, pd.Series] = {}
    for column in table.columns:
        values = table[column]
        header = (headers or {}).get(column) or (
            t(f"field.{column}", "de") if f"field.{column}" in known else str(column))
        out[header] = _german_cells(values)
    return pd.DataFrame(out, index=table.index)


def _german_cell(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return "ja" if value else "nein"
    if isinstance(value, pd.Timestamp | np.datetime64):
        return pd.Timestamp(value).strftime("%d.%m.%Y")
    if hasattr(value, "isoformat") and not isinstance(value, str):  # datetime.date
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float | np.floating):
        return f"{float(value):.10g}".replace(".", ",")
    if isinstance(value, int | np.integer):
        return str(int(value))
    return str(value)


def _german_cells(values: pd.Series) -> pd.Series:
    if pd.api.types.is_string_dtype(values.dtype) and not pd.api.types.is_object_dtype(
            values.dtype):
        return neutralise(values)
    text = pd.Series([_german_cell(v) for v in values], index=values.index, dtype="string")
    return neutralise(text) if pd.api.types.is_object_dtype(values.dtype) else text


def table_bytes(table: pd.DataFrame, fmt: str, *, sheet: str = "export",
                headers: dict[str, str] | None = None) -> bytes:
    """An already formula-safe ``table`` as file contents: ``csv`` (UTF-8, comma),
    ``xlsx``, or ``excel_de`` (semicolon-separated UTF-8 with byte-order mark, German
    headers, dates and decimal commas: :func:`german_excel_frame`). The one writer
    behind the dashboard's downloads.

    >>> frame = pd.DataFrame({"city": ["Köln"], "end": pd.to_datetime(["2027-09-30"])})
    >>> table_bytes(frame, "excel_de")
    b'\\xef\\xbb\\xbfStadt;Ende\\r\\nK\\xc3\\xb6ln;30.09.2027\\r\\n'
    """
    if fmt == "csv":
        return table.to_csv(index=False).encode("utf-8")
    if fmt == "excel_de":
        text = german_excel_frame(table, headers).to_csv(index=False, sep=";",
                                                         lineterminator="\r\n")
        return text.encode("utf-8-sig")
    if fmt == "xlsx":
        fd, name = tempfile.mkstemp(suffix=".xlsx")
        os.close(fd)
        try:
            _write_xlsx(table, sheet, Path(name))
            return Path(name).read_bytes()
        finally:
            Path(name).unlink(missing_ok=True)
    raise ValidationError(f"export format {fmt!r} is not one of {', '.join(EXPORT_FORMATS)}")


def _write_xlsx(table: pd.DataFrame, kind: str, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(kind)
    sheet.append(list(table.columns))
    text_columns = [table[c].dtype == "string" or table[c].dtype == object
                    for c in table.columns]
    for row in table.itertuples(index=False, name=None):
        cells = []
        for value, is_text in zip(row, text_columns, strict=True):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                cells.append(None)
            elif is_text:
                # Force the string type: openpyxl would otherwise read "=..." as a formula.
                cell = WriteOnlyCell(sheet, value=str(value))
                cell.data_type = "s"
                cells.append(cell)
            elif hasattr(value, "item"):
                cells.append(value.item())  # numpy scalar -> Python number
            else:
                cells.append(value)
        sheet.append(cells)
    book.save(path)
