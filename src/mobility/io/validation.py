"""Checking a table of text cells against its :class:`~mobility.io.specs.TableSpec`.

Validation is done once, here, at the boundary, and it is vectorised: every check is a
pandas column operation, and the expensive lookups (trades, languages, countries,
cities, dates) run once per *distinct* value, of which real files have few. A million
rows validate in seconds.

Every problem found is reported, not only the first, each with file, row (header =
row 1, as a spreadsheet shows it) and column. When one check fails on very many rows,
the first :data:`MAX_PROBLEMS_PER_CHECK` are listed and one more line counts the rest.

Examples
--------
>>> import pandas as pd
>>> raw = pd.DataFrame({"company_id": ["C1", "C1"], "name": ["A", "B"],
...                     "city": ["Leeds", "Leeds"], "country": ["GB", "XX"]})
>>> frame, problems, notes = validate_frame(raw, "companies", name="c.csv")
>>> for p in problems: print(p)
c.csv, row 3, column 'country': 'XX' is not an ISO 3166 two-letter country code (e.g. DE, FR, GB)
c.csv, row 2, column 'company_id': duplicate id 'C1' (rows 2, 3)
c.csv, row 3, column 'company_id': duplicate id 'C1' (rows 2, 3)
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Collection
from datetime import date

import numpy as np
import pandas as pd

from mobility.errors import Problem, ValidationError
from mobility.io.specs import ColumnSpec, TableSpec, spec_for
from mobility.models import PartnershipStatus, country_codes, format_languages, parse_languages
from mobility.oids import is_valid_oid

#: How many rows one failing check lists before it summarises the rest.
MAX_PROBLEMS_PER_CHECK = 1000
#: How many problems one file reports at most; one more line says how many were left out.
MAX_PROBLEMS_PER_FILE = 2000

TRUE_WORDS = frozenset({"true", "yes", "y", "ja", "j", "1", "x", "wahr", "t", "oui", "si"})
FALSE_WORDS = frozenset({"false", "no", "n", "nein", "0", "", "falsch", "f", "non"})

#: Characters that make a spreadsheet treat a cell as a formula. The exporter puts an
#: apostrophe in front of text cells starting with one of them; the reader removes it.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Look-alikes that some spreadsheets (East Asian input, fullwidth forms) also start a
#: formula with: fullwidth and small = + - @, and the minus sign.
FORMULA_LOOKALIKES = ("\uff1d", "\uff0b", "\uff0d", "\uff20", "\ufe66", "\ufe62", "\ufe63",
                      "\ufe6b", "\u2212")
#: Invisible characters a formula may hide behind: zero-width spaces and joiners, word
#: joiner, soft hyphen, byte-order mark, direction marks and overrides, and spaces.
_INVISIBLE_PREFIX = "[ \u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*"
#: Text matching this is neutralised on export (an apostrophe in front) and un-quoted on
#: import: a formula trigger or look-alike, possibly behind invisible characters, and
#: possibly behind an apostrophe already (which then gets doubled).
FORMULA_PATTERN = ("^'?" + _INVISIBLE_PREFIX + "["
                   + "".join(re.escape(c) for c in FORMULA_TRIGGERS + FORMULA_LOOKALIKES) + "]")

#: How many municipalities a "which one did you mean" problem lists by name.
MAX_CHOICES_SHOWN = 5

_EMAIL = r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$"
_ISCO = r"^\d{4}$"
_HEADER_JUNK = re.compile(r"[\s\-./]+")


class _Collector:
    """Gathers problems for one file, capping how many rows one check lists."""

    def __init__(self, name: str, rows: int, row_numbers=None) -> None:
        self.name = name
        self.rows = rows
        # Spreadsheet row of each data row: header = 1, so normally position + 2.
        self.row_numbers = (np.arange(rows) + 2 if row_numbers is None
                            else np.asarray(row_numbers, dtype=int))
        self.problems: list[Problem] = []

    def header(self, message: str, column: str | None = None) -> None:
        self.problems.append(Problem(message, file=self.name, row=1, column=column))

    def rows_where(self, mask, column: str, message: str | Callable[[str], str],
                   values: pd.Series | None = None, cells: pd.Series | None = None) -> None:
        """One problem per row where ``mask`` holds (at most MAX_PROBLEMS_PER_CHECK, then
        one line counting the rest). ``message`` is a text or is called with the row's
        entry of ``values``; the problem's ``value`` is the row's entry of ``cells`` (the
        cell as written), or of ``values`` when no ``cells`` are given."""
        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(positions):
            return
        shown = positions[:MAX_PROBLEMS_PER_CHECK]
        material = values.iloc[shown].tolist() if values is not None else [None] * len(shown)
        written = cells.iloc[shown].tolist() if cells is not None else material
        for pos, item, cell in zip(shown.tolist(), material, written, strict=True):
            text = message(item) if callable(message) else message
            self.problems.append(Problem(text, file=self.name, row=int(self.row_numbers[pos]),
                                         column=column,
                                         value=None if cell is None else str(cell)))
        if len(positions) > len(shown):
            first = message(material[0]) if callable(message) else message
            self.problems.append(Problem(
                f"... and {len(positions) - len(shown):,} more rows with this problem "
                f"(like: {first})", file=self.name, column=column))


def cap_problems(problems: list[Problem] | tuple[Problem, ...],
                 limit: int = MAX_PROBLEMS_PER_FILE) -> list[Problem]:
    """The first ``limit`` problems and, if there were more, one line counting the rest.

    >>> capped = cap_problems([Problem(f"p{i}", file="f.csv", row=i) for i in range(5)], 2)
    >>> [str(p) for p in capped]
    ['f.csv, row 0: p0', 'f.csv, row 1: p1', 'f.csv: ... and 3 more problems in this file']
    """
    problems = list(problems)
    if len(problems) <= limit:
        return problems
    rest = len(problems) - limit
    return [*problems[:limit], Problem(f"... and {rest:,} more problems in this file",
                                       file=problems[limit].file)]


def normalise_header(name: object) -> str:
    """``" Home City "`` -> ``"home_city"``: how people write headers, to our names."""
    return _HEADER_JUNK.sub("_", str(name).strip().lstrip("\ufeff").lower()).strip("_")


def unquote_formulas(s: pd.Series) -> pd.Series:
    """Undo the exporter's formula neutralisation: ``"'=SUM(A1)"`` -> ``"=SUM(A1)"``."""
    quoted = s.str.startswith("'")
    if not quoted.any():
        return s
    # "'=x" was "=x"; "''=x" was "'=x" (the exporter doubles an apostrophe it did not add).
    # Any other leading apostrophe is the cell's own and is kept.
    rest = s.str[1:]
    guarded = quoted & rest.str.contains(FORMULA_PATTERN, regex=True)
    return s.where(~guarded, rest)


