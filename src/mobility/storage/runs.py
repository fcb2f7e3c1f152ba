"""Recommendation and allocation runs, kept so that results can be compared and audited.

A run is one call of a matching method over the caseload: its method name, settings
and the pairs it produced (apprentice, placement, score, rank, and any further columns
as JSON detail).

Examples
--------
>>> import pandas as pd
>>> from mobility.storage import new_engine, create_schema
>>> from mobility.storage.runs import save_match_run, load_match_run, list_match_runs
>>> engine = new_engine()
>>> create_schema(engine)
>>> pairs = pd.DataFrame({"apprentice_id": ["A1", "A2"], "placement_id": ["P1", None],
...                       "score": [0.82, None], "rank": [1, None], "reason": ["trade", ""]})
>>> run = save_match_run(engine, "stable", pairs, settings={"seed": 1}, user="mueller")
>>> back = load_match_run(engine, run)
>>> back["apprentice_id"].tolist(), back["reason"].tolist(), back["score"].isna().tolist()
(['A1', 'A2'], ['trade', ''], [False, True])
>>> list_match_runs(engine)[["method", "rows"]].to_dict("records")
[{'method': 'stable', 'rows': 2}]
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from mobility.errors import NotFoundError, ValidationError
from mobility.storage.schema import audit_log, match_rows, match_runs

_FIXED = ("apprentice_id", "placement_id", "score", "rank")


def _plain(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def save_match_run(engine: sa.Engine, method: str, pairs: pd.DataFrame, *,
                   settings: dict | None = None, user: str = "system") -> str:
    """Store a run and its pairs in one transaction; returns the new run id.

    ``pairs`` needs ``apprentice_id``; ``placement_id``, ``score`` and ``rank`` are
    stored in their own columns when present, every other column in ``detail``.
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
    settings_json = json.loads(json.dumps(settings or {}, default=str))
    with engine.begin() as conn:
        conn.execute(match_runs.insert().values(run_id=run_id, method=method, created_at=now,
                                                created_by=user, settings=settings_json,
                                                rows=len(records)))
        if records:
            conn.execute(match_rows.insert(), records)
        conn.execute(audit_log.insert().values(who=user, at=now, action="match run",
                                               entity="match_runs", entity_id=run_id,
                                               detail={"method": method, "rows": len(records)}))
    return run_id


def load_match_run(engine: sa.Engine, run_id: str) -> pd.DataFrame:
    """The pairs of one run, in the order saved, detail columns spread out again."""
    with engine.connect() as conn:
        if conn.execute(sa.select(match_runs.c.run_id)
                        .where(match_runs.c.run_id == run_id)).first() is None:
            raise NotFoundError(f"no match run {run_id!r}")
        rows = conn.execute(sa.select(match_rows).where(match_rows.c.run_id == run_id)
                            .order_by(match_rows.c.row)).fetchall()
    records = [{**{c: getattr(r, c) for c in _FIXED}, **(r.detail or {})} for r in rows]
    return pd.DataFrame(records, columns=None if records else list(_FIXED))


def list_match_runs(engine: sa.Engine) -> pd.DataFrame:
    """Every stored run (run_id, method, created_at, created_by, settings, rows), newest
    first."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(match_runs).order_by(match_runs.c.created_at.desc()))
        return pd.DataFrame(rows.fetchall(), columns=[c.name for c in match_runs.columns])
