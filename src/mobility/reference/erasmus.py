"""Erasmus+ KA1 VET rules as versioned tables.

``data/erasmus_rates.csv`` holds several tables in one file (``table`` column): the
travel unit costs by distance band (``travel_support``, and ``travel_support_alt``, the
higher table seen for higher education), the country groups for individual support,
and the other unit costs. Each is keyed here by **call year and table name** and
carries its sources, so an estimate can say which table it used.

Which travel table applies to VET learners in the current call is not verified (see
the file's ``note``). :data:`DEFAULT_TRAVEL_TABLE` is ``travel_support``, the table the
sources tie to KA1 VET; callers may choose the other.

The daily individual-support rates for VET learners are **not** shipped: no source was
found. They are entered by an administrator (:mod:`mobility.funding.rates`).

Examples
--------
>>> from mobility.reference.erasmus import travel_bands, country_group, programme_countries
>>> bands = travel_bands()
>>> bands.name, bands.call_year
('travel_support', 2024)
>>> [bands.band_label(i) for i in bands.band_index([99.9, 100.0, 499.0, 500.0])]
['10-99 km', '100-499 km', '100-499 km', '500-1999 km']
>>> country_group("FR"), country_group("GB")
(2, None)
>>> "GB" in programme_countries(), "NO" in programme_countries()
(False, True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from mobility.errors import NotFoundError
from mobility.paths import data_dir

#: The travel table used when the caller does not choose (see module docstring).
DEFAULT_TRAVEL_TABLE = "travel_support"
TRAVEL_TABLES = ("travel_support", "travel_support_alt")

_YEAR = re.compile(r"(19|20)\d{2}")


def _call_year(text: object) -> int | None:
    match = _YEAR.search(str(text or ""))
    return int(match.group(0)) if match else None


@cache
def load_rates() -> pd.DataFrame:
    """``erasmus_rates.csv`` shaped: amounts as float (NaN = not in the source, which
    is *unknown*, not zero) and ``call_year`` read from ``guide_year``."""
    frame = pd.read_csv(data_dir() / "erasmus_rates.csv", dtype=str, keep_default_na=False)
    for column in ("km_min", "km_max", "standard_eur", "green_eur",
                   "eur_per_day_min", "eur_per_day_max"):
        frame[column] = pd.to_numeric(frame[column].replace("", None), errors="coerce")
    frame["call_year"] = pd.array([_call_year(y) for y in frame["guide_year"]], dtype="Int64")
    text = [c for c in frame.columns if frame[c].dtype == object]
    frame[text] = frame[text].astype("string")
    return frame


def versioned_label(name: str, call_year: int | None) -> str:
    """How an estimate names a table: ``"travel_support (call 2024)"``."""
    return f"{name} ({f'call {call_year}' if call_year else 'undated'})"


@dataclass(frozen=True, slots=True)
class RateTable:
    """One versioned table of ``erasmus_rates.csv``: its rows, call year and sources."""

    name: str
    call_year: int | None
    rows: pd.DataFrame
    source: str
    confidence: str
    note: str

    @property
    def label(self) -> str:
        """``"travel_support (call 2024)"``: how estimates name the table they used."""
        return versioned_label(self.name, self.call_year)


@cache
def rate_tables() -> dict[tuple[int | None, str], RateTable]:
    """Every table in ``erasmus_rates.csv`` keyed by ``(call_year, table)``."""
    frame = load_rates()
    tables: dict[tuple[int | None, str], RateTable] = {}
    for name, rows in frame.groupby("table", sort=False):
        years = rows["call_year"].dropna()
        year = int(years.max()) if len(years) else None
        tables[(year, str(name))] = RateTable(
            name=str(name), call_year=year, rows=rows.reset_index(drop=True),
            source=" ; ".join(dict.fromkeys(str(s) for s in rows["source"] if str(s))),
            confidence=" / ".join(dict.fromkeys(str(c) for c in rows["confidence"] if str(c))),
            note=" ".join(dict.fromkeys(str(n) for n in rows["note"] if str(n))),
        )
    return tables


def rate_table(name: str, call_year: int | None = None) -> RateTable:
    """The table ``name`` for ``call_year``, or its newest version when no year is given."""
    found = [t for (year, n), t in rate_tables().items()
             if n == name and (call_year is None or year == call_year)]
    if not found:
        known = sorted({f"{n} {y or ''}".strip() for y, n in rate_tables()})
        raise NotFoundError(f"no Erasmus+ table {name!r}"
                            f"{f' for call {call_year}' if call_year else ''}; known: {known}")
    return max(found, key=lambda t: t.call_year or 0)


@dataclass(frozen=True, slots=True)
class TravelBands:
    """Distance bands of one travel table, ready for vectorised lookups.

    A distance belongs to the band whose ``[km_min, next km_min)`` holds it, so 99.9 km
    is in 10-99 km and 100.0 km in 100-499 km. Below the first band (10 km) there is no
    band: :meth:`band_index` gives -1.
    """

    name: str
    call_year: int | None
    km_min: np.ndarray
    km_max: np.ndarray
    standard_eur: np.ndarray
    green_eur: np.ndarray  # NaN where the table has no green amount
    labels: tuple[str, ...]
    source: str
    confidence: str

    @property
    def table_label(self) -> str:
        """``"travel_support (call 2024)"``."""
        return versioned_label(self.name, self.call_year)

    def band_index(self, distance_km: object) -> np.ndarray:
        """Index of the band for each distance (-1 below the first band, or NaN distance)."""
        dist = np.atleast_1d(np.asarray(distance_km, dtype=float))
        idx = np.searchsorted(self.km_min, dist, side="right") - 1
        return np.where(np.isnan(dist), -1, idx)

    def band_label(self, index: int) -> str:
        """The band's name (``"100-499 km"``) for an index from :meth:`band_index`."""
        return self.labels[index] if index >= 0 else "below 10 km (no band)"

    @classmethod
    def from_frame(cls, name: str, call_year: int | None, rows: pd.DataFrame, *,
                   source: str, confidence: str = "") -> TravelBands:
        """Bands from rows with ``band_or_group, km_min, km_max, standard_eur,
        green_eur`` (the layout of ``erasmus_rates.csv``)."""
        rows = rows.sort_values("km_min")
        return cls(name=name, call_year=call_year,
                   km_min=rows["km_min"].to_numpy(float), km_max=rows["km_max"].to_numpy(float),
                   standard_eur=rows["standard_eur"].to_numpy(float),
                   green_eur=rows["green_eur"].to_numpy(float),
                   labels=tuple(str(b) for b in rows["band_or_group"]),
                   source=source, confidence=confidence)


