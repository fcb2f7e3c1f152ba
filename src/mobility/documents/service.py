"""Documents made on someone's behalf: checked, written, recorded and audited.

:func:`generate_document` writes a Learning Agreement or Europass Mobility draft for a
confirmed shortlist entry; :func:`export_beneficiary_file` writes the Beneficiary
Module file of an adviser's confirmed entries. Both hold personal data, so both ask
:func:`~mobility.auth.authorize` (only an adviser of the apprentice's own organisation
may export personal data) and leave an entry in the audit trail; a generated document
is also recorded on its shortlist entry (:mod:`mobility.documents.tracking`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from mobility.auth.audit import record
from mobility.auth.policy import Action, authorize, restrict_to_scope
from mobility.auth.roles import Principal
from mobility.documents.content import BUILDERS
from mobility.documents.facts import MatchFacts, match_facts
from mobility.documents.render import check_document_path, render_bytes, write_bytes_atomically
from mobility.documents.tracking import TrackedDocument, record_document
from mobility.errors import NotFoundError, ValidationError

#: Shortlist statuses for which documents exist: the match is agreed.
DOCUMENT_STATUSES = ("confirmed", "completed")
KINDS = tuple(BUILDERS)


@dataclass(frozen=True)
class GeneratedDocument:
    """A document written to ``path`` and recorded as ``tracked``."""

    path: Path
    facts: MatchFacts
    tracked: TrackedDocument


def sending_oids(engine: sa.Engine) -> dict[str, str | None]:
    """Sending organisation name -> recorded OID."""
    from mobility.storage.organisations import list_organisations

    frame = list_organisations(engine)
    return {str(n): (None if pd.isna(o) else str(o))
            for n, o in zip(frame["name"], frame["oid"], strict=True)}


def generate_document(engine: sa.Engine, principal: Principal, kind: str, apprentice_id: str,
                      placement_id: str, path: str | os.PathLike, *, lang: str = "de",
                      today: date | None = None) -> GeneratedDocument:
    """Write the ``kind`` draft (``learning-agreement`` or ``europass``) of a confirmed
    shortlist entry to ``path`` (.docx or .pdf), record it on the entry and audit it.

    Raises
    ------
    PermissionDenied
        ``principal`` is not an adviser of the apprentice's organisation.
    NotFoundError, ValidationError
        No such apprentice or entry; the entry is not confirmed; bad kind or file name.
    """
    if kind not in BUILDERS:
        raise ValidationError(f"unknown document {kind!r}: use one of {', '.join(KINDS)}")
    if lang not in ("de", "en"):
        raise ValidationError(f"document language {lang!r}: use de or en")
    target = check_document_path(path)
    frames = _frames(engine, [apprentice_id], [placement_id])
    apprentices = frames["apprentices"]
    row = apprentices[apprentices["apprentice_id"].astype(str) == str(apprentice_id)]
    if row.empty:
        raise NotFoundError("no apprentice with this id")
    authorize(principal, Action.EXPORT_PERSONAL_DATA, row.iloc[0])
    _check_confirmed(engine, apprentice_id, placement_id)
    facts = match_facts(apprentice_id, placement_id, apprentices, frames["placements"],
                        frames["companies"], sending_oids=sending_oids(engine))
    draft = BUILDERS[kind](facts, lang, prepared_by=principal.username,
                           today=today or date.today())
    data = render_bytes(draft, target.suffix.lower())
    with engine.begin() as conn:
        tracked = record_document(conn, apprentice_id=str(apprentice_id),
                                  placement_id=str(placement_id), kind=kind, lang=lang,
                                  fields=facts.fields(), file_name=target.name,
                                  user=principal.username)
        record(conn, principal, "export", f"document {kind}",
               f"{apprentice_id}/{placement_id}",
               detail={"version": tracked.version, "hash": tracked.content_hash,
                       "format": target.suffix.lower().lstrip(".")})
        # Inside the transaction: a failed write records nothing.
        write_bytes_atomically(target, data)
    return GeneratedDocument(target, facts, tracked)


def export_beneficiary_file(engine: sa.Engine, principal: Principal,
                            path: str | os.PathLike, *, grant_agreement: str,
                            green_travel: bool = False,
                            dictionary_file: str | os.PathLike | None = None,
                            data_type: str | None = None):
    """The Beneficiary Module file of ``principal``'s confirmed shortlist entries
    (own caseload only), audited. Returns the
    :class:`~mobility.funding.beneficiary.BeneficiaryExport`."""
    from mobility.funding.beneficiary import export_beneficiary_module
    from mobility.storage.shortlist import get_shortlist

    authorize(principal, Action.EXPORT_PERSONAL_DATA)
    entries = get_shortlist(engine)
    entries = entries[entries["status"].isin(DOCUMENT_STATUSES)]
    frames = _frames(engine, entries["apprentice_id"], entries["placement_id"])
    own = restrict_to_scope(principal, Action.EXPORT_PERSONAL_DATA, frames["apprentices"])
    entries = entries[entries["apprentice_id"].isin(set(own["apprentice_id"].astype(str)))]
    if entries.empty:
        raise ValidationError("no confirmed shortlist entries in your caseload: confirm "
                              "matches before writing the Beneficiary Module file")
    pairs = entries[["apprentice_id", "placement_id"]].sort_values(
        ["apprentice_id", "placement_id"]).reset_index(drop=True)
    result = export_beneficiary_module(pairs, own, frames["placements"], frames["companies"],
                                       path, grant_agreement=grant_agreement,
                                       sending_oids=sending_oids(engine),
                                       green_travel=green_travel,
                                       dictionary_file=dictionary_file, data_type=data_type)
    with engine.begin() as conn:
        record(conn, principal, "export", "beneficiary_module", None,
               detail={"rows": len(result.activities),
                       "grant_agreement": result.activities["grant_agreement"].iat[0]
                       if len(result.activities) else grant_agreement})
    return result


def _frames(engine: sa.Engine, apprentice_ids, placement_ids) -> dict[str, pd.DataFrame]:
    """Only the stored rows a document needs (never the whole caseload): the apprentices
    and placements named, and the placements' companies, in the import format."""
    placements = _rows(engine, "placements", "placement_id", placement_ids)
    return {"apprentices": _rows(engine, "apprentices", "apprentice_id", apprentice_ids),
            "placements": placements,
            "companies": _rows(engine, "companies", "company_id", placements["company_id"])}


