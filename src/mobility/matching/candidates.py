"""Sparse candidate generation: which placements each apprentice could take.

Never the whole cross product. Placements are blocked by ISCO-08 minor group in
:class:`PlacementIndex` (built once, in ``Matcher.fit``): an apprentice is only ever
compared with the placements of their own minor group (same and related trades) plus
the placements that accept related trades (they may take trades further apart). Inside
a block, apprentices are processed in chunks against the block's placements as small
dense matrices, where the hard rules (time overlap, language, maximum distance) are
cheap broadcast comparisons; only pairs that pass are scored.

Distance is a score, not a filter (unless the apprentice set ``max_distance_km``):
picking candidates by nearest distance concentrates everyone on the same placements.
When a caseload is large, each apprentice keeps their ``max_candidates`` best placements
by ``apprentice_score`` *and* each placement keeps its ``host_candidates`` best
apprentices by ``host_score``, so every placement that anyone can take stays reachable;
:func:`coverage` reports the share.

Examples
--------
>>> import pandas as pd
>>> from mobility.matching.candidates import PlacementIndex, encode_apprentices
>>> from mobility.matching.scores import MatchSettings
>>> placements = pd.DataFrame({"placement_id": ["p1"], "company_id": ["c1"],
...     "trade": ["x"], "isco08": ["7411"], "city": ["Leeds"], "country": ["GB"],
...     "lat": [53.8], "lon": [-1.55], "slots": [1],
...     "start": pd.to_datetime(["2026-03-01"]), "end": pd.to_datetime(["2026-06-30"]),
...     "min_weeks": [3], "max_weeks": [8], "languages": ["en:B1"],
...     "accommodation": [True], "accepts_related_trades": [False]})
>>> index = PlacementIndex.build(placements, None, MatchSettings())
>>> len(index)
1
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mobility.errors import Problem, ValidationError
from mobility.geo import EARTH_RADIUS_KM
from mobility.matching import kernel
from mobility.matching.scores import (
    NO_LANGUAGE_REQUIRED,
    SCORE_SCALE,
    TIER_NAMED,
    TIER_NONE,
    TIER_OTHER,
    TIER_RELATED,
    TIER_SAME,
    TWIN_NONE,
    MatchSettings,
    distance_component,
    language_component,
    preference_component,
    trade_component,
    training_year_component,
    twin_component,
)
from mobility.matching.twins import (
    apprentice_homes,
    build_twin_table,
    home_keys,
    home_keys_few,
)
from mobility.models import CEFR, parse_languages
from mobility.text import fold

if TYPE_CHECKING:  # scipy is imported where a tree is built: exact runs need none
    from scipy.spatial import cKDTree

#: Columns the matcher needs from each table (the rest of the import format is ignored).
PLACEMENT_COLUMNS = (
    "placement_id", "isco08", "city", "country", "lat", "lon", "slots", "start", "end",
    "min_weeks", "languages", "accepts_related_trades",
)
#: Optional placement column: further trades the host takes (names or ISCO codes, ';').
FURTHER_TRADES = "further_trades"
APPRENTICE_COLUMNS = (
    "apprentice_id", "isco08", "home_city", "home_country", "home_lat", "home_lon",
    "training_year", "languages", "available_from", "available_to",
    "preferred_countries", "max_distance_km",
)

# A placement naming fewer languages than the widest one is padded with impossible slots.
_PAD_REQUIREMENT = 2 * NO_LANGUAGE_REQUIRED + 30
# An apprentice who does not speak a language at all sits far below any requirement.
_NOT_SPOKEN = -100
# Up to this many apprentices, home towns are keyed in plain Python (a recommendation).
_FEW_APPRENTICES = 16
# Cells (apprentices x placements) evaluated at once: bounds the temporary memory.
_CHUNK_CELLS = 1_500_000


def require_columns(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    """Raise a ValidationError naming every column ``frame`` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValidationError(
            f"{what} lack {len(missing)} column(s) the matcher needs",
            problems=[Problem(f"missing column {c!r}", file=what, column=c) for c in missing],
        )


