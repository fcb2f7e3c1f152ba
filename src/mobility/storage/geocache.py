"""The online geocoder's memory, kept in the database.

:class:`GeocodeCache` is a ``MutableMapping`` over the ``geocode_cache`` table, in the
shape :class:`mobility.geo.OnlineGeocoder` expects: keys ``"name|CC"``, values
``(name, country, lat, lon)`` or ``None`` for "the service knows no such place". With
it, each place is asked for once, ever, not once per session.

Examples
--------
>>> from mobility.storage import new_engine, create_schema
>>> from mobility.storage.geocache import GeocodeCache
>>> engine = new_engine()
>>> create_schema(engine)
>>> cache = GeocodeCache(engine)
>>> cache["Kleinkleckersdorf|DE"] = None
>>> cache["Leeds|GB"] = ("Leeds", "GB", 53.79648, -1.54785)
>>> cache["Leeds|GB"], cache["Kleinkleckersdorf|DE"], len(cache)
(('Leeds', 'GB', 53.79648, -1.54785), None, 2)
>>> from mobility.geo import OnlineGeocoder
>>> OnlineGeocoder(cache=cache).lookup("Leeds", "GB").lat  # answered from the cache
53.79648
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from datetime import UTC, datetime

import sqlalchemy as sa

from mobility.storage.schema import geocode_cache

Answer = tuple[str, str, float, float] | None


class GeocodeCache(MutableMapping[str, Answer]):
    """Geocoder answers stored in the ``geocode_cache`` table (one row per key)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def __getitem__(self, key: str) -> Answer:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(geocode_cache).where(geocode_cache.c.key == key)).first()
        if row is None:
            raise KeyError(key)
        if not row.found:
            return None
        return (row.name, row.country, float(row.lat), float(row.lon))

    def __setitem__(self, key: str, value: Answer) -> None:
        if value is None:
            values = {"name": None, "country": None, "lat": None, "lon": None, "found": False}
        else:
            name, country, lat, lon = value
            values = {"name": name, "country": country, "lat": float(lat), "lon": float(lon),
                      "found": True}
        values["created_at"] = datetime.now(UTC)
        with self.engine.begin() as conn:
            # Delete-then-insert in one transaction: portable across SQLite and PostgreSQL.
            conn.execute(geocode_cache.delete().where(geocode_cache.c.key == key))
            conn.execute(geocode_cache.insert().values(key=key, **values))

    def __delitem__(self, key: str) -> None:
        with self.engine.begin() as conn:
            gone = conn.execute(geocode_cache.delete().where(geocode_cache.c.key == key))
        if gone.rowcount == 0:
            raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        with self.engine.connect() as conn:
            keys = conn.execute(sa.select(geocode_cache.c.key).order_by(geocode_cache.c.key))
            return iter(list(keys.scalars()))

    def __len__(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(
                sa.select(sa.func.count()).select_from(geocode_cache)).scalar_one())

    def __contains__(self, key: object) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(geocode_cache.c.key)
                                .where(geocode_cache.c.key == key)).first() is not None