def _map_unique(s: pd.Series, func: Callable[[str], object]) -> tuple[np.ndarray, dict]:
    """Apply ``func`` once per distinct value; return results aligned with ``s``.

    ``func`` returns the parsed value or raises ValidationError/ValueError; errors come
    back as a dict {distinct value: message}.
    """
    codes, uniques = pd.factorize(s, sort=False)
    results = np.empty(len(uniques), dtype=object)
    errors: dict[str, str] = {}
    for i, value in enumerate(uniques):
        try:
            results[i] = func(value)
        except (ValidationError, ValueError) as exc:
            results[i] = None
            errors[value] = getattr(exc, "message", None) or str(exc)
    return results[codes], errors


def _numbers(s: pd.Series) -> pd.Series:
    """Text to float64, accepting decimal commas ("51,51") and thousands dots
    ("1.234,5")."""
    codes, uniques = pd.factorize(s, sort=False)
    if len(uniques) < len(s) // 2:  # coordinates of home towns, weeks, years: few values
        parsed = _numbers_of(pd.Series(uniques, dtype="string"))
        return pd.Series(parsed.to_numpy()[codes], index=s.index, dtype="float64")
    return _numbers_of(s)


def _numbers_of(text: pd.Series) -> pd.Series:
    if text.str.contains(",", regex=False).any():
        both = text.str.contains(".", regex=False) & text.str.contains(",", regex=False)
        text = text.where(~both, text.str.replace(".", "", regex=False))
        text = text.str.replace(",", ".", regex=False)
    return pd.to_numeric(text.replace("", None), errors="coerce").astype("float64")


#: ISO dates, optionally with a time of day and a time zone (ignored: the date counts).
_DATE_WITH_TIME = (r"^(\d{4}-\d{2}-\d{2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?"
                   r"\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$")