def _isco_codes(frame: pd.DataFrame, what: str) -> pd.Series:
    """The ``isco08`` column, checked to hold four digits everywhere (tables that did not
    come through :mod:`mobility.io` may have blanks: map them with ``TradeMapper``)."""
    isco = frame["isco08"].astype(str).str.strip()
    bad = ~isco.str.fullmatch(r"\d{4}")
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())
        raise ValidationError(f"{what} need four-digit ISCO-08 codes", problems=[
            Problem("not a four-digit ISCO-08 code (map free-text trades with TradeMapper)",
                    file=what, row=int(r) + 2, column="isco08", value=str(isco.iloc[r]))
            for r in rows[:100]])
    return isco


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere: the dot product of two is the cosine of their angle."""
    phi, lam = np.radians(np.asarray(lat, float)), np.radians(np.asarray(lon, float))
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def _days(values: pd.Series) -> np.ndarray:
    """Dates as whole days since 1970 (int64), for cheap overlap arithmetic."""
    return pd.to_datetime(values).to_numpy(dtype="datetime64[D]").astype(np.int64)


def _id_ranks(ids: np.ndarray) -> np.ndarray:
    """Position of each id in ascending string order: ties are broken by ids as strings."""
    order = np.argsort(ids.astype(str), kind="stable")
    ranks = np.empty(len(ids), dtype=np.int64)
    ranks[order] = np.arange(len(ids))
    return ranks


def _parse_unique(column: pd.Series, parse) -> tuple[np.ndarray, list]:
    """Parse each distinct cell once (caseloads repeat the same language lists)."""
    codes, uniques = pd.factorize(column.astype("string").fillna(""), use_na_sentinel=False)
    return codes, [parse(u) for u in uniques]


def _folded_keys(cities: pd.Series, countries: pd.Series) -> pd.Series:
    """``"koeln|DE"`` style keys, folding each distinct name once."""
    names = cities.astype("string").fillna("")
    uniques = pd.unique(names)
    folded = dict(zip(uniques, (fold(u) for u in uniques), strict=True))
    return names.map(folded).astype(str) + "|" + countries.astype("string").fillna("").str.upper()


@dataclass
class PlacementIndex:
    """Placements as numpy arrays, blocked by ISCO minor group, with the twin-town table.

    Build with :meth:`build`; the arrays are read-only afterwards.
    """

    ids: np.ndarray
    id_rank: np.ndarray
    isco: np.ndarray
    accepts_related: np.ndarray
    start: np.ndarray
    end: np.ndarray
    min_days: np.ndarray
    slots: np.ndarray
    xyz: np.ndarray
    country: np.ndarray
    countries: list[str]
    lang: np.ndarray
    req: np.ndarray
    languages: list[str]
    city: np.ndarray
    twin_keys: np.ndarray
    twin_status: np.ndarray
    homes: pd.DataFrame
    max_days: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    named_keys: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    blocks: dict[int, np.ndarray] = field(default_factory=dict)
    open_related: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    related_blocks: dict[int, np.ndarray] = field(default_factory=dict)
    named_blocks: dict[int, np.ndarray] = field(default_factory=dict)
    twin_radius_km: float = 5.0
    columns: dict[int, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def build(cls, placements: pd.DataFrame, partnerships: pd.DataFrame | None,
              settings: MatchSettings) -> PlacementIndex:
        """Encode a placements table (shared import format) and the twinnings."""
        require_columns(placements, PLACEMENT_COLUMNS, "placements")
        frame = placements.reset_index(drop=True)
        ids = frame["placement_id"].astype(str).to_numpy()
        if len(set(ids)) != len(ids):
            dupes = pd.Series(ids)[pd.Series(ids).duplicated()].unique()[:5]
            raise ValidationError(f"placement ids must be unique; repeated: {', '.join(dupes)}")
        isco = _isco_codes(frame, "placements")
        codes, parsed = _parse_unique(frame["languages"], parse_languages)
        languages = sorted({sk.language for skills in parsed for sk in skills})
        lang_pos = {code: i for i, code in enumerate(languages)}
        dummy = len(languages)  # the column that stands for "no requirement"
        width = max([len(skills) for skills in parsed] + [1])
        u_lang = np.full((len(parsed), width), dummy, dtype=np.int16)
        u_req = np.full((len(parsed), width), _PAD_REQUIREMENT, dtype=np.int16)
        for u, skills in enumerate(parsed):
            if not skills:
                u_req[u, 0] = 0  # margin = NO_LANGUAGE_REQUIRED - 0
            for m, skill in enumerate(skills):
                u_lang[u, m], u_req[u, m] = lang_pos[skill.language], int(skill.level)
        country = frame["country"].astype(str).str.upper()
        country_codes, countries = pd.factorize(country)
        slots = frame["slots"].to_numpy(dtype=np.int64)
        if (slots < 0).any():
            raise ValidationError("placement slots cannot be negative")
        isco_int = isco.astype(int).to_numpy(dtype=np.int64)
        index = cls(
            ids=ids,
            id_rank=_id_ranks(ids),
            isco=isco_int,
            accepts_related=frame["accepts_related_trades"].to_numpy(dtype=bool),
            start=_days(frame["start"]),
            end=_days(frame["end"]),
            min_days=7 * frame["min_weeks"].to_numpy(dtype=np.int64),
            slots=slots,
            xyz=_unit_vectors(frame["lat"].to_numpy(float), frame["lon"].to_numpy(float)),
            country=country_codes.astype(np.int32),
            countries=list(countries),
            lang=u_lang[codes],
            req=u_req[codes],
            languages=languages,
            city=frame["city"].astype(str).to_numpy(),
            twin_keys=np.empty(0, np.int64),
            twin_status=np.empty(0, np.int8),
            homes=pd.DataFrame(),
        )
        index.max_days = (7 * pd.to_numeric(frame["max_weeks"], errors="coerce")
                          .fillna(104).to_numpy(dtype=np.int64)
                          if "max_weeks" in frame else np.full(len(frame), 7 * 104, np.int64))
        index.named_keys = _further_trade_keys(frame)
        # Only placements with room are candidates: a full placement (0 slots) is never
        # recommended or allocated.
        open_ = np.flatnonzero(slots > 0)
        minor = isco_int[open_] // 10
        index.blocks = {int(g): open_[minor == g] for g in np.unique(minor)}
        index.open_related = open_[index.accepts_related[open_]]
        sub = isco_int[index.open_related] // 100
        index.related_blocks = {int(g): index.open_related[sub == g] for g in np.unique(sub)}
        named_p, named_code = index.named_keys // 10_000, index.named_keys % 10_000
        named_open = slots[named_p] > 0
        named_p, named_code = named_p[named_open], named_code[named_open]
        index.named_blocks = {int(c): np.unique(named_p[named_code == c])
                              for c in np.unique(named_code)}
        index.twin_radius_km = float(settings.twin_radius_km)
        index._build_twins(frame, partnerships, settings)
        return index

    def _build_twins(self, frame: pd.DataFrame, partnerships: pd.DataFrame | None,
                     settings: MatchSettings) -> None:
        """Which placements lie in a partner town of which home municipality: by
        identity (same gazetteer entry, same folded name and country, or a town inside
        a partner borough), never by distance alone; see :mod:`mobility.matching.twins`.
        Suspended and ended partnerships give no bonus and are dropped here."""
        if partnerships is None or len(partnerships) == 0:
            self.homes = pd.DataFrame({"key": [], "name": [], "lat": [], "lon": []})
            return
        found = build_twin_table(partnerships, self.city,
                                 np.asarray(self.countries, dtype=object)[self.country],
                                 frame["lat"].to_numpy(float), frame["lon"].to_numpy(float))
        self.homes = found.homes
        self.twin_keys, self.twin_status, self.twin_via = (
            found.twin_keys, found.twin_status, found.twin_via)

    def home_tree(self) -> cKDTree:
        """A KD-tree over the twinnings' home municipalities (built once, on demand)."""
        if getattr(self, "_home_tree", None) is None:
            from scipy.spatial import cKDTree

            self._home_tree = cKDTree(_unit_vectors(self.homes["lat"].to_numpy(float),
                                                    self.homes["lon"].to_numpy(float)))
        return self._home_tree

    def columns_for(self, unit_group: int) -> np.ndarray:
        """Placements an apprentice of this ISCO-08 unit group (4 digits) may be acceptable
        for, ascending: those of the same minor group (same and related trades), those of
        the same sub-major group that take related trades, and those naming the unit
        group among their further trades. Nothing else is acceptable."""
        unit = int(unit_group)
        found = self.columns.get(unit)
        if found is None:
            empty = np.empty(0, np.int64)
            found = np.unique(np.concatenate([
                self.blocks.get(unit // 10, empty), self.related_blocks.get(unit // 100, empty),
                self.named_blocks.get(unit, empty)])).astype(np.int64)
            self.columns[unit] = found
        return found

    def names_trade(self, p: np.ndarray, isco: np.ndarray) -> np.ndarray:
        """Whether placement ``p[i]`` names ISCO unit group ``isco[i]`` as a further trade."""
        if len(self.named_keys) == 0:
            return np.zeros(len(p), dtype=bool)
        keys = np.asarray(p, np.int64) * 10_000 + np.asarray(isco, np.int64)
        pos = np.minimum(np.searchsorted(self.named_keys, keys), len(self.named_keys) - 1)
        return self.named_keys[pos] == keys


def _further_trade_keys(frame: pd.DataFrame) -> np.ndarray:
    """``placement * 10_000 + isco`` for each further trade a placement names (sorted).

    The optional column ``further_trades`` lists trade names (as in ``data/trades.csv``)
    or four-digit ISCO-08 codes separated by ``;``; anything else is refused with the row.
    """
    if FURTHER_TRADES not in frame:
        return np.empty(0, np.int64)
    from mobility.reference.trades import trade_catalog

    catalog = trade_catalog()
    keys, problems = [], []
    cells = frame[FURTHER_TRADES].astype("string").fillna("")
    for row, cell in enumerate(cells):
        for item in (x.strip() for x in str(cell).split(";")):
            if not item:
                continue
            if len(item) == 4 and item.isdigit():
                keys.append(row * 10_000 + int(item))
                continue
            trade = catalog.get(item)
            if trade is None:
                problems.append(Problem(f"unknown trade {item!r}", file="placements",
                                        row=row + 2, column=FURTHER_TRADES, value=item))
            else:
                keys.append(row * 10_000 + int(trade.isco08))
    if problems:
        raise ValidationError("placements name further trades that are not known trades or "
                              "four-digit ISCO-08 codes", problems=problems[:100])
    return np.unique(np.asarray(keys, dtype=np.int64))


@dataclass
class ApprenticeBatch:
    """Apprentices as numpy arrays, encoded against one :class:`PlacementIndex`."""

    ids: np.ndarray
    id_rank: np.ndarray
    isco: np.ndarray
    start: np.ndarray
    end: np.ndarray
    xyz: np.ndarray
    cos_max: np.ndarray
    training_year: np.ndarray
    level: np.ndarray
    preferred: np.ndarray
    has_preferences: np.ndarray
    home: np.ndarray
    home_city: np.ndarray
    language_text: list[dict[str, CEFR]]
    language_code: np.ndarray
    desired_days: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))

    def __len__(self) -> int:
        return len(self.ids)


