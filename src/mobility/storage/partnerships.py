"""Partnerships kept by the municipalities themselves: add, change, history, export.

Like the RGRE's database of twinnings, which "only lives through contributions", the
product lets a municipality account keep its own partnerships: add one, change its
status (active, dormant, suspended, ended), year, contact office, source and confidence.
Administrators may do the same for every municipality; nobody else may.

Every write

* asks the one authorisation check (:func:`mobility.auth.authorize`,
  :attr:`~mobility.auth.Action.EDIT_PARTNERSHIPS`) with the municipality it touches,
  *before* reading anything, so a refusal never says whether another city's partnership
  exists;
* is validated like an import (:func:`mobility.io.validate_frame` on the whole row:
  status words, year 1800..this year, ISO country codes, no control characters), with
  problems naming the column;
* writes the row's ``updated_by``/``updated_at`` and an audit entry listing every field
  it changed from -> to, in the same transaction (the history is read back from there);
* is refused with :class:`~mobility.errors.ConflictError` when someone else changed the
  row since the editor read it (optimistic concurrency: the editor passes the
  :attr:`PartnershipRecord.token` it saw).

Until the first edit the product works with the shipped twinnings (the stored table is
empty); the first edit stores them, in the same transaction, so that keeping one
partnership never hides the others.

Examples
--------
>>> from mobility.auth import Principal, Role
>>> from mobility.storage import create_schema, new_engine
>>> engine = new_engine()
>>> create_schema(engine)
>>> city = Principal("stadt-dortmund", Role.MUNICIPALITY, city="Dortmund")
>>> row = add_partnership(engine, city, partner_city="Lyon", partner_country="FR",
...                       since_year=2020, contact_office="Büro für Internationales")
>>> row.key.home_city, row.status, row.updated_by
('Dortmund', 'active', 'stadt-dortmund')
>>> row = change_partnership(engine, city, row.key, expected=row.token, status="dormant")
>>> history = partnership_history(engine, city, row.key)
>>> history[["who", "field", "before", "after"]].iloc[-1].tolist()
['stadt-dortmund', 'status', 'active', 'dormant']
>>> add_partnership(engine, city, home_city="Köln", partner_city="Lyon",
...                 partner_country="FR")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
mobility.errors.PermissionDenied: municipality 'stadt-dortmund' may only keep partnerships ...
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from mobility.auth.policy import (
    MUNICIPALITY_COUNTRY,
    Action,
    Scope,
    authorize,
    municipality_matches,
    principal_ags,
)
from mobility.auth.roles import Principal
from mobility.errors import ConflictError, NotFoundError, Problem, ValidationError
from mobility.io.specs import spec_for
from mobility.models import PartnershipStatus
from mobility.storage.engine import begin_write
from mobility.storage.schema import audit_log, partnerships
from mobility.text import place_key

KIND = "partnerships"
#: The audit trail's entity name for one partnership.
ENTITY = "partnership"
#: What an editor may change; the key (home and partner city and country) never changes.
EDITABLE_FIELDS: tuple[str, ...] = ("status", "since_year", "contact_office", "source",
                                    "confidence")
STATUSES: tuple[str, ...] = tuple(s.value for s in PartnershipStatus)
CONFIDENCES: tuple[str, ...] = ("confirmed", "unconfirmed")
HISTORY_COLUMNS = ["at", "who", "action", "partner_city", "partner_country", "field", "before",
                   "after"]


@dataclass(frozen=True, slots=True)
class PartnershipKey:
    """Which partnership: the table's key, exactly as stored."""

    home_city: str
    home_country: str
    partner_city: str
    partner_country: str

    @property
    def entity_id(self) -> str:
        """The audit trail's id for this partnership (unambiguous for any names)."""
        return json.dumps([self.home_country, self.home_city, self.partner_country,
                           self.partner_city], ensure_ascii=False)

    @classmethod
    def of(cls, row: Mapping) -> PartnershipKey:
        return cls(*(str(row[name]) for name in spec_for(KIND).key))

    def where(self) -> sa.ColumnElement[bool]:
        return sa.and_(*(partnerships.c[name] == getattr(self, name)
                         for name in spec_for(KIND).key))


