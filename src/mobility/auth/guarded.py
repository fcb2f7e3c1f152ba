"""Changes and exports that pages and commands make on someone's behalf, checked.

Storage functions take a plain ``user`` name and trust their caller; these wrappers take
the signed-in :class:`~mobility.auth.Principal`, ask :func:`~mobility.auth.authorize`
about the very record concerned, and only then call storage. Pages and commands call
these, never storage directly, for anything a role may or may not do.

Examples
--------
>>> import pandas as pd
>>> from mobility.auth import Principal, Role
>>> from mobility.auth.guarded import check_import
>>> adviser = Principal("mueller", Role.ADVISER, organisation="HWK Dortmund")
>>> rows = pd.DataFrame({"apprentice_id": ["A1", "B1"],
...                      "sending_organisation": ["HWK Dortmund", "IHK Köln"]})
>>> try:
...     check_import(adviser, "apprentices", rows)
... except PermissionError as refused:
...     print(refused)
adviser 'mueller' may import apprentices of their own organisation only: 1 row belongs to another
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from mobility.auth.audit import record
from mobility.auth.policy import (
    Action,
    Scope,
    authorize,
    restrict_to_scope,
    same_name,
)
from mobility.auth.roles import Principal
from mobility.errors import NotFoundError, PermissionDenied, Problem, ValidationError

#: Tables an import may write, and who is checked how: apprentices are personal data of
#: one organisation; the others are reference data (administrators only).
REFERENCE_KINDS = frozenset({"companies", "placements", "partnerships"})


def refuse_missing(principal: Principal | None, action: Action) -> None:
    """Raise for a record that does not exist, without telling a scoped role so.

    An administrator (scope "any record") learns :class:`NotFoundError`; everyone else
    gets exactly the :class:`PermissionDenied` that a record outside their scope gives,
    so trying ids does not reveal which exist elsewhere.
    """
    scope = authorize(principal, action)
    if scope is Scope.ANY:
        raise NotFoundError("no apprentice with this id")
    # The refusal authorize() gives for an existing record outside the scope.
    authorize(principal, action, {})
    raise AssertionError("a scoped role accepted an empty record")  # pragma: no cover


def _apprentice(engine: sa.Engine, apprentice_id: str, action: Action,
                principal: Principal | None) -> dict:
    from mobility.storage.schema import apprentices

    with engine.connect() as conn:
        row = conn.execute(sa.select(apprentices.c.apprentice_id,
                                     apprentices.c.sending_organisation,
                                     apprentices.c.home_city)
                           .where(apprentices.c.apprentice_id == str(apprentice_id))
                           ).mappings().first()
    if row is None:
        refuse_missing(principal, action)
    return dict(row)


def save_shortlist_entry(engine: sa.Engine, principal: Principal, apprentice_id: str,
                         placement_id: str, status: str, *, note: str | None = None,
                         expected_version: int | None, score: float | None = None):
    """Change a shortlist entry as ``principal`` (an adviser of the apprentice's
    organisation); storage refuses stale saves with
    :class:`~mobility.errors.ConflictError`. Every save is audited by storage under the
    principal's username."""
    from mobility.storage.shortlist import set_shortlist_status

    authorize(principal, Action.EDIT_SHORTLIST,
              _apprentice(engine, apprentice_id, Action.EDIT_SHORTLIST, principal))
    return set_shortlist_status(engine, apprentice_id, placement_id, status, note=note,
                                user=principal.username, expected_version=expected_version,
                                score=score)


def save_own_placement(engine: sa.Engine, principal: Principal, apprentice_id: str,
                       placement_id: str, *, interest: bool):
    """An apprentice puts a placement on their own list (status ``suggested``), or marks
    interest in it (an ``interest`` event of its own, which never touches the adviser's
    notes). Their adviser may do it for them.
    """
    from mobility.storage.shortlist import get_shortlist, mark_interest, set_shortlist_status

    authorize(principal, Action.SAVE_OWN_PLACEMENT,
              _apprentice(engine, apprentice_id, Action.SAVE_OWN_PLACEMENT, principal))
    if interest:
        return mark_interest(engine, apprentice_id, placement_id, user=principal.username)
    current = get_shortlist(engine, apprentice_id=apprentice_id, placement_id=placement_id)
    version = 0 if current.empty else int(current.iloc[0]["version"])
    status = "suggested" if current.empty else str(current.iloc[0]["status"])
    return set_shortlist_status(engine, apprentice_id, placement_id, status,
                                user=principal.username, expected_version=version)