def _parse_countries(text: str) -> tuple[str, ...]:
    return tuple(c.strip().upper() for c in str(text).replace(",", ";").split(";") if c.strip())


def encode_apprentices(apprentices: pd.DataFrame, index: PlacementIndex) -> ApprenticeBatch:
    """Encode an apprentices table (shared import format) against ``index``."""
    require_columns(apprentices, APPRENTICE_COLUMNS, "apprentices")
    frame = apprentices.reset_index(drop=True)
    ids = frame["apprentice_id"].astype(str).to_numpy()
    isco = _isco_codes(frame, "apprentices")
    lang_codes, parsed = _parse_unique(frame["languages"], parse_languages)
    lang_pos = {code: i for i, code in enumerate(index.languages)}
    u_level = np.full((len(parsed), len(index.languages) + 1), _NOT_SPOKEN, dtype=np.int16)
    u_level[:, -1] = NO_LANGUAGE_REQUIRED
    for u, skills in enumerate(parsed):
        for skill in skills:
            if skill.language in lang_pos:
                u_level[u, lang_pos[skill.language]] = int(skill.level)
    pref_codes, pref_parsed = _parse_unique(frame["preferred_countries"], _parse_countries)
    country_pos = {c: i for i, c in enumerate(index.countries)}
    u_pref = np.zeros((len(pref_parsed), len(index.countries) + 1), dtype=bool)
    for u, wanted in enumerate(pref_parsed):
        for c in wanted:
            if c in country_pos:
                u_pref[u, country_pos[c]] = True
    has_pref = np.array([len(w) > 0 for w in pref_parsed], dtype=bool)[pref_codes]
    max_km = pd.to_numeric(frame["max_distance_km"], errors="coerce").to_numpy(float)
    angle = np.where(np.isfinite(max_km), max_km / EARTH_RADIUS_KM, np.inf)
    cos_max = np.where(angle < np.pi, np.cos(np.minimum(angle, np.pi)), -2.0)
    # Cosines carry rounding: allow a metre of slack so a placement at exactly the limit counts.
    cos_max = np.where(cos_max > -2.0, cos_max - 1e-9, cos_max)
    xyz = _unit_vectors(frame["home_lat"].to_numpy(float), frame["home_lon"].to_numpy(float))
    return ApprenticeBatch(
        ids=ids,
        id_rank=_id_ranks(ids),
        isco=isco.astype(int).to_numpy(dtype=np.int64),
        start=_days(frame["available_from"]),
        end=_days(frame["available_to"]),
        xyz=xyz,
        cos_max=cos_max,
        training_year=frame["training_year"].to_numpy(dtype=np.int64),
        level=u_level[lang_codes],
        preferred=u_pref[pref_codes],
        has_preferences=has_pref,
        home=_match_homes(frame, xyz, index),
        home_city=frame["home_city"].astype(str).to_numpy(),
        language_text=[{sk.language: sk.level for sk in skills} for skills in parsed],
        language_code=lang_codes,
        # Without desired weeks the stay is as long as the placement and the windows allow.
        desired_days=7 * pd.to_numeric(frame.get("desired_weeks", pd.Series(np.nan,
                                       index=frame.index)), errors="coerce")
        .fillna(104).to_numpy(dtype=np.int64),
    )


