"""Twin towns by identity: which placements lie in a partner town of which home.

A placement is in a twin town of a home municipality when its city **is** the partner
the partnership names, never because it lies near it:

* the same gazetteer entry (``"Köln"`` and ``"Cologne"`` are one GeoNames place; the
  names under which the gazetteer finds each partner town are shipped in
  ``data/partner_aliases.csv``, so matching does not load the whole gazetteer), or
* the same folded name and country (the partner's name, a second spelling from
  ``alt_names`` or one side of ``"Corinto/El Realejo"``), or
* for partner boroughs and districts ("South Tyneside", "North Tyneside", "Calderdale")
  a town the gazetteer places inside that borough (GeoNames admin2, shipped in
  ``data/partner_boroughs.csv`` by ``tools/build_boroughs.py``) or the town the twinnings
  table locates the borough at (``located_as``).

A namesake is not the partner: a placement whose coordinates lie more than
:data:`NAMESAKE_KM` from the partner's (Arlington, Texas for Aachen's Arlington,
Virginia) does not count. Distance only ever takes a match away, never makes one.

Home municipalities are keyed by their official code (AGS) where they are German:
the partnership's ``home_ags`` or its home town resolved through
:mod:`mobility.reference.municipalities`; apprentices' home towns resolve the same way,
so "Frankfurt am Main" never meets Frankfurt (Oder)'s partners. Homes abroad and German
names the register cannot resolve keep a folded ``name|country`` key.

Examples
--------
>>> import pandas as pd
>>> from mobility.matching.twins import home_keys
>>> home_keys(pd.Series(["Köln", "Koeln", "Frankfurt"]), pd.Series(["DE", "DE", "DE"])).tolist()
['ags:05315000', 'ags:05315000', 'name:frankfurt|DE']
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from mobility.geo import haversine_km
from mobility.matching.scores import TWIN_ACTIVE, TWIN_DORMANT, TWIN_NONE, TWIN_UNCONFIRMED
from mobility.paths import data_dir
from mobility.text import fold, fold_keys
from mobility.text import fold as _fold

#: A same-named place farther than this from the partner's coordinates is a namesake.
NAMESAKE_KM = 50.0

#: Which level wins when one (home, placement) pair comes from several partnerships.
_PRIORITY = {TWIN_NONE: 0, TWIN_UNCONFIRMED: 1, TWIN_DORMANT: 2, TWIN_ACTIVE: 3}


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series([""] * len(frame), index=frame.index, dtype="string")
    return frame[column].astype("string").fillna("")


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def partnership_levels(table: pd.DataFrame) -> np.ndarray:
    """The twin level of each partnership row: suspended and ended ones give none,
    unconfirmed ones :data:`TWIN_UNCONFIRMED`, dormant ones :data:`TWIN_DORMANT`."""
    status = _text(table, "status").str.lower().to_numpy(dtype=object)
    confidence = _text(table, "confidence").str.lower().to_numpy(dtype=object)
    level = np.full(len(table), TWIN_ACTIVE, dtype=np.int8)
    level[status == "dormant"] = TWIN_DORMANT
    level[confidence == "unconfirmed"] = TWIN_UNCONFIRMED
    level[np.isin(status, ["suspended", "ended"])] = TWIN_NONE
    return level


def home_keys(cities: pd.Series, countries: pd.Series, ags: pd.Series | None = None,
              lat: pd.Series | None = None, lon: pd.Series | None = None) -> pd.Series:
    """``"ags:05315000"`` for a German home the register resolves (or a valid ``ags``
    given), else ``"name:koeln|DE"``; one key per row, aligned with ``cities``."""
    from mobility.reference.municipalities import municipality_register

    cities = cities.astype("string").fillna("").reset_index(drop=True)
    country = countries.astype("string").fillna("").str.upper().reset_index(drop=True)
    german = (country == "DE").to_numpy()
    keys = pd.Series(np.full(len(cities), "", dtype=object))
    code = pd.Series(pd.NA, index=keys.index, dtype="string")
    if german.any():
        register = municipality_register()
        if ags is not None:
            given = ags.astype(object).where(ags.notna(), "").astype(str).str.strip()
            given = given.reset_index(drop=True)
            known = register.codes
            valid = np.fromiter((g in known for g in given), bool, len(given)) & german
            code[valid] = given[valid]
        todo = german & code.isna().to_numpy()
        if todo.any():
            pick = np.flatnonzero(todo)
            found = register.resolve_many(
                cities.iloc[pick],
                None if lat is None else lat.reset_index(drop=True).iloc[pick],
                None if lon is None else lon.reset_index(drop=True).iloc[pick])
            code.iloc[pick] = found["ags"].to_numpy()
    resolved = code.notna().to_numpy()
    keys[resolved] = "ags:" + code[resolved].astype(str)
    rest = np.flatnonzero(~resolved)
    if len(rest):
        names = cities.iloc[rest]
        uniques = pd.unique(names)
        folded = dict(zip(uniques, (fold(u) for u in uniques), strict=True))
        keys.iloc[rest] = ("name:" + names.map(folded).astype(str) + "|"
                           + country.iloc[rest].astype(str)).to_numpy()
    return keys


def home_keys_few(cities, countries, ags=None, lat=None, lon=None) -> list[str]:
    """:func:`home_keys` for a handful of rows (one apprentice's recommendation), in plain
    Python: the same keys without a dozen pandas operations on one-row Series. The
    arguments are sequences aligned with each other (``None`` or NaN: blank)."""
    from mobility.reference.municipalities import municipality_register

    def text(x) -> str:
        return "" if x is None or x is pd.NA or (isinstance(x, float) and x != x) else str(x)

    def number(x) -> float:
        try:
            value = float(x)
        except (TypeError, ValueError):
            return float("nan")
        return value

    keys = []
    for i, raw_city in enumerate(cities):
        city, country = text(raw_city), text(countries[i]).upper()
        code = None
        if country == "DE":
            register = municipality_register()
            given = "" if ags is None else text(ags[i]).strip()
            if given and given in register.codes:
                code = given
            else:
                la = float("nan") if lat is None else number(lat[i])
                lo = float("nan") if lon is None else number(lon[i])
                if lat is not None and fold(city) in register._shared:
                    la, lo = float(np.round(la, 3)), float(np.round(lo, 3))  # as pandas
                    found = register.resolve(city, None if la != la else la,
                                             None if lo != lo else lo)
                else:
                    found = register.resolve(city)
                code = found.ags or None
        keys.append(f"ags:{code}" if code else f"name:{fold(city)}|{country}")
    return keys


def partner_aliases() -> dict[tuple[str, str], tuple[int, float, float]]:
    """``(folded name, country)`` -> ``(geonameid, lat, lon)`` of the gazetteer place that
    name finds, for every partner town of the shipped twinnings
    (``data/partner_aliases.csv``, ``tools/build_partner_aliases.py``): the gazetteer's
    own answer, without loading its 170,000 places on every matching run."""
    return _aliases_source()[1]


@cache
def _aliases_source() -> tuple[str, dict[tuple[str, str], tuple[int, float, float]]]:
    """The fingerprint of ``data/partner_aliases.csv`` and its mapping, both from the
    same bytes (what the disk cache of :func:`_partner_keys` is keyed by is exactly what
    its keys were built from, even when the file changes while a process runs)."""
    from mobility.reference.cache import fingerprint

    path = data_dir() / "partner_aliases.csv"
    if not path.exists():
        return fingerprint("no partner aliases"), {}
    raw = path.read_bytes()
    return fingerprint("partner aliases", raw), read_partner_aliases(io.BytesIO(raw))


def read_partner_aliases(path: str | os.PathLike | io.BytesIO) -> dict[
        tuple[str, str], tuple[int, float, float]]:
    """The mapping of :func:`partner_aliases` from a file in its layout, read by Arrow:
    four times faster than ``csv.DictReader`` on its 38,000 rows, which every matching
    process paid (Arrow parses decimals to the nearest double, as ``float`` does)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    types = {"key": pa.string(), "country": pa.string(), "geonameid": pa.int64(),
             "lat": pa.float64(), "lon": pa.float64()}
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types=types, include_columns=list(types), strings_can_be_null=False))
    from mobility.reference.cache import paused_gc

    with paused_gc():
        column = {name: table[name].to_numpy().tolist() for name in types}
        return dict(zip(zip(column["key"], column["country"], strict=True),
                        zip(column["geonameid"], column["lat"], column["lon"], strict=True),
                        strict=True))