def _rows(engine: sa.Engine, kind: str, column: str, ids) -> pd.DataFrame:
    from mobility.io.specs import spec_for
    from mobility.storage.schema import KIND_TABLES
    from mobility.storage.tables import conform

    table, names = KIND_TABLES[kind], spec_for(kind).names
    wanted = sorted({str(i) for i in ids})
    rows: list = []
    with engine.connect() as conn:
        for start in range(0, len(wanted), 500):  # bounded IN lists
            rows += conn.execute(sa.select(*[table.c[n] for n in names]).where(
                table.c[column].in_(wanted[start:start + 500]))).all()
    return conform(pd.DataFrame({n: pd.Series([r[i] for r in rows], dtype=object)
                                 for i, n in enumerate(names)}), kind)


def _check_confirmed(engine: sa.Engine, apprentice_id: str, placement_id: str) -> None:
    from mobility.storage.shortlist import get_shortlist

    entry = get_shortlist(engine, apprentice_id=str(apprentice_id),
                          placement_id=str(placement_id))
    if entry.empty:
        raise NotFoundError(f"placement {placement_id} is not on this apprentice's shortlist")
    status = str(entry.iloc[0]["status"])
    if status not in DOCUMENT_STATUSES:
        raise ValidationError(f"the shortlist entry is {status!r}: documents are written for "
                              "confirmed matches (set the status to confirmed first)")
