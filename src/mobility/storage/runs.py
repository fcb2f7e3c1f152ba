"""Recommendation and allocation runs, kept as records: compared, re-opened and adopted.

A run is one call of a matching method over a caseload: its method name, settings, who
ran it and when, for which sending organisation, the engine's summary (with ``exact``:
False only when the approximate opt-in was used), and the pairs it produced (apprentice,
placement, score, rank, and every further column as JSON detail, restored with its type).

One run per sending organisation can be *adopted* as its working plan
(:func:`adopt_match_run`, audited); shortlists and municipality counts follow it.

Examples
--------
>>> import pandas as pd
>>> from mobility.storage import new_engine, create_schema
>>> from mobility.storage.runs import save_match_run, load_match_run, list_match_runs
>>> engine = new_engine()
>>> create_schema(engine)
>>> pairs = pd.DataFrame({"apprentice_id": ["A1", "A2"], "placement_id": ["P1", None],
...                       "score": [0.82, None], "rank": [1, None], "reason": ["trade", ""]})
>>> run = save_match_run(engine, "stable", pairs, settings={"seed": 1}, user="mueller",
...                      organisation="HWK Dortmund", summary={"matched": 1, "exact": True})
>>> back = load_match_run(engine, run)
>>> back["apprentice_id"].tolist(), back["reason"].tolist(), back["score"].isna().tolist()
(['A1', 'A2'], ['trade', ''], [False, True])
>>> list_match_runs(engine)[["method", "rows", "exact", "adopted"]].to_dict("records")
[{'method': 'stable', 'rows': 2, 'exact': True, 'adopted': False}]
>>> adopt_match_run(engine, run, organisation="HWK Dortmund", user="mueller")
>>> adopted_run_id(engine, "hwk dortmund") == run
True
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from mobility.errors import NotFoundError, ValidationError
from mobility.storage.schema import audit_log, match_rows, match_runs, working_plans
from mobility.text import fold

_FIXED = ("apprentice_id", "placement_id", "score", "rank")
#: Summary key that keeps the pairs' column types, so a re-opened run reads like new.
_TYPES = "column_types"


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One stored run, without its pairs (:func:`load_match_run` reads those)."""

    run_id: str
    method: str
    created_at: datetime
    created_by: str
    settings: dict
    rows: int
    organisation: str | None = None
    summary: dict = field(default_factory=dict)
    exact: bool | None = None


