"""The shortlist: apprentice-placement pairs an adviser works on, with their status.

Two advisers may edit the same entry at once. Each entry carries a ``version``; a
change names the version it was based on, and if someone else changed the entry in
between, :func:`set_shortlist_status` raises :class:`~mobility.errors.ConflictError`
("changed by mueller at 10:42, reload") instead of silently overwriting their work.

Statuses: ``suggested`` -> ``contacted`` -> ``confirmed`` -> ``completed``, or
``declined`` at any point.

Notes are history, not a field: every note is its own row in ``shortlist_events`` (author,
time, text), never overwritten. An apprentice's interest is an event of its own
(:func:`mark_interest`) and leaves the adviser's notes alone; a manual override
(:func:`record_override`) is an event that carries its reason and the hard rules the pair
breaks.

Examples
--------
>>> from mobility.storage import new_engine, create_schema
>>> from mobility.storage.shortlist import set_shortlist_status, get_shortlist
>>> engine = new_engine()
>>> create_schema(engine)
>>> _ = _demo_pair(engine)
>>> first = set_shortlist_status(engine, "A1", "P1", "suggested", user="mueller",
...                              expected_version=0)
>>> first.version
1
>>> set_shortlist_status(engine, "A1", "P1", "contacted", user="schmidt",
...                      expected_version=1).version
2
>>> set_shortlist_status(engine, "A1", "P1", "declined", user="mueller",
...                      expected_version=1)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
mobility.errors.ConflictError: shortlist entry A1 / P1 was changed by schmidt at ..., reload
>>> get_shortlist(engine)[["apprentice_id", "status", "version"]].to_dict("records")
[{'apprentice_id': 'A1', 'status': 'contacted', 'version': 2}]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from mobility.errors import ConflictError, NotFoundError, ValidationError
from mobility.storage.engine import begin_write
from mobility.storage.schema import SHORTLIST_STATUSES, audit_log, shortlist, shortlist_events

SHORTLIST_COLUMNS = ["apprentice_id", "placement_id", "status", "note", "score", "updated_by",
                     "updated_at", "version"]


@dataclass(frozen=True, slots=True)
class ShortlistEntry:
    """One shortlist row as stored."""

    apprentice_id: str
    placement_id: str
    status: str
    note: str
    score: float | None
    updated_by: str
    updated_at: datetime
    version: int


def _entry(row: sa.Row) -> ShortlistEntry:
    return ShortlistEntry(**{name: getattr(row, name) for name in SHORTLIST_COLUMNS})


def _when(moment: datetime) -> str:
    return moment.strftime("%H:%M") if moment.date() == datetime.now(moment.tzinfo).date() else (
        moment.strftime("%Y-%m-%d %H:%M"))


def _pair(apprentice_id: str, placement_id: str) -> sa.ColumnElement[bool]:
    """The shortlist row of one apprentice-placement pair."""
    return (shortlist.c.apprentice_id == apprentice_id) & (
        shortlist.c.placement_id == placement_id)


def _required(text: str | None, refusal: str) -> str:
    """``text`` without surrounding blanks; blank or None raises ``refusal``."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(refusal)
    return text


def _label(apprentice_id: str, placement_id: str) -> str:
    return f"shortlist entry {apprentice_id} / {placement_id}"


def _current(conn: sa.Connection, apprentice_id: str, placement_id: str,
             expected_version: int | None) -> sa.Row | None:
    """The pair's stored entry (None: there is none), once ``expected_version`` is known
    to hold: ``0`` or ``None`` for a missing entry, the stored version (or ``None``) for
    an existing one; otherwise :class:`NotFoundError` or :class:`ConflictError`."""
    current = conn.execute(sa.select(shortlist).where(_pair(apprentice_id,
                                                            placement_id))).first()
    label = _label(apprentice_id, placement_id)
    if current is None and expected_version not in (None, 0):
        raise NotFoundError(f"{label} does not exist (any more): reload")
    if current is not None and expected_version not in (None, current.version):
        raise ConflictError(f"{label} was changed by {current.updated_by} at "
                            f"{_when(current.updated_at)}, reload")
    return current


def _insert_entry(conn: sa.Connection, apprentice_id: str, placement_id: str, *, status: str,
                  note: str, score: float | None, user: str, at: datetime) -> None:
    """Insert the pair's entry at version 1; someone who created it first (between our
    read and this insert) is a :class:`ConflictError`, a missing apprentice or placement
    a :class:`NotFoundError`."""
    try:
        with conn.begin_nested():
            conn.execute(shortlist.insert().values(
                apprentice_id=apprentice_id, placement_id=placement_id, status=status,
                note=note, score=score, updated_by=user, updated_at=at, version=1))
    except IntegrityError:
        again = conn.execute(sa.select(shortlist).where(_pair(apprentice_id,
                                                              placement_id))).first()
        if again is not None:
            raise ConflictError(f"{_label(apprentice_id, placement_id)} was created by "
                                f"{again.updated_by} at {_when(again.updated_at)}, "
                                "reload") from None
        raise NotFoundError(f"apprentice {apprentice_id!r} or placement "
                            f"{placement_id!r} does not exist") from None


