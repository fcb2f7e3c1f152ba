"""Town twinnings (Städtepartnerschaften) shipped in ``data/twinnings.csv``.

The partnerships table is the product's backbone: a placement in a twin town of an
apprentice's home municipality is what the product exists to find. It holds the
partnerships of 1,840 German municipalities (``tools/build_twinnings.py``): the curated
rows of the 13 largest NRW cities (their own pages) merged with the English Wikipedia
lists (CC BY-SA 4.0, ``confidence`` "confirmed") and a 2016 Wikidata crawl (CC0,
"unconfirmed"). Each row names its ``source``, ``licence``, ``confidence`` and the home
municipality's official code ``home_ags``.

German-German partnerships (about 850) are kept: they are partnerships like any other,
shown on the municipality page and applied in matching when a placement happens to lie
in the German partner town (the funding rules decide separately what a stay in Germany
can get). Partnerships whose partner has no coordinates are not in this file but in
``data/twinnings_unplaced.csv`` (see :func:`load_unplaced`).

Examples
--------
>>> from mobility.reference.twinnings import load_partnerships, partners_of
>>> table = load_partnerships()
>>> len(table) > 5000
True
>>> set(table["confidence"]) == {"confirmed", "unconfirmed"}
True
>>> "Leeds" in set(partners_of("Dortmund").partner_city)
True
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from mobility.models import City, Partnership, PartnershipStatus
from mobility.paths import data_dir

#: Columns of the partnerships table, in order, with their dtypes.
PARTNERSHIP_COLUMNS: dict[str, str] = {
    "home_city": "string",
    "home_country": "string",
    "home_lat": "float64",
    "home_lon": "float64",
    "partner_city": "string",
    "partner_country": "string",
    "partner_lat": "float64",
    "partner_lon": "float64",
    "since_year": "Int64",
    "status": "string",
    "source": "string",
}

#: Columns a shipped file may add (interface 4 of the team's contracts); blank when absent.
OPTIONAL_COLUMNS: dict[str, str] = {
    "home_ags": "string",
    "confidence": "string",
    "licence": "string",
    "contact_office": "string",
    "updated_by": "string",
    "updated_at": "string",
}

#: What ``confidence`` may say (blank reads as confirmed).
CONFIDENCES = ("confirmed", "unconfirmed")


def read_partnerships_csv(path: str | Path) -> pd.DataFrame:
    """Read a partnerships file in the shipped layout, shaped to
    :data:`PARTNERSHIP_COLUMNS` (extra columns are kept after them)."""
    frame = pd.read_csv(path, dtype={"since_year": "Int64", "home_ags": "string",
                                     "updated_at": "string"}, keep_default_na=False,
                        na_values={c: [""] for c in ("since_year", "home_lat", "home_lon",
                                                     "partner_lat", "partner_lon")})
    for column, dtype in PARTNERSHIP_COLUMNS.items():
        frame[column] = frame[column].astype(dtype)
    for column, dtype in OPTIONAL_COLUMNS.items():
        if column not in frame:
            frame[column] = ""
        frame[column] = frame[column].astype(dtype)
    statuses = frame["status"].map(lambda s: PartnershipStatus.parse(s).value)
    frame["status"] = statuses.astype("string")
    frame["confidence"] = frame["confidence"].str.strip().str.lower().replace("", "confirmed")
    bad = ~frame["confidence"].isin(CONFIDENCES)
    if bad.any():
        from mobility.errors import ValidationError

        row = int(bad.to_numpy().argmax()) + 2
        raise ValidationError(f"{Path(path).name}, row {row}, column confidence: "
                              f"{frame['confidence'][bad].iloc[0]!r} is not one of "
                              f"{', '.join(CONFIDENCES)}")
    extra = [c for c in frame.columns if c not in PARTNERSHIP_COLUMNS]
    return frame[[*PARTNERSHIP_COLUMNS, *extra]]


@cache
def _shipped() -> pd.DataFrame:
    return read_partnerships_csv(data_dir() / "twinnings.csv")


def load_partnerships() -> pd.DataFrame:
    """The shipped twinnings, one row per partnership (a copy: callers may modify it)."""
    return _shipped().copy()


def load_unplaced() -> pd.DataFrame:
    """Partnerships whose partner has no coordinates in the sources (kept apart until
    someone adds them; see :mod:`tools.build_twinnings`)."""
    return read_partnerships_csv(data_dir() / "twinnings_unplaced.csv")


def curated_partnerships() -> pd.DataFrame:
    """The rows from the 13 cities' own pages (the first, hand-checked reference)."""
    table = load_partnerships()
    return table[table["source_id"].astype(str).str.startswith("city_page")].reset_index(
        drop=True)