def _match_homes(frame: pd.DataFrame, xyz: np.ndarray, index: PlacementIndex) -> np.ndarray:
    """The twinning home municipality of each apprentice (-1 if none): by identity (the
    municipality's official code, else folded name and country), never by distance.

    Same answer as :func:`mobility.matching.twins.apprentice_homes`, with its key ->
    position table kept on the index: one apprentice's recommendation must not rebuild
    it from every home municipality.
    """
    if len(index.homes) == 0 or len(frame) == 0:
        return apprentice_homes(frame, index.homes)
    positions = getattr(index, "_home_positions", None)
    if positions is None:
        positions = {k: i for i, k in enumerate(index.homes["key"])}
        index._home_positions = positions
    if len(frame) <= _FEW_APPRENTICES:
        def column(name):
            return None if name not in frame else frame[name].tolist()

        return np.array([positions.get(k, -1) for k in home_keys_few(
            frame["home_city"].tolist(), frame["home_country"].tolist(), column("home_ags"),
            column("home_lat"), column("home_lon"))], dtype=np.int64)
    keys = home_keys(frame["home_city"], frame["home_country"], frame.get("home_ags"),
                     frame.get("home_lat"), frame.get("home_lon"))
    return keys.map(positions).fillna(-1).astype(np.int64).to_numpy()


# ---------------------------------------------------------------------------
# Evaluating pairs
# ---------------------------------------------------------------------------


def _acceptable_block(A: ApprenticeBatch, P: PlacementIndex, rows: np.ndarray,
                      cols: np.ndarray) -> np.ndarray:
    """Dense ``len(rows) x len(cols)`` mask of the hard rules, as broadcast comparisons
    (the trade rule holds by construction of ``cols``)."""
    overlap = (np.minimum(A.end[rows, None], P.end[None, cols])
               - np.maximum(A.start[rows, None], P.start[None, cols]) + 1)
    ok = overlap >= P.min_days[None, cols]
    cosine = A.xyz[rows] @ P.xyz[cols].T
    ok &= cosine >= A.cos_max[rows, None]
    level = A.level[rows]
    best = np.full(ok.shape, -32000, dtype=np.int16)
    for m in range(P.lang.shape[1]):
        np.maximum(best, level[:, P.lang[cols, m]] - P.req[None, cols, m], out=best)
    ok &= best >= -1
    return ok


