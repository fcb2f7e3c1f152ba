"""Reading, validating and writing the import files: the one place for file formats.

:func:`read_table` takes a CSV or ``.xlsx`` file (a path, bytes, or an upload) and
returns an :class:`ImportResult`: either a validated DataFrame with exactly the columns
and dtypes of the shared format (see ``docs/data-format.md`` and
:mod:`mobility.io.specs`), or every problem found, each naming file, row and column.
:func:`write_table` writes the same format back.

Examples
--------
>>> from mobility.io import read_table, raise_for_problems
>>> csv = (b"company_id;name;city;country;lat;lon\\n"
...        b"C1;Joinery Ltd;Leeds;GB;53,8;-1,55\\n"
...        b"C2;Atelier Bois;Amiens;FR;;\\n")
>>> result = read_table(csv, "companies", name="hosts.csv")
>>> result.ok, len(result.frame)
(True, 2)
>>> result.frame.loc[0, "lat"], round(result.frame.loc[1, "lat"], 1)
(np.float64(53.8), np.float64(49.9))
>>> bad = read_table(b"company_id,name,city,country\\nC1,,Leeds,UK\\n", "companies",
...                  name="bad.csv")
>>> for p in bad.problems: print(p)
bad.csv, row 2, column 'name': name is required but blank
bad.csv, row 2, column 'country': 'UK' is not an ISO 3166 two-letter country code (e.g. DE, FR, GB)
>>> raise_for_problems(bad)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
mobility.errors.ValidationError: bad.csv: 2 problems, nothing imported
  - bad.csv, row 2, column 'name': name is required but blank
  - bad.csv, row 2, column 'country': 'UK' is not an ISO 3166 two-letter country code ...
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import pandas as pd

from mobility.errors import Problem, ValidationError
from mobility.io.reading import CLI_MAX_BYTES, UPLOAD_MAX_BYTES, Source, read_raw
from mobility.io.specs import KINDS, SPECS, ColumnSpec, TableSpec, empty_frame, spec_for
from mobility.io.validation import cap_problems, validate_frame
from mobility.io.writing import write_table
from mobility.progress import ProgressCallback, Stages

__all__ = [
    "CLI_MAX_BYTES",
    "KINDS",
    "SPECS",
    "UPLOAD_MAX_BYTES",
    "ColumnSpec",
    "ImportResult",
    "TableSpec",
    "empty_frame",
    "raise_for_problems",
    "read_table",
    "read_tables",
    "spec_for",
    "validate_frame",
    "write_table",
]


#: Files with more data rows than this whose rows do not all have the right number of
#: cells are refused with those rows listed, without checking the other rows' cells.
FULL_REPORT_ROWS = 20_000


@dataclass(frozen=True)
class ImportResult:
    """What reading one file gave.

    Attributes
    ----------
    kind : str
        The kind of table read.
    name : str
        The file name shown in messages.
    frame : DataFrame
        The validated table. When there are problems it is an empty table of the right
        shape, so nothing half-valid can be stored by mistake.
    problems : tuple of Problem
        Everything wrong, in the order found (header problems first).
    notes : tuple of str
        What was handled silently: encoding, separator, coordinates filled from the
        gazetteer, ISCO codes taken from trades.
    rows_read : int
        Data rows in the file.
    """

    kind: str
    name: str
    frame: pd.DataFrame
    problems: tuple[Problem, ...]
    notes: tuple[str, ...]
    rows_read: int

    @property
    def ok(self) -> bool:
        return not self.problems

    def problems_frame(self) -> pd.DataFrame:
        """The problems as a table (file, row, column, value, message) for display."""
        return pd.DataFrame([p.as_dict() for p in self.problems],
                            columns=["file", "row", "column", "value", "message"])


def read_table(
    source: Source,
    kind: str,
    *,
    name: str | None = None,
    max_bytes: int = CLI_MAX_BYTES,
    known_company_ids: Collection[str] | None = None,
    unknown_columns: str = "error",
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Read and validate one CSV or ``.xlsx`` file of ``kind``.

    Parameters
    ----------
    source : path, bytes or binary file-like
        The file. Uploads (``st.file_uploader``) can be passed directly.
    kind : {"apprentices", "companies", "placements", "partnerships"}
    name : str, optional
        Name shown in problems; defaults to the file's own name.
    max_bytes : int
        Larger files are refused before being read: :data:`CLI_MAX_BYTES` (300 MB) by
        default, pass :data:`UPLOAD_MAX_BYTES` (50 MB) for uploads in the app.
    known_company_ids : collection of str, optional
        For placements: company ids that exist; others are reported.
    unknown_columns : {"error", "drop"}
        Whether columns outside the format are a problem (default) or dropped.
    progress : callable, optional
        ``(fraction, message)`` callback.

    Returns
    -------
    ImportResult
        Never raises for bad input; call :func:`raise_for_problems` to turn problems
        into a :class:`~mobility.errors.ValidationError`.
    """
    spec_for(kind)  # an unknown kind is a programming error, raised at once
    shown = name or _source_name(source)
    with Stages(progress, ["read file", "validate"]) as stages:
        stages.next("read file")
        raw, problems, notes = read_raw(source, name=name, max_bytes=max_bytes)
        if raw is None:
            return ImportResult(kind, shown, empty_frame(kind), tuple(cap_problems(problems)),
                                tuple(notes), 0)
        if problems:  # rows with the wrong number of cells: the rest is not trustworthy
            shown = problems[0].file or shown
            good_rows = raw.attrs.get("good_rows", len(raw))
            if good_rows > FULL_REPORT_ROWS:
                # A big file that is already refused: say why now rather than spend
                # seconds checking every other cell (issue 12: refusals stay cheap).
                more = Problem(f"the other {good_rows:,} rows were not checked yet: fix "
                               "these rows first", file=shown)
                return ImportResult(kind, _display(shown), empty_frame(kind),
                                    tuple(cap_problems([*problems, more])), tuple(notes),
                                    raw.attrs.get("data_rows", len(raw)))
        stages.next("validate")
        frame, more, fill_notes = validate_frame(
            raw, kind, name=problems[0].file if problems else _display(shown),
            known_company_ids=known_company_ids, unknown_columns=unknown_columns,
            row_numbers=raw.attrs.get("row_numbers"))
    problems = cap_problems([*problems, *more])
    if problems:
        frame = empty_frame(kind)
    rows_read = raw.attrs.get("data_rows", len(raw))
    return ImportResult(kind, _display(shown), frame, tuple(problems),
                        tuple([*notes, *fill_notes]), rows_read)


