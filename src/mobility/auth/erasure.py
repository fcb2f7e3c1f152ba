"""Erasing an apprentice's personal data from every table.

When an apprentice asks to be forgotten (GDPR Art. 17) or leaves the programme, an
adviser of their organisation (or an administrator) calls :func:`erase_apprentice`.
It works from the person's own records and the references to them, never from a text
search across other people's rows: a sibling who shares the family e-mail, another
organisation's apprentice with the same name and a host company called "Schreinerei
Erika Mustermann" are not touched. In one transaction it

1. deletes every row that is *about* the apprentice: every table with an
   ``apprentice_id`` column holding their id (record, shortlist and notes, matches,
   allocations, their own sign-in account), except the audit trail;
2. rewrites the audit trail's references to them to a fresh random pseudonym
   (``erased-3f9c...``): entries of an apprentice entity whose ``entity_id`` is the id,
   composite references ``<apprentice id>/<placement id>`` (ids may contain "/" themselves,
   ``HWK/2026/001/P3``; the longest apprentice id that prefixes the reference owns it),
   and ``apprentice_id`` values inside an entry's detail. Who did what and when stays.
   A placement or company with the same id as the apprentice ("8") is a different
   thing and keeps its id;
3. cuts the person's name and e-mail (whole words, any case) out of *free-text notes*
   only: columns named in :data:`NOTE_COLUMNS` in any table, and the same keys inside
   the audit trail's detail. A colleague's note about someone else keeps its words,
   minus the mention (``[erased]``). Names match as whole words: erasing "Person 7"
   leaves "Person 70" alone. Ids are not cut from notes (an id "8" is not a word to cut);
4. checks that no row references the id any more and no note mentions the name or
   e-mail, and rolls everything back otherwise, so an erasure is complete or does not
   happen.

The pseudonym is random, not a hash of the id: a keyed hash could be recomputed by
anyone holding the key and a list of ids, a random token cannot. Entries about the same
erasure share it, so the trail still reads as one story.

On SQLite the deleted bytes are also overwritten (``secure_delete``), the file is
compacted (``VACUUM``) and the write-ahead log is checkpointed into it and truncated.
While another connection holds a read transaction, SQLite cannot copy the log back
over the old pages: the erasure then waits up to :data:`SCRUB_WAIT_SECONDS`, and if the
reader is still there it says so (:attr:`ErasureReport.file_scrubbed` is False) instead
of reporting success; :func:`scrub_database_file` (``mobility apprentice scrub``)
finishes the job later. On PostgreSQL the touched tables are vacuumed (the server
decides when dead rows' bytes are reused: ``file_scrubbed`` is None, unknown).

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
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from mobility.auth.guarded import refuse_missing
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
#: Free-text columns (in any table) and audit-detail keys whose mentions of the erased
#: person's name or e-mail are cut out; no other column of other people's rows changes.
NOTE_COLUMNS = frozenset({"note", "notes", "reason", "comment", "comments"})
#: Free-text columns whose names alone do not say so: ``(table, column)``.
NOTE_TABLE_COLUMNS = frozenset({("shortlist_events", "text")})
#: Audit entities whose ``entity_id`` is an apprentice id ...
APPRENTICE_ENTITIES = frozenset({"apprentice", "apprentices"})
#: ... and those whose ``entity_id`` is ``<apprentice id>/<something>``.
COMPOSITE_ENTITIES = frozenset({"shortlist"})
#: How long an erasure waits for other connections' read transactions to end before it
#: reports that old copies are still in the SQLite file.
SCRUB_WAIT_SECONDS = 3.0


@dataclass(frozen=True)
class ErasureReport:
    """What :func:`erase_apprentice` did: rows deleted and rows pseudonymised per table."""

    pseudonym: str
    rows_deleted: dict[str, int] = field(default_factory=dict)
    rows_pseudonymised: dict[str, int] = field(default_factory=dict)
    #: True: the database file (and its log) no longer hold the deleted bytes.
    #: False: another connection kept old copies alive; run
    #: :func:`scrub_database_file` once it is gone. None: not knowable (PostgreSQL,
    #: in-memory databases).
    file_scrubbed: bool | None = None


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


def erase_apprentice(engine: sa.Engine, apprentice_id: str, *, actor: Principal,
                     scrub_wait: float = SCRUB_WAIT_SECONDS) -> ErasureReport:
    """Remove one apprentice's personal data (see the module docstring for what exactly).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The product database.
    apprentice_id : str
        Whose data to erase.
    actor : Principal
        Must be allowed :attr:`~mobility.auth.Action.ERASE_APPRENTICE` for this
        apprentice (their organisation's adviser, or an administrator).
    scrub_wait : float
        Seconds to wait for other connections' read transactions (SQLite) before
        reporting that the file still holds old copies.

    Raises
    ------
    NotFoundError
        No apprentice with this id, for an administrator (message without the id).
    PermissionDenied
        ``actor`` may not erase this apprentice; for an adviser also when there is no
        such apprentice (the same message: a refusal does not tell whether an id exists).
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
            refuse_missing(actor, Action.ERASE_APPRENTICE)
        authorize(actor, Action.ERASE_APPRENTICE, row)
        texts = _personal_texts(row)

        # 1. The person's own rows. Children before parents, so foreign-key cascades
        # cannot hide what was deleted.
        for name, table in reversed(tables.items()):
            if "apprentice_id" not in table.c or name in AUDIT_TABLES:
                continue
            gone = conn.execute(table.delete().where(table.c.apprentice_id == apprentice_id))
            if gone.rowcount:
                deleted[name] = gone.rowcount
        # Longer ids that start with this one and "/": their composite references in the
        # audit trail are theirs, not this person's.
        longer = _longer_ids(conn, apprentices, apprentice_id)

        # 2. and 3. References in the audit trail, mentions in free-text notes.
        for name, table in tables.items():
            if name in AUDIT_TABLES:
                done = _pseudonymise_audit(conn, table, apprentice_id, longer, texts, pseudonym)
            else:
                done = _cut_from_notes(conn, table, texts)
            if done:
                pseudonymised[name] = pseudonymised.get(name, 0) + done

        # 4. Nothing may be left.
        left = _references_left(conn, tables, apprentice_id, longer, texts)
        if left:
            raise ConfigurationError("erasure incomplete, nothing changed: data left in "
                                     + ", ".join(left))
        _record_erasure(conn, tables, actor, pseudonym)

    scrubbed = _compact(engine, list(deleted) + list(pseudonymised), wait=scrub_wait)
    return ErasureReport(pseudonym, deleted, pseudonymised, scrubbed)


def _personal_texts(row) -> list[str]:
    """The texts that identify the person in free-text notes: name and e-mail (and
    first and last name together, where a table has them)."""
    texts = [str(row[c]).strip() for c in ("name", "email") if row.get(c)]
    if row.get("first_name") and row.get("last_name"):
        texts.append(f"{row['first_name']} {row['last_name']}".strip())
    return [t for t in dict.fromkeys(texts) if t]


def _like_prefix(apprentice_id: str) -> str:
    escaped = apprentice_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}/%"