def _read(engine: sa.Engine, table: sa.Table, columns: list[str], *,
          apprentice_id: str | None, placement_id: str | None,
          order_by: list[sa.ColumnElement], kinds: tuple[str, ...] | None = None
          ) -> pd.DataFrame:
    """Rows of ``table`` (``shortlist`` or ``shortlist_events``), all or one apprentice's
    or one placement's (or of some event ``kinds``), in ``order_by``."""
    query = sa.select(*[table.c[n] for n in columns])
    if apprentice_id is not None:
        query = query.where(table.c.apprentice_id == apprentice_id)
    if placement_id is not None:
        query = query.where(table.c.placement_id == placement_id)
    if kinds:
        query = query.where(table.c.kind.in_(kinds))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(*order_by)).fetchall()
    return pd.DataFrame(rows, columns=columns)


def get_shortlist(engine: sa.Engine, *, apprentice_id: str | None = None,
                  placement_id: str | None = None) -> pd.DataFrame:
    """Shortlist entries (all, or of one apprentice or placement), newest change first."""
    frame = _read(engine, shortlist, SHORTLIST_COLUMNS, apprentice_id=apprentice_id,
                  placement_id=placement_id, order_by=[shortlist.c.updated_at.desc(),
                                                       shortlist.c.apprentice_id,
                                                       shortlist.c.placement_id])
    return frame.astype({"apprentice_id": "string", "placement_id": "string",
                         "status": "string", "note": "string", "score": "float64",
                         "updated_by": "string", "version": "int64"})


def set_shortlist_status(
    engine: sa.Engine,
    apprentice_id: str,
    placement_id: str,
    status: str,
    note: str | None = None,
    user: str = "system",
    expected_version: int | None = None,
    *,
    score: float | None = None,
) -> ShortlistEntry:
    """Create or change a shortlist entry, refusing to overwrite someone else's change.

    Parameters
    ----------
    apprentice_id, placement_id : str
        The pair; both must exist.
    status : {"suggested", "contacted", "confirmed", "completed", "declined"}
    note : str, optional
        New note; None keeps the stored one.
    user : str
        Who makes the change (shown to the next person who conflicts, and audited).
    expected_version : int, optional
        The version the caller last saw: ``0`` means "I believe there is no entry
        yet"; ``None`` means "write regardless" (scripts, imports).
    score : float, optional
        The match score to keep with the entry; None keeps the stored one.

    Returns
    -------
    ShortlistEntry
        The entry as now stored, with its new version.

    Raises
    ------
    ConflictError
        The entry changed (or was created) since ``expected_version``.
    NotFoundError
        The entry, the apprentice or the placement does not exist.
    ValidationError
        ``status`` is not one of the five.
    """
    status = str(status).strip().lower()
    if status not in SHORTLIST_STATUSES:
        raise ValidationError(f"shortlist status {status!r} is not one of "
                              f"{', '.join(SHORTLIST_STATUSES)}")
    now = datetime.now(UTC)
    where = _pair(apprentice_id, placement_id)
    label = _label(apprentice_id, placement_id)
    with begin_write(engine) as conn:
        current = _current(conn, apprentice_id, placement_id, expected_version)
        if current is None:
            _insert_entry(conn, apprentice_id, placement_id, status=status, note=note or "",
                          score=score, user=user, at=now)
            action, version = "shortlist add", 1
            previous, note_changed = None, bool(note)
        else:
            base = current.version
            changes = {"status": status, "updated_by": user, "updated_at": now,
                       "version": base + 1}
            if note is not None:
                changes["note"] = note
            if score is not None:
                changes["score"] = score
            # The version test in the WHERE makes the check and the write one atomic step.
            done = conn.execute(shortlist.update().where(where & (shortlist.c.version == base))
                                .values(**changes))
            if done.rowcount != 1:
                latest = conn.execute(sa.select(shortlist).where(where)).first()
                who = latest.updated_by if latest else "someone"
                at = _when(latest.updated_at) if latest else "just now"
                raise ConflictError(f"{label} was changed by {who} at {at}, reload")
            action, version = "shortlist status", base + 1
            previous, note_changed = current.status, bool(note)
        conn.execute(audit_log.insert().values(
            who=user, at=now, action=action, entity="shortlist",
            entity_id=f"{apprentice_id}/{placement_id}",
            # The audit says what changed, not the note's words (they may be personal and
            # are erased with the entry; the trail must outlive them).
            detail={"status": status, "previous_status": previous,
                    "note_changed": note_changed, "version": version}))
        if note:  # each note is kept as its own history row, never overwriting the last
            _add_event(conn, apprentice_id, placement_id, "note", note, user=user, at=now)
        row = conn.execute(sa.select(shortlist).where(where)).one()
    return _entry(row)