def write_partner_aliases(twinnings: str | os.PathLike, dst: str | os.PathLike) -> int:
    """Write ``dst`` (the layout of ``data/partner_aliases.csv``) for the partner towns of
    the twinnings file ``twinnings``: every folded name under which the gazetteer finds
    each of them in its country. Loads the gazetteer; returns the rows written."""
    from mobility.geo import gazetteer

    gaz = gazetteer()
    wanted: set[int] = set()
    with open(twinnings, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            cc = row["partner_country"]
            names = [row["partner_city"], *row["partner_city"].split("/"),
                     *(row.get("alt_names") or "").split(";"), row.get("located_as") or ""]
            for name in names:
                entry = gaz.get_entry(name.strip(), cc) if name.strip() else None
                if entry is not None:
                    wanted.add(entry.geonameid)
    rows = [{"key": key, "country": cc, "geonameid": int(gaz.entries.geonameid[i]),
             "lat": round(float(gaz.entries.lat[i]), 5), "lon": round(float(gaz.entries.lon[i]), 5)}
            for (key, cc), i in gaz._by_country.items()
            if int(gaz.entries.geonameid[i]) in wanted]
    rows.sort(key=lambda r: (r["country"], r["key"]))
    tmp = f"{dst}.tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["key", "country", "geonameid", "lat", "lon"])
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, dst)
    _aliases_source.cache_clear()
    return len(rows)