def read_tables(
    sources: Mapping[str, Source],
    *,
    known_company_ids: Collection[str] | None = None,
    max_bytes: int = CLI_MAX_BYTES,
) -> dict[str, ImportResult]:
    r"""Read a set of files, one per kind, checking them against each other.

    Placements may name companies from the companies file of the same set as well as
    ``known_company_ids`` (those already stored). Store the set with
    :func:`mobility.storage.upsert_tables` in one transaction.

    Parameters
    ----------
    sources : mapping of kind to source
        For example ``{"companies": "hosts.csv", "placements": "offers.xlsx"}``.
    known_company_ids : collection of str, optional
        Company ids that exist already. When neither these nor a companies file are
        given, placements' company ids are not checked.
    max_bytes : int
        Size limit per file.

    Examples
    --------
    >>> results = read_tables({
    ...     "companies": b"company_id,name,city,country\nC1,Joinery,Leeds,GB\n",
    ...     "placements": b"placement_id,company_id,trade,city,country,slots,start,end,"
    ...                   b"min_weeks,max_weeks\nP1,C9,Tischler,Leeds,GB,1,2026-03-01,"
    ...                   b"2026-06-30,2,6\n"})
    >>> print(results["placements"].problems[0].message)
    company 'C9' is unknown: import it in companies first
    """
    for kind in sources:
        spec_for(kind)
    results: dict[str, ImportResult] = {}
    for kind in [k for k in KINDS if k in sources]:
        known: set[str] | None = None
        if kind == "placements":
            companies = results.get("companies")
            if companies is not None and not companies.ok:
                known = None  # the companies file's own problems already block the set
            elif companies is not None or known_company_ids is not None:
                known = set(known_company_ids or ())
                if companies is not None:
                    known |= set(companies.frame["company_id"])
        results[kind] = read_table(sources[kind], kind, known_company_ids=known,
                                   max_bytes=max_bytes)
    return results


def _source_name(source: Source) -> str:
    import os
    from pathlib import Path

    if isinstance(source, (str, os.PathLike)):
        return Path(source).name
    return str(getattr(source, "name", None) or "upload")


def _display(name: str) -> str:
    from pathlib import Path

    return Path(str(name)).name


def raise_for_problems(result: ImportResult) -> pd.DataFrame:
    """Return the validated frame, or raise :class:`ValidationError` with every problem."""
    if result.problems:
        count = len(result.problems)
        raise ValidationError(
            f"{result.name}: {count:,} problem{'s' if count != 1 else ''}, nothing imported",
            problems=result.problems,
        )
    return result.frame
