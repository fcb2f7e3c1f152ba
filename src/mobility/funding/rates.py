"""Daily individual-support rates, entered by an administrator.

No public source for the Erasmus+ daily rates of VET learners could be found, so the
product ships none. An administrator enters the rates of their national agency's
current call (per country group, per call year) together with where they took them
from; every save is a new version, and estimates name the version they used. Until
rates exist, estimates leave individual support out and say so.

Storage sits behind one small interface, :class:`RateStore` (``save``, ``load``,
``versions``). :class:`DatabaseRateStore` (the default) keeps the versions in the
database table ``erasmus_rate_tables``; :class:`JsonRateStore` keeps them in a JSON file
(set ``MOBILITY_RATES_FILE`` to use it, e.g. without a database).

Examples
--------
>>> import tempfile, pathlib
>>> from mobility.funding.rates import DailyRateTable, JsonRateStore
>>> store = JsonRateStore(pathlib.Path(tempfile.mkdtemp()) / "rates.json")
>>> store.load(2026) is None
True
>>> table = DailyRateTable(call_year=2026, rates={1: 60.0, 2: 55.0, 3: 50.0},
...                        source="NA BIBB call 2026, Finanzierungsregeln p. 3")
>>> store.save(table).version
1
>>> store.load(2026).rates[2]
55.0
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from mobility.errors import ConflictError, Problem, ValidationError
from mobility.paths import REPO_ROOT
from mobility.reference.erasmus import (
    DEFAULT_TRAVEL_TABLE,
    TRAVEL_TABLES,
    TravelBands,
    UnitCost,
    erasmus_rules,
    travel_bands,
    unit_cost,
)

COUNTRY_GROUPS = (1, 2, 3)


@dataclass(frozen=True, slots=True)
class DailyRateTable:
    """One version of the daily individual-support rates for VET learners.

    Parameters
    ----------
    call_year : int
        The Erasmus+ call the rates belong to.
    rates : mapping of country group (1-3) to EUR per day
        The full daily rate (days 1 to 14). A group left out stays unknown.
    source : str
        Where the administrator took the figures from (required: no figure without one).
    reduced_rates : mapping of group to EUR per day, optional
        The rate from day 15 where the call states it; otherwise the shipped day rule
        (``reduced_rate_fraction`` in ``data/erasmus_rules.csv``) applies.
    entered_by, entered_at, version
        Filled in by the store.
    """

    call_year: int
    rates: Mapping[int, float]
    source: str
    reduced_rates: Mapping[int, float] = field(default_factory=dict)
    entered_by: str = ""
    entered_at: str = ""
    version: int = 0

    def __post_init__(self) -> None:
        problems = []
        if not 2014 <= int(self.call_year) <= 2100:
            problems.append(Problem(f"call year {self.call_year} is not plausible",
                                    column="call_year"))
        if not str(self.source).strip():
            problems.append(Problem("say where the rates come from (call, document, page)",
                                    column="source"))
        for column, mapping in (("rates", self.rates), ("reduced_rates", self.reduced_rates)):
            for group, value in mapping.items():
                if int(group) not in COUNTRY_GROUPS:
                    problems.append(Problem(f"country group {group} is not 1, 2 or 3",
                                            column=column, value=str(group)))
                elif not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                    problems.append(Problem(f"rate for group {group} must be a positive number "
                                            "of euros per day", column=column, value=str(value)))
        if problems:
            raise ValidationError("the daily rate table was not saved", problems=problems)
        object.__setattr__(self, "call_year", int(self.call_year))
        object.__setattr__(self, "rates", {int(g): float(v) for g, v in self.rates.items()})
        object.__setattr__(self, "reduced_rates",
                           {int(g): float(v) for g, v in self.reduced_rates.items()})

    @property
    def label(self) -> str:
        """How estimates cite this table."""
        who = f" by {self.entered_by}" if self.entered_by else ""
        when = f" on {self.entered_at[:10]}" if self.entered_at else ""
        return (f"daily rates call {self.call_year} v{self.version} (entered{who}{when}; "
                f"source: {self.source})")

    def full_rate(self, groups: object) -> np.ndarray:
        """EUR per day for days 1-14 by country group; NaN where unknown."""
        lookup = np.full(max(COUNTRY_GROUPS) + 1, np.nan)
        for group, value in self.rates.items():
            lookup[group] = value
        return lookup[np.clip(np.asarray(groups, dtype=int), 0, max(COUNTRY_GROUPS))]

    def reduced_rate(self, groups: object) -> np.ndarray:
        """EUR per day from day 15: the entered reduced rate, else the shipped fraction
        of the full rate."""
        fraction = erasmus_rules()["reduced_rate_fraction"].value
        derived = self.full_rate(groups) * fraction
        lookup = np.full(max(COUNTRY_GROUPS) + 1, np.nan)
        for group, value in self.reduced_rates.items():
            lookup[group] = value
        entered = lookup[np.clip(np.asarray(groups, dtype=int), 0, max(COUNTRY_GROUPS))]
        return np.where(np.isnan(entered), derived, entered)

    def as_dict(self) -> dict[str, object]:
        return {"call_year": self.call_year, "rates": {str(k): v for k, v in self.rates.items()},
                "reduced_rates": {str(k): v for k, v in self.reduced_rates.items()},
                "source": self.source, "entered_by": self.entered_by,
                "entered_at": self.entered_at, "version": self.version}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> DailyRateTable:
        return cls(call_year=int(data["call_year"]),  # type: ignore[arg-type]
                   rates={int(k): float(v) for k, v in dict(data["rates"]).items()},  # type: ignore[call-overload]
                   reduced_rates={int(k): float(v)
                                  for k, v in dict(data.get("reduced_rates") or {}).items()},  # type: ignore[call-overload]
                   source=str(data["source"]), entered_by=str(data.get("entered_by", "")),
                   entered_at=str(data.get("entered_at", "")),
                   version=int(data.get("version", 0)))  # type: ignore[arg-type]


class RateStore(Protocol):
    """Where administrator-entered daily rates live. Swap implementations freely."""

    def save(self, table: DailyRateTable, *, entered_by: str = "") -> DailyRateTable:
        """Store ``table`` as a new version; return it with version and timestamp."""

    def load(self, call_year: int | None = None) -> DailyRateTable | None:
        """The newest version for ``call_year`` (or for the newest call year), or None."""

    def versions(self) -> list[DailyRateTable]:
        """Every stored version, oldest first."""


class JsonRateStore:
    """Daily rates kept as versions in one JSON file, written atomically.

    Parameters
    ----------
    path : path
        The JSON file (created on first save).
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def versions(self) -> list[DailyRateTable]:
        if not self.path.exists():
            return []
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return [DailyRateTable.from_dict(item) for item in raw["versions"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise ValidationError(f"{self.path} is not a daily-rate file this product wrote "
                                  f"({exc}); move it away to start afresh") from exc

    def load(self, call_year: int | None = None) -> DailyRateTable | None:
        found = [t for t in self.versions() if call_year is None or t.call_year == call_year]
        return max(found, key=lambda t: (t.call_year, t.version)) if found else None

    def save(self, table: DailyRateTable, *, entered_by: str = "") -> DailyRateTable:
        with self._lock:
            existing = self.versions()
            stored = replace(
                table,
                version=max((t.version for t in existing), default=0) + 1,
                entered_at=datetime.now(UTC).isoformat(timespec="seconds"),
                entered_by=entered_by or table.entered_by,
            )
            payload = {"kind": "erasmus_daily_rates",
                       "versions": [t.as_dict() for t in [*existing, stored]]}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(payload, fh, indent=1, ensure_ascii=False)
            Path(tmp).replace(self.path)  # readers see the old file or the new, never half
            return stored


_ensured: weakref.WeakSet = weakref.WeakSet()  # engines whose table exists
_ensured_lock = threading.Lock()


def _ensure_table(engine, table) -> None:
    """Create ``table`` once per engine (the check costs a query; estimates run often)."""
    with _ensured_lock:
        if engine not in _ensured:
            table.create(engine, checkfirst=True)
            _ensured.add(engine)


class _RateTableRows:
    """Shared plumbing of the stores over ``erasmus_rate_tables`` (key, year, payload,
    source): one row per (key, call year)."""

    def __init__(self, engine=None) -> None:
        from mobility.storage import get_engine
        from mobility.storage.schema import erasmus_rate_tables

        self.engine = engine if engine is not None else get_engine()
        self.table = erasmus_rate_tables
        _ensure_table(self.engine, self.table)

    def _replace(self, key: str, call_year: int, payload: dict, source: str) -> None:
        """Store ``payload`` as the row (key, call_year), replacing an earlier one."""
        import sqlalchemy as sa

        with self.engine.begin() as conn:
            conn.execute(self.table.delete().where(
                sa.and_(self.table.c.key == key, self.table.c.year == int(call_year))))
            conn.execute(self.table.insert().values(key=key, year=int(call_year),
                                                    payload=payload, source=source))

    def _newest(self, key: str, call_year: int | None):
        """The row (year, payload, source) of ``key`` for ``call_year``, else its newest."""
        import sqlalchemy as sa

        query = sa.select(self.table.c.year, self.table.c.payload, self.table.c.source).where(
            self.table.c.key == key)
        if call_year is not None:
            query = query.where(self.table.c.year == int(call_year))
        with self.engine.begin() as conn:
            return conn.execute(query.order_by(self.table.c.year.desc())).first()


class DatabaseRateStore(_RateTableRows):
    """Daily rates kept in the database table ``erasmus_rate_tables`` (one row per
    version: key ``vet_daily_rates/v<version>``, year = call year, JSON payload).

    Two administrators saving at once cannot both get the same version: the primary
    key refuses the second, which is retried with the next number.

    Parameters
    ----------
    engine : sqlalchemy.Engine, optional
        Default: the process-wide engine of ``MOBILITY_DATABASE_URL``.
    """

    KEY_PREFIX = "vet_daily_rates/v"

    def versions(self) -> list[DailyRateTable]:
        import sqlalchemy as sa

        query = sa.select(self.table.c.payload).where(
            self.table.c.key.like(f"{self.KEY_PREFIX}%"))
        with self.engine.begin() as conn:
            payloads = conn.execute(query).scalars().all()
        found = [DailyRateTable.from_dict(p) for p in payloads]
        return sorted(found, key=lambda t: t.version)

    def load(self, call_year: int | None = None) -> DailyRateTable | None:
        found = [t for t in self.versions() if call_year is None or t.call_year == call_year]
        return max(found, key=lambda t: (t.call_year, t.version)) if found else None

    def save(self, table: DailyRateTable, *, entered_by: str = "") -> DailyRateTable:
        import sqlalchemy as sa

        for _attempt in range(5):
            version = max((t.version for t in self.versions()), default=0) + 1
            stored = replace(table, version=version,
                             entered_at=datetime.now(UTC).isoformat(timespec="seconds"),
                             entered_by=entered_by or table.entered_by)
            try:
                with self.engine.begin() as conn:
                    conn.execute(self.table.insert().values(
                        key=f"{self.KEY_PREFIX}{version}", year=stored.call_year,
                        payload=stored.as_dict(), source=stored.source))
                return stored
            except sa.exc.IntegrityError:
                continue  # someone saved the same version number first: take the next
        raise ConflictError("could not save the daily rates: other saves kept getting in "
                            "the way; try again")


def default_rates_path() -> Path:
    """Where a :class:`JsonRateStore` keeps its file by default: ``MOBILITY_RATES_FILE``
    if set, else ``var/erasmus_daily_rates.json``."""
    override = os.environ.get("MOBILITY_RATES_FILE")
    return Path(override) if override else REPO_ROOT / "var" / "erasmus_daily_rates.json"


def default_rate_store() -> RateStore:
    """The store the app and the command line use: the database
    (:class:`DatabaseRateStore`), or the JSON file when ``MOBILITY_RATES_FILE`` is set."""
    if os.environ.get("MOBILITY_RATES_FILE"):
        return JsonRateStore(default_rates_path())
    return DatabaseRateStore()


# ---------------------------------------------------------------------------
# Travel tables of a new call, entered by an administrator
# ---------------------------------------------------------------------------

#: Columns of an administrator's travel table (the layout of ``erasmus_rates.csv``).
TRAVEL_TABLE_COLUMNS: dict[str, str] = {
    "band_or_group": "string", "km_min": "float64", "km_max": "float64",
    "standard_eur": "float64", "green_eur": "float64",
}


def validate_travel_table(frame: pd.DataFrame, *, name: str = "travel table") -> pd.DataFrame:
    """Check and shape a travel table: bands that start at increasing ``km_min``,
    positive standard amounts, green amounts blank (unknown) or positive.

    Raises
    ------
    ValidationError
        Every problem, with the spreadsheet row and the column.
    """
    missing = [c for c in TRAVEL_TABLE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValidationError(f"{name} lacks columns {', '.join(missing)}",
                              problems=[Problem("missing column", file=name, column=c)
                                        for c in missing])
    problems: list[Problem] = []
    out = pd.DataFrame({"band_or_group": frame["band_or_group"].astype("string").str.strip()})
    for column in ("km_min", "km_max", "standard_eur", "green_eur"):
        raw = frame[column].astype("string").str.strip().replace("", pd.NA)
        out[column] = pd.to_numeric(raw, errors="coerce").astype("float64")
        for i in np.flatnonzero((out[column].isna() & raw.notna()).to_numpy()):
            problems.append(Problem("not a number", file=name, row=int(i) + 2, column=column,
                                    value=str(raw.iat[i])))
    for i in np.flatnonzero(out["band_or_group"].fillna("").eq("").to_numpy()):
        problems.append(Problem("every band needs a name such as '100-499 km'", file=name,
                                row=int(i) + 2, column="band_or_group"))
    for i in np.flatnonzero(~(out["standard_eur"] > 0).to_numpy()):
        problems.append(Problem("the standard amount must be a positive number of euros",
                                file=name, row=int(i) + 2, column="standard_eur"))
    for i in np.flatnonzero((out["green_eur"] <= 0).to_numpy()):
        problems.append(Problem("a green amount is positive, or blank when unknown",
                                file=name, row=int(i) + 2, column="green_eur"))
    starts = out["km_min"].to_numpy(float)
    for i in range(len(starts)):
        if np.isnan(starts[i]) or starts[i] < 0 or (i and not starts[i] > starts[i - 1]):
            problems.append(Problem("bands must start at increasing km_min, from 0 km",
                                    file=name, row=i + 2, column="km_min"))
    if out.empty:
        problems.append(Problem("the table has no bands", file=name))
    if problems:
        raise ValidationError(f"{name}: {len(problems)} problem(s), nothing saved",
                              problems=problems)
    return out.astype(TRAVEL_TABLE_COLUMNS)


class TravelTableStore(_RateTableRows):
    """Travel tables of later calls, kept in the database table ``erasmus_rate_tables``
    (key = table name, year = call year): saving the same name and year again replaces
    that year's table; other years stay.

    Parameters
    ----------
    engine : sqlalchemy.Engine, optional
        Default: the process-wide engine of ``MOBILITY_DATABASE_URL``.
    """

    def save(self, name: str, call_year: int, frame: pd.DataFrame, *, source: str,
             entered_by: str = "") -> TravelBands:
        """Validate and store ``frame`` as travel table ``name`` of ``call_year``."""

        if name not in TRAVEL_TABLES:
            raise ValidationError(f"{name!r} is not a travel table; use one of {TRAVEL_TABLES}")
        if not str(source).strip():
            raise ValidationError("say where the travel table comes from (call, document)")
        if not 2014 <= int(call_year) <= 2100:
            raise ValidationError(f"call year {call_year} is not plausible")
        rows = validate_travel_table(frame, name=f"{name} {call_year}")
        self._replace(name, call_year, {
            "kind": "travel_table", "rows": json.loads(rows.to_json(orient="records")),
            "entered_by": entered_by,
            "entered_at": datetime.now(UTC).isoformat(timespec="seconds")}, source)
        return TravelBands.from_frame(name, int(call_year), rows, source=source,
                                      confidence="entered by an administrator")

    def load(self, name: str, call_year: int | None = None) -> TravelBands | None:
        """The stored table ``name`` of ``call_year`` (or its newest year), or None."""
        found = self._newest(name, call_year)
        if found is None:
            return None
        rows = pd.DataFrame(found.payload["rows"], columns=list(TRAVEL_TABLE_COLUMNS))
        return TravelBands.from_frame(name, int(found.year), rows.astype(TRAVEL_TABLE_COLUMNS),
                                      source=str(found.source or ""),
                                      confidence="entered by an administrator")


def current_travel_bands(name: str = DEFAULT_TRAVEL_TABLE, call_year: int | None = None, *,
                         store: TravelTableStore | None = None) -> TravelBands:
    """The travel table estimates use: the administrator's table for the call year asked
    for (or the newest year), or the shipped one when it is newer or nothing is stored.

    With ``MOBILITY_RATES_FILE`` set (no database), only the shipped tables are used.
    """
    if store is None and os.environ.get("MOBILITY_RATES_FILE"):
        return travel_bands(name, call_year)
    stored = (store or TravelTableStore()).load(name, call_year)
    try:
        shipped = travel_bands(name, call_year)
    except LookupError:
        if stored is None:
            raise
        return stored
    if stored is None or (shipped.call_year or 0) > (stored.call_year or 0):
        return shipped
    return stored


# ---------------------------------------------------------------------------
# Other unit costs of a new call (organisational, linguistic, inclusion support)
# ---------------------------------------------------------------------------

#: The unit costs an estimate uses, by their ``item`` in ``erasmus_rates.csv``.
UNIT_COST_ITEMS = ("organisational support", "linguistic support",
                   "inclusion support for organisations")


class UnitCostStore(_RateTableRows):
    """Unit costs of later calls in ``erasmus_rate_tables`` (key ``other_unit_costs``,
    year = call year); saving a year again replaces that year.

    Parameters
    ----------
    engine : sqlalchemy.Engine, optional
        Default: the process-wide engine of ``MOBILITY_DATABASE_URL``.
    """

    KEY = "other_unit_costs"

    def save(self, call_year: int, amounts: Mapping[str, float], *, source: str,
             entered_by: str = "") -> dict[str, UnitCost]:
        """Store the amounts (EUR per participant) of some or all of
        :data:`UNIT_COST_ITEMS` for ``call_year``; items left out keep the shipped value."""

        problems = [Problem(f"unknown unit cost; use one of {', '.join(UNIT_COST_ITEMS)}",
                            column="item", value=item) for item in amounts
                    if item not in UNIT_COST_ITEMS]
        problems += [Problem("must be a positive number of euros", column=item, value=str(v))
                     for item, v in amounts.items()
                     if not (isinstance(v, int | float) and math.isfinite(v) and v > 0)]
        if not str(source).strip():
            problems.append(Problem("say where the amounts come from", column="source"))
        if not 2014 <= int(call_year) <= 2100:
            problems.append(Problem(f"call year {call_year} is not plausible", column="call_year"))
        if not amounts:
            problems.append(Problem("no amounts given", column="item"))
        if problems:
            raise ValidationError("the unit costs were not saved", problems=problems)
        self._replace(self.KEY, call_year, {
            "kind": "unit_costs", "items": {k: float(v) for k, v in amounts.items()},
            "entered_by": entered_by,
            "entered_at": datetime.now(UTC).isoformat(timespec="seconds")}, source)
        return self.load(call_year) or {}

    def load(self, call_year: int | None = None) -> dict[str, UnitCost] | None:
        """The stored unit costs of ``call_year`` (or the newest year), or None."""
        found = self._newest(self.KEY, call_year)
        if found is None:
            return None
        return {item: UnitCost(item=item, amount_eur=float(amount), call_year=int(found.year),
                               applies_to="entered by an administrator",
                               source=str(found.source or ""),
                               confidence="entered by an administrator", note="")
                for item, amount in found.payload["items"].items()}


def current_unit_costs(call_year: int | None = None, *,
                       store: UnitCostStore | None = None) -> dict[str, UnitCost]:
    """The unit costs estimates use, by item: an administrator's amounts for the call
    year asked for (or the newest) where they are newer than the shipped ones, else the
    shipped ones (``erasmus_rates.csv``)."""
    shipped = {item: unit_cost(item) for item in UNIT_COST_ITEMS}
    if store is None and os.environ.get("MOBILITY_RATES_FILE"):
        return shipped
    stored = (store or UnitCostStore()).load(call_year) or {}
    return {item: stored[item]
            if item in stored and (stored[item].call_year or 0) >= (cost.call_year or 0)
            else cost for item, cost in shipped.items()}


# ---------------------------------------------------------------------------
# Which country-group table estimates use (an administrator's choice, audited)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupTableChoice:
    """The country-group table an administrator selected, who did, and when."""

    table: str
    selected_by: str
    selected_at: str


class GroupTableSetting(_RateTableRows):
    """The stored choice of country-group table (``erasmus_rate_tables`` row
    ``country_group_table``/0). Every change is written to the audit log in the same
    transaction. Without a stored choice, estimates use
    :data:`mobility.reference.erasmus.DEFAULT_GROUP_TABLE`: a table that is unverified
    for VET (the 2024 regrouping) is never applied unless selected here.

    Parameters
    ----------
    engine : sqlalchemy.Engine, optional
        Default: the process-wide engine of ``MOBILITY_DATABASE_URL``.
    """

    KEY = "country_group_table"

    def load(self) -> GroupTableChoice | None:
        """The stored choice, or None (then the default table applies)."""
        found = self._newest(self.KEY, 0)
        if found is None:
            return None
        payload = found.payload
        return GroupTableChoice(str(payload["table"]), str(payload.get("selected_by", "")),
                                str(payload.get("selected_at", "")))

    def select(self, table: str, *, user: str) -> GroupTableChoice:
        """Store ``table`` as the group table of every estimate; audited as ``user``."""
        import sqlalchemy as sa

        from mobility.reference.erasmus import group_tables
        from mobility.storage.schema import audit_log

        known = group_tables()
        if table not in known:
            raise ValidationError(f"{table!r} is not a country-group table; use one of "
                                  f"{', '.join(sorted(known))}",
                                  problems=[Problem("unknown table", column="table",
                                                    value=str(table))])
        if not str(user).strip():
            raise ValidationError("say who selects the table (for the audit log)")
        before = self.load()
        now = datetime.now(UTC)
        choice = GroupTableChoice(table, str(user), now.isoformat(timespec="seconds"))
        with self.engine.begin() as conn:
            audit_log.create(conn, checkfirst=True)
            conn.execute(self.table.delete().where(
                sa.and_(self.table.c.key == self.KEY, self.table.c.year == 0)))
            conn.execute(self.table.insert().values(
                key=self.KEY, year=0, source=known[table].source,
                payload={"table": table, "selected_by": choice.selected_by,
                         "selected_at": choice.selected_at}))
            conn.execute(audit_log.insert().values(
                who=str(user), at=now, action="select country-group table",
                entity="erasmus_rate_tables", entity_id=self.KEY,
                detail={"from": before.table if before else None, "to": table}))
        return choice


def current_group_table(name: str | None = None, *, setting: GroupTableSetting | None = None):
    """The country-group table estimates use: ``name`` when given, else the table an
    administrator selected (:class:`GroupTableSetting`), else the default one.

    With ``MOBILITY_RATES_FILE`` set (no database) only ``name`` or the default applies.
    """
    from mobility.reference.erasmus import group_table

    if name:
        return group_table(name)
    if setting is None and os.environ.get("MOBILITY_RATES_FILE"):
        return group_table(None)
    choice = (setting or GroupTableSetting()).load()
    return group_table(choice.table if choice else None)