def _place_id(name: str, country: str, aliases: dict | None = None
              ) -> tuple[int, float, float] | None:
    """The gazetteer place a name finds in a country, when it is a partner town."""
    aliases = partner_aliases() if aliases is None else aliases
    for key in fold_keys(name):
        found = aliases.get((key, country))
        if found is not None:
            return found
    return None


def borough_towns() -> dict[tuple[str, str], tuple[str, ...]]:
    """``(folded borough, country)`` -> folded names of the towns inside it."""
    return _boroughs_source()[1]


@cache
def _boroughs_source() -> tuple[str, dict[tuple[str, str], tuple[str, ...]]]:
    """The fingerprint of ``data/partner_boroughs.csv`` and its mapping (one read)."""
    from mobility.reference.cache import fingerprint

    path = data_dir() / "partner_boroughs.csv"
    if not path.exists():
        return fingerprint("no partner boroughs"), {}
    raw = path.read_bytes()
    table = pd.read_csv(io.BytesIO(raw), dtype="string", keep_default_na=False)
    out: dict[tuple[str, str], list[str]] = {}
    for borough, cc, town in zip(table["borough"], table["country"], table["town"], strict=True):
        out.setdefault((fold(borough), cc), []).append(fold(town))
    return (fingerprint("partner boroughs", raw),
            {k: tuple(dict.fromkeys(v)) for k, v in out.items()})


#: Partner keys already built or read in this process, by their cache key (a few
#: partnership tables at most: the shipped one and a user's).
_KEYS_IN_MEMORY: dict[str, list] = {}


def _partner_keys(table: pd.DataFrame) -> list[list[list]]:
    """For each partnership row: its identity keys as ``[kind, value, via]``, ``kind``
    ``"n"`` (folded ``name|country``, ``value`` text) or ``"g"`` (gazetteer place,
    ``value`` its id), ``via`` the borough it goes through (``""`` for the partner town
    itself).

    Kept in the disk cache (:mod:`mobility.reference.cache`) under a key over every
    input: the table's partner columns, the bytes of the alias and borough files the
    keys were built from, and the code that builds them."""
    import json
    import sys

    from mobility import geo, text
    from mobility.reference.cache import code_fingerprint, fingerprint, load_or_build

    columns = (_text(table, "partner_city").to_numpy(dtype=object),
               _text(table, "partner_country").str.upper().to_numpy(dtype=object),
               _text(table, "alt_names").to_numpy(dtype=object),
               _text(table, "located_as").to_numpy(dtype=object),
               _numbers(table, "partner_lat"), _numbers(table, "partner_lon"))
    aliases_print, aliases = _aliases_source()
    boroughs_print, boroughs = _boroughs_source()
    key = fingerprint(json.dumps([[str(v) for v in c] for c in columns[:4]]),
                      columns[4].tobytes(), columns[5].tobytes(), aliases_print,
                      boroughs_print, code_fingerprint([sys.modules[__name__], text, geo]))
    found = _KEYS_IN_MEMORY.get(key)
    if found is None:
        found = load_or_build("partner-keys", key,
                              lambda: build_partner_keys(*columns, aliases, boroughs),
                              valid=lambda rows: _are_partner_keys(rows, len(table)))
        if len(_KEYS_IN_MEMORY) >= 4:
            _KEYS_IN_MEMORY.clear()
        _KEYS_IN_MEMORY[key] = found
    return found


