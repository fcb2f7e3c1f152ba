"""German municipalities (Gemeinden) and how a home town resolves to one of them.

``data/municipalities_de.csv`` lists all 10,796 inhabited German municipalities with
their official code (AGS, *Amtlicher Gemeindeschlüssel*), name, state, district, postcode,
coordinates and population (Destatis Gemeindeverzeichnis, dl-de/by-2-0). Partnerships are
keyed by the AGS of their German side, so an apprentice from any municipality, small
towns included, meets its twin towns once the home town resolves to an AGS.

A home town resolves from

* an AGS (8 digits): that municipality;
* a postcode (5 digits, alone or before the name): the municipality the register lists
  it for (Destatis gives one postcode per municipality, its seat's: other postcodes of
  a large city are not known and do not resolve);
* a name, folded (case, umlauts, accents, punctuation): the official name with or
  without its suffix (``"Hamm, Stadt"``), else the name without a bracket or a river
  (``"Frankfurt"`` is the base of both ``"Frankfurt am Main"`` and ``"Frankfurt (Oder)"``).

Where several municipalities carry the name, the result is **ambiguous** and lists them;
nothing is guessed. Only for several municipalities with exactly the same name (two
called ``"Hamm"``) do given coordinates decide, when exactly one lies within
:data:`NEAR_KM` of them.

Examples
--------
>>> from mobility.reference.municipalities import municipality_register
>>> reg = municipality_register()
>>> reg.resolve("Köln").ags
'05315000'
>>> reg.resolve("Koeln").ags == reg.resolve("50667").ags == reg.resolve("05315000").ags
True
>>> r = reg.resolve("Frankfurt")
>>> r.ags is None, r.how, [reg.name(a) for a in r.candidates]
(True, 'ambiguous', ['Frankfurt am Main', 'Frankfurt (Oder)'])
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from mobility.paths import data_dir
from mobility.text import fold

#: Same-named municipalities: coordinates within this distance pick one (km).
NEAR_KM = 10.0

#: How a resolution was reached (``how``); ``ambiguous`` and ``unknown`` carry no AGS.
HOW = ("ags", "postcode", "name", "name+coordinates", "base name", "ambiguous", "unknown")

_AGS = re.compile(r"^\d{8}$")
_POSTCODE = re.compile(r"^(\d{5})(?:\s+(.*))?$")
# "Frankfurt am Main", "Halle (Saale)", "Lauenburg/ Elbe", "Hammer a.d. Uecker"
_BASE = re.compile(r"\s*(\(|/|,|\s(am|an der|an den|a\. ?d\.|im|in der|in|i\. ?d\.|ob der|"
                   r"bei|vor der)\s).*$", re.IGNORECASE)


def base_name(name: str) -> str:
    """The name without its qualifier: ``"Frankfurt am Main"`` -> ``"Frankfurt"``.

    >>> base_name("Halle (Saale)"), base_name("Mülheim an der Ruhr"), base_name("Unna")
    ('Halle', 'Mülheim', 'Unna')
    """
    return _BASE.sub("", str(name)).strip()


@dataclass(frozen=True, slots=True)
class Resolution:
    """The outcome of resolving one home town.

    ``ags`` is the municipality's code or None; ``how`` one of :data:`HOW`;
    ``candidates`` the codes an ambiguous name could mean (most populous first).
    """

    ags: str | None
    how: str
    candidates: tuple[str, ...] = ()


def _most_populous_first(table: pd.DataFrame) -> pd.DataFrame:
    order = table["population"].astype(float).fillna(0).to_numpy().argsort(kind="stable")
    return table.iloc[order[::-1]].reset_index(drop=True)


def name_index(table: pd.DataFrame) -> dict[str, dict[str, list[str]]]:
    """The register's lookup tables: folded name (``"name"``), folded base name
    (``"base"``) and postcode (``"postcode"``) to the codes of the municipalities that
    carry it, most populous first (plain lists and text: it is cached as JSON)."""
    frame = _most_populous_first(table)
    names: dict[str, list[str]] = {}
    bases: dict[str, list[str]] = {}
    posts: dict[str, list[str]] = {}
    official = frame["official_name"].astype(str).str.replace(r",.*$", "", regex=True)
    folded: dict[str, str] = {}

    def key(text: str) -> str:  # many names repeat: fold each once
        found = folded.get(text)
        if found is None:
            found = folded[text] = fold(text)
        return found

    for ags, name, off, full, post in zip(frame["ags"].astype(str), frame["name"], official,
                                          frame["official_name"].astype(str),
                                          frame["postcode"].astype(str), strict=True):
        for k in {key(name), key(off), key(full)}:
            names.setdefault(k, []).append(ags)
        for k in {key(base_name(name)), key(base_name(off))}:
            bases.setdefault(k, []).append(ags)
        posts.setdefault(post, []).append(ags)
    return {"name": {k: list(dict.fromkeys(v)) for k, v in names.items()},
            "base": {k: list(dict.fromkeys(v)) for k, v in bases.items()},
            "postcode": posts}


class MunicipalityRegister:
    """The municipalities indexed by AGS, postcode, folded name and base name.

    Parameters
    ----------
    table : DataFrame
        The columns of ``data/municipalities_de.csv`` (``ags`` as 8-digit text).
    """

    def __init__(self, table: pd.DataFrame,
                 index: dict[str, dict[str, list[str]]] | None = None) -> None:
        frame = _most_populous_first(table)
        self.table = frame.set_index("ags", drop=False)
        #: Every municipality's code, for fast membership tests.
        self.codes = frozenset(frame["ags"].astype(str).tolist())  # iterating: 7x slower
        index = name_index(table) if index is None else index
        from mobility.reference.cache import paused_gc

        with paused_gc():  # 30,000 small tuples
            self._by_name: dict[str, tuple[str, ...]] = {
                k: tuple(v) for k, v in index["name"].items()}
            self._by_base: dict[str, tuple[str, ...]] = {
                k: tuple(v) for k, v in index["base"].items()}
            self._by_postcode: dict[str, tuple[str, ...]] = {
                k: tuple(v) for k, v in index["postcode"].items()}
        self._shared = frozenset(k for k, v in self._by_name.items() if len(v) > 1)

    def __len__(self) -> int:
        return len(self.table)

    def __contains__(self, ags: object) -> bool:
        return isinstance(ags, str) and ags in self.codes

    def name(self, ags: str) -> str:
        """The municipality's name (``"Frankfurt (Oder)"``)."""
        return str(self.table.at[ags, "name"])

    def row(self, ags: str) -> pd.Series:
        """The register's row of one municipality."""
        return self.table.loc[ags]

    def resolve(self, text: object, lat: float | None = None,
                lon: float | None = None) -> Resolution:
        """Resolve a name, postcode or AGS (see the module docstring)."""
        raw = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
        raw = raw.strip()
        if not raw:
            return Resolution(None, "unknown")
        if _AGS.match(raw):
            return Resolution(raw, "ags") if raw in self else Resolution(None, "unknown")
        post = _POSTCODE.match(raw)
        if post:
            found = self._by_postcode.get(post.group(1), ())
            if post.group(2):
                by_name = self.resolve(post.group(2), lat, lon)
                named = set(by_name.candidates or ((by_name.ags,) if by_name.ags else ()))
                both = [a for a in found if a in named]
                if len(both) == 1:
                    return Resolution(both[0], "postcode")
                return by_name
            if len(found) == 1:
                return Resolution(found[0], "postcode")
            return Resolution(None, "ambiguous", found) if found else Resolution(None, "unknown")
        key = fold(re.sub(r",\s*(stadt|gemeinde|m|st)$", "", raw, flags=re.IGNORECASE))
        exact = self._by_name.get(fold(raw), ()) if "," in raw else ()
        if len(exact) != 1:
            exact = self._by_name.get(key, ())
        if len(exact) == 1:
            return Resolution(exact[0], "name")
        based = self._by_base.get(key, ())
        if len(exact) > 1:
            near = self._near(exact, lat, lon)
            return Resolution(near, "name+coordinates") if near else Resolution(
                None, "ambiguous", tuple(dict.fromkeys(exact + based)))
        if len(based) == 1:
            return Resolution(based[0], "base name")
        if based:
            return Resolution(None, "ambiguous", based)
        return Resolution(None, "unknown")

    def _near(self, candidates: tuple[str, ...], lat, lon) -> str | None:
        if lat is None or lon is None or not (np.isfinite(lat) and np.isfinite(lon)):
            return None
        from mobility.geo import haversine_km

        rows = self.table.loc[list(candidates)]
        km = haversine_km(float(lat), float(lon), rows["lat"].to_numpy(float),
                          rows["lon"].to_numpy(float))
        close = np.flatnonzero(np.asarray(km) <= NEAR_KM)
        return candidates[int(close[0])] if len(close) == 1 else None

    def resolve_many(self, texts: pd.Series, lat: pd.Series | None = None,
                     lon: pd.Series | None = None) -> pd.DataFrame:
        """Resolve a column of home towns at once: each distinct (text, coordinates) is
        resolved once. Returns ``ags`` (string, <NA> when unresolved), ``how`` and
        ``candidates`` (";"-joined codes of an ambiguous name), aligned with ``texts``."""
        text = texts.astype("string").fillna("").reset_index(drop=True)
        n = len(text)
        lat_v = (pd.Series(np.full(n, np.nan)) if lat is None
                 else pd.to_numeric(lat, errors="coerce").reset_index(drop=True))
        lon_v = (pd.Series(np.full(n, np.nan)) if lon is None
                 else pd.to_numeric(lon, errors="coerce").reset_index(drop=True))
        # Coordinates matter only for names shared by several municipalities: key the
        # others by text alone so that a caseload of one town is resolved once.
        distinct = pd.unique(text)
        shared = {t: fold(t) in self._shared for t in distinct}
        if lat is None or not any(shared.values()):
            codes, uniques = pd.factorize(text)
            results = [self.resolve(t) for t in uniques]
        else:
            keyed = text.map(shared).astype(bool)
            key = pd.MultiIndex.from_arrays([text, lat_v.round(3).where(keyed),
                                             lon_v.round(3).where(keyed)])
            codes, uniques = pd.factorize(key)
            results = [self.resolve(t, None if pd.isna(a) else a, None if pd.isna(o) else o)
                       for t, a, o in uniques]
        ags = np.array([r.ags or "" for r in results], dtype=object)[codes]
        how = np.array([r.how for r in results], dtype=object)[codes]
        cands = np.array([";".join(r.candidates) for r in results], dtype=object)[codes]
        out = pd.DataFrame({"ags": ags, "how": how, "candidates": cands})
        out["ags"] = out["ags"].astype("string").replace("", pd.NA)
        return out

    def near(self, ags: str, km: float) -> pd.DataFrame:
        """Other municipalities within ``km`` of one, nearest first, with ``km``."""
        from mobility.geo import haversine_km

        here = self.table.loc[ags]
        dist = haversine_km(float(here["lat"]), float(here["lon"]),
                            self.table["lat"].to_numpy(float), self.table["lon"].to_numpy(float))
        out = self.table.assign(km=dist)
        out = out[(out["km"] <= km) & (out["ags"] != ags)]
        return out.sort_values("km").reset_index(drop=True)