def travel_bands(name: str = DEFAULT_TRAVEL_TABLE, call_year: int | None = None) -> TravelBands:
    """The distance bands of travel table ``name`` (``travel_support`` by default)."""
    if name not in TRAVEL_TABLES:
        raise NotFoundError(f"{name!r} is not a travel table; choose one of {TRAVEL_TABLES}")
    table = rate_table(name, call_year)
    return TravelBands.from_frame(table.name, table.call_year, table.rows, source=table.source,
                                  confidence=table.confidence)


@dataclass(frozen=True, slots=True)
class UnitCost:
    """One fixed unit cost (organisational, linguistic, inclusion support)."""

    item: str
    amount_eur: float | None
    call_year: int | None
    applies_to: str
    source: str
    confidence: str
    note: str

    @property
    def label(self) -> str:
        return versioned_label(f"other_unit_costs: {self.item}", self.call_year)


@cache  # shipped data; a frozen value: the same answer for every estimate
def unit_cost(item: str) -> UnitCost:
    """The row ``item`` of the ``other_unit_costs`` table (``"organisational support"``,
    ``"linguistic support"``, ``"inclusion support for organisations"``)."""
    rows = load_rates()
    hit = rows[(rows["table"] == "other_unit_costs") & (rows["item"] == item)]
    if hit.empty:
        raise NotFoundError(f"no unit cost {item!r} in erasmus_rates.csv")
    row = hit.iloc[0]
    amount = row["standard_eur"]
    return UnitCost(item=item, amount_eur=None if pd.isna(amount) else float(amount),
                    call_year=None if pd.isna(row["call_year"]) else int(row["call_year"]),
                    applies_to=str(row["applies_to"]), source=str(row["source"]),
                    confidence=str(row["confidence"]), note=str(row["note"]))


@dataclass(frozen=True, slots=True)
class ErasmusRule:
    """One structured rule of ``data/erasmus_rules.csv`` (derived from erasmus_rates.csv)."""

    rule: str
    value: float
    unit: str
    confidence: str
    source_row: str
    source: str
    note: str


@cache
def erasmus_rules() -> dict[str, ErasmusRule]:
    """The structured Erasmus+ rules (travel days, day-15 reduction...), by name."""
    frame = pd.read_csv(data_dir() / "erasmus_rules.csv", dtype=str, keep_default_na=False)
    return {
        r.rule: ErasmusRule(rule=r.rule, value=float(r.value), unit=r.unit,
                            confidence=r.confidence, source_row=r.source_row, source=r.source,
                            note=r.note)
        for r in frame.itertuples(index=False)
    }