def _are_partner_keys(rows, n_rows: int) -> bool:
    """Whether a cached value has the shape :func:`build_partner_keys` returns."""
    return isinstance(rows, list) and len(rows) == n_rows and all(
        isinstance(keys, list) and all(
            isinstance(k, list) and len(k) == 3 and isinstance(k[2], str) and (
                (k[0] == "n" and isinstance(k[1], str))
                or (k[0] == "g" and type(k[1]) is int))
            for k in keys) for keys in rows)


def build_partner_keys(names, countries, alts, located, lat, lon, aliases: dict,
                       boroughs: dict) -> list[list[list]]:
    """:func:`_partner_keys` from its columns (one entry per partnership row: partner
    town, upper-case country, ``alt_names``, ``located_as``, partner coordinates) and
    the alias and borough mappings, without any cache."""
    out = []
    memo: dict[str, str] = {}

    def fold(text: str) -> str:  # partner names repeat across homes: fold each once
        found = memo.get(text)
        if found is None:
            found = memo[text] = _fold(text)
        return found

    for r in range(len(names)):
        cc, name = str(countries[r]), str(names[r]).strip()
        parts = [p.strip() for p in [name, *name.split("/"), *str(alts[r]).split(";")]
                 if p.strip()]
        keys: list[list] = []
        for part in dict.fromkeys(parts):
            keys.append(["n", f"{fold(part)}|{cc}", ""])
            place = _place_id(part, cc, aliases)
            if place is not None and (not np.isfinite(lat[r]) or haversine_km(
                    place[1], place[2], lat[r], lon[r]) <= NAMESAKE_KM):
                keys.append(["g", int(place[0]), ""])
            for town in boroughs.get((fold(part), cc), ()) if place is None else ():
                keys.append(["n", f"{town}|{cc}", part])
        if str(located[r]).strip():
            keys.append(["n", f"{fold(located[r])}|{cc}", name])
        out.append(keys)
    return out


@dataclass(frozen=True)
class TwinTable:
    """The result of :func:`build_twin_table` (see :class:`PlacementIndex`)."""

    homes: pd.DataFrame
    twin_keys: np.ndarray
    twin_status: np.ndarray
    twin_via: np.ndarray