#: The one message for a row an adviser may not import: its organisation is not theirs,
#: or its id is in use by another organisation. It is the same for both and names
#: neither the other organisation nor anything of the record, so an upload does not
#: tell whose id it is (that the id is taken cannot be hidden: see SECURITY.md).
NOT_YOURS = ("this row may not be imported: its id or sending_organisation is outside "
             "your organisation's caseload (use an id of your own organisation)")

#: Ids looked up per query when checking an import against the database.
_ID_BATCH = 5_000


def _foreign_rows(principal: Principal, frame: pd.DataFrame,
                  engine: sa.Engine | None) -> np.ndarray:
    """Boolean mask of ``frame``'s rows ``principal`` (organisation scope) may not
    store: another organisation in the file, or an id the database holds for another
    organisation (organisation names compared as :func:`same_name` does)."""
    mine = same_name(frame["sending_organisation"], principal.organisation).to_numpy()
    if engine is None or frame.empty:
        return ~mine
    from mobility.storage.schema import apprentices

    ids = frame["apprentice_id"].astype("string").fillna("")
    distinct = list(dict.fromkeys(ids.tolist()))
    owners: dict[str, str | None] = {}
    with engine.connect() as conn:
        for start in range(0, len(distinct), _ID_BATCH):
            batch = distinct[start:start + _ID_BATCH]
            owners.update(conn.execute(
                sa.select(apprentices.c.apprentice_id, apprentices.c.sending_organisation)
                .where(apprentices.c.apprentice_id.in_(batch))).all())
    if not owners:
        return ~mine
    stored = pd.Series(list(owners.values()), index=list(owners), dtype="string")
    theirs = stored.index[~same_name(stored.fillna(""), principal.organisation).to_numpy()]
    taken = ids.isin(set(theirs)).to_numpy()
    return ~mine | taken


def check_import(principal: Principal, kind: str, frame: pd.DataFrame, *,
                 engine: sa.Engine | None = None) -> None:
    """Raise :class:`PermissionDenied` unless ``principal`` may store every row of
    ``frame``: apprentices only of their own organisation (advisers) and reference
    tables only as an administrator. With ``engine``, an adviser may also not use an id
    that the database holds for another organisation (that would move the record)."""
    if kind in REFERENCE_KINDS:
        authorize(principal, Action.EDIT_REFERENCE_DATA)
        return
    scope = authorize(principal, Action.IMPORT_DATA)
    if scope is Scope.ORGANISATION:
        foreign = int(_foreign_rows(principal, frame, engine).sum())
        if foreign:
            raise PermissionDenied(
                f"{principal.role.label} {principal.username!r} may import apprentices of "
                f"their own organisation only: {foreign:,} row{'s' if foreign != 1 else ''} "
                f"belong{'s' if foreign == 1 else ''} to another")


def screen_import(engine: sa.Engine, principal: Principal, result):
    """The check step of an upload: ``result`` (a :class:`mobility.io.ImportResult`)
    with one problem per row ``principal`` may not store (see :data:`NOT_YOURS`) and an
    empty frame if there is any, so the page shows them before anything is written.

    A role that may not import this kind at all gets that refusal as the one problem.
    """
    import dataclasses

    from mobility.io import empty_frame
    from mobility.io.validation import cap_problems

    def refused(problems: list[Problem]):
        return dataclasses.replace(result, problems=tuple(cap_problems(problems)),
                                   frame=empty_frame(result.kind))

    try:
        scope = authorize(principal, Action.EDIT_REFERENCE_DATA
                          if result.kind in REFERENCE_KINDS else Action.IMPORT_DATA)
    except PermissionDenied as exc:
        return refused([Problem(str(exc), file=result.name)])
    if scope is not Scope.ORGANISATION or not result.ok:
        return result
    bad = np.flatnonzero(_foreign_rows(principal, result.frame, engine))
    if not len(bad):
        return result
    return refused([Problem(NOT_YOURS, file=result.name, row=int(pos) + 2,
                            column="apprentice_id") for pos in bad.tolist()])