#: Kinds of shortlist history rows.
EVENT_KINDS = ("note", "interest", "override")
EVENT_COLUMNS = ["id", "apprentice_id", "placement_id", "kind", "author", "at", "text",
                 "detail"]


def _add_event(conn: sa.Connection, apprentice_id: str, placement_id: str, kind: str,
               text: str, *, user: str, at: datetime, detail: dict | None = None) -> int:
    if kind not in EVENT_KINDS:
        raise ValidationError(f"shortlist event {kind!r} is not one of {', '.join(EVENT_KINDS)}")
    done = conn.execute(shortlist_events.insert().values(
        apprentice_id=apprentice_id, placement_id=placement_id, kind=kind, author=user, at=at,
        text=text or "", detail=detail))
    return int(done.inserted_primary_key[0])


def _add_audited_event(conn: sa.Connection, apprentice_id: str, placement_id: str,
                       kind: str, text: str, *, user: str, at: datetime,
                       detail: dict | None = None, audit: dict | None = None) -> int:
    """:func:`_add_event` and its audit row (``shortlist <kind>``, with the event's id and
    ``audit``); returns the event's id."""
    event = _add_event(conn, apprentice_id, placement_id, kind, text, user=user, at=at,
                       detail=detail)
    conn.execute(audit_log.insert().values(
        who=user, at=at, action=f"shortlist {kind}", entity="shortlist",
        entity_id=f"{apprentice_id}/{placement_id}", detail={"event": event, **(audit or {})}))
    return event


def add_note(engine: sa.Engine, apprentice_id: str, placement_id: str, text: str, *,
             user: str) -> int:
    """Append a note to the entry's history (the entry must exist); returns its id.

    Notes are never changed or replaced: a correction is a new note.
    """
    text = _required(text, "an empty note is not saved")
    now = datetime.now(UTC)
    where = _pair(apprentice_id, placement_id)
    with begin_write(engine) as conn:
        if conn.execute(sa.select(shortlist.c.version).where(where)).first() is None:
            raise NotFoundError(f"{_label(apprentice_id, placement_id)} does not exist (any "
                                "more): reload")
        return _add_audited_event(conn, apprentice_id, placement_id, "note", text, user=user,
                                  at=now)


def _ensure_entry(conn: sa.Connection, apprentice_id: str, placement_id: str, *, user: str,
                  at: datetime, expected_version: int | None, status: str | None = None) -> int:
    """Create the entry (``suggested``) when missing, or bump its version (optionally
    with a new status) when ``expected_version`` still holds; returns the new version."""
    current = _current(conn, apprentice_id, placement_id, expected_version)
    if current is None:
        _insert_entry(conn, apprentice_id, placement_id, status=status or "suggested",
                      note="", score=None, user=user, at=at)
        return 1
    where = _pair(apprentice_id, placement_id)
    done = conn.execute(shortlist.update().where(where & (shortlist.c.version == current.version))
                        .values(status=status or current.status, updated_by=user,
                                updated_at=at, version=current.version + 1))
    if done.rowcount != 1:
        raise ConflictError(f"{_label(apprentice_id, placement_id)} was changed by someone "
                            "else just now, reload")
    return current.version + 1


def mark_interest(engine: sa.Engine, apprentice_id: str, placement_id: str, *,
                  user: str) -> ShortlistEntry:
    """An apprentice marks interest in a placement: the entry is created when missing
    (status ``suggested``) and an ``interest`` event is added. Status and notes stay as
    they are."""
    now = datetime.now(UTC)
    where = _pair(apprentice_id, placement_id)
    with begin_write(engine) as conn:
        exists = conn.execute(sa.select(shortlist.c.version).where(where)).first()
        if exists is None:
            _ensure_entry(conn, apprentice_id, placement_id, user=user, at=now,
                          expected_version=0)
        _add_audited_event(conn, apprentice_id, placement_id, "interest", "", user=user,
                           at=now)
        return _entry(conn.execute(sa.select(shortlist).where(where)).one())


