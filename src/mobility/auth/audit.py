"""The audit trail: who changed which record, and when.

Storage writes an entry with every change it makes (imports, shortlist statuses and
notes: :mod:`mobility.storage.shortlist`); the trust layer adds the entries storage
cannot know about (exports of personal data, erasures, refused attempts are not logged:
they are errors shown to the user). Entries name the actor by username and the record
by id; after an erasure the apprentice appears only under a pseudonym
(:mod:`mobility.auth.erasure`).

Examples
--------
>>> from mobility.storage import create_schema, get_engine
>>> from mobility.auth.users import SYSTEM
>>> engine = get_engine("sqlite://")
>>> create_schema(engine)
>>> with engine.begin() as conn:
...     record(conn, SYSTEM, "export", "apprentices", None, detail={"rows": 3})
>>> audit_trail(engine, SYSTEM)[["who", "action", "entity"]].to_dict("records")
[{'who': 'system', 'action': 'export', 'entity': 'apprentices'}]
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from mobility.auth.policy import Action, authorize
from mobility.auth.roles import Principal
from mobility.storage.schema import audit_log

AUDIT_COLUMNS = ["at", "who", "action", "entity", "entity_id", "detail"]


def record(conn: sa.Connection, actor: Principal, action: str, entity: str,
           entity_id: str | None, *, detail: object = None) -> None:
    """Add one entry inside the caller's transaction (so the entry and the change it
    describes are committed, or rolled back, together)."""
    conn.execute(audit_log.insert().values(who=actor.username, at=datetime.now(UTC),
                                           action=action, entity=entity,
                                           entity_id=entity_id, detail=detail))


def audit_trail(engine: sa.Engine, actor: Principal, *, entity: str | None = None,
                entity_id_prefix: str | None = None, limit: int = 1000) -> pd.DataFrame:
    """The newest ``limit`` entries, optionally of one entity (and ids starting with
    ``entity_id_prefix``, e.g. ``"A1/"`` for one apprentice's shortlist). Administrators
    only."""
    authorize(actor, Action.VIEW_AUDIT_LOG)
    query = sa.select(*[audit_log.c[c] for c in AUDIT_COLUMNS])
    if entity is not None:
        query = query.where(audit_log.c.entity == entity)
    if entity_id_prefix is not None:
        query = query.where(audit_log.c.entity_id.startswith(entity_id_prefix, autoescape=True))
    query = query.order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame(rows, columns=AUDIT_COLUMNS)
    return frame.astype({c: "string" for c in ("who", "action", "entity", "entity_id")})
