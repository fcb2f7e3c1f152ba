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

from collections.abc import Iterator
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


def _python_columns(frame: pd.DataFrame, kind: str) -> dict[str, list]:
    """Each column as a list of plain Python values the DB drivers accept."""
    out: dict[str, list] = {}
    for col in spec_for(kind).columns:
        s = frame[col.name]
        if col.dtype == "string":
            values = s.astype(object).where(s.notna(), "").tolist()
        elif col.dtype == "datetime64[ns]":
            values = [None if pd.isna(v) else v.date() for v in s]
        elif col.dtype in ("float64", "Int64"):
            values = s.astype(object).where(s.notna(), None).tolist()
        else:
            values = s.tolist()
        if values and isinstance(values[0], np.generic):
            values = [v.item() for v in values]
        out[col.name] = values
    return out


def _records(frame: pd.DataFrame, kind: str) -> Iterator[list[dict]]:
    columns = _python_columns(frame, kind)
    names = list(columns)
    rows = zip(*columns.values(), strict=True)
    while True:
        chunk = [dict(zip(names, row, strict=True)) for _, row in zip(range(CHUNK_ROWS), rows)]
        if not chunk:
            return
        yield chunk


def _upsert_statement(engine: sa.Engine, table: sa.Table, key: tuple[str, ...]):
    dialect = engine.dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        raise ConfigurationError(f"database {dialect!r} is not supported (SQLite, PostgreSQL)")
    stmt = insert(table)
    updates = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in key}
    return stmt.on_conflict_do_update(index_elements=list(key), set_=updates)


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
    report = progress or no_progress
    _check_shape(frame, kind)
    spec = spec_for(kind)
    table = _table(kind)
    stmt = _upsert_statement(engine, table, spec.key)
    total = len(frame)
    try:
        with begin_write(engine) as conn:  # imports queue, never "database is locked"
            before = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            done = 0
            for chunk in _records(frame, kind):
                conn.execute(stmt, chunk)
                done += len(chunk)
                report(done / max(total, 1), f"stored {done:,} of {total:,} {kind}")
            after = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            counts = UpsertCounts(inserted=int(after - before), updated=int(total - (after - before)))
            conn.execute(audit_log.insert().values(
                who=user, at=datetime.now(UTC), action="import", entity=kind, entity_id=None,
                detail={"source": source, "inserted": counts.inserted,
                        "updated": counts.updated}))
    except IntegrityError as exc:
        hint = (" (a placement names a company_id that is not in the database: import "
                "companies first)" if "FOREIGN KEY" in str(exc.orig).upper()
                or "foreign key" in str(exc.orig) else "")
        raise ValidationError(f"{kind}: the database refused the import{hint}; nothing was "
                              f"written ({exc.orig})") from None
    return counts


def read_table_from_db(engine: sa.Engine, kind: str) -> pd.DataFrame:
    """The stored ``kind`` table, ordered by key, with the import format's columns and
    dtypes (an empty table of that shape when nothing is stored)."""
    spec = spec_for(kind)
    table = _table(kind)
    query = sa.select(*[table.c[name] for name in spec.names]).order_by(
        *[table.c[k] for k in spec.key])
    with engine.connect() as conn:
        result = conn.execute(query)
        frame = pd.DataFrame(result.fetchall(), columns=spec.names)
    return conform(frame, kind)


def conform(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Give a frame of plain Python values the import format's dtypes."""
    spec = spec_for(kind)
    out: dict[str, pd.Series] = {}
    for col in spec.columns:
        s = frame[col.name]
        if col.dtype == "datetime64[ns]":
            out[col.name] = pd.to_datetime(s).astype("datetime64[ns]")
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
