"""Storing and loading the four import kinds.

:func:`upsert_table` writes a validated DataFrame (from :func:`mobility.io.read_table`)
in one transaction: rows whose key exists are updated, new ones inserted, nothing is
deleted. :func:`read_table_from_db` gives the table back with exactly the columns and
dtypes :func:`mobility.io.read_table` produces.

Examples
--------
>>> from mobility.io import read_table
>>> from mobility.storage import new_engine, create_schema, upsert_table, read_table_from_db
>>> engine = new_engine()
>>> create_schema(engine)
>>> hosts = read_table(b"company_id,name,city,country\\nC1,Joinery,Leeds,GB\\n", "companies")
>>> upsert_table(engine, "companies", hosts.frame)
UpsertCounts(inserted=1, updated=0)
>>> upsert_table(engine, "companies", hosts.frame)
UpsertCounts(inserted=0, updated=1)
>>> read_table_from_db(engine, "companies").loc[0, ["company_id", "city"]].tolist()
['C1', 'Leeds']
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from mobility.errors import ConfigurationError, Problem, ValidationError
from mobility.io.specs import spec_for
from mobility.progress import ProgressCallback, no_progress
from mobility.storage.engine import begin_write
from mobility.storage.schema import KIND_TABLES, audit_log

#: Rows per executemany batch: big enough to amortise round trips, small enough to
#: keep the parameter lists in memory modest.
CHUNK_ROWS = 20_000


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    """How many rows an upsert inserted and how many it updated."""

    inserted: int
    updated: int


def _table(kind: str) -> sa.Table:
    spec_for(kind)
    return KIND_TABLES[kind]


def _check_shape(frame: pd.DataFrame, kind: str) -> None:
    spec = spec_for(kind)
    problems = [Problem(f"column {name!r} is missing", column=name)
                for name in spec.names if name not in frame.columns]
    problems += [Problem(f"column {c.name!r} has dtype {frame[c.name].dtype}, expected {c.dtype}",
                         column=c.name)
                 for c in spec.columns
                 if c.name in frame.columns and str(frame[c.name].dtype) != c.dtype
                 and not (c.dtype == "string" and pd.api.types.is_string_dtype(frame[c.name]))]
    if problems:
        raise ValidationError(f"{kind} table is not in the import format (validate it with "
                              "mobility.io.read_table first)", problems=problems)


def _python_columns(frame: pd.DataFrame, kind: str, dialect: str) -> list[list]:
    """Each column as a list of plain Python values the DB driver takes as they are.

    SQLite gets dates as ISO text and booleans as 0/1, exactly what SQLAlchemy's own
    types store there, so that SQLAlchemy reads them back as usual.
    """
    out: list[list] = []
    for col in spec_for(kind).columns:
        s = frame[col.name]
        if col.dtype == "string":
            values = s.astype(object).where(s.notna(), "").tolist()
        elif col.dtype == "datetime64[ns]":
            days = s.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
            missing = np.isnat(days)
            # SQLite stores dates as ISO text; PostgreSQL's driver takes datetime.date.
            values = days.astype(str if dialect == "sqlite" else object).astype(object)
            values[missing] = None
            values = values.tolist()
        elif col.dtype in ("float64", "Int64"):
            values = s.astype(object).where(s.notna(), None).tolist()
        elif col.dtype == "bool":
            values = s.to_numpy(dtype=bool).astype(int if dialect == "sqlite" else bool).tolist()
        else:
            values = s.to_numpy().tolist()
        out.append(values)
    return out


def _chunks(frame: pd.DataFrame, kind: str, dialect: str) -> Iterator[list[tuple]]:
    rows = zip(*_python_columns(frame, kind, dialect), strict=True)
    while True:
        chunk = list(itertools.islice(rows, CHUNK_ROWS))
        if not chunk:
            return
        yield chunk


def _upsert_sql(engine: sa.Engine, table: sa.Table, key: tuple[str, ...]) -> str:
    """``INSERT ... ON CONFLICT (key) DO UPDATE``, the same in SQLite and PostgreSQL.

    Written out as SQL and run with the driver's executemany: SQLAlchemy's per-row
    parameter processing would take four times as long as the database itself.
    """
    dialect = engine.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise ConfigurationError(f"database {dialect!r} is not supported (SQLite, PostgreSQL)")
    quote = engine.dialect.identifier_preparer.quote
    names = [c.name for c in table.columns]
    marker = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    updates = ", ".join(f"{quote(n)} = excluded.{quote(n)}" for n in names if n not in key)
    return (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
            f"VALUES ({', '.join([marker] * len(names))}) "
            f"ON CONFLICT ({', '.join(quote(k) for k in key)}) DO UPDATE SET {updates}")


def count_rows(engine: sa.Engine, kind_or_table: str | sa.Table) -> int:
    """Rows in a table (a kind name or a Table)."""
    table = kind_or_table if isinstance(kind_or_table, sa.Table) else _table(kind_or_table)
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def upsert_table(
    engine: sa.Engine,
    kind: str,
    frame: pd.DataFrame,
    *,
    user: str = "system",
    source: str | None = None,
    progress: ProgressCallback | None = None,
) -> UpsertCounts:
    """Insert or update the rows of a validated ``kind`` table in ONE transaction.

    Rows are matched on the kind's key (``apprentice_id``, ``company_id``,
    ``placement_id``, or home and partner city and country for partnerships). If
    anything fails, nothing is written. The import is recorded in the audit log.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    kind : {"apprentices", "companies", "placements", "partnerships"}
    frame : DataFrame
        Exactly as :func:`mobility.io.read_table` returns it.
    user : str
        Who imports (for the audit log).
    source : str, optional
        File name, for the audit log.
    progress : callable, optional
        ``(fraction, message)``.

    Returns
    -------
    UpsertCounts
    """
    return upsert_tables(engine, {kind: frame}, user=user,
                         sources={kind: source} if source else None, progress=progress)[kind]


def upsert_tables(
    engine: sa.Engine,
    frames: Mapping[str, pd.DataFrame],
    *,
    user: str = "system",
    sources: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
) -> dict[str, UpsertCounts]:
    r"""Store several validated kinds together, in ONE transaction (all or nothing).

    Kinds are written in dependency order (partnerships, companies, placements,
    apprentices), so placements may name companies from the same set.

    Examples
    --------
    >>> from mobility.io import read_table
    >>> from mobility.storage import new_engine, create_schema
    >>> engine = new_engine()
    >>> create_schema(engine)
    >>> hosts = read_table(b"company_id,name,city,country\nC1,Joinery,Leeds,GB\n", "companies")
    >>> offers = read_table(b"placement_id,company_id,trade,city,country,slots,start,end,"
    ...     b"min_weeks,max_weeks\nP1,C1,Tischler,Leeds,GB,1,2026-03-01,2026-06-30,2,6\n",
    ...     "placements", known_company_ids={"C1"})
    >>> counts = upsert_tables(engine, {"placements": offers.frame, "companies": hosts.frame})
    >>> counts["companies"], counts["placements"].inserted
    (UpsertCounts(inserted=1, updated=0), 1)
    """
    from mobility.io.specs import KINDS

    report = progress or no_progress
    unknown = set(frames) - set(KINDS)
    if unknown:
        spec_for(sorted(unknown)[0])  # raises, naming the known kinds
    for kind, frame in frames.items():
        _check_shape(frame, kind)
    order = [kind for kind in KINDS if kind in frames]
    total = sum(len(frames[k]) for k in order)
    results: dict[str, UpsertCounts] = {}
    done = 0
    current = order[0] if order else ""
    try:
        with begin_write(engine) as conn:  # imports queue, never "database is locked"
            for current in order:
                frame = frames[current]
                table = _table(current)
                sql = _upsert_sql(engine, table, spec_for(current).key)
                count = sa.select(sa.func.count()).select_from(table)
                before = conn.execute(count).scalar_one()
                for chunk in _chunks(frame, current, engine.dialect.name):
                    conn.exec_driver_sql(sql, chunk)
                    done += len(chunk)
                    report(done / max(total, 1), f"stored {done:,} of {total:,} rows ({current})")
                inserted = int(conn.execute(count).scalar_one() - before)
                results[current] = UpsertCounts(inserted=inserted, updated=len(frame) - inserted)
                conn.execute(audit_log.insert().values(
                    who=user, at=datetime.now(UTC), action="import", entity=current,
                    entity_id=None,
                    detail={"source": (sources or {}).get(current), "inserted": inserted,
                            "updated": len(frame) - inserted}))
    except IntegrityError as exc:
        text = str(exc.orig)
        hint = (" (a placement names a company_id that is not in the database: import "
                "companies first)" if "foreign key" in text.lower() else "")
        raise ValidationError(f"{current}: the database refused the import{hint}; nothing "
                              f"was written ({text})") from None
    return results


def read_table_from_db(engine: sa.Engine, kind: str) -> pd.DataFrame:
    """The stored ``kind`` table, ordered by key, with the import format's columns and
    dtypes (an empty table of that shape when nothing is stored)."""
    spec = spec_for(kind)
    table = _table(kind)
    quote = engine.dialect.identifier_preparer.quote
    # Plain SQL through the driver: dates arrive as ISO text (SQLite) or dates
    # (PostgreSQL) and are converted column-wise below, not row by row.
    sql = (f"SELECT {', '.join(quote(n) for n in spec.names)} FROM {quote(table.name)} "
           f"ORDER BY {', '.join(quote(k) for k in spec.key)}")
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(sql).fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in spec.names]
    frame = pd.DataFrame({name: pd.Series(values, dtype=object)
                          for name, values in zip(spec.names, columns, strict=True)})
    return conform(frame, kind)


def conform(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Give a frame of plain Python values the import format's dtypes."""
    spec = spec_for(kind)
    out: dict[str, pd.Series] = {}
    for col in spec.columns:
        s = frame[col.name]
        if col.dtype == "datetime64[ns]":
            out[col.name] = pd.to_datetime(s, format="ISO8601").astype("datetime64[ns]")
        elif col.dtype == "string":
            out[col.name] = s.astype("string").fillna("")
        elif col.dtype == "bool":
            out[col.name] = s.fillna(False).astype(bool)
        elif col.dtype == "Int64":
            out[col.name] = pd.array(s.tolist(), dtype="Int64")
        else:
            out[col.name] = pd.to_numeric(s).astype(col.dtype)
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


def stored_ids(engine: sa.Engine, kind: str) -> set[str]:
    """The keys stored for a single-key kind (``company_id`` for companies...)."""
    spec = spec_for(kind)
    (key,) = spec.key
    table = _table(kind)
    with engine.connect() as conn:
        return set(conn.execute(sa.select(table.c[key])).scalars())