def build_twin_table(partnerships: pd.DataFrame, city: np.ndarray, country: np.ndarray,
                     lat: np.ndarray, lon: np.ndarray) -> TwinTable:
    """Which placements (``city``, ``country``, coordinates; one entry per placement)
    lie in a partner town of which home.

    ``twin_keys`` are ``home * n_placements + placement`` (sorted, unique), with the
    level in ``twin_status`` and the borough the match goes through in ``twin_via``
    (``""`` when the placement's town is the partner itself). ``homes`` has ``key``,
    ``name``, ``lat``, ``lon`` per home municipality (its code in ``twin_keys``).
    """
    table = partnerships.reset_index(drop=True)
    level = partnership_levels(table)
    keep = level != TWIN_NONE
    table, level = table[keep].reset_index(drop=True), level[keep]
    hkeys = home_keys(_text(table, "home_city"), _text(table, "home_country"),
                      table.get("home_ags"), table.get("home_lat"), table.get("home_lon"))
    home_codes, home_uniques = pd.factorize(hkeys)
    first = pd.Series(np.arange(len(table))).groupby(home_codes).first().to_numpy()
    homes = pd.DataFrame({
        "key": np.asarray(home_uniques, dtype=object),
        "name": _text(table, "home_city").to_numpy(dtype=object)[first] if len(table) else [],
        "lat": _numbers(table, "home_lat")[first] if len(table) else [],
        "lon": _numbers(table, "home_lon")[first] if len(table) else [],
    })
    n_p = len(city)
    empty = TwinTable(homes, np.empty(0, np.int64), np.empty(0, np.int8),
                      np.empty(0, dtype=object))
    if len(table) == 0 or n_p == 0:
        return empty
    by_key: dict[tuple, list[tuple[int, str]]] = {}
    for r, keys in enumerate(_partner_keys(table)):
        for kind, value, via in keys:
            by_key.setdefault((kind, value), []).append((r, via))
    # Placements: one identity per distinct (city, country).
    place = pd.Series(city, dtype="string").fillna("").str.strip() + "\x1f" + pd.Series(
        country, dtype="string").fillna("").str.upper()
    codes, uniques = pd.factorize(place)
    p_rows, r_rows, vias = [], [], []
    members = pd.Series(np.arange(n_p)).groupby(codes).apply(np.asarray)
    for u, text in enumerate(uniques):
        name, _, cc = text.partition("\x1f")
        hits: dict[int, str] = {}
        place = _place_id(name, cc) if name else None
        for key in ([("n", f"{fold(name)}|{cc}")] + ([("g", place[0])] if place else [])):
            for r, via in by_key.get(key, ()):
                if r not in hits or (hits[r] and not via):
                    hits[r] = via
        if not hits:
            continue
        idx = members[u]
        for r, via in hits.items():
            p_rows.append(idx)
            r_rows.append(np.full(len(idx), r, dtype=np.int64))
            vias.append(np.full(len(idx), via, dtype=object))
    if not p_rows:
        return empty
    p_all, r_all, via_all = np.concatenate(p_rows), np.concatenate(r_rows), np.concatenate(vias)
    # A namesake far from the partner is not the partner (distance takes away only).
    p_lat = np.asarray(lat, dtype=float)[p_all]
    p_lon = np.asarray(lon, dtype=float)[p_all]
    r_lat = _numbers(table, "partner_lat")[r_all]
    r_lon = _numbers(table, "partner_lon")[r_all]
    known = np.isfinite(p_lat) & np.isfinite(r_lat)
    far = np.zeros(len(p_all), dtype=bool)
    if known.any():
        far[known] = np.asarray(haversine_km(p_lat[known], p_lon[known], r_lat[known],
                                             r_lon[known])) > NAMESAKE_KM
    p_all, r_all, via_all = p_all[~far], r_all[~far], via_all[~far]
    keys = home_codes[r_all].astype(np.int64) * n_p + p_all
    values = level[r_all]
    priority = np.vectorize(_PRIORITY.get, otypes=[np.int8])(values) if len(values) else values
    # One (home, placement) pair may come from two rows: the livelier level wins, and
    # among equals the partner town itself before a borough.
    order = np.lexsort((via_all != "", -priority, keys))
    keys, values, via_all = keys[order], values[order], via_all[order]
    first_of_key = np.r_[True, keys[1:] != keys[:-1]] if len(keys) else np.zeros(0, bool)
    return TwinTable(homes, keys[first_of_key], values[first_of_key], via_all[first_of_key])


def twin_via(P, home: int, placement: int) -> str:
    """The borough through which ``placement`` is in ``home``'s twin town (``""``:
    the town itself)."""
    via = getattr(P, "twin_via", None)
    if via is None or not len(P.twin_keys):
        return ""
    key = np.int64(home) * len(P.ids) + placement
    pos = int(np.searchsorted(P.twin_keys, key))
    return str(via[pos]) if pos < len(P.twin_keys) and P.twin_keys[pos] == key else ""


def twin_phrase(city: str, home: str, level: int, via: str = "") -> str:
    """The English explanation part: ``"Leeds is Dortmund's twin town"`` or
    ``"South Shields, in Wuppertal's partner borough South Tyneside"``, with
    ``(dormant twinning)`` / ``(unconfirmed twinning)`` where it applies.

    >>> twin_phrase("South Shields", "Wuppertal", TWIN_ACTIVE, "South Tyneside")
    "South Shields, in Wuppertal's partner borough South Tyneside"
    """
    text = (f"{city}, in {home}'s partner borough {via}" if via
            else f"{city} is {home}'s twin town")
    if level == TWIN_DORMANT:
        text += " (dormant twinning)"
    elif level == TWIN_UNCONFIRMED:
        text += " (unconfirmed twinning)"
    return text


def apprentice_homes(frame: pd.DataFrame, homes: pd.DataFrame) -> np.ndarray:
    """The code in ``homes`` of each apprentice's home municipality (-1: no known
    partnership), by identity (AGS or folded name and country), never by distance."""
    home = np.full(len(frame), -1, dtype=np.int64)
    if len(homes) == 0 or len(frame) == 0:
        return home
    keys = home_keys(frame["home_city"], frame["home_country"], frame.get("home_ags"),
                     frame.get("home_lat"), frame.get("home_lon"))
    by_key = {k: i for i, k in enumerate(homes["key"])}
    return keys.map(by_key).fillna(-1).astype(np.int64).to_numpy()