def _plain(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _json(value: object) -> object:
    return json.loads(json.dumps(value or {}, default=_plain))


def save_match_run(engine: sa.Engine, method: str, pairs: pd.DataFrame, *,
                   settings: dict | None = None, user: str = "system",
                   organisation: str | None = None, summary: dict | None = None) -> str:
    """Store a run and its pairs in one transaction; returns the new run id.

    ``pairs`` needs ``apprentice_id``; ``placement_id``, ``score`` and ``rank`` are
    stored in their own columns when present, every other column in ``detail``.
    ``summary`` is the engine's summary (plus anything the caller adds, such as the
    funding total); its ``exact`` entry, when present, is kept as the run's flag.
    """
    if "apprentice_id" not in pairs.columns:
        raise ValidationError("a match run needs an 'apprentice_id' column")
    run_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    extra = [c for c in pairs.columns if c not in _FIXED]
    records = []
    for i, row in enumerate(pairs.to_dict("records")):
        record = {"run_id": run_id, "row": i,
                  **{c: _plain(row.get(c)) for c in _FIXED}}
        record["detail"] = {c: _plain(row[c]) for c in extra} or None
        records.append(record)
    stored_summary = _json(summary)
    stored_summary[_TYPES] = {str(c): str(t) for c, t in pairs.dtypes.items()}
    exact = (summary or {}).get("exact")
    with engine.begin() as conn:
        conn.execute(match_runs.insert().values(
            run_id=run_id, method=method, created_at=now, created_by=user,
            settings=_json(settings), rows=len(records), organisation=organisation,
            summary=stored_summary, exact=None if exact is None else bool(exact)))
        if records:
            conn.execute(match_rows.insert(), records)
        conn.execute(audit_log.insert().values(who=user, at=now, action="match run",
                                               entity="match_runs", entity_id=run_id,
                                               detail={"method": method, "rows": len(records),
                                                       "organisation": organisation}))
    return run_id


def _record(row: sa.Row) -> RunRecord:
    summary = dict(row.summary or {})
    summary.pop(_TYPES, None)
    return RunRecord(run_id=row.run_id, method=row.method, created_at=row.created_at,
                     created_by=row.created_by, settings=dict(row.settings or {}),
                     rows=row.rows, organisation=row.organisation, summary=summary,
                     exact=row.exact)


def get_match_run(engine: sa.Engine, run_id: str) -> RunRecord:
    """The stored run ``run_id`` (method, settings, who, when, summary, exact flag)."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(match_runs).where(match_runs.c.run_id == run_id)).first()
    if row is None:
        raise NotFoundError(f"no match run {run_id!r}")
    return _record(row)


def _restore_types(frame: pd.DataFrame, types: dict[str, str]) -> pd.DataFrame:
    for column, dtype in types.items():
        if column not in frame:
            continue
        try:
            if dtype.startswith("datetime64"):
                frame[column] = pd.to_datetime(frame[column]).astype(dtype)
            elif dtype != "object":
                frame[column] = frame[column].astype(dtype)
        except (TypeError, ValueError):
            continue  # keep what was read rather than refuse the whole run
    return frame


def load_match_run(engine: sa.Engine, run_id: str) -> pd.DataFrame:
    """The pairs of one run, in the order saved, detail columns spread out again and
    every column back in the type it was saved with."""
    with engine.connect() as conn:
        head = conn.execute(sa.select(match_runs.c.summary)
                            .where(match_runs.c.run_id == run_id)).first()
        if head is None:
            raise NotFoundError(f"no match run {run_id!r}")
        rows = conn.execute(sa.select(match_rows).where(match_rows.c.run_id == run_id)
                            .order_by(match_rows.c.row)).fetchall()
    records = [{**{c: getattr(r, c) for c in _FIXED}, **(r.detail or {})} for r in rows]
    types = (head.summary or {}).get(_TYPES, {})
    columns = list(types) if types else (None if records else list(_FIXED))
    frame = pd.DataFrame(records, columns=columns)
    return _restore_types(frame, types)


def list_match_runs(engine: sa.Engine, organisation: str | None = None) -> pd.DataFrame:
    """Stored runs, newest first: ``run_id, method, created_at, created_by, settings,
    rows, organisation, summary, exact`` and ``adopted`` (the organisation's working
    plan). With ``organisation``, only that organisation's runs (names compared folded).
    """
    with engine.connect() as conn:
        rows = conn.execute(sa.select(match_runs).order_by(match_runs.c.created_at.desc())
                            ).fetchall()
        plans = {fold(r.organisation or ""): r.run_id
                 for r in conn.execute(sa.select(working_plans)).fetchall()}
    records = [_record(r) for r in rows
               if organisation is None or fold(r.organisation or "") == fold(organisation)]
    frame = pd.DataFrame(
        [{"run_id": r.run_id, "method": r.method, "created_at": r.created_at,
          "created_by": r.created_by, "settings": r.settings, "rows": r.rows,
          "organisation": r.organisation, "summary": r.summary, "exact": r.exact,
          "adopted": plans.get(fold(r.organisation or "")) == r.run_id} for r in records],
        columns=["run_id", "method", "created_at", "created_by", "settings", "rows",
                 "organisation", "summary", "exact", "adopted"])
    return frame


def adopt_match_run(engine: sa.Engine, run_id: str, *, organisation: str, user: str) -> None:
    """Make ``run_id`` the working plan of ``organisation`` (replacing any earlier one);
    audited with the run it replaced. A run made for another organisation is refused."""
    if not organisation or not organisation.strip():
        raise ValidationError("a working plan belongs to a sending organisation: name it")
    run = get_match_run(engine, run_id)
    if run.organisation is not None and fold(run.organisation) != fold(organisation):
        raise ValidationError("this run was made for another organisation's caseload")
    key = _plan_key(engine, organisation)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        before = conn.execute(sa.select(working_plans.c.run_id)
                              .where(working_plans.c.organisation == key)).scalar()
        conn.execute(working_plans.delete().where(working_plans.c.organisation == key))
        conn.execute(working_plans.insert().values(organisation=key, run_id=run_id,
                                                   adopted_by=user, adopted_at=now))
        conn.execute(audit_log.insert().values(
            who=user, at=now, action="adopt plan", entity="working_plans", entity_id=run_id,
            detail={"organisation": organisation, "replaced": before, "method": run.method}))


def _plan_key(engine: sa.Engine, organisation: str) -> str:
    """The stored spelling of ``organisation`` in ``working_plans`` (first one wins)."""
    with engine.connect() as conn:
        for name in conn.execute(sa.select(working_plans.c.organisation)).scalars():
            if fold(name) == fold(organisation):
                return name
    return organisation.strip()


def adopted_run_id(engine: sa.Engine, organisation: str | None) -> str | None:
    """The run ``organisation`` adopted as its working plan, or None."""
    if not organisation:
        return None
    with engine.connect() as conn:
        for row in conn.execute(sa.select(working_plans)).fetchall():
            if fold(row.organisation) == fold(organisation):
                return row.run_id
    return None


def adopted_plans(engine: sa.Engine) -> dict[str, str]:
    """``{organisation: run_id}`` of every working plan (for counting across them)."""
    with engine.connect() as conn:
        return {r.organisation: r.run_id for r in conn.execute(sa.select(working_plans))}