def _longer_ids(conn: sa.Connection, apprentices: sa.Table, apprentice_id: str) -> list[str]:
    return list(conn.execute(sa.select(apprentices.c.apprentice_id).where(
        apprentices.c.apprentice_id.like(_like_prefix(apprentice_id), escape="\\"))).scalars())


def _owns(reference: str, apprentice_id: str, longer: list[str]) -> bool:
    """Whether a composite reference ``<apprentice id>/<rest>`` is this person's."""
    return reference.startswith(apprentice_id + "/") and not any(
        reference.startswith(other + "/") for other in longer)


def _rewrite_detail(value: object, apprentice_id: str, pattern: re.Pattern | None,
                    pseudonym: str, key: str | None = None) -> object:
    """The audit detail with ``apprentice_id`` values pseudonymised and mentions cut
    from note keys; everything else as it was."""
    if isinstance(value, dict):
        return {k: _rewrite_detail(v, apprentice_id, pattern, pseudonym, str(k))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite_detail(v, apprentice_id, pattern, pseudonym, key) for v in value]
    if isinstance(value, str):
        if key == "apprentice_id" and value == apprentice_id:
            return pseudonym
        if key in NOTE_COLUMNS and pattern is not None:
            return pattern.sub(ERASED_TEXT, value)
    return value