def _time_and_distance_ok(A: ApprenticeBatch, P: PlacementIndex, a: np.ndarray,
                          p: np.ndarray) -> np.ndarray:
    """The time-overlap and maximum-distance rules for pairs, without scoring them."""
    overlap = np.minimum(A.end[a], P.end[p]) - np.maximum(A.start[a], P.start[p]) + 1
    ok = overlap >= P.min_days[p]
    limited = ok & (A.cos_max[a] > -2.0)
    if limited.any():
        idx = np.flatnonzero(limited)
        cosine = np.einsum("ij,ij->i", A.xyz[a[idx]], P.xyz[p[idx]])
        ok[idx] = cosine >= A.cos_max[a[idx]]
    return ok


def pair_features(A: ApprenticeBatch, P: PlacementIndex, a: np.ndarray, p: np.ndarray,
                  settings: MatchSettings) -> dict[str, np.ndarray]:
    """Everything about the pairs ``(a[i], p[i])``: raw features, the components, the
    three scores and ``acceptable`` (all hard rules, trade included).

    Vectorised over pairs; ``a`` and ``p`` are positions in ``A`` and ``P``.
    """
    a = np.asarray(a, dtype=np.int64)
    p = np.asarray(p, dtype=np.int64)
    tier = trade_tier(A.isco[a], P.isco[p], P.accepts_related[p], P.names_trade(p, A.isco[a]))
    width = A.level.shape[1]
    lang_p = P.lang[p]
    margins = np.take(A.level, a[:, None] * width + lang_p) - P.req[p]
    best_slot = np.argmax(margins, axis=1)
    margin = np.take_along_axis(margins, best_slot[:, None], axis=1)[:, 0].astype(np.int64)
    best_language = np.take_along_axis(lang_p, best_slot[:, None], axis=1)[:, 0]
    # The compiled cosine: the scans rank by exactly these numbers (see kernel).
    cosine = kernel.pair_cosines(np.ascontiguousarray(A.xyz), np.ascontiguousarray(P.xyz), a, p)
    stay_start, stay_end, overlap = stay_window(A, P, a, p)
    acceptable = (tier != TIER_NONE) & (margin >= -1) \
        & (overlap >= P.min_days[p]) & (cosine >= A.cos_max[a])
    twin = np.full(len(a), TWIN_NONE, dtype=np.int8)
    has_home = A.home[a] >= 0
    if has_home.any() and len(P.twin_keys):
        keys = A.home[a[has_home]] * len(P) + p[has_home]
        pos = np.minimum(np.searchsorted(P.twin_keys, keys), len(P.twin_keys) - 1)
        twin[has_home] = np.where(P.twin_keys[pos] == keys, P.twin_status[pos], TWIN_NONE)
    preferred = A.preferred[a, P.country[p]]
    app_i, host_i, score_i, km = kernel.pair_scores(
        cosine, tier.astype(np.int64), twin.astype(np.int64), margin, preferred,
        A.has_preferences[a], A.training_year[a], kernel.settings_vector(settings))
    components = {
        "trade": trade_component(tier, settings),
        "language": language_component(margin, settings),
        "twin_town": twin_component(twin, settings),
        "preference": preference_component(preferred, A.has_preferences[a], settings),
        "distance": distance_component(km, settings),
        "training_year": training_year_component(A.training_year[a]),
    }
    return {
        "tier": tier, "margin": margin, "best_language": best_language, "distance_km": km,
        "twin": twin, "preferred": preferred, "overlap_days": overlap,
        "stay_start": stay_start, "stay_end": stay_end,
        "acceptable": acceptable, **components,
        # The scores of the compiled scorer: the same operations as scores.combine.
        "score": score_i / SCORE_SCALE, "apprentice_score": app_i / SCORE_SCALE,
        "host_score": host_i / SCORE_SCALE,
    }