def partners_of(home_city: str, partnerships: pd.DataFrame | None = None,
                home_country: str = "DE", lat: float | None = None,
                lon: float | None = None) -> pd.DataFrame:
    """The partnerships of one municipality: a German home town by its official code
    (name, postcode or AGS resolved through the municipality register, so that
    "Frankfurt (Oder)" never gets Frankfurt am Main's partners), otherwise by the name
    matched after folding umlauts. ``lat``/``lon`` tell apart municipalities of exactly
    the same name (the two called "Hamm")."""
    from mobility.matching.twins import home_keys

    table = load_partnerships() if partnerships is None else partnerships
    if table.empty:
        return table.reset_index(drop=True)
    key = home_keys(pd.Series([home_city]), pd.Series([home_country]),
                    lat=None if lat is None else pd.Series([lat]),
                    lon=None if lon is None else pd.Series([lon]))[0]
    keys = home_keys(table["home_city"], table["home_country"], table.get("home_ags"),
                     table.get("home_lat"), table.get("home_lon"))
    return table[keys.to_numpy() == key].reset_index(drop=True)


def to_partnerships(table: pd.DataFrame) -> list[Partnership]:
    """The rows of a partnerships table as :class:`Partnership` objects."""
    return [
        Partnership(
            home=City(r.home_city, r.home_country, r.home_lat, r.home_lon),
            partner=City(r.partner_city, r.partner_country, r.partner_lat, r.partner_lon),
            since_year=None if pd.isna(r.since_year) else int(r.since_year),
            status=r.status,
            source=str(r.source),
        )
        for r in table.itertuples(index=False)
    ]


#: Neighbouring municipalities whose partnerships are shown (for information, without a
#: bonus) when a home municipality has none: those whose centre lies within this
#: distance of the home's centre (km). In North Rhine-Westphalia that is the adjoining
#: towns; in rural Bavaria or Rhineland-Palatinate a handful of villages and the nearest
#: small town.
NEIGHBOUR_KM = 15.0


def neighbour_partnerships(ags: str, partnerships: pd.DataFrame | None = None,
                           km: float = NEIGHBOUR_KM) -> pd.DataFrame:
    """The partnerships of the municipalities within ``km`` of the one with code
    ``ags`` (not its own), nearest first, with ``home_km`` (centre to centre).
    Suspended and ended partnerships are left out."""
    from mobility.matching.twins import home_keys
    from mobility.reference.municipalities import municipality_register

    table = load_partnerships() if partnerships is None else partnerships
    near = municipality_register().near(ags, km)
    if near.empty or table.empty:
        return table.iloc[0:0].assign(home_km=pd.Series(dtype=float))
    keys = home_keys(table["home_city"], table["home_country"], table.get("home_ags"),
                     table.get("home_lat"), table.get("home_lon"))
    distance = dict(zip("ags:" + near["ags"].astype(str), near["km"], strict=True))
    found = table.assign(home_km=keys.map(distance).to_numpy())
    found = found[found["home_km"].notna()
                  & ~found["status"].astype(str).isin(["suspended", "ended"])]
    return found.sort_values(["home_km", "home_city", "partner_city"]).reset_index(drop=True)