def _as_json(value: object) -> object:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _pseudonymise_audit(conn: sa.Connection, table: sa.Table, apprentice_id: str,
                        longer: list[str], texts: list[str], pseudonym: str) -> int:
    """Rewrite the audit trail's references to the person; return entries changed."""
    if not {"entity", "entity_id"} <= set(table.c.keys()) or not table.primary_key.columns:
        return 0
    keys = list(table.primary_key.columns)
    pattern = _text_pattern(texts)
    has_detail = "detail" in table.c
    candidates = [table.c.entity_id == apprentice_id,
                  table.c.entity_id.like(_like_prefix(apprentice_id), escape="\\")]
    if has_detail:
        detail_text = sa.cast(table.c.detail, sa.Text)
        candidates.append(detail_text.contains(f'"{apprentice_id}"', autoescape=True))
        candidates += [sa.func.lower(detail_text).contains(t.lower(), autoescape=True)
                       for t in texts]
    columns = [*keys, table.c.entity, table.c.entity_id]
    if has_detail:
        columns.append(table.c.detail)
    changed = 0
    for row in conn.execute(sa.select(*columns).where(sa.or_(*candidates))).mappings().all():
        values: dict[str, object] = {}
        entity, reference = row["entity"], row["entity_id"]
        if entity in APPRENTICE_ENTITIES and reference == apprentice_id:
            values["entity_id"] = pseudonym
        elif (entity in COMPOSITE_ENTITIES and reference is not None
              and _owns(reference, apprentice_id, longer)):
            values["entity_id"] = pseudonym + reference[len(apprentice_id):]
        if has_detail and row["detail"] is not None:
            detail = _as_json(row["detail"])
            new = _rewrite_detail(detail, apprentice_id, pattern, pseudonym)
            if new != detail:
                values["detail"] = new
        if values:
            where = sa.and_(*[k == row[k.name] for k in keys])
            changed += conn.execute(table.update().where(where).values(values)).rowcount
    return changed


def _note_columns(table: sa.Table) -> list[sa.Column]:
    return [c for c in _text_columns(table) if not _is_json(c) and (
        c.name in NOTE_COLUMNS or (table.name, c.name) in NOTE_TABLE_COLUMNS)]


def _cut_from_notes(conn: sa.Connection, table: sa.Table, texts: list[str]) -> int:
    """Cut whole-word mentions of the person out of the table's free-text notes (also
    note keys inside a JSON ``detail``)."""
    pattern = _text_pattern(texts)
    columns = _note_columns(table)
    keys = list(table.primary_key.columns)
    changed = 0
    if pattern is not None and keys and "detail" in table.c and _is_json(table.c.detail):
        detail_text = sa.func.lower(sa.cast(table.c.detail, sa.Text))
        rows = conn.execute(sa.select(*keys, table.c.detail).where(sa.or_(
            *[detail_text.contains(t.lower(), autoescape=True) for t in texts]))).mappings()
        for row in rows.all():
            detail = _as_json(row["detail"])
            new = _rewrite_detail(detail, "", pattern, "")
            if new != detail:
                where = sa.and_(*[k == row[k.name] for k in keys])
                changed += conn.execute(table.update().where(where)
                                        .values(detail=new)).rowcount
    if pattern is None or not columns:
        return changed
    for column in columns:
        rows = conn.execute(sa.select(*keys, column.label("_note"))
                            .where(_mentions(column, [], texts))).mappings().all()
        for row in rows:
            old = row["_note"]
            if not isinstance(old, str) or not pattern.search(old):
                continue
            where = (sa.and_(*[k == row[k.name] for k in keys]) if keys
                     else column == old)
            changed += conn.execute(table.update().where(where)
                                    .values({column.name: pattern.sub(ERASED_TEXT, old)})
                                    ).rowcount
    return changed