def read_municipalities_csv(path: str | Path | io.BytesIO) -> pd.DataFrame:
    """Read a municipalities file in the shipped layout (codes kept as text)."""
    frame = pd.read_csv(path, dtype={"ags": "string", "postcode": "string", "name": "string",
                                     "official_name": "string", "state": "string",
                                     "district": "string"}, keep_default_na=False,
                        na_values={"lat": [""], "lon": [""], "population": [""]})
    frame["population"] = pd.to_numeric(frame["population"], errors="coerce").astype("Int64")
    return frame


@cache
def municipality_register() -> MunicipalityRegister:
    """The shipped register (``data/municipalities_de.csv``), loaded once per process;
    its lookup tables (:func:`name_index`) come from the disk cache
    (:mod:`mobility.reference.cache`) when one was built from the same file by the same
    code."""
    import sys

    from mobility import text
    from mobility.reference.cache import (
        code_fingerprint,
        fingerprint,
        load_or_build,
    )

    path = data_dir() / "municipalities_de.csv"
    raw = path.read_bytes()
    table = read_municipalities_csv(io.BytesIO(raw))
    key = fingerprint(raw, code_fingerprint([sys.modules[__name__], text]))
    return MunicipalityRegister(table, load_or_build("municipality-index", key,
                                                     lambda: name_index(table),
                                                     valid=_is_name_index))


def _is_name_index(value) -> bool:
    """Whether a cached value has the shape :func:`name_index` returns."""
    return (isinstance(value, dict) and set(value) == {"name", "base", "postcode"}
            and all(isinstance(table, dict) and all(
                isinstance(codes, list) and all(isinstance(c, str) for c in codes)
                for codes in table.values()) for table in value.values()))