def _parse_dates(s: pd.Series) -> pd.Series:
    """ISO ``YYYY-MM-DD`` (a time of day and time zone after it are ignored) or German
    ``DD.MM.YYYY``, once per distinct value."""
    codes, uniques = pd.factorize(s, sort=False)
    values = pd.Series(uniques, dtype="string")
    # A date with a time of day (and maybe a time zone) is the calendar date as written:
    # "2026-03-01T23:30:00-05:00" is 1 March, whatever the time zone. Parsing the time
    # zones instead raised on files that mix them.
    day = values.str.extract(_DATE_WITH_TIME, expand=False)
    iso = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce")
    german = pd.to_datetime(values, format="%d.%m.%Y", errors="coerce")
    parsed = iso.fillna(german)
    parsed = parsed.where(parsed.dt.year.between(1900, 2100))
    parsed = parsed.dt.normalize().astype("datetime64[ns]")
    return pd.Series(parsed.to_numpy()[codes], index=s.index, dtype="datetime64[ns]")


def _country_list(text: str) -> str:
    codes = country_codes()
    items = [c.strip().upper() for c in re.split(r"[;,|\s]+", text) if c.strip()]
    bad = [c for c in items if c not in codes]
    if bad:
        raise ValidationError(f"{', '.join(repr(b) for b in bad)} not ISO 3166 two-letter "
                              "country codes (write e.g. 'GB;FR')")
    return ";".join(dict.fromkeys(items))


def _trade_name(text: str) -> str:
    from mobility.reference.trades import trade_catalog

    trade = trade_catalog().get(text)
    if trade is None:
        hints = trade_catalog().suggest(text)
        hint = f"; did you mean {', '.join(repr(h) for h in hints)}?" if hints else (
            "; see data/trades.csv for the known trades")
        raise ValidationError(f"unknown trade {text!r}{hint}")
    return trade.name


def _trade_list(text: str) -> str:
    """Trade names or four-digit ISCO-08 codes separated by ';' (names as stored)."""
    items = [x.strip() for x in text.split(";") if x.strip()]
    return ";".join(dict.fromkeys(x if re.fullmatch(r"\d{4}", x) else _trade_name(x)
                                  for x in items))


def _language_list(text: str) -> str:
    return format_languages(parse_languages(text))


def _status(text: str) -> str:
    return PartnershipStatus.parse(text).value