def trade_tier(a_isco: np.ndarray, p_isco: np.ndarray, accepts_related: np.ndarray,
               named: np.ndarray) -> np.ndarray:
    """The trade rule (ISCO-08): same unit group (4 digits) :data:`TIER_SAME`; same minor
    group (3 digits) :data:`TIER_RELATED`; same sub-major group (2 digits) at a host that
    takes related trades :data:`TIER_OTHER`; a trade the host names among its further
    trades :data:`TIER_NAMED`; anything else :data:`TIER_NONE` (not acceptable).

    >>> trade_tier(np.array([5141, 5141, 5141, 5141]), np.array([5141, 5142, 5120, 3512]),
    ...            np.array([True] * 4), np.array([False] * 4)).tolist()
    [0, 1, 2, -1]
    """
    a_isco, p_isco = np.asarray(a_isco, np.int64), np.asarray(p_isco, np.int64)
    tier = np.full(len(a_isco), TIER_NONE, dtype=np.int8)
    tier[np.asarray(named, bool)] = TIER_NAMED
    tier[np.asarray(accepts_related, bool) & (a_isco // 100 == p_isco // 100)] = TIER_OTHER
    tier[a_isco // 10 == p_isco // 10] = TIER_RELATED
    tier[a_isco == p_isco] = TIER_SAME
    return tier


def stay_window(A: ApprenticeBatch, P: PlacementIndex, a: np.ndarray,
                p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First and last day of the stay (days since 1970) and the overlap in days.

    The stay starts on the first day both windows are open and lasts the apprentice's
    desired weeks, clipped to the placement's ``max_weeks`` and to the overlap of the
    two windows, never shorter than the placement's ``min_weeks`` (a pair whose overlap
    is shorter than that is not acceptable: its stay is meaningless).
    """
    start = np.maximum(A.start[a], P.start[p])
    last = np.minimum(A.end[a], P.end[p])
    overlap = last - start + 1
    length = np.minimum(np.minimum(A.desired_days[a], P.max_days[p]), overlap)
    length = np.maximum(length, P.min_days[p])
    return start, start + length - 1, overlap


def iter_acceptable(A: ApprenticeBatch, P: PlacementIndex, settings: MatchSettings,
                    rows: np.ndarray | None = None
                    ) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray]]]:
    """Yield ``(apprentice_positions, features)`` chunk by chunk, where ``features`` holds
    every acceptable pair of those apprentices (``a``, ``p`` and :func:`pair_features`).

    Apprentices are grouped by ISCO minor group and each group meets only its columns
    (:meth:`PlacementIndex.columns_for`), in chunks of bounded size.
    """
    rows = np.arange(len(A)) if rows is None else np.asarray(rows, dtype=np.int64)
    if len(rows) == 0:
        return
    unit = A.isco[rows]
    order = np.argsort(unit, kind="stable")
    rows, unit = rows[order], unit[order]
    bounds = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1], True])
    for lo, hi in itertools.pairwise(bounds):
        group_rows = rows[lo:hi]
        cols = P.columns_for(int(unit[lo]))
        if len(cols) == 0:
            yield group_rows, _empty_features()
            continue
        step = max(1, _CHUNK_CELLS // len(cols))
        for start in range(0, len(group_rows), step):
            chunk = group_rows[start:start + step]
            r, c = np.nonzero(_acceptable_block(A, P, chunk, cols))
            a, p = chunk[r], cols[c]
            feats = pair_features(A, P, a, p, settings)
            keep = feats.pop("acceptable")
            yield chunk, {"a": a[keep], "p": p[keep], **{k: v[keep] for k, v in feats.items()}}


def _empty_features() -> dict[str, np.ndarray]:
    empty = np.empty(0, dtype=np.int64)
    return {"a": empty, "p": empty, "score": np.empty(0), "apprentice_score": np.empty(0),
            "host_score": np.empty(0)}


def rank_within(group: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Rank (0 = best) of each element among those with the same ``group``, by ``key``
    descending. Keys must be unique within a group for a deterministic answer."""
    group = np.asarray(group, dtype=np.int64)
    key = np.asarray(key, dtype=np.int64)
    if len(group) == 0:
        return np.empty(0, dtype=np.int64)
    span = int(key.max()) - int(key.min()) + 1
    if (int(group.max()) + 1) * span < 2**62:
        # One int64 sort on a composite key is several times faster than a lexsort.
        order = np.argsort(group * span + (int(key.max()) - key))
    else:
        order = np.lexsort((-key, group))
    sorted_group = group[order]
    starts = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])
    first = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(len(order)) - first
    return ranks


def apprentice_key(apprentice_score: np.ndarray, p: np.ndarray, P: PlacementIndex) -> np.ndarray:
    """Unique int64 ordering key for an apprentice's list: higher ``apprentice_score``
    first, ties by ``placement_id`` ascending as strings."""
    scaled = np.round(apprentice_score * 1e6).astype(np.int64)
    return scaled * (len(P) + 1) + (len(P) - P.id_rank[p])


def host_key(host_score: np.ndarray, a: np.ndarray, A: ApprenticeBatch) -> np.ndarray:
    """Unique int64 ordering key for a host's list: higher ``host_score`` first, ties by
    ``apprentice_id`` ascending as strings."""
    return np.round(host_score * 1e6).astype(np.int64) * (len(A) + 1) + (len(A) - A.id_rank[a])


@dataclass
class CandidatePairs:
    """The acceptable pairs the engine considers, as parallel arrays (positions into the
    apprentice batch and the placement index) with their three scores."""

    a: np.ndarray
    p: np.ndarray
    score: np.ndarray
    apprentice_score: np.ndarray
    host_score: np.ndarray
    acceptable_any: np.ndarray

    def __len__(self) -> int:
        return len(self.a)


#: Below this many apprentice x placement cells (within trade blocks) the search is
#: exhaustive; above it, candidates come from nearest-neighbour queries.
EXHAUSTIVE_CELLS = 4_000_000


def block_cells(A: ApprenticeBatch, P: PlacementIndex) -> int:
    """How many (apprentice, placement) cells an exhaustive search would look at."""
    groups, counts = np.unique(A.isco, return_counts=True)
    return int(sum(int(c) * len(P.columns_for(int(g)))
                   for g, c in zip(groups, counts, strict=True)))


def generate_candidates(A: ApprenticeBatch, P: PlacementIndex, settings: MatchSettings,
                        progress=None, search: str = "auto") -> CandidatePairs:
    """The acceptable pairs the allocations work on.

    With ``settings.max_candidates=None`` every acceptable pair. Otherwise each
    apprentice's best ``max_candidates`` by apprentice_score united with each placement's
    best ``host_candidates`` by host_score, taken from

    * ``search="exhaustive"``: every acceptable pair in the trade blocks (exact top lists;
      cost grows with apprentices x placements per trade group);
    * ``search="nearest"``: a sparse pool, linear in the caseload: per apprentice the
      nearest placements of their trade group, the nearest in each preferred country,
      the nearest that take related trades and every one in a twin town; per placement
      its nearest apprentices of the trade group (so that no placement is starved).
      The top lists are exact *within that pool*;
    * ``search="auto"``: exhaustive below :data:`EXHAUSTIVE_CELLS` cells, else nearest.

    ``acceptable_any[i]`` tells whether apprentice ``i`` has any acceptable placement at
    all (always checked exhaustively for those without candidates).
    """
    if search not in ("auto", "exhaustive", "nearest"):
        raise ValidationError("search must be auto, exhaustive or nearest")
    if settings.max_candidates is not None and (
            search == "nearest" or (search == "auto" and block_cells(A, P) > EXHAUSTIVE_CELLS)):
        return _nearest_candidates(A, P, settings, progress)
    K, M = settings.max_candidates, settings.host_candidates
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("a", "p", "score", "apprentice_score",
                                                          "host_score", "row_best")}
    acceptable_any = np.zeros(len(A), dtype=bool)
    done = 0
    for chunk, f in iter_acceptable(A, P, settings):
        a, p = f["a"], f["p"]
        acceptable_any[a] = True
        if K is None:
            keep = np.ones(len(a), dtype=bool)
            row_best = keep
        else:
            # Apprentices live in exactly one chunk, so a row's best K here is its best K.
            row_best = rank_within(a, apprentice_key(f["apprentice_score"], p, P)) < K
            # A placement's global best M are among its best M of each chunk.
            keep = row_best | (rank_within(p, host_key(f["host_score"], a, A)) < M)
        for name in ("a", "p", "score", "apprentice_score", "host_score"):
            parts[name].append(f[name][keep])
        parts["row_best"].append(row_best[keep])
        done += len(chunk)
        if progress is not None:
            progress(done / max(len(A), 1), f"candidates: {done:,} of {len(A):,} apprentices")
    return _finish(A, P, parts, K, M, acceptable_any)