def _references_left(conn: sa.Connection, tables: dict[str, sa.Table], apprentice_id: str,
                     longer: list[str], texts: list[str]) -> list[str]:
    """Where the person is still referenced (rows, audit references, notes)."""
    pattern = _text_pattern(texts)
    left: list[str] = []
    for name, table in tables.items():
        if "apprentice_id" in table.c and name not in AUDIT_TABLES:
            count = conn.execute(sa.select(sa.func.count()).select_from(table).where(
                table.c.apprentice_id == apprentice_id)).scalar_one()
            if count:
                left.append(f"{name}.apprentice_id")
        if name in AUDIT_TABLES and {"entity", "entity_id"} <= set(table.c.keys()):
            refs = conn.execute(sa.select(table.c.entity, table.c.entity_id).where(
                sa.or_(table.c.entity_id == apprentice_id,
                       table.c.entity_id.like(_like_prefix(apprentice_id), escape="\\")))).all()
            if any((e in APPRENTICE_ENTITIES and r == apprentice_id)
                   or (e in COMPOSITE_ENTITIES and _owns(r, apprentice_id, longer))
                   for e, r in refs):
                left.append(f"{name}.entity_id")
        for column in _note_columns(table):
            notes = conn.execute(sa.select(column).where(_mentions(column, [], texts))).scalars()
            if pattern is not None and any(isinstance(n, str) and pattern.search(n)
                                           for n in notes):
                left.append(f"{name}.{column.name}")
    return left


def _record_erasure(conn: sa.Connection, tables: dict[str, sa.Table], actor: Principal,
                    pseudonym: str) -> None:
    """Note the erasure itself in the audit trail, by pseudonym."""
    if "audit_log" not in tables:
        return
    from mobility.auth.audit import record

    record(conn, actor, "erase", "apprentice", pseudonym, detail="personal data erased")


def scrub_database_file(engine: sa.Engine, *, wait: float = SCRUB_WAIT_SECONDS) -> bool | None:
    """Overwrite what deleted rows left in the database file: SQLite ``VACUUM`` and a
    truncating checkpoint of the write-ahead log, retried for up to ``wait`` seconds
    while other connections read. Returns True when done, False when another
    connection still holds old copies, None when it cannot be known (PostgreSQL: the
    tables are vacuumed; in-memory SQLite)."""
    return _compact(engine, [], wait=wait)


def _compact(engine: sa.Engine, touched: list[str], *, wait: float) -> bool | None:
    # Deleted rows linger in free pages (SQLite) or dead tuples (PostgreSQL) until the
    # database reclaims them; erasure should not wait for that.
    if engine.dialect.name == "sqlite":
        if engine.url.database in (None, "", ":memory:"):
            return None
        return _scrub_sqlite(engine, wait)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            names = sorted(set(touched)) or [t.name for t in _tables(conn)]
            for name in names:
                conn.execute(sa.text(f'VACUUM "{name}"'))
    return None


def _scrub_sqlite(engine: sa.Engine, wait: float) -> bool:
    """VACUUM, then checkpoint the log into the file and truncate it; True only when
    SQLite reports that every frame was copied back (no reader held an old snapshot)."""
    raw = engine.raw_connection()  # VACUUM needs the driver out of any transaction
    try:
        driver = raw.driver_connection
        previous, driver.isolation_level = driver.isolation_level, None
        timeout = driver.execute("PRAGMA busy_timeout").fetchone()[0]
        # A checkpoint waits for readers through the busy handler: bound it by ``wait``.
        driver.execute(f"PRAGMA busy_timeout = {max(0, int(wait * 1000))}")
        deadline = time.monotonic() + wait
        vacuumed = False
        try:
            while True:
                try:
                    if not vacuumed:
                        driver.execute("VACUUM")
                        vacuumed = True
                    busy, frames, copied = driver.execute(
                        "PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                    # (0, 0, 0) after a truncating checkpoint; (0, -1, -1) without WAL.
                    if vacuumed and busy == 0 and frames == copied:
                        return True
                except sqlite3.OperationalError:
                    pass  # "database is locked": a writer or reader is in the way
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.05)
        finally:
            driver.execute(f"PRAGMA busy_timeout = {int(timeout)}")
            driver.isolation_level = previous
    finally:
        raw.close()
