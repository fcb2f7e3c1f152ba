"""Storage: the SQLAlchemy schema and the functions that read and write it.

SQLite by default (``var/mobility.db``), PostgreSQL when ``MOBILITY_DATABASE_URL``
says so. One engine per process (:func:`get_engine`); every unit of work is one
transaction.

Examples
--------
>>> from mobility.storage import new_engine, create_schema, count_rows
>>> engine = new_engine()
>>> create_schema(engine)
>>> count_rows(engine, "apprentices")
0
"""

from mobility.storage.engine import database_url, dispose_engines, get_engine, new_engine
from mobility.storage.schema import KIND_TABLES, SHORTLIST_STATUSES, create_schema, metadata
from mobility.storage.tables import (
    UpsertCounts,
    conform,
    count_rows,
    read_table_from_db,
    stored_ids,
    upsert_table,
    upsert_tables,
)

__all__ = [
    "KIND_TABLES",
    "SHORTLIST_STATUSES",
    "UpsertCounts",
    "conform",
    "count_rows",
    "create_schema",
    "database_url",
    "dispose_engines",
    "get_engine",
    "metadata",
    "new_engine",
    "read_table_from_db",
    "stored_ids",
    "upsert_table",
    "upsert_tables",
]
