"""The Beneficiary Module import layouts: columns and dictionary values per call year.

The Commission's Beneficiary Module (BM) imports mobility activities from a spreadsheet
whose columns and coded values depend on the action type (KA121-VET, KA122-VET) and the
call year. The layouts live in two data files so that a change of template is an edit
of data, not of code:

- ``data/beneficiary_module_layouts.csv``: ``call_year, action_type, position, column,
  field, dictionary, format, verified, source`` -- one row per column of the file;
  ``field`` names the product's value written there, ``dictionary`` the coded list the
  cell takes its value from.
- ``data/beneficiary_module_dictionaries.csv``: ``call_year, action_type, dictionary,
  key, value, verified, source`` -- the BM value written for each product key.

``verified`` says whether the header or value was seen in a stored NAITDOC page
(``source``); ``docs/beneficiary-module.md`` lists what could not be verified. A value
that could not be found is left empty and the export refuses to guess it: supply it in
the data file or in a file of the same shape passed as ``dictionary_file``.

Examples
--------
>>> layout = bm_layout(2024, "KA121-VET")
>>> layout.headers[:3]
['Data type', 'Grant Agreement No.', 'Mobility activity ID']
>>> layout.value("activity_type", "erasmus_short")
'LM-SHORT-VET'
>>> check_grant_agreement("2024-1-DE02-KA121-VET-000123456")
('2024-1-DE02-KA121-VET-000123456', 2024, 'KA121-VET')
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from mobility.errors import Problem, ValidationError
from mobility.i18n import t
from mobility.paths import data_dir

LAYOUTS_FILE = "beneficiary_module_layouts.csv"
DICTIONARIES_FILE = "beneficiary_module_dictionaries.csv"

#: A project (grant agreement) number, e.g. ``2024-1-DE02-KA121-VET-000123456``: call
#: year, round, national agency, key action, field, serial number. The shape follows the
#: project reference quoted on the NAITDOC page "Edit the mobility activity import file"
#: (``2021-1-RO01-KA131-HED-000002719``).
GRANT_AGREEMENT = re.compile(
    r"(?P<year>20\d\d)-(?P<round>\d)-(?P<agency>[A-Z]{2}\d{2})-(?P<action>KA\d{3})-"
    r"(?P<field>[A-Z]{3})-(?P<serial>\d{9})")

_LAYOUT_HEADER = ["call_year", "action_type", "position", "column", "field", "dictionary",
                  "format", "verified", "source"]
_DICTIONARY_HEADER = ["call_year", "action_type", "dictionary", "key", "value", "verified",
                      "source"]


@dataclass(frozen=True, slots=True)
class LayoutColumn:
    """One column of the import file."""

    header: str
    field: str
    dictionary: str
    format: str
    verified: bool
    source: str


@dataclass(frozen=True)
class BMLayout:
    """The import file of one call year and action type."""

    call_year: int
    action_type: str
    columns: tuple[LayoutColumn, ...]
    dictionaries: Mapping[str, Mapping[str, str]]
    unverified_values: frozenset[tuple[str, str]]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def unverified_headers(self) -> list[str]:
        return [c.header for c in self.columns if not c.verified]

    def value(self, dictionary: str, key: str) -> str:
        """The BM value for product ``key`` in ``dictionary`` (``""`` when not known)."""
        return self.dictionaries.get(dictionary, {}).get(key, "")


def with_value(layout: BMLayout, dictionary: str, key: str, value: str) -> BMLayout:
    """``layout`` with one dictionary value set (a value the user read off their own
    template, e.g. the Data type of a main row); it then counts as confirmed."""
    values = {name: dict(entries) for name, entries in layout.dictionaries.items()}
    values.setdefault(dictionary, {})[key] = value.strip()
    return replace(layout, dictionaries=MappingProxyType(
        {k: MappingProxyType(v) for k, v in values.items()}),
        unverified_values=layout.unverified_values - {(dictionary, key)})


def check_grant_agreement(text: object, lang: str = "en") -> tuple[str, int, str]:
    """``(number, call_year, action_type)`` of a grant agreement number, or
    ValidationError (in ``lang``) saying what the number must look like."""
    number = str(text or "").strip().upper()
    found = GRANT_AGREEMENT.fullmatch(number)
    if found is None:
        message = t("bm.problem.grant", lang, number=number or "…")
        raise ValidationError(message, problems=[Problem(message, column="Grant Agreement No.")])
    return number, int(found["year"]), f"{found['action']}-{found['field']}"


def available_layouts(directory: str | os.PathLike | None = None) -> list[tuple[int, str]]:
    """``(call_year, action_type)`` of every layout in the data file, sorted."""
    rows = _read(_path(directory, LAYOUTS_FILE), _LAYOUT_HEADER)
    return sorted({(int(r["call_year"]), r["action_type"]) for r in rows})


def bm_layout(call_year: int, action_type: str, *,
              dictionary_file: str | os.PathLike | None = None,
              directory: str | os.PathLike | None = None, lang: str = "en") -> BMLayout:
    """The layout of ``call_year`` and ``action_type``; ``dictionary_file`` (same columns
    as the dictionaries file) adds or replaces dictionary values."""
    known = available_layouts(directory)
    if (int(call_year), str(action_type)) not in known:
        raise ValidationError(t("bm.problem.no_layout", lang, year=call_year,
                                action=action_type, file=LAYOUTS_FILE,
                                known=", ".join(f"{y} {a}" for y, a in known)))
    return _layout(int(call_year), str(action_type),
                   None if dictionary_file is None else str(dictionary_file),
                   None if directory is None else str(directory))


@lru_cache(maxsize=64)
def _layout(call_year: int, action_type: str, dictionary_file: str | None,
            directory: str | None) -> BMLayout:
    layouts = _path(directory, LAYOUTS_FILE)
    rows = [r for r in _read(layouts, _LAYOUT_HEADER)
            if int(r["call_year"]) == call_year and r["action_type"] == action_type]
    rows.sort(key=lambda r: int(r["position"]))
    columns = tuple(LayoutColumn(r["column"], r["field"], r["dictionary"], r["format"],
                                 r["verified"] == "yes", r["source"]) for r in rows)
    values: dict[str, dict[str, str]] = {}
    unverified: set[tuple[str, str]] = set()
    sources = [_path(directory, DICTIONARIES_FILE)]
    if dictionary_file is not None:
        sources.append(Path(dictionary_file))
    for source in sources:
        for r in _read(source, _DICTIONARY_HEADER):
            if int(r["call_year"]) != call_year or r["action_type"] != action_type:
                continue
            values.setdefault(r["dictionary"], {})[r["key"]] = r["value"].strip()
            pair = (r["dictionary"], r["key"])
            if r["verified"] == "yes":
                unverified.discard(pair)
            else:
                unverified.add(pair)
    return BMLayout(call_year, action_type, columns,
                    MappingProxyType({k: MappingProxyType(v) for k, v in values.items()}),
                    frozenset(unverified))


def _path(directory: str | os.PathLike | None, name: str) -> Path:
    return Path(directory) / name if directory is not None else data_dir() / name


def _read(path: Path, header: list[str]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in header if c not in (reader.fieldnames or [])]
            if missing:
                raise ValidationError(f"{path.name}: columns {', '.join(missing)} are missing",
                                      problems=[Problem("missing column", file=path.name,
                                                        row=1, column=c) for c in missing])
            rows = list(reader)
    except OSError as exc:
        raise ValidationError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    for number, row in enumerate(rows, start=2):
        if not str(row.get("call_year", "")).strip().isdigit():
            raise ValidationError(f"{path.name}: call_year must be a year",
                                  problems=[Problem("call_year must be a year", file=path.name,
                                                    row=number, column="call_year",
                                                    value=str(row.get("call_year")))])
    return rows
