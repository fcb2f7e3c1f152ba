"""Replacing a shipped reference file with a newer one: validate, compare, then write.

``mobility reference update --twinnings FILE`` (and ``--trades``, ``--municipalities``)
reads a newer file in the shipped layout, checks it like an import (every problem with
file, row and column; nothing is written when there is one), compares it with the file
in ``data/`` by key and reports which rows it adds, changes and removes. Only with
confirmation is it written, atomically (a temporary file in ``data/`` renamed over the
old one), so a reader never sees half a file.

Examples
--------
>>> from mobility.paths import data_dir
>>> from mobility.reference.update import compare_file
>>> diff = compare_file("trades", data_dir() / "trades.csv")
>>> (diff.added, diff.changed, diff.removed)
([], [], [])
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mobility.errors import Problem, ValidationError
from mobility.paths import data_dir

#: The files that can be replaced, with the columns that identify a row.
FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "twinnings": ("twinnings.csv", ("home_ags", "home_city", "partner_city", "partner_country")),
    "trades": ("trades.csv", ("de_name",)),
    "municipalities": ("municipalities_de.csv", ("ags",)),
}

_REQUIRED = {
    "trades": ("de_name", "en_label", "isco08", "isco08_title"),
    "municipalities": ("ags", "name", "official_name", "state", "district", "postcode",
                       "lat", "lon", "population"),
}


@dataclass
class FileDiff:
    """What a newer file would change: keys added, changed and removed (each a tuple of
    the key columns' values) and, per changed key, the columns that differ."""

    kind: str
    rows: int
    added: list[tuple] = field(default_factory=list)
    changed: list[tuple] = field(default_factory=list)
    removed: list[tuple] = field(default_factory=list)
    columns: dict[tuple, list[str]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


def _read_text(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValidationError(f"{path.name}: not a UTF-8 CSV file ({exc})") from None


def _problems_in(kind: str, path: Path, frame: pd.DataFrame) -> list[Problem]:
    name = path.name
    problems: list[Problem] = []
    missing = [c for c in _REQUIRED.get(kind, ()) if c not in frame]
    if missing:
        return [Problem(f"missing column {c!r}", file=name, column=c) for c in missing]

    def bad(mask: pd.Series, column: str, message: str) -> None:
        for i in mask[mask].index[:50]:
            problems.append(Problem(message, file=name, row=int(i) + 2, column=column,
                                    value=str(frame.at[i, column])))

    if kind == "trades":
        bad(frame["de_name"].str.strip() == "", "de_name", "de_name is required but blank")
        bad(frame["de_name"].duplicated(), "de_name", "trade named twice")
        bad(~frame["isco08"].str.fullmatch(r"\d{4}"), "isco08",
            "ISCO-08 code must be four digits")
    elif kind == "municipalities":
        bad(~frame["ags"].str.fullmatch(r"\d{8}"), "ags", "AGS must be eight digits")
        bad(frame["ags"].duplicated(), "ags", "municipality code listed twice")
        bad(frame["name"].str.strip() == "", "name", "name is required but blank")
        bad(~frame["postcode"].str.fullmatch(r"\d{5}"), "postcode",
            "postcode must be five digits")
        for column, low, high in (("lat", 47.0, 55.2), ("lon", 5.8, 15.1)):
            number = pd.to_numeric(frame[column], errors="coerce")
            bad(~number.between(low, high), column,
                f"{column} must be a number between {low:g} and {high:g} (Germany)")
    return problems


def validate_file(kind: str, path: str | Path) -> pd.DataFrame:
    """The newer file as text cells, or :class:`ValidationError` listing every problem."""
    if kind not in FILES:
        raise ValidationError(f"unknown reference file {kind!r}: use one of {', '.join(FILES)}")
    path = Path(path)
    if kind == "twinnings":
        from mobility.io import raise_for_problems, read_table
        from mobility.reference.twinnings import read_partnerships_csv

        raise_for_problems(read_table(path, "partnerships", unknown_columns="drop"))
        read_partnerships_csv(path)  # the shipped layout's own rules (confidence ...)
        frame = _read_text(path)
        bad = ~frame["home_ags"].isin([""]) & ~frame["home_ags"].str.fullmatch(r"\d{8}") \
            if "home_ags" in frame else pd.Series(False, index=frame.index)
        problems = [Problem("AGS must be eight digits", file=path.name, row=int(i) + 2,
                            column="home_ags", value=frame.at[i, "home_ags"])
                    for i in bad[bad].index[:50]]
    else:
        frame = _read_text(path)
        problems = _problems_in(kind, path, frame)
    if problems:
        raise ValidationError(f"{path.name}: {len(problems):,} problem"
                              f"{'s' if len(problems) != 1 else ''}, nothing written",
                              problems=problems)
    return frame


def _keyed(frame: pd.DataFrame, key: tuple[str, ...]) -> pd.DataFrame:
    columns = [c for c in key if c in frame]
    keys = frame[columns].apply(lambda col: col.str.strip()).agg(tuple, axis=1)
    out = frame.copy()
    out.index = pd.Index(keys)
    return out[~out.index.duplicated()]


def compare_file(kind: str, path: str | Path) -> FileDiff:
    """Validate ``path`` and compare it with the shipped file of ``kind``."""
    new = validate_file(kind, path)
    filename, key = FILES[kind]
    current = data_dir() / filename
    old = _read_text(current) if current.exists() else new.iloc[0:0]
    new_k, old_k = _keyed(new, key), _keyed(old, key)
    diff = FileDiff(kind, len(new))
    diff.added = [k for k in new_k.index if k not in old_k.index]
    diff.removed = [k for k in old_k.index if k not in new_k.index]
    shared = [k for k in new_k.index if k in old_k.index]
    columns = [c for c in new_k.columns if c in old_k.columns]
    for k in shared:
        differ = [c for c in columns
                  if _norm(new_k.at[k, c]) != _norm(old_k.at[k, c])]
        if differ or set(new_k.columns) != set(old_k.columns):
            diff.changed.append(k)
            diff.columns[k] = differ or ["(columns)"]
    return diff


def _norm(value: object) -> str:
    text = str(value).strip()
    return re.sub(r"\.0+$", "", text) if re.fullmatch(r"-?\d+\.0+", text) else text


def write_file(kind: str, path: str | Path) -> Path:
    """Copy a validated file over the shipped one atomically; returns the target."""
    validate_file(kind, path)
    target = data_dir() / FILES[kind][0]
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        shutil.copyfile(path, tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
