"""Erasing an apprentice's personal data from every table.

When an apprentice asks to be forgotten (GDPR Art. 17) or leaves the programme, an
adviser of their organisation (or an administrator) calls :func:`erase_apprentice`.
In one transaction it

1. deletes every row that is *about* the apprentice: their ``apprentices`` row,
   shortlist entries, notes, matches, allocations, their own sign-in account: every
   table with an ``apprentice_id`` column except the audit trail;
2. rewrites the audit trail so that its entries keep who did what and when, but name the
   apprentice only by a fresh random pseudonym (``erased-3f9c...``), and cuts their
   name, e-mail or id out of any other text that mentions them (a colleague's note about
   someone else keeps its words, minus the mention: ``[erased]``). Names match as whole
   words: erasing "Person 7" leaves "Person 70" alone;
3. scans every text column of every table for the apprentice's id (exact), name and
   e-mail (anywhere in the text, ignoring case) and rolls everything back if anything
   is left, so an erasure is complete or does not happen.

The pseudonym is random, not a hash of the id: a keyed hash could be recomputed by
anyone holding the key and a list of ids, a random token cannot. Entries about the same
erasure share it, so the trail still reads as one story.

On SQLite the deleted bytes are also overwritten (``secure_delete``) and the file is
compacted (``VACUUM``), so the data does not linger in free pages of the file either;
on PostgreSQL the touched tables are vacuumed.

Examples
--------
>>> import sqlalchemy as sa
>>> from mobility.auth import Principal, Role
>>> engine = sa.create_engine("sqlite://")
>>> with engine.begin() as c:
...     _ = c.exec_driver_sql("create table apprentices (apprentice_id text, name text, "
...                           "email text, sending_organisation text)")
...     _ = c.exec_driver_sql("insert into apprentices values "
...                           "('A1', 'Lea Schmitz', 'lea@example.org', 'HWK Dortmund')")
>>> adviser = Principal("mueller", Role.ADVISER, organisation="HWK Dortmund")
>>> report = erase_apprentice(engine, "A1", actor=adviser)
>>> report.rows_deleted, report.pseudonym.startswith("erased-")
({'apprentices': 1}, True)
>>> find_personal_data(engine, ["A1"], ["Lea Schmitz", "lea@example.org"])
[]
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from mobility.auth.policy import Action, authorize
from mobility.auth.roles import Principal
from mobility.errors import ConfigurationError, NotFoundError
from mobility.storage.engine import begin_write

#: Tables whose rows are kept (with the apprentice pseudonymised) instead of deleted.
AUDIT_TABLES = frozenset({"audit_log"})
#: Tables that hold accounts: an apprentice's own account is removed with them.
ACCOUNT_TABLES = frozenset({"users"})
#: What replaces text in the audit trail that named the person.
ERASED_TEXT = "[erased]"


@dataclass(frozen=True)
class ErasureReport:
    """What :func:`erase_apprentice` did: rows deleted and rows pseudonymised per table."""

    pseudonym: str
    rows_deleted: dict[str, int] = field(default_factory=dict)
    rows_pseudonymised: dict[str, int] = field(default_factory=dict)


def _text_columns(table: sa.Table) -> list[sa.Column]:
    return [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text, sa.Unicode))
            or c.type.__class__.__name__.upper() in {"TEXT", "VARCHAR", "JSON"}]


def _tables(conn: sa.Connection) -> list[sa.Table]:
    meta = sa.MetaData()
    meta.reflect(conn)
    return list(meta.sorted_tables)


def _is_json(column: sa.Column) -> bool:
    return isinstance(column.type, sa.JSON) or "JSON" in column.type.__class__.__name__.upper()


def _id_match(column: sa.Column, apprentice_id: str) -> sa.ColumnElement:
    """The cell is the id, or a composite key made with it (``A1/P3`` in the audit
    trail's ``entity_id``), or a JSON document holding it as a value."""
    as_text = sa.cast(column, sa.Text)
    escaped = apprentice_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    clauses = [as_text == apprentice_id,
               as_text.like(f"{escaped}/%", escape="\\"),
               as_text.like(f"%/{escaped}", escape="\\")]
    if _is_json(column):
        clauses.append(as_text.contains(f'"{apprentice_id}"', autoescape=True))
    return sa.or_(*clauses)


def _mentions(column: sa.Column, ids: Iterable[str], texts: Iterable[str]) -> sa.ColumnElement:
    """SQL prefilter: cells that *may* mention the person (texts as plain substrings);
    :func:`_really_mentions` then decides on whole words."""
    as_text = sa.cast(column, sa.Text)
    clauses = [_id_match(column, i) for i in ids if i]
    clauses += [sa.func.lower(as_text).contains(t.lower(), autoescape=True) for t in texts if t]
    return sa.or_(*clauses) if clauses else sa.false()


def _text_pattern(texts: Iterable[str]) -> re.Pattern | None:
    # Whole words only: erasing "Person 7" must not flag "Person 70", nor
    # "p7@example.org" flag "ap7@example.org".
    parts = [re.escape(t) for t in texts if t]
    if not parts:
        return None
    return re.compile(r"(?<![\w.+@-])(?:" + "|".join(parts) + r")(?![\w@-])", re.IGNORECASE)


def _really_mentions(value: object, ids: list[str], pattern: re.Pattern | None) -> bool:
    if value is None:
        return False
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    for apprentice_id in ids:
        if text == apprentice_id or apprentice_id in text.split("/") or (
                f'"{apprentice_id}"' in text):
            return True
    return bool(pattern and pattern.search(text))


def find_personal_data(
    bind: sa.Engine | sa.Connection, ids: Iterable[str], texts: Iterable[str]
) -> list[tuple[str, str, int]]:
    """Where the given ids (as whole cell values) or texts (anywhere, any case) remain.

    Returns ``(table, column, rows)`` for every text column of every table that still
    holds one of them; empty when nothing is left. Used by :func:`erase_apprentice` as
    its last check and by the tests.
    """
    ids, texts = [str(i) for i in ids if i], [str(t) for t in texts if t and str(t).strip()]
    pattern = _text_pattern(texts)
    found: list[tuple[str, str, int]] = []

    def scan(conn: sa.Connection) -> None:
        for table in _tables(conn):
            for column in _text_columns(table):
                candidates = conn.execute(sa.select(table.c[column.name])
                                          .where(_mentions(column, ids, texts))).scalars()
                hits = sum(_really_mentions(v, ids, pattern) for v in candidates)
                if hits:
                    found.append((table.name, column.name, int(hits)))

    if isinstance(bind, sa.Connection):
        scan(bind)
    else:
        with bind.connect() as conn:
            scan(conn)
    return found


def erase_apprentice(engine: sa.Engine, apprentice_id: str, *, actor: Principal) -> ErasureReport:
    """Remove every trace of one apprentice's personal data (see module docstring).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The product database.
    apprentice_id : str
        Whose data to erase.
    actor : Principal
        Must be allowed :attr:`~mobility.auth.Action.ERASE_APPRENTICE` for this
        apprentice (their organisation's adviser, or an administrator).

    Raises
    ------
    NotFoundError
        No apprentice with this id (message does not repeat the id).
    PermissionDenied
        ``actor`` may not erase this apprentice.
    ConfigurationError
        Something was left after erasing (nothing is changed then).
    """
    apprentice_id = str(apprentice_id).strip()
    authorize(actor, Action.ERASE_APPRENTICE)
    pseudonym = f"erased-{secrets.token_hex(8)}"
    deleted: dict[str, int] = {}
    pseudonymised: dict[str, int] = {}
    sqlite = engine.dialect.name == "sqlite"
    with begin_write(engine) as conn:
        if sqlite:
            conn.exec_driver_sql("PRAGMA secure_delete = ON")
        tables = {t.name: t for t in _tables(conn)}
        if "apprentices" not in tables:
            raise NotFoundError("there are no apprentices in this database")
        apprentices = tables["apprentices"]
        row = conn.execute(sa.select(apprentices).where(
            apprentices.c.apprentice_id == apprentice_id)).mappings().first()
        if row is None:
            raise NotFoundError("no apprentice with this id")
        authorize(actor, Action.ERASE_APPRENTICE, row)
        texts = [str(row[c]) for c in ("name", "email") if row.get(c)]
        ids = [apprentice_id]

        # Children before parents, so foreign-key cascades cannot hide what was deleted.
        for name, table in reversed(tables.items()):
            if "apprentice_id" not in table.c or name in AUDIT_TABLES:
                continue
            gone = conn.execute(table.delete().where(table.c.apprentice_id == apprentice_id))
            if gone.rowcount:
                deleted[name] = gone.rowcount

        # What is left mentions the person from elsewhere: the audit trail (ids become the
        # pseudonym) or other people's notes (the mention is cut out of the text).
        for name, table in tables.items():
            for column in _text_columns(table):
                done = _pseudonymise_column(conn, table, column, apprentice_id, texts, pseudonym)
                if done:
                    pseudonymised[name] = pseudonymised.get(name, 0) + done

        left = find_personal_data(conn, ids, texts)
        if left:
            where = ", ".join(f"{t}.{c}" for t, c, _ in left)
            raise ConfigurationError(f"erasure incomplete, nothing changed: data left in {where}")
        _record_erasure(conn, tables, actor, pseudonym)

    _compact(engine, list(deleted) + list(pseudonymised))
    return ErasureReport(pseudonym, deleted, pseudonymised)


def _pseudonymise_column(conn: sa.Connection, table: sa.Table, column: sa.Column,
                         apprentice_id: str, texts: list[str], pseudonym: str) -> int:
    """Replace the id by the pseudonym where the cell is the id or a composite key made
    with it (``A1/P3``), and blank any other cell that names the person; return how many
    cells changed."""
    keys = list(table.primary_key.columns) or [table.c[column.name]]
    pattern = _text_pattern(texts)
    rows = conn.execute(sa.select(*keys, table.c[column.name].label("_cell"))
                        .where(_mentions(column, [apprentice_id], texts))).mappings().all()
    changed = 0
    for row in rows:
        old = row["_cell"]
        if not _really_mentions(old, [apprentice_id], pattern):
            continue
        if _is_json(column) or not isinstance(old, str):
            new: object = {"erased": True}
        elif old == apprentice_id or apprentice_id in old.split("/"):
            new = "/".join(pseudonym if p == apprentice_id else p for p in old.split("/"))
        else:  # free text (a colleague's note): only the mention goes
            new = pattern.sub(ERASED_TEXT, old) if pattern else ERASED_TEXT
        where = sa.and_(*[k == row[k.name] for k in keys]) if table.primary_key.columns \
            else table.c[column.name] == old
        changed += conn.execute(table.update().where(where)
                                .values({column.name: new})).rowcount
    return changed


def _record_erasure(conn: sa.Connection, tables: dict[str, sa.Table], actor: Principal,
                    pseudonym: str) -> None:
    """Note the erasure itself in the audit trail, by pseudonym."""
    if "audit_log" not in tables:
        return
    from mobility.auth.audit import record

    record(conn, actor, "erase", "apprentice", pseudonym, detail="personal data erased")


def _compact(engine: sa.Engine, touched: list[str]) -> None:
    # Deleted rows linger in free pages (SQLite) or dead tuples (PostgreSQL) until the
    # database reclaims them; erasure should not wait for that.
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()  # VACUUM needs the driver out of any transaction
        try:
            driver = raw.driver_connection
            previous, driver.isolation_level = driver.isolation_level, None
            driver.execute("VACUUM")
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            driver.isolation_level = previous
        finally:
            raw.close()
    elif engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for name in sorted(set(touched)):
                conn.execute(sa.text(f'VACUUM "{name}"'))