def _finish(A, P, parts, K, M, acceptable_any) -> CandidatePairs:
    arrays = {k: np.concatenate(v) if v else np.empty(0) for k, v in parts.items()}
    a = arrays["a"].astype(np.int64)
    p = arrays["p"].astype(np.int64)
    if K is not None and len(a):
        keep = arrays["row_best"].astype(bool) | (
            rank_within(p, host_key(arrays["host_score"], a, A)) < M)
        arrays = {k: v[keep] for k, v in arrays.items()}
        a, p = a[keep], p[keep]
    return CandidatePairs(a=a, p=p, score=arrays["score"].astype(float),
                          apprentice_score=arrays["apprentice_score"].astype(float),
                          host_score=arrays["host_score"].astype(float),
                          acceptable_any=acceptable_any)


def _query(tree: cKDTree | np.ndarray, targets: np.ndarray, queries: np.ndarray,
           k: int) -> tuple[np.ndarray, np.ndarray]:
    """(query position, target) pairs for the ``k`` nearest targets of each query;
    ``tree`` is a built ``cKDTree`` over the targets or their points."""
    from scipy.spatial import cKDTree

    k = min(int(k), len(targets))
    if k == 0 or len(queries) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if not isinstance(tree, cKDTree):
        tree = cKDTree(tree)
    _, idx = tree.query(queries, k=k)
    idx = idx.reshape(len(queries), k)
    return np.repeat(np.arange(len(queries)), k), targets[idx.ravel()]