@cache
def erasmus_countries() -> pd.DataFrame:
    """``erasmus_countries.csv``: ISO code, name, status and individual-support group
    (``Int64``, missing for countries outside the programme)."""
    frame = pd.read_csv(data_dir() / "erasmus_countries.csv", dtype=str, keep_default_na=False)
    frame["individual_support_group"] = pd.to_numeric(
        frame["individual_support_group"].replace("", None)).astype("Int64")
    text = [c for c in frame.columns if c != "individual_support_group"]
    frame[text] = frame[text].astype("string")
    return frame


@cache
def programme_countries() -> frozenset[str]:
    """EU member states and third countries associated to the programme: where a
    German VET learner can go with Erasmus+ (other third countries only in limited
    cases, not modelled)."""
    frame = erasmus_countries()
    status = frame["status"].str.lower()
    member = status.str.startswith("eu member") | status.str.startswith("third country associated")
    return frozenset(frame.loc[member, "iso2"])


@cache
def _groups() -> dict[str, int]:
    frame = erasmus_countries().dropna(subset=["individual_support_group"])
    return dict(zip(frame["iso2"], frame["individual_support_group"].astype(int), strict=True))


def country_group(country: str) -> int | None:
    """The individual-support country group (1, 2 or 3) of a destination, or None."""
    return _groups().get(str(country).upper())


def country_groups(countries: object) -> np.ndarray:
    """Vectorised :func:`country_group`: an int array with 0 where there is no group."""
    series = pd.Series(np.asarray(countries, dtype=object)).astype(str).str.upper()
    return series.map(_groups()).fillna(0).astype(int).to_numpy()


# ---------------------------------------------------------------------------
# Country groups of individual support, versioned by call year
# ---------------------------------------------------------------------------

#: The group table used unless an administrator selects another: the 2021-2023 grouping,
#: the one the sources tie to VET learners.
DEFAULT_GROUP_TABLE = "country_groups_2021"


@dataclass(frozen=True, slots=True)
class GroupTable:
    """One version of the individual-support country groups (``erasmus_country_groups.csv``).

    ``vet_status`` says whether the table is known to apply to VET learners
    (``"in use for VET"``) or not (``"unverified for VET"``: the 2024 regrouping is
    confirmed for higher education only).
    """

    name: str
    call_year: int
    groups: dict[str, int]
    vet_status: str
    confidence: str
    source: str
    note: str

    @property
    def label(self) -> str:
        """``"country_groups_2024 (call 2024; unverified for VET)"``."""
        return f"{self.name} (call {self.call_year}; {self.vet_status})"

    @property
    def verified_for_vet(self) -> bool:
        return not self.vet_status.startswith("unverified")

    def group(self, country: str) -> int | None:
        """The group (1-3) of ``country``, or None when the table has none for it."""
        return self.groups.get(str(country).upper())

    def group_array(self, countries: object) -> np.ndarray:
        """Vectorised :meth:`group`: an int array with 0 where there is no group."""
        values = np.asarray(countries, dtype=object).ravel()
        if len(values) < 64:  # one stay: a dictionary lookup, not a pandas round trip
            return np.array([self.groups.get(str(c).upper(), 0) for c in values], dtype=int)
        series = pd.Series(values).astype(str).str.upper()
        return series.map(self.groups).fillna(0).astype(int).to_numpy()


@cache
def group_tables() -> dict[str, GroupTable]:
    """Every country-group table of ``data/erasmus_country_groups.csv``, by name."""
    frame = pd.read_csv(data_dir() / "erasmus_country_groups.csv", dtype=str,
                        keep_default_na=False)
    tables: dict[str, GroupTable] = {}
    for name, rows in frame.groupby("table", sort=False):
        groups = {code.strip(): int(row.group) for row in rows.itertuples(index=False)
                  for code in row.countries.split(",") if code.strip()}
        first = rows.iloc[0]
        tables[str(name)] = GroupTable(
            name=str(name), call_year=int(first["call_year"]), groups=groups,
            vet_status=str(first["vet_status"]), confidence=str(first["confidence"]),
            source=str(first["source"]), note=str(first["note"]))
    return tables


def group_table(name: str | None = None) -> GroupTable:
    """The country-group table ``name`` (default :data:`DEFAULT_GROUP_TABLE`)."""
    tables = group_tables()
    key = name or DEFAULT_GROUP_TABLE
    if key not in tables:
        raise NotFoundError(f"no country-group table {key!r}; known: {sorted(tables)}")
    return tables[key]
