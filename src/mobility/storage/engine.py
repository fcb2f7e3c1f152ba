"""One database engine per process: SQLite by default, PostgreSQL by URL.

The URL comes from ``MOBILITY_DATABASE_URL`` when it is set, else the embedded SQLite
file ``var/mobility.db`` in the checkout (``var/`` is git-ignored). ``postgresql://``
URLs are served through psycopg 3 (``pip install 'mobility[postgres]'``).

SQLite connections are set up for a web app with several threads: write-ahead logging
(readers do not block the writer), a busy timeout (a writer waits for another instead
of failing at once) and foreign keys switched on. Each unit of work is one
``with engine.begin() as conn:`` block, which commits or rolls back as a whole.

Examples
--------
>>> from mobility.storage.engine import get_engine
>>> engine = get_engine("sqlite://")
>>> with engine.begin() as conn:
...     conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
1
>>> get_engine("sqlite://") is engine
True
"""

from __future__ import annotations

import os
import threading

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from mobility.errors import ConfigurationError
from mobility.paths import REPO_ROOT

#: Milliseconds a SQLite writer waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_MS = 15_000

_engines: dict[str, sa.Engine] = {}
_lock = threading.Lock()


def default_sqlite_path():
    """``var/mobility.db`` in the checkout: the embedded database ``make run`` builds."""
    return REPO_ROOT / "var" / "mobility.db"


def database_url() -> str:
    """``MOBILITY_DATABASE_URL`` if set, else the embedded SQLite file."""
    url = os.environ.get("MOBILITY_DATABASE_URL", "").strip()
    return url or f"sqlite:///{default_sqlite_path()}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin: the
    # module's own implicit BEGIN breaks SAVEPOINTs and starts transactions late.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster imports
    finally:
        cursor.close()


def _sqlite_begin(connection) -> None:
    # Transactions that read and then write ask for BEGIN IMMEDIATE (see begin_write): a
    # deferred transaction that read an older snapshot cannot upgrade to a writer once
    # someone else committed; SQLite then fails at once with "database is locked"
    # (SQLITE_BUSY_SNAPSHOT) instead of waiting for the busy timeout.
    mode = connection.get_execution_options().get("sqlite_begin", "")
    connection.exec_driver_sql(f"BEGIN {mode}".rstrip())


def begin_write(engine: sa.Engine):
    """``engine.begin()`` for a unit of work that reads and then writes.

    On SQLite it takes the write lock at the start (``BEGIN IMMEDIATE``), so concurrent
    writers queue for the busy timeout instead of failing; elsewhere it is plain
    ``engine.begin()``.
    """
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="IMMEDIATE").begin()
    return engine.begin()


def _create(url_text: str) -> sa.Engine:
    try:
        url = make_url(url_text)
    except ArgumentError as exc:
        raise ConfigurationError(f"database URL {url_text!r} is not valid: {exc}") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    try:
        if url.get_backend_name() == "sqlite":
            database = url.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                os.makedirs(os.path.dirname(os.path.abspath(database)), exist_ok=True)
            engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            sa.event.listen(engine, "begin", _sqlite_begin)
        else:
            engine = sa.create_engine(url, pool_pre_ping=True)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise ConfigurationError(
            f"no database driver for {url.drivername!r} ({exc}); for PostgreSQL install "
            "the extra: pip install 'mobility[postgres]'"
        ) from None
    return engine


def new_engine(url: str = "sqlite://") -> sa.Engine:
    """A fresh, uncached engine with the same settings (examples, tests, tools).

    >>> new_engine() is new_engine()
    False
    """
    return _create(url)


def get_engine(url: str | None = None) -> sa.Engine:
    """The process-wide engine for ``url`` (default :func:`database_url`).

    Engines are cached per URL and thread-safe; Streamlit sessions share one.
    """
    key = url or database_url()
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = _create(key)
        return engine


def dispose_engines() -> None:
    """Close every cached engine's connections (tests, forks, shutdown)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