def _nearest_candidates(A: ApprenticeBatch, P: PlacementIndex, settings: MatchSettings,
                        progress=None) -> CandidatePairs:
    """Candidate pool from nearest-neighbour queries (see :func:`generate_candidates`),
    one trade group at a time so that sorts and temporaries stay small.

    Chord distance on unit vectors orders points exactly as great-circle distance does,
    so ``cKDTree`` on 3-D points answers great-circle nearest-neighbour queries.
    """
    from scipy.spatial import cKDTree

    K, M = int(settings.max_candidates), int(settings.host_candidates)
    half = max(1, K // 2)
    n_p = len(P)
    minor = A.isco // 10
    # Seeded: the same input gives the same pool, run after run.
    rng = np.random.default_rng(20260101)
    twin_home = P.twin_keys // max(n_p, 1)
    twin_place = P.twin_keys % max(n_p, 1)
    related_tree = cKDTree(P.xyz[P.open_related]) if len(P.open_related) else None
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("a", "p", "score", "apprentice_score",
                                                          "host_score", "row_best")}
    acceptable_any = np.zeros(len(A), dtype=bool)
    groups = np.unique(minor)
    order = np.argsort(minor, kind="stable")
    bounds = np.searchsorted(minor[order], groups, side="left")
    bounds = np.r_[bounds, len(order)]
    for step, g in enumerate(groups):
        rows = order[bounds[step]:bounds[step + 1]]
        own = P.blocks.get(int(g), np.empty(0, np.int64))
        keys: list[np.ndarray] = []

        def add(a: np.ndarray, p: np.ndarray, keys=keys) -> None:
            if len(a):
                keys.append(a.astype(np.int64) * n_p + p.astype(np.int64))

        own_tree = cKDTree(P.xyz[own]) if len(own) else None
        q, t = _query(own_tree, own, A.xyz[rows], half)
        add(rows[q], t)
        # Plus a random spread over the whole group: nearest-only pools put everyone from
        # one town on the same few placements, and the allocation starves.
        if len(own) > half:
            add(np.repeat(rows, half), own[rng.integers(0, len(own), len(rows) * half)])
        # The nearest in each preferred country: preferences beat distance in the score.
        wanting_any = rows[A.has_preferences[rows]]
        if len(wanting_any) and len(own):
            for c in np.unique(P.country[own]):
                wanting = wanting_any[A.preferred[wanting_any, c]]
                there = own[P.country[own] == c]
                q, t = _query(P.xyz[there], there, A.xyz[wanting], half)
                add(wanting[q], t)
        # Each placement's nearest apprentices of the group, so nobody's offer is starved.
        q, t = _query(A.xyz[rows], rows, P.xyz[own], 2 * M)
        add(t, own[q])
        # Trades further apart: the nearest placements that take related trades.
        if related_tree is not None:
            q, t = _query(related_tree, P.open_related, A.xyz[rows], half)
            add(rows[q], t)
        # Twin towns: the twin-town placements of the apprentice's own trade group all
        # (up to K, else a random K each), those of other groups taking related trades
        # a random K/2 each: enough to reach the top of every list, never a cross product.
        own_block = np.zeros(n_p, dtype=bool)
        own_block[own] = True
        related_block = np.zeros(n_p, dtype=bool)
        related_block[P.open_related] = True
        homes_here = A.home[rows]
        for h in np.flatnonzero(np.bincount(homes_here[homes_here >= 0], minlength=1)):
            mine = twin_place[twin_home == h]
            who = rows[homes_here == h]
            for places, cap in ((mine[own_block[mine]], K),
                                (mine[related_block[mine] & ~own_block[mine]], half)):
                if len(places) <= cap:
                    add(np.repeat(who, len(places)), np.tile(places, len(who)))
                else:
                    add(np.repeat(who, cap), places[rng.integers(0, len(places), len(who) * cap)])
        if not keys:
            continue
        pool = np.sort(np.concatenate(keys))
        pool = pool[np.r_[True, pool[1:] != pool[:-1]]]
        # Cheap rules first: only pairs that pass them are scored, 2M pairs at a time so
        # that a big trade group at a million apprentices stays within memory.
        got: dict[str, list[np.ndarray]] = {k: [] for k in ("a", "p", "score",
                                                            "apprentice_score", "host_score")}
        for lo in range(0, len(pool), 2_000_000):
            a, p = pool[lo:lo + 2_000_000] // n_p, pool[lo:lo + 2_000_000] % n_p
            cheap = _time_and_distance_ok(A, P, a, p)
            a, p = a[cheap], p[cheap]
            f = pair_features(A, P, a, p, settings)
            ok = f["acceptable"]
            got["a"].append(a[ok])
            got["p"].append(p[ok])
            for name in ("score", "apprentice_score", "host_score"):
                got[name].append(f[name][ok])
        f = {k: np.concatenate(v) for k, v in got.items()}
        a, p = f["a"], f["p"]
        ok = np.ones(len(a), dtype=bool)
        acceptable_any[a] = True
        row_best = rank_within(a, apprentice_key(f["apprentice_score"][ok], p, P)) < K
        keep = row_best | (rank_within(p, host_key(f["host_score"][ok], a, A)) < M)
        parts["a"].append(a[keep])
        parts["p"].append(p[keep])
        for name in ("score", "apprentice_score", "host_score"):
            parts[name].append(f[name][ok][keep])
        parts["row_best"].append(row_best[keep])
        if progress is not None:
            progress((step + 1) / len(groups), f"candidates: trade group {g:03d}")
    # Whoever found nothing in the pool is checked exhaustively: "no acceptable
    # placement" must be true, not an artefact of the pool.
    nothing = np.flatnonzero(~acceptable_any)
    for _, f in iter_acceptable(A, P, settings, rows=nothing):
        if len(f["a"]):
            acceptable_any[f["a"]] = True
            top = rank_within(f["a"], apprentice_key(f["apprentice_score"], f["p"], P)) < K
            for name in ("a", "p", "score", "apprentice_score", "host_score"):
                parts[name].append(f[name][top])
            parts["row_best"].append(np.ones(int(top.sum()), bool))
    return _finish(A, P, parts, K, M, acceptable_any)


def coverage(pairs: CandidatePairs, P: PlacementIndex) -> float:
    """Share of placements with room that appear in at least one candidate list."""
    open_ = P.slots > 0
    if not open_.any():
        return float("nan")
    seen = np.zeros(len(P), dtype=bool)
    seen[pairs.p] = True
    return float((seen & open_).sum() / open_.sum())