def record_override(engine: sa.Engine, apprentice_id: str, placement_id: str, *, reason: str,
                    breaks: list[str] | tuple[str, ...], user: str,
                    expected_version: int | None) -> ShortlistEntry:
    """Put ``placement_id`` on the apprentice's shortlist by hand, overriding the plan.

    ``reason`` is required; ``breaks`` names the hard rules the pair breaks (see
    :func:`mobility.desk.rules.rule_breaks`), kept with the event so that anyone reading
    the plan later sees what was knowingly accepted.
    """
    reason = _required(reason, "a manual override needs a reason")
    now = datetime.now(UTC)
    where = _pair(apprentice_id, placement_id)
    with begin_write(engine) as conn:
        version = _ensure_entry(conn, apprentice_id, placement_id, user=user, at=now,
                                expected_version=expected_version)
        _add_audited_event(conn, apprentice_id, placement_id, "override", reason, user=user,
                           at=now, detail={"breaks": list(breaks)},
                           audit={"breaks": list(breaks), "version": version})
        return _entry(conn.execute(sa.select(shortlist).where(where)).one())


def suggest_pairs(engine: sa.Engine, pairs: pd.DataFrame, *, user: str) -> int:
    """Put each ``apprentice_id, placement_id`` pair (``score`` optional) on the shortlist
    as ``suggested`` unless the pair has an entry already (which keeps its status, notes
    and version); one transaction, one audit entry. Returns how many were added."""
    placed = pairs[pairs["placement_id"].notna()]
    if placed.empty:
        return 0
    now = datetime.now(UTC)
    with begin_write(engine) as conn:
        have = {(r.apprentice_id, r.placement_id) for r in conn.execute(
            sa.select(shortlist.c.apprentice_id, shortlist.c.placement_id)).fetchall()}
        rows = []
        for row in placed.to_dict("records"):
            key = (str(row["apprentice_id"]), str(row["placement_id"]))
            if key in have:
                continue
            have.add(key)
            score = row.get("score")
            rows.append({"apprentice_id": key[0], "placement_id": key[1], "status": "suggested",
                         "note": "", "score": None if score is None or pd.isna(score)
                         else float(score), "updated_by": user, "updated_at": now,
                         "version": 1})
        if rows:
            conn.execute(shortlist.insert(), rows)
            conn.execute(audit_log.insert().values(
                who=user, at=now, action="shortlist from plan", entity="shortlist",
                entity_id=None, detail={"added": len(rows)}))
    return len(rows)


def get_shortlist_events(engine: sa.Engine, *, apprentice_id: str | None = None,
                         placement_id: str | None = None,
                         kinds: tuple[str, ...] | None = None) -> pd.DataFrame:
    """History rows (``id, apprentice_id, placement_id, kind, author, at, text, detail``),
    oldest first."""
    return _read(engine, shortlist_events, EVENT_COLUMNS, apprentice_id=apprentice_id,
                 placement_id=placement_id, kinds=kinds, order_by=[shortlist_events.c.id])


def latest_overrides(engine: sa.Engine) -> pd.DataFrame:
    """The newest override per apprentice (``apprentice_id, placement_id, reason,
    breaks, author, at``), unless that entry was declined since."""
    events = get_shortlist_events(engine, kinds=("override",))
    columns = ["apprentice_id", "placement_id", "reason", "breaks", "author", "at"]
    if events.empty:
        return pd.DataFrame(columns=columns)
    newest = events.drop_duplicates("apprentice_id", keep="last")
    entries = get_shortlist(engine)[["apprentice_id", "placement_id", "status"]]
    newest = newest.merge(entries, on=["apprentice_id", "placement_id"], how="left")
    newest = newest[newest["status"].astype("string").fillna("") != "declined"]
    out = newest.assign(reason=newest["text"],
                        breaks=[list((d or {}).get("breaks", [])) for d in newest["detail"]])
    return out[columns].reset_index(drop=True)


def _demo_pair(engine: sa.Engine) -> None:
    """Insert one company, placement and apprentice (for the examples above)."""
    from mobility.io import read_table
    from mobility.storage.tables import upsert_table

    upsert_table(engine, "companies", read_table(
        b"company_id,name,city,country\nC1,Joinery,Leeds,GB\n", "companies").frame)
    upsert_table(engine, "placements", read_table(
        b"placement_id,company_id,trade,city,country,slots,start,end,min_weeks,max_weeks\n"
        b"P1,C1,Tischler,Leeds,GB,1,2026-03-01,2026-06-30,2,6\n", "placements").frame)
    upsert_table(engine, "apprentices", read_table(
        b"apprentice_id,name,home_city,home_country,trade,training_year,available_from,"
        b"available_to,desired_weeks\nA1,Lea,Dortmund,DE,Tischlerin,2,2026-03-01,2026-05-31,4\n",
        "apprentices").frame)