def import_table(engine: sa.Engine, principal: Principal, kind: str, frame: pd.DataFrame, *,
                 source: str | None = None, progress=None):
    """Store a validated table as ``principal`` after :func:`check_import` (including
    the database check of ids); one transaction, audited by storage under the
    principal's username."""
    from mobility.storage import upsert_table

    check_import(principal, kind, frame, engine=engine)
    return upsert_table(engine, kind, frame, user=principal.username, source=source,
                        progress=progress)


def personal_rows(principal: Principal, table: pd.DataFrame,
                  apprentices: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows of ``table`` ``principal`` may export: with an ``sending_organisation``
    column directly, otherwise through ``apprentices`` (matches, allocations)."""
    if "sending_organisation" in table.columns:
        return restrict_to_scope(principal, Action.EXPORT_PERSONAL_DATA, table)
    if apprentices is None:
        raise ValidationError("to export rows about apprentices, pass the apprentices table")
    allowed = restrict_to_scope(principal, Action.EXPORT_PERSONAL_DATA, apprentices)
    return table.loc[table["apprentice_id"].astype(str).isin(
        set(allowed["apprentice_id"].astype(str)))]


def export_personal_data(engine: sa.Engine, principal: Principal, table: pd.DataFrame, *,
                         what: str, fmt: str = "csv", apprentices: pd.DataFrame | None = None,
                         kind: str | None = None) -> bytes:
    """Export rows about apprentices as CSV or XLSX bytes: only ``principal``'s own
    caseload, formulas neutralised, and the export recorded in the audit trail (who,
    when, what, how many rows; never the rows themselves).

    Parameters
    ----------
    table : DataFrame
        Apprentices (with ``sending_organisation``) or rows keyed by ``apprentice_id``.
    what : str
        What is exported, for the audit trail (``"matches"``, ``"apprentices"``).
    fmt : {"csv", "xlsx", "excel_de"}
        ``excel_de``: "Excel (German)", see :func:`mobility.io.writing.table_bytes`.
    apprentices : DataFrame, optional
        Needed when ``table`` has no ``sending_organisation`` column.
    kind : str, optional
        An import kind: then the file is written in the import format (re-importable).
    """
    from mobility.io.writing import export_frame, neutralise, table_bytes

    rows = personal_rows(principal, table, apprentices)
    if kind is not None:
        shaped = export_frame(rows, kind)
    else:
        shaped = rows.copy()
        for column in shaped.columns:
            if shaped[column].dtype == "string" or shaped[column].dtype == object:
                shaped[column] = neutralise(shaped[column].astype("string"))
    payload = table_bytes(shaped, fmt, sheet=what)  # csv, xlsx or excel_de (one writer)
    with engine.begin() as conn:
        record(conn, principal, "export", what, None,
               detail={"rows": len(rows), "format": fmt,
                       "organisation": principal.organisation})
    return payload


def export_personal_file(engine: sa.Engine, principal: Principal, kind: str,
                         path: str | Path) -> int:
    """Write ``principal``'s caseload of ``kind`` (apprentices) to ``path`` in the import
    format, audited; returns the number of rows written."""
    from mobility.io import write_table
    from mobility.storage import read_table_from_db

    table = read_table_from_db(engine, kind)
    rows = personal_rows(principal, table)
    write_table(rows, kind, path)
    with engine.begin() as conn:
        record(conn, principal, "export", kind, None,
               detail={"rows": len(rows), "file": Path(path).name,
                       "organisation": principal.organisation})
    return len(rows)