@dataclass(frozen=True, slots=True)
class PartnershipRecord:
    """One stored partnership as an editor sees it."""

    key: PartnershipKey
    home_ags: str
    status: str
    since_year: int | None
    contact_office: str
    source: str
    confidence: str
    updated_by: str
    updated_at: str

    @property
    def token(self) -> str:
        """What the editor saw: pass it back to :func:`change_partnership`, which refuses
        the change when the stored row no longer matches it."""
        seen = [getattr(self, name) for name in (*EDITABLE_FIELDS, "updated_by", "updated_at")]
        return hashlib.sha256(json.dumps(seen, default=str).encode()).hexdigest()[:16]


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _year(value: object) -> int | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return None
    return int(value)


def _record(row: Mapping) -> PartnershipRecord:
    return PartnershipRecord(
        key=PartnershipKey.of(row), home_ags=_text(row.get("home_ags")),
        status=_text(row.get("status")) or PartnershipStatus.ACTIVE.value,
        since_year=_year(row.get("since_year")),
        contact_office=_text(row.get("contact_office")), source=_text(row.get("source")),
        confidence=_text(row.get("confidence")) or CONFIDENCES[0],
        updated_by=_text(row.get("updated_by")), updated_at=_text(row.get("updated_at")))


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def shaped(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with exactly the partnerships format's columns and dtypes (columns it
    lacks, such as the shipped file's missing ``contact_office``, come out blank)."""
    from mobility.storage.tables import conform

    spec = spec_for(KIND)
    filled = frame.copy()
    for col in spec.columns:
        if col.name not in filled:
            filled[col.name] = "" if col.dtype == "string" else pd.NA
    return conform(filled[spec.names].astype(object), KIND)


def working_partnerships(engine: sa.Engine, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The partnerships the product works with: the stored ones, or the shipped
    twinnings while nothing is stored (as the dashboard and the matcher do).

    A caller that holds that table already (the dashboard caches it until the database
    changes) passes it as ``table``; it is then only shaped to the format.
    """
    from mobility.reference.twinnings import load_partnerships
    from mobility.storage.tables import read_table_from_db

    if table is None:
        table = read_table_from_db(engine, KIND)
        if table.empty:
            table = load_partnerships()
    missing = set(spec_for(KIND).names) - set(table.columns)
    return shaped(table) if missing else table


@dataclass(frozen=True, slots=True)
class Municipality:
    """The municipality a request is about: name, country and official code if known."""

    city: str
    country: str = MUNICIPALITY_COUNTRY
    ags: str | None = None

    def matches(self, row: Mapping) -> bool:
        return municipality_matches(self.city, self.ags, row, country=self.country)

    def mask(self, table: pd.DataFrame) -> pd.Series:
        """Rows of ``table`` that belong to this municipality (each distinct home
        compared once)."""
        if table.empty:
            return pd.Series(False, index=table.index)
        homes = table[["home_city", "home_country", "home_ags"]].astype("string").fillna("")
        # Only a row with this official code or this name's key can match: the rule
        # itself (self.matches) then decides on those few distinct homes.
        target = place_key(self.city)
        names = pd.unique(homes["home_city"])
        keys = dict(zip(names, map(place_key, names), strict=True))
        maybe = homes["home_city"].map(keys).eq(target).to_numpy(dtype=bool, copy=True)
        if self.ags:
            maybe |= (homes["home_ags"].str.strip() == self.ags.strip()).to_numpy(dtype=bool)
        hit = np.zeros(len(homes), dtype=bool)
        candidates = homes[maybe]
        codes, unique = pd.factorize(pd.MultiIndex.from_frame(candidates))
        decided = np.array([self.matches(dict(zip(homes.columns, home, strict=True)))
                            for home in unique], dtype=bool)
        hit[maybe] = decided[codes]
        return pd.Series(hit, index=table.index, dtype=bool)


def _target(principal: Principal | None, action: Action, city: str | None,
            country: str | None, ags: str | None) -> Municipality:
    """Authorise ``action`` on the municipality a request names (a municipality account
    may leave it out: its own city) and return it. Nothing is read before the check."""
    scope = authorize(principal, action)
    country = (country or MUNICIPALITY_COUNTRY).strip().upper()
    ags = (ags or "").strip() or None
    if scope is Scope.CITY:
        city = city if city is not None and city.strip() else principal.city
        own = principal_ags(principal)
        if ags is not None and ags != own:
            # An account cannot claim an official code it does not hold.
            authorize(principal, action, {"home_city": "", "home_country": country,
                                          "home_ags": ags})
        # The name asked for must be the account's own, whatever code it holds: a code
        # never lends its rights to another city's name.
        authorize(principal, action, {"home_city": city, "home_country": country})
        return Municipality(str(city).strip(), country, own)
    if city is None or not str(city).strip():
        raise ValidationError("name the municipality whose partnerships to keep",
                              problems=[Problem("required", column="home_city")])
    return Municipality(str(city).strip(), country, ags)


def city_partnerships(engine: sa.Engine, principal: Principal | None, city: str | None = None,
                      *, country: str | None = None, ags: str | None = None,
                      action: Action = Action.EDIT_PARTNERSHIPS,
                      table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The partnerships of one municipality (a municipality account: its own), in the
    import format, sorted by partner country and city (``table``: see
    :func:`working_partnerships`)."""
    target = _target(principal, action, city, country, ags)
    table = working_partnerships(engine, table)
    rows = table.loc[target.mask(table)]
    return rows.sort_values(["partner_country", "partner_city"]).reset_index(drop=True)


def get_partnership(engine: sa.Engine, principal: Principal | None, key: PartnershipKey, *,
                    table: pd.DataFrame | None = None) -> PartnershipRecord:
    """One partnership, after the same check as a change (NotFoundError when the
    signed-in municipality has no such partnership). A ``table`` read earlier can only
    make a later change fail with ConflictError, never overwrite anything."""
    target = _target(principal, Action.EDIT_PARTNERSHIPS, key.home_city, key.home_country,
                     None)
    table = working_partnerships(engine, table)
    hit = table.loc[(table["home_city"] == key.home_city)
                    & (table["home_country"] == key.home_country)
                    & (table["partner_city"] == key.partner_city)
                    & (table["partner_country"] == key.partner_country)]
    if hit.empty or not target.matches(hit.iloc[0]):
        raise _not_found(key)
    return _record(hit.iloc[0])


def _not_found(key: PartnershipKey) -> NotFoundError:
    return NotFoundError(f"{key.home_city} has no partnership with {key.partner_city} "
                         f"({key.partner_country}): reload")


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _validated(values: Mapping[str, object]) -> dict[str, object]:
    """One row checked and converted exactly like an imported one; problems name the
    column (a form has no file and no row numbers)."""
    from mobility.io.validation import validate_frame

    spec = spec_for(KIND)
    raw = pd.DataFrame({name: [_text(values.get(name))] for name in spec.names}, dtype=object)
    frame, problems, _ = validate_frame(raw, KIND, name="partnership")
    problems = [replace(p, file=None, row=None) for p in problems]
    confidence = _text(values.get("confidence")).strip().lower()
    if confidence and confidence not in CONFIDENCES:
        problems.append(Problem(f"{confidence!r} is not one of {', '.join(CONFIDENCES)}",
                                column="confidence", value=confidence))
    ags = _text(values.get("home_ags")).strip()
    if ags and not (len(ags) == 8 and ags.isascii() and ags.isdigit()):
        problems.append(Problem("an official municipality code (AGS) is 8 digits",
                                column="home_ags", value=ags))
    if problems:
        raise ValidationError("the partnership was not saved", problems=problems)
    row = shaped(frame).iloc[0].to_dict()
    row["confidence"] = confidence or CONFIDENCES[0]
    return row


def _db_values(row: Mapping[str, object]) -> dict[str, object]:
    """A converted row as the database takes it (``None`` for missing numbers)."""
    out: dict[str, object] = {}
    for name, value in row.items():
        if isinstance(value, str):
            out[name] = value
        elif value is None or pd.isna(value):
            out[name] = None
        elif hasattr(value, "item"):
            out[name] = value.item()
        else:
            out[name] = value
    return out


def _keep_shipped(conn: sa.Connection, user: str) -> None:
    """Store the shipped twinnings before the first edit, so the stored table (which
    then replaces them everywhere) still holds every partnership."""
    if conn.execute(sa.select(sa.func.count()).select_from(partnerships)).scalar_one():
        return
    from mobility.reference.twinnings import load_partnerships

    rows = shaped(load_partnerships())
    records = [_db_values(r) for r in rows.to_dict("records")]
    if records:
        conn.execute(partnerships.insert(), records)
    conn.execute(audit_log.insert().values(
        who=user, at=datetime.now(UTC), action="import", entity=KIND, entity_id=None,
        detail={"source": "shipped twinnings, stored with the first edit",
                "inserted": len(records), "updated": 0}))


def _audit(conn: sa.Connection, user: str, action: str, key: PartnershipKey,
           changes: dict[str, list[object]]) -> None:
    conn.execute(audit_log.insert().values(
        who=user, at=datetime.now(UTC), action=action, entity=ENTITY,
        entity_id=key.entity_id, detail={"changes": changes}))


def add_partnership(
    engine: sa.Engine,
    principal: Principal | None,
    *,
    partner_city: str,
    partner_country: str,
    since_year: int | None = None,
    status: str = PartnershipStatus.ACTIVE.value,
    contact_office: str = "",
    source: str = "",
    confidence: str = CONFIDENCES[0],
    licence: str = "",
    partner_lat: float | None = None,
    partner_lon: float | None = None,
    home_city: str | None = None,
    home_country: str | None = None,
    home_ags: str | None = None,
    home_lat: float | None = None,
    home_lon: float | None = None,
) -> PartnershipRecord:
    """Add a partnership of a municipality (a municipality account: its own).

    Parameters
    ----------
    engine : sqlalchemy.Engine
    principal : Principal
        Who adds it: a municipality account (its own city) or an administrator.
    partner_city, partner_country : str
        The twin town and its ISO 3166 code.
    since_year : int, optional
        Year the partnership was signed (1800 to this year).
    status : {"active", "dormant", "suspended", "ended"}
    contact_office, source, confidence, licence : str
        Who looks after it, where it is documented, "confirmed" or "unconfirmed", and
        the source's licence.
    partner_lat, partner_lon : float, optional
        Coordinates of the twin town; blank: from the offline gazetteer.
    home_city, home_country, home_ags : str, optional
        The municipality (administrators must name it; a municipality account may
        only name itself).
    home_lat, home_lon : float, optional
        Its coordinates when it has no partnership yet and the gazetteer lacks it
        (otherwise those of its stored partnerships, or the gazetteer's).

    Returns
    -------
    PartnershipRecord

    Raises
    ------
    PermissionDenied
        The account may not keep this municipality's partnerships.
    ValidationError
        A value breaks the import format's rules, or the partnership exists already.
    """
    target = _target(principal, Action.EDIT_PARTNERSHIPS, home_city, home_country, home_ags)
    user = principal.username
    now = _now()
    with begin_write(engine) as conn:
        homes = [partnerships.c[n] for n in ("home_city", "home_country", "home_ags", "home_lat",
                                             "home_lon", "partner_city", "partner_country")]
        existing = pd.DataFrame(conn.execute(sa.select(*homes).where(
            partnerships.c.home_country == target.country)).mappings().all())
        if existing.empty:  # nothing stored yet: the shipped twinnings are in use
            from mobility.reference.twinnings import load_partnerships

            existing = shaped(load_partnerships())
        own = existing.loc[target.mask(existing)] if not existing.empty else existing
        # The municipality's own spelling, code and coordinates, as already stored.
        first = own.iloc[0] if not own.empty else {}
        values = {
            "home_city": _text(first.get("home_city")) or target.city,
            "home_country": target.country,
            "home_lat": first.get("home_lat", home_lat),
            "home_lon": first.get("home_lon", home_lon),
            "home_ags": target.ags or _text(first.get("home_ags")),
            "partner_city": partner_city, "partner_country": partner_country,
            "partner_lat": partner_lat, "partner_lon": partner_lon,
            "since_year": since_year, "status": status, "source": source,
            "confidence": confidence, "licence": licence, "contact_office": contact_office,
            "updated_by": user, "updated_at": now,
        }
        row = _validated(values)
        key = PartnershipKey.of(row)
        twin = place_key(key.partner_city), key.partner_country
        if any((place_key(c), k) == twin
               for c, k in zip(own.get("partner_city", []), own.get("partner_country", []),
                               strict=True)):
            message = (f"{key.home_city} already has a partnership with {key.partner_city} "
                       f"({key.partner_country}): change that one")
            raise ValidationError(message, problems=[Problem(message, column="partner_city",
                                                             value=key.partner_city)])
        _keep_shipped(conn, user)
        conn.execute(partnerships.insert().values(**_db_values(row)))
        _audit(conn, user, "partnership add", key,
               {name: [None, _json(row[name])] for name in EDITABLE_FIELDS
                if _json(row[name]) not in (None, "")})
    return _record(row)


def _json(value: object) -> object:
    """A value as the audit trail keeps it: blanks are ``None``, numbers plain."""
    if value is None or value == "" or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def change_partnership(engine: sa.Engine, principal: Principal | None, key: PartnershipKey,
                       *, expected: str | None, **changes: object) -> PartnershipRecord:
    """Change status, year, contact office, source or confidence of one partnership.

    Parameters
    ----------
    key : PartnershipKey
        Which partnership (from :func:`city_partnerships` or a record).
    expected : str or None
        The :attr:`PartnershipRecord.token` the editor saw; ``None`` writes regardless
        (scripts).
    **changes
        Any of :data:`EDITABLE_FIELDS`; ``since_year=None`` clears the year.

    Raises
    ------
    PermissionDenied
        Not this account's municipality (decided before anything is read).
    NotFoundError
        No such partnership of this municipality.
    ConflictError
        Someone changed it since ``expected``: reload.
    ValidationError
        A value breaks the rules (problems name the column), or a field is not editable.
    """
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(f"cannot change {', '.join(unknown)} (only "
                              f"{', '.join(EDITABLE_FIELDS)})",
                              problems=[Problem("not editable", column=c) for c in unknown])
    target = _target(principal, Action.EDIT_PARTNERSHIPS, key.home_city, key.home_country,
                     None)
    user = principal.username
    with begin_write(engine) as conn:
        _keep_shipped(conn, user)
        current = conn.execute(sa.select(partnerships).where(key.where())).mappings().first()
        if current is None or not target.matches(current):
            raise _not_found(key)
        before = _record(current)
        if expected is not None and expected != before.token:
            raise ConflictError(_changed_by(before))
        proposed = {**current, **changes, "updated_by": user, "updated_at": _now()}
        row = _validated(proposed)
        diff = {name: [_json(getattr(before, name)), _json(row[name])]
                for name in EDITABLE_FIELDS
                if _json(getattr(before, name)) != _json(row[name])}
        if not diff:
            return before
        # Compare-and-set: the row must still hold what was read (PostgreSQL has no
        # write lock taken above; SQLite's BEGIN IMMEDIATE makes this hold anyway).
        unchanged = sa.and_(key.where(), *(partnerships.c[name].is_not_distinct_from(
            current[name]) for name in (*EDITABLE_FIELDS, "updated_by", "updated_at")))
        update = {name: row[name] for name in (*diff, "updated_by", "updated_at")}
        done = conn.execute(partnerships.update().where(unchanged)
                            .values(**_db_values(update)))
        if done.rowcount != 1:
            latest = conn.execute(sa.select(partnerships).where(key.where())).mappings().first()
            raise ConflictError(_changed_by(_record(latest)) if latest else
                                "the partnership was changed meanwhile: reload")
        _audit(conn, user, "partnership change", key, diff)
        stored = conn.execute(sa.select(partnerships).where(key.where())).mappings().one()
    return _record(stored)


def _changed_by(latest: PartnershipRecord) -> str:
    who = latest.updated_by or "an import"
    at = latest.updated_at[:16].replace("T", " ") if latest.updated_at else "meanwhile"
    return (f"the partnership {latest.key.home_city} - {latest.key.partner_city} was "
            f"changed by {who} at {at} UTC, reload")


# ---------------------------------------------------------------------------
# History and export
# ---------------------------------------------------------------------------


def partnership_history(engine: sa.Engine, principal: Principal | None,
                        key: PartnershipKey | None = None, *, city: str | None = None,
                        country: str | None = None,
                        table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Who changed what, when: one row per changed field (``before`` -> ``after``),
    oldest first, for one partnership (``key``) or every partnership of a municipality.

    Read from the audit trail, for the partnerships the account may keep.
    """
    if key is not None:
        keys = [get_partnership(engine, principal, key, table=table).key]
    else:
        rows = city_partnerships(engine, principal, city, country=country, table=table)
        keys = [PartnershipKey.of(r) for r in rows.to_dict("records")]
    by_id = {k.entity_id: k for k in keys}
    entries = []
    if by_id:
        query = (sa.select(audit_log.c.at, audit_log.c.who, audit_log.c.action,
                           audit_log.c.entity_id, audit_log.c.detail)
                 .where(audit_log.c.entity == ENTITY, audit_log.c.entity_id.in_(list(by_id)))
                 .order_by(audit_log.c.at, audit_log.c.id))
        with engine.connect() as conn:
            entries = conn.execute(query).all()
    out = []
    for at, who, action, entity_id, detail in entries:
        partner = by_id[entity_id]
        for field, (old, new) in ((detail or {}).get("changes") or {}).items():
            out.append((at, who, action.removeprefix(f"{ENTITY} "), partner.partner_city,
                        partner.partner_country, field, old, new))
    frame = pd.DataFrame(out, columns=HISTORY_COLUMNS, dtype=object)  # years stay ints
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame.astype({c: "string" for c in ("who", "action", "partner_city",
                                               "partner_country", "field")})


def export_city_partnerships(engine: sa.Engine, principal: Principal | None,
                             path: str | Path, city: str | None = None, *,
                             country: str | None = None,
                             table: pd.DataFrame | None = None) -> int:
    """Write one municipality's partnerships to ``path`` (.csv or .xlsx) in the import
    format, through the one atomic, formula-neutralising writer; returns the row count."""
    from mobility.io.writing import write_table

    rows = city_partnerships(engine, principal, city, country=country,
                             action=Action.EXPORT_PARTNERSHIPS, table=table)
    write_table(rows, KIND, path)
    return len(rows)


def city_partnerships_file(engine: sa.Engine, principal: Principal | None, fmt: str,
                           city: str | None = None, *, country: str | None = None,
                           table: pd.DataFrame | None = None) -> bytes:
    """:func:`export_city_partnerships` as bytes (``fmt``: ``"csv"`` or ``"xlsx"``),
    for a download button."""
    if fmt not in ("csv", "xlsx"):
        raise ValidationError(f"cannot export as {fmt!r}: use csv or xlsx")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"partnerships.{fmt}"
        export_city_partnerships(engine, principal, path, city, country=country, table=table)
        return path.read_bytes()

