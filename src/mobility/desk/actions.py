"""The desk's operations on behalf of a signed-in principal: authorised, then stored.

Each function asks :func:`mobility.auth.authorize` about the records concerned before it
reads or writes; storage (:mod:`mobility.storage.runs`, :mod:`mobility.storage.shortlist`)
trusts its caller. Pages call these (through :mod:`mobility.ui.desk_store`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from mobility.auth.policy import Action, Scope, authorize, visible_matches
from mobility.auth.roles import Principal
from mobility.desk.plans import taken_slots, working_plan
from mobility.desk.rules import RuleBreak, rule_breaks
from mobility.errors import NotFoundError, PermissionDenied, Problem
from mobility.storage import runs as run_store
from mobility.storage import shortlist as entries
from mobility.text import fold


def _row(frame: pd.DataFrame, column: str, value: str) -> pd.Series:
    hit = frame[frame[column].astype(str) == str(value)]
    if hit.empty:
        raise NotFoundError(f"no record with this {column}")
    return hit.iloc[0]


# ---------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------


def store_run(engine: sa.Engine, principal: Principal, method: str, matches: pd.DataFrame, *,
              settings: dict, summary: dict) -> str:
    """Keep an allocation the principal just ran (their organisation's caseload)."""
    authorize(principal, Action.RUN_ALLOCATION)
    return run_store.save_match_run(engine, method, matches, settings=settings,
                                    user=principal.username,
                                    organisation=principal.organisation, summary=summary)


def _may_see_run(principal: Principal, record: run_store.RunRecord) -> None:
    scope = authorize(principal, Action.VIEW_MATCHES)
    if scope is Scope.ANY:
        return
    if record.organisation is None or fold(record.organisation) != fold(
            principal.organisation or ""):
        raise NotFoundError("no such allocation run")  # another organisation's: not said


def list_runs(engine: sa.Engine, principal: Principal) -> pd.DataFrame:
    """The runs the principal may re-open: their organisation's (all for administrators)."""
    scope = authorize(principal, Action.VIEW_MATCHES)
    return run_store.list_match_runs(
        engine, None if scope is Scope.ANY else (principal.organisation or "\0"))


def open_run(engine: sa.Engine, principal: Principal, run_id: str,
             apprentices: pd.DataFrame) -> tuple[run_store.RunRecord, pd.DataFrame]:
    """A stored run and its rows, limited to the apprentices the principal may see."""
    record = run_store.get_match_run(engine, run_id)
    _may_see_run(principal, record)
    matches = run_store.load_match_run(engine, run_id)
    return record, visible_matches(principal, matches, apprentices).reset_index(drop=True)


def adopt_run(engine: sa.Engine, principal: Principal, run_id: str) -> int:
    """Adopt ``run_id`` as the working plan of the run's organisation (audited) and put
    its pairs on the shortlist as ``suggested`` where the pair has no entry yet (entries
    being worked on keep their status and notes). Returns how many entries were added."""
    authorize(principal, Action.RUN_ALLOCATION)
    record = run_store.get_match_run(engine, run_id)
    _may_see_run(principal, record)
    organisation = record.organisation or principal.organisation
    if not organisation:
        raise PermissionDenied("a working plan belongs to a sending organisation")
    run_store.adopt_match_run(engine, run_id, organisation=organisation,
                              user=principal.username)
    pairs = run_store.load_match_run(engine, run_id)
    return entries.suggest_pairs(engine, pairs[["apprentice_id", "placement_id", "score"]]
                                 if "score" in pairs else pairs, user=principal.username)


def adopted_run(engine: sa.Engine, principal: Principal) -> str | None:
    """The run the principal's organisation works from, or None."""
    authorize(principal, Action.VIEW_MATCHES)
    return run_store.adopted_run_id(engine, principal.organisation)


def current_plan(engine: sa.Engine, principal: Principal,
                 apprentices: pd.DataFrame) -> pd.DataFrame:
    """The principal's working plan (see :func:`mobility.desk.plans.working_plan`),
    limited to the apprentices they may see."""
    authorize(principal, Action.VIEW_MATCHES)
    run_id = run_store.adopted_run_id(engine, principal.organisation)
    plan = run_store.load_match_run(engine, run_id) if run_id else None
    plan_rows = working_plan(plan, entries.latest_overrides(engine), entries.get_shortlist(engine))
    return visible_matches(principal, plan_rows, apprentices).reset_index(drop=True)


# ---------------------------------------------------------------------------
# Shortlist: notes, overrides
# ---------------------------------------------------------------------------


def add_note(engine: sa.Engine, principal: Principal, apprentices: pd.DataFrame,
             apprentice_id: str, placement_id: str, text: str) -> int:
    """Append an adviser's note to an entry's history."""
    authorize(principal, Action.EDIT_SHORTLIST, _row(apprentices, "apprentice_id",
                                                     apprentice_id))
    return entries.add_note(engine, apprentice_id, placement_id, text,
                            user=principal.username)


def note_history(engine: sa.Engine, principal: Principal, apprentices: pd.DataFrame,
                 apprentice_id: str) -> pd.DataFrame:
    """Every history row of the apprentice's shortlist, oldest first."""
    authorize(principal, Action.VIEW_MATCHES, _row(apprentices, "apprentice_id",
                                                   apprentice_id))
    return entries.get_shortlist_events(engine, apprentice_id=apprentice_id)


@dataclass(frozen=True)
class OverrideCheck:
    """What an override of one pair would break (:func:`mobility.desk.rules.rule_breaks`)."""

    apprentice_id: str
    placement_id: str
    breaks: tuple[RuleBreak, ...]


def check_override(engine: sa.Engine, principal: Principal, apprentices: pd.DataFrame,
                   placements: pd.DataFrame, apprentice_id: str,
                   placement_id: str) -> OverrideCheck:
    """The hard rules the pair breaks, capacity counted against the working plan."""
    person = _row(apprentices, "apprentice_id", apprentice_id)
    authorize(principal, Action.EDIT_SHORTLIST, person)
    place = _row(placements, "placement_id", placement_id)
    run_id = run_store.adopted_run_id(engine, principal.organisation)
    plan = run_store.load_match_run(engine, run_id) if run_id else None
    # Capacity counts everyone the plans and confirmations put there, any organisation.
    working = working_plan(plan, entries.latest_overrides(engine), entries.get_shortlist(engine))
    taken = taken_slots(working, str(placement_id), besides=str(apprentice_id))
    return OverrideCheck(str(apprentice_id), str(placement_id),
                         tuple(rule_breaks(person, place, taken=taken)))


def override(engine: sa.Engine, principal: Principal, apprentices: pd.DataFrame,
             placements: pd.DataFrame, apprentice_id: str, placement_id: str, *, reason: str,
             expected_version: int | None) -> OverrideCheck:
    """Put the apprentice on ``placement_id`` by hand: the rules it breaks are
    recomputed here (never taken from the page) and stored with the reason."""
    check = check_override(engine, principal, apprentices, placements, apprentice_id,
                           placement_id)
    entries.record_override(engine, apprentice_id, placement_id, reason=reason,
                            breaks=[b.rule for b in check.breaks], user=principal.username,
                            expected_version=expected_version)
    return check


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------


def writable_kinds(principal: Principal | None, kinds: tuple[str, ...]) -> list[str]:
    """The import kinds ``principal`` may write, asked of the package's own import check
    (:func:`mobility.auth.guarded.check_import`) with an empty table of each kind."""
    from mobility.auth.guarded import check_import
    from mobility.io import empty_frame

    allowed = []
    for kind in kinds:
        try:
            check_import(principal, kind, empty_frame(kind))
        except PermissionDenied:
            continue
        allowed.append(kind)
    return allowed


def import_scope_problems(engine: sa.Engine | None, principal: Principal | None,
                          result) -> list[Problem]:
    """The rows of a checked import (a :class:`mobility.io.ImportResult`) that
    ``principal`` may not write, as row problems of the check step, sorted by row: the
    package's own screen (:func:`mobility.auth.guarded.screen_import`: another
    organisation's rows, ids the database holds for another organisation, kinds the
    role may not write), never a second implementation of it."""
    from mobility.auth.guarded import screen_import

    screened = screen_import(engine, principal, result)
    extra = [p for p in screened.problems if p not in set(result.problems)]
    return sorted(extra, key=lambda p: (p.row is None, p.row or 0, p.column or ""))
