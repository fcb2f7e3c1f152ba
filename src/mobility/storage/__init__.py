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

# The rest loads on first use (PEP 562): schema and tables pull in the import specs and
# pandas, which the dashboard's sign-in form (engine only) should not wait for.
_HOMES = {
    "KIND_TABLES": "schema", "SHORTLIST_STATUSES": "schema", "create_schema": "schema",
    "metadata": "schema",
    "UpsertCounts": "tables", "conform": "tables", "count_rows": "tables",
    "read_table_from_db": "tables", "stored_ids": "tables", "upsert_table": "tables",
    "upsert_tables": "tables",
}


def __getattr__(name: str):
    from importlib import import_module

    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"mobility.storage.{home}"), name)
    globals()[name] = value
    return value


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
