"""Which documents were generated for a shortlist entry, and what changed since.

Every generated document is recorded on its shortlist pair (table
``generated_documents``): kind, language, a version counted per pair and kind, who made
it and when, a SHA-256 hash of its content and the content's fields. Regenerating
compares the fields with the previous version and says what changed, field by field,
in words (:func:`describe`).

Examples
--------
>>> old = {"start": "2027-04-01", "days": "28"}
>>> [(c.field, c.old, c.new) for c in diff_fields(old, {"start": "2027-04-08", "days": "28"})]
[('start', '2027-04-01', '2027-04-08')]
>>> content_hash({"a": "1"}, "de") == content_hash({"a": "1"}, "de")
True
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd
import sqlalchemy as sa

from mobility.i18n import format_date, t
from mobility.storage.schema import generated_documents

HISTORY_COLUMNS = ["kind", "version", "lang", "created_by", "created_at", "content_hash",
                   "file_name"]


@dataclass(frozen=True, slots=True)
class Change:
    """One field that differs between two versions (``"lang"`` for the language)."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class TrackedDocument:
    """A recorded document: its version, hash and what changed since the last one."""

    kind: str
    version: int
    content_hash: str
    previous_version: int | None
    changes: tuple[Change, ...]


def content_hash(fields: dict[str, str], lang: str) -> str:
    """SHA-256 over the fields and the language (stable key order)."""
    payload = json.dumps({"fields": fields, "lang": lang}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def diff_fields(old: dict[str, str], new: dict[str, str]) -> list[Change]:
    """The fields whose text differs, in ``new``'s order (then fields only in ``old``)."""
    names = [*new, *[k for k in old if k not in new]]
    return [Change(k, old.get(k, ""), new.get(k, "")) for k in names
            if old.get(k, "") != new.get(k, "")]


def record_document(conn: sa.Connection, *, apprentice_id: str, placement_id: str,
                    kind: str, lang: str, fields: dict[str, str], file_name: str | None,
                    user: str) -> TrackedDocument:
    """Record a new version inside the caller's transaction and compare it with the
    previous version of the same kind for the same pair."""
    where = ((generated_documents.c.apprentice_id == apprentice_id)
             & (generated_documents.c.placement_id == placement_id)
             & (generated_documents.c.kind == kind))
    last = conn.execute(sa.select(generated_documents).where(where)
                        .order_by(generated_documents.c.version.desc()).limit(1)).first()
    version = 1 if last is None else last.version + 1
    digest = content_hash(fields, lang)
    conn.execute(generated_documents.insert().values(
        apprentice_id=apprentice_id, placement_id=placement_id, kind=kind, lang=lang,
        version=version, content_hash=digest, fields=fields, file_name=file_name,
        created_by=user, created_at=datetime.now(UTC)))
    if last is None:
        return TrackedDocument(kind, version, digest, None, ())
    changes = diff_fields(dict(last.fields or {}), fields)
    if last.lang != lang:
        changes.insert(0, Change("lang", last.lang, lang))
    return TrackedDocument(kind, version, digest, last.version, tuple(changes))


def document_history(engine: sa.Engine, apprentice_id: str, placement_id: str) -> pd.DataFrame:
    """Every recorded document of the pair, newest first (no field contents)."""
    query = (sa.select(*[generated_documents.c[c] for c in HISTORY_COLUMNS])
             .where((generated_documents.c.apprentice_id == apprentice_id)
                    & (generated_documents.c.placement_id == placement_id))
             .order_by(generated_documents.c.created_at.desc(),
                       generated_documents.c.version.desc()))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def describe(tracked: TrackedDocument, lang: str) -> list[str]:
    """What :func:`record_document` found, as sentences in ``lang``."""
    if tracked.previous_version is None:
        return [t("doc.changes.first", lang, version=tracked.version)]
    if not tracked.changes:
        return [t("doc.changes.none", lang, version=tracked.version,
                  previous=tracked.previous_version)]
    lines = [t("doc.changes.header", lang, version=tracked.version,
               previous=tracked.previous_version)]
    for change in tracked.changes:
        lines.append(t("doc.changes.item", lang, field=t(f"doc.field.{change.field}", lang),
                       old=_shown(change.field, change.old, lang),
                       new=_shown(change.field, change.new, lang)))
    return lines


def _shown(field: str, value: str, lang: str) -> str:
    if not value:
        return t("doc.changes.empty", lang)
    if field in ("start", "end", "participant_date_of_birth"):
        try:
            return format_date(date.fromisoformat(value), lang)
        except ValueError:
            return value
    return value.replace("\n", "; ")