#: Longest text accepted in one cell: names, organisations and addresses are far
#: shorter; a megabyte "name" is an attack or an accident.
MAX_CELL_CHARS = 1000
#: Refused in every text cell: C0 controls except tab and line feed (so also carriage
#: return, which some programs read as a line break), DEL, the C1 controls U+0080-U+009F
#: (terminal escapes; in a file read as UTF-8 they are never letters), the Unicode line
#: and paragraph separators, direction marks and overrides (text that displays
#: differently from what it is), zero-width space, word joiner and byte-order mark.
#: Zero-width (non-)joiners stay allowed in text: some scripts and emoji need them.
_CONTROL = ("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200b\u200e\u200f\u061c"
            "\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
#: Characters an id must not contain on top of those: any space other than the plain
#: one, zero-width (non-)joiners, soft hyphen; and an id must be in Unicode NFKC form
#: (so "Ｚ10" in fullwidth letters or "Z10" with a zero-width space are refused rather
#: than becoming a second person next to "Z10").
_ID_INVISIBLE = "[\u00a0\u00ad\u1680\u180e\u2000-\u200f\u202f\u205f\u3000]"
#: Whole numbers are stored as 32-bit integers (PostgreSQL ``integer``; SQLite stores
#: them exactly too): every int column is limited to this range on top of its own.
INT_RANGE = (-2_147_483_648, 2_147_483_647)


def _check_text_cells(s: pd.Series, name: str, out: _Collector, *, is_id: bool = False) -> None:
    too_long = s.str.len() > MAX_CELL_CHARS
    out.rows_where(too_long, name, lambda v: f"text of {len(v):,} characters is longer than "
                   f"the {MAX_CELL_CHARS:,} allowed in one cell", s)
    hidden = ~too_long & s.str.contains(_CONTROL, regex=True)
    out.rows_where(hidden, name, "text contains control characters, line separators or "
                   "direction overrides (invisible characters that change how text is "
                   "shown); retype the cell", None)
    if is_id:
        odd = ~too_long & ~hidden & s.str.contains(r"[^\x20-\x7e]", regex=True)
        if odd.any():
            codes, uniques = pd.factorize(s[odd])
            bad_unique = np.fromiter(
                (bool(re.search(_ID_INVISIBLE, u)) or unicodedata.normalize("NFKC", u) != u
                 for u in uniques), dtype=bool, count=len(uniques))
            bad = pd.Series(False, index=s.index)
            bad[odd] = bad_unique[codes]
            out.rows_where(bad, name, "id contains invisible or look-alike characters "
                           "(zero-width or special spaces, fullwidth letters, combining "
                           "accents); retype it in plain characters", None)


def mask_text(text: str) -> str:
    """What a problem report shows of a cell it must not repeat (an e-mail address):
    the first character and the length.

    >>> mask_text("lea.schmitz@@example.org")
    'l… (24 characters)'
    """
    text = str(text)
    return f"{text[:1]}… ({len(text)} characters)" if text else ""


def _bound(value: float) -> str:
    return f"{int(value):d}" if float(value).is_integer() else f"{value:g}"


def _parse_column(col: ColumnSpec, s: pd.Series, out: _Collector) -> pd.Series:
    """Parse one stripped text column into its dtype, reporting cells that do not fit."""
    blank = s == ""
    name = col.name
    if col.required:
        out.rows_where(blank, name, f"{name} is required but blank")
    parser = col.parser

    if parser in ("id", "text", "url", "email"):
        _check_text_cells(s, name, out, is_id=parser == "id")
    if parser in ("id", "text", "url"):
        return s.astype("string")
    if parser == "email":
        bad = ~blank & ~s.str.contains(_EMAIL, regex=True)
        # The message does not repeat the address: row and column locate it, and
        # problem lists travel further (logs, reports) than the data should.
        out.rows_where(bad, name, "not an e-mail address (write name@domain.org)",
                       s.where(~bad, "").map(mask_text))
        return s.astype("string")
    if parser == "oid":
        bad = ~blank & ~s.map(is_valid_oid).astype(bool)
        out.rows_where(bad, name, lambda v: f"{v!r} is not an Erasmus+ organisation ID "
                       "(E + 8 digits, e.g. E10012345)", s)
        return s.astype("string")
    if parser == "isco08":
        bad = ~blank & ~s.str.contains(_ISCO, regex=True)
        out.rows_where(bad, name, lambda v: f"ISCO-08 code {v!r} must be four digits", s)
        return s.astype("string")
    if parser == "country":
        upper = s.str.upper()
        bad = ~blank & ~upper.isin(list(country_codes()))
        out.rows_where(bad, name, lambda v: f"{v!r} is not an ISO 3166 two-letter country code "
                       "(e.g. DE, FR, GB)", s)
        return upper.astype("string")
    if parser in ("countries", "trade", "trades", "languages", "status"):
        func = {"countries": _country_list, "trade": _trade_name, "trades": _trade_list,
                "languages": _language_list, "status": _status}[parser]
        parsed, errors = _map_unique(s, func)
        if errors:
            bad = s.isin(list(errors))
            out.rows_where(bad, name, lambda v: errors[v], s)
        result = pd.Series(parsed, index=s.index).where(~blank, "")
        if parser == "status":
            result = result.where(~blank, PartnershipStatus.ACTIVE.value)
        return result.fillna("").astype("string")
    if parser in ("lat", "lon", "float", "int", "year"):
        numbers = _numbers(s)
        bad_number = ~blank & ~np.isfinite(numbers.fillna(np.inf))
        out.rows_where(bad_number, name, lambda v: f"{v!r} is not a number", s)
        ok = ~blank & ~bad_number
        low, high = col.minimum, col.maximum
        if parser == "lat":
            low, high = -90.0, 90.0
        elif parser == "lon":
            low, high = -180.0, 180.0
        elif parser == "year":
            high = date.today().year
        if parser in ("int", "year"):
            fractional = ok & (numbers != np.floor(numbers))
            out.rows_where(fractional, name, lambda v: f"{v!r} is not a whole number", s)
            ok &= ~fractional
        if parser == "int":  # what both databases store exactly (see INT_RANGE)
            low = INT_RANGE[0] if low is None else max(low, INT_RANGE[0])
            high = INT_RANGE[1] if high is None else min(high, INT_RANGE[1])
        outside = ok & (((numbers < low) if low is not None else False)
                        | ((numbers > high) if high is not None else False))
        if outside.any():
            bounds = (f"between {_bound(low)} and {_bound(high)}"
                      if low is not None and high is not None
                      else f"at least {_bound(low)}" if low is not None
                      else f"at most {_bound(high)}")
            if parser == "float" and low is not None and 0 < low < 1e-6:
                bounds = "greater than 0"
            label = {"lat": "latitude", "lon": "longitude"}.get(parser, name)
            out.rows_where(outside, name, lambda v: f"{label} {v} must be {bounds}", s)
        if parser == "int":
            return numbers.where(ok, 0).astype("int64")
        if parser == "year":
            return numbers.where(ok).round().astype("Int64")
        return numbers.where(ok | blank)
    if parser == "date":
        parsed = _parse_dates(s)
        bad = ~blank & parsed.isna()
        out.rows_where(bad, name, lambda v: f"{v!r} is not a date (write YYYY-MM-DD or "
                       "DD.MM.YYYY)", s)
        return parsed
    if parser == "bool":
        lower = s.str.lower()
        truthy = lower.isin(list(TRUE_WORDS))
        bad = ~truthy & ~lower.isin(list(FALSE_WORDS))
        out.rows_where(bad, name, lambda v: f"{v!r} is not a yes/no value (write true or "
                       "false; ja/nein, yes/no, 1/0, x/empty also work)", s)
        return truthy.astype("bool")
    raise AssertionError(f"no parser {parser!r}")  # specs and parsers live side by side


def validate_frame(
    raw: pd.DataFrame,
    kind: str,
    *,
    name: str = "input",
    known_company_ids: Collection[str] | None = None,
    unknown_columns: str = "error",
    row_numbers=None,
) -> tuple[pd.DataFrame, list[Problem], list[str]]:
    """Check and convert a DataFrame of text cells into a table of ``kind``.

    Parameters
    ----------
    raw : DataFrame
        Cells as text (blank = ``""``), headers as written; see
        :func:`mobility.io.reading.read_raw`.
    kind : {"apprentices", "companies", "placements", "partnerships"}
    name : str
        File name shown in problems.
    known_company_ids : collection of str, optional
        For placements: the company ids that exist (in the database or in the
        companies file imported alongside). Omitted: not checked.
    unknown_columns : {"error", "drop"}
        Whether columns the format does not know are a problem or silently dropped.
    row_numbers : sequence of int, optional
        The spreadsheet row of each row of ``raw`` when rows were left out (the reader
        drops rows with the wrong number of cells); default: position + 2.

    Returns
    -------
    frame : DataFrame
        Exactly the spec's columns and dtypes; only meaningful when ``problems`` is empty.
    problems : list of Problem
    notes : list of str
        What was filled in or normalised, for the import report.
    """
    spec: TableSpec = spec_for(kind)
    raw = raw.reset_index(drop=True)
    out = _Collector(name, len(raw), row_numbers)
    notes: list[str] = []

    headers = [normalise_header(c) for c in raw.columns]
    seen: dict[str, int] = {}
    for h in headers:
        seen[h] = seen.get(h, 0) + 1
    for h, count in seen.items():
        if count > 1 and h:
            out.header(f"column {h!r} appears {count} times", h)
    known = set(spec.names)
    for position, h in enumerate(headers):
        if h in known:
            continue
        if not h:
            if (raw.iloc[:, position] != "").any():
                out.header(f"column {position + 1} has no header but holds values")
            continue
        if unknown_columns == "error":
            close = difflib.get_close_matches(h, spec.names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            out.header(f"unknown column {h!r} for {kind}{hint} (known: "
                       f"{', '.join(spec.names)})", h)
    present = {h: i for i, h in reversed(list(enumerate(headers)))}
    for col in spec.columns:
        if col.required and col.name not in present:
            out.header(f"required column {col.name!r} is missing ({col.meaning})", col.name)
    if len(raw) == 0:
        out.header("file has a header but no data rows")

    columns: dict[str, pd.Series] = {}
    texts: dict[str, pd.Series] = {}
    for col in spec.columns:
        if col.name in present:
            text = raw.iloc[:, present[col.name]].astype("string").fillna("").str.strip()
            if text.str.contains("\r\n", regex=False).any():
                # A line break inside a quoted cell of a Windows file: CR LF becomes LF.
                # A carriage return on its own is refused below (_CONTROL).
                text = text.str.replace("\r\n", "\n", regex=False)
            text = unquote_formulas(text)
        else:
            text = pd.Series("", index=raw.index, dtype="string")
        texts[col.name] = text
        # A missing required column was reported once above, not once per row.
        quiet = col.required and col.name not in present
        columns[col.name] = _parse_column(col, text, _Collector(name, len(raw)) if quiet else out)

    _fill_isco(spec, columns, texts, notes)
    _fill_places(spec, columns, texts, out, notes)
    _check_windows(spec, columns, texts, out)
    if spec.kind == "placements":
        bad = columns["min_weeks"] > columns["max_weeks"]
        out.rows_where(bad, "max_weeks", lambda v: f"max_weeks {v} is below min_weeks",
                       texts["max_weeks"])
        if known_company_ids is not None:
            ids = columns["company_id"]
            missing = (ids != "") & ~ids.isin(list(known_company_ids))
            out.rows_where(missing, "company_id",
                           lambda v: f"company {v!r} is unknown: import it in companies first",
                           texts["company_id"])
    _check_duplicates(spec, columns, out)

    frame = pd.DataFrame(columns, index=raw.index)[spec.names]
    frame = frame.astype(spec.dtypes)
    return frame, out.problems, notes


def _fill_isco(spec: TableSpec, columns, texts, notes: list[str]) -> None:
    if not spec.isco_column or not spec.trade_column:
        return
    from mobility.reference.trades import trade_catalog

    isco = columns[spec.isco_column]
    blank = isco.isna() | (isco == "")
    if not blank.any():
        return
    by_name = {t.name: t.isco08 for t in trade_catalog()}
    filled = columns[spec.trade_column].map(by_name)
    columns[spec.isco_column] = isco.where(~blank, filled).fillna("").astype("string")
    count = int((blank & filled.notna()).sum())
    if count:
        notes.append(f"filled {spec.isco_column} for {count:,} rows from the trade")


def _fill_places(spec: TableSpec, columns, texts, out: _Collector, notes: list[str]) -> None:
    from mobility.geo import gazetteer

    for place in spec.places:
        lat, lon = columns[place.lat], columns[place.lon]
        lat_blank = texts[place.lat] == ""
        lon_blank = texts[place.lon] == ""
        half = lat_blank ^ lon_blank
        out.rows_where(half, place.lat if lat_blank.any() else place.lon,
                       "give both latitude and longitude, or leave both blank")
        need = (lat_blank & lon_blank & (texts[place.city] != "")
                & columns[place.country].isin(list(country_codes())))
        if not need.any():
            continue
        keys = columns[place.city][need].str.cat(columns[place.country][need], sep="\x1f")
        codes, uniques = pd.factorize(keys)
        found_lat = np.full(len(uniques), np.nan)
        found_lon = np.full(len(uniques), np.nan)
        gaz = gazetteer()
        for i, key in enumerate(uniques):
            city, country = key.split("\x1f")
            hit = gaz.get(city, country)
            if hit is not None:
                found_lat[i], found_lon[i] = hit.lat, hit.lon
        new_lat = pd.Series(found_lat[codes], index=keys.index)
        new_lon = pd.Series(found_lon[codes], index=keys.index)
        lat.loc[need] = new_lat
        lon.loc[need] = new_lon
        count = int((need & lat.notna()).sum())
        if count:
            notes.append(f"filled {place.lat}/{place.lon} for {count:,} rows from the gazetteer")
        german = need & lat.isna() & (columns[place.country] == "DE")
        choices = _fill_from_register(columns[place.city], german, lat, lon, notes, place)
        missing = need & lat.isna()
        ambiguous = choices != ""
        out.rows_where(missing & ambiguous, place.city,
                       lambda v, p=place: f"{v} names several German municipalities; write "
                       f"the postcode before the name or give {p.lat}/{p.lon}",
                       texts[place.city] + " (" + choices + ")")
        out.rows_where(missing & ~ambiguous, place.city,
                       lambda v, p=place: f"{v!r} is not in the offline gazetteer for this "
                       f"country; check the spelling or give {p.lat}/{p.lon}", texts[place.city])


def _fill_from_register(city: pd.Series, rows: pd.Series, lat: pd.Series, lon: pd.Series,
                        notes: list[str], place) -> pd.Series:
    """German places the gazetteer does not know (small towns, a postcode such as
    "59065 Hamm", an official code AGS): their coordinates from the municipality
    register (all 10,796 municipalities).

    Returns, for a name several municipalities share, the choices ("59065 Hamm, 56379
    Hamm (Sieg)", ...) so the person can pick one; "" elsewhere."""
    choices = pd.Series("", index=city.index, dtype="string")
    if not rows.any():
        return choices
    from mobility.reference.municipalities import municipality_register

    register = municipality_register()
    found = register.resolve_many(city[rows])
    found.index = city[rows].index
    hit = found["ags"].notna()
    codes = found.loc[hit, "ags"].astype(str)
    lat.loc[codes.index] = register.table.loc[codes, "lat"].to_numpy(float)
    lon.loc[codes.index] = register.table.loc[codes, "lon"].to_numpy(float)
    table = register.table
    for index, candidates in found.loc[found["how"] == "ambiguous", "candidates"].items():
        shown = [f"{table.at[a, 'postcode']} {table.at[a, 'name']}"
                 for a in str(candidates).split(";")[:MAX_CHOICES_SHOWN] if a in table.index]
        more = len(str(candidates).split(";")) - len(shown)
        choices.loc[index] = ", ".join(shown) + (f", +{more}" if more > 0 else "")
    if int(hit.sum()):
        notes.append(f"filled {place.lat}/{place.lon} for {int(hit.sum()):,} rows from the "
                     "municipality register (name, postcode or AGS)")
    return choices


def _check_windows(spec: TableSpec, columns, texts, out: _Collector) -> None:
    for window in spec.windows:
        start, end = columns[window.start], columns[window.end]
        backwards = start.notna() & end.notna() & (end < start)
        out.rows_where(backwards, window.end,
                       lambda v, w=window: f"{w.end} {v} is before {w.start}", texts[window.end])
        if window.weeks is None:
            continue
        days = (end - start).dt.days + 1  # both days count: Monday to Sunday is 7 days
        weeks = columns[window.weeks]
        short = (start.notna() & end.notna() & ~backwards & (weeks > 0)
                 & (days < weeks * 7)).to_numpy()
        if short.any():
            described = (texts[window.start] + " to " + texts[window.end] + " is "
                         + days.astype("Int64").astype("string") + " days, too short for "
                         + weeks.astype("string") + " weeks")
            out.rows_where(short, window.end,
                           lambda v, w=window: f"{w.start} {v} ({w.weeks})", described,
                           cells=texts[window.end])


def _check_duplicates(spec: TableSpec, columns, out: _Collector) -> None:
    keys = pd.DataFrame({k: columns[k].fillna("") for k in spec.key})
    if len(spec.key) > 1:  # partnerships: names compared after folding case
        keys = keys.apply(lambda c: c.str.casefold())
    dup = keys.duplicated(keep=False).to_numpy() & (keys[spec.key[0]] != "").to_numpy()
    if not dup.any():
        return
    by = list(spec.key) if len(spec.key) > 1 else spec.key[0]
    groups = keys[dup].groupby(by, sort=False).groups
    what = "id" if len(spec.key) == 1 else " / ".join(spec.key)
    listed = 0
    for key_values, index in groups.items():
        if listed >= MAX_PROBLEMS_PER_CHECK:
            rest = int(dup.sum()) - listed
            out.problems.append(Problem(f"... and {rest:,} more rows with duplicate ids",
                                        file=out.name, column=spec.key[0]))
            return
        rows = [int(out.row_numbers[i]) for i in index]
        shown = ", ".join(str(r) for r in rows[:10])
        more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
        value = key_values if isinstance(key_values, str) else " / ".join(key_values)
        for row in rows:
            out.problems.append(Problem(f"duplicate {what} {value!r} (rows {shown}{more})",
                                        file=out.name, row=row, column=spec.key[0],
                                        value=value))
        listed += len(rows)
