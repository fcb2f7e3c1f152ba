"""Town twinnings (Städtepartnerschaften) shipped in ``data/twinnings.csv``.

The partnerships table is the product's backbone: a placement in a twin town of an
apprentice's home municipality is what the product exists to find.

Examples
--------
>>> from mobility.reference.twinnings import load_partnerships, partners_of
>>> table = load_partnerships()
>>> len(table) >= 124
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
from mobility.text import fold

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


def read_partnerships_csv(path: str | Path) -> pd.DataFrame:
    """Read a partnerships file in the shipped layout, shaped to
    :data:`PARTNERSHIP_COLUMNS` (extra columns are kept after them)."""
    frame = pd.read_csv(path, dtype={"since_year": "Int64"}, keep_default_na=False,
                        na_values={"since_year": [""]})
    for column, dtype in PARTNERSHIP_COLUMNS.items():
        frame[column] = frame[column].astype(dtype)
    statuses = frame["status"].map(lambda s: PartnershipStatus.parse(s).value)
    frame["status"] = statuses.astype("string")
    extra = [c for c in frame.columns if c not in PARTNERSHIP_COLUMNS]
    return frame[[*PARTNERSHIP_COLUMNS, *extra]]


@cache
def _shipped() -> pd.DataFrame:
    return read_partnerships_csv(data_dir() / "twinnings.csv")


def load_partnerships() -> pd.DataFrame:
    """The shipped twinnings, one row per partnership (a copy: callers may modify it)."""
    return _shipped().copy()


def partners_of(home_city: str, partnerships: pd.DataFrame | None = None) -> pd.DataFrame:
    """The partnerships of one municipality (name matched after folding umlauts)."""
    table = load_partnerships() if partnerships is None else partnerships
    key = fold(home_city)
    return table[table["home_city"].map(fold) == key].reset_index(drop=True)


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
